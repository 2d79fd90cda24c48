// learning/digest: the learning digest, generated for a period and an audience — the system, a
// place (its organisations), or a forum (its members) — from what the database holds: new
// lessons and how far earlier ones spread, improvements that SPC confirmed, projects completed
// (when the improvement part is present), signals that rose or fell (incidents and complaints
// reported across the audience against the period before, totals only), upcoming sharing events,
// and co-design: the lessons and projects that involved patients and the public, and which
// population segments of the directory were engaged and which were not.
//
// A digest is a broadcast: it holds only what everyone may see (named and anonymised lessons, the
// latter without their organisation; counts of restricted records by organisation, never their
// text). Written as an accessible HTML page, a PDF (via chart's PdfBoardPack tables), an Atom
// feed (RFC 4287: feed id/title/updated/author, each entry id/title/updated/link/summary), and
// sent by e-mail through an SMTP relay (libcurl) as multipart/alternative (text + the HTML page).
//
// Example:
//   ASSIGN_OR_RETURN(learning::Digest d, learning::BuildDigest(conn, {.from = "2026-01-01",
//                    .to = "2026-03-31", .audience = "system"}, now));
//   std::string html = learning::DigestHtml(d);
#ifndef SHEWHART_LEARNING_DIGEST_H_
#define SHEWHART_LEARNING_DIGEST_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "db/db.h"
#include "learning/forums.h"
#include "learning/lessons.h"

namespace shewhart::learning {

struct DigestRequest {
  std::string from, to;  // YYYY-MM-DD, from <= to; "" = the 30 days up to `to` / today
  std::string audience;  // "system" (default), a place's code, or "forum:ID"
};

struct DigestResponse {  // a response recorded in the period
  int64_t lesson_id = 0;
  std::string lesson_title;
  std::string organisation_name;
  std::string response;
  std::string date;
  std::string project;
};
struct DigestCount {  // one line of "how far earlier lessons spread", or a signal
  std::string label;
  std::string detail;
  int64_t value = 0;
  int64_t before = 0;
};
struct Segment {
  std::string code, name;
  bool engaged = false;
};

struct Digest {
  std::string from, to, audience, audience_name, generated_at;
  std::vector<Lesson> new_lessons;
  std::vector<DigestResponse> responses;
  std::vector<DigestCount> spread;        // earlier lessons: reviewed / adopted / adapted
  std::vector<DigestCount> improvements;  // SPC series showing special-cause improvement
  std::vector<DigestCount> projects;      // projects completed
  std::vector<DigestCount> signals;       // rose (value > before) or fell
  std::vector<Event> events;              // upcoming sharing events
  std::vector<Lesson> co_design;          // lessons that involved patients and the public
  std::vector<DigestCount> co_design_projects;
  std::vector<Segment> segments;  // engaged or not
};

// InvalidArgument naming the field (from, to, audience); NotFound for an unknown forum.
Result<Digest> BuildDigest(db::Connection& conn, const DigestRequest& request,
                           std::string_view now);

// A whole, accessible HTML document (lang, title, landmarks, headings in order, tables with
// header cells, links with text). `base_url` prefixes links ("" = site-relative).
std::string DigestHtml(const Digest& d, std::string_view base_url = "");
// Plain text of the same (the e-mail's text part).
std::string DigestText(const Digest& d);
// The Atom feed (RFC 4287).
std::string DigestAtom(const Digest& d, std::string_view base_url);
// The PDF bytes. IoError if the temporary file cannot be written.
Result<std::string> DigestPdf(const Digest& d);

struct SmtpSettings {
  std::string url;             // "smtp://relay.example.nhs.uk:25" (smtps:// for TLS)
  std::string from;            // envelope and header sender
  std::string user, password;  // optional
};
// True when this build can send e-mail (libcurl).
bool EmailAvailable();
// Sends the digest to `to` (>= 1 address). FailedPrecondition when built without libcurl or without
// a relay; IoError naming the relay when sending fails.
Status SendDigestEmail(const SmtpSettings& smtp, const std::vector<std::string>& to,
                       const Digest& d, std::string_view base_url);
// The RFC 5322 message SendDigestEmail sends (for tests and dry runs).
std::string DigestEmailMessage(const SmtpSettings& smtp, const std::vector<std::string>& to,
                               const Digest& d, std::string_view base_url);

}  // namespace shewhart::learning

#endif  // SHEWHART_LEARNING_DIGEST_H_
