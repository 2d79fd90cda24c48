// intelligence: the strands of evidence besides incidents (incidents.h), each a Kind of the one
// record engine (records.h). Scales from ../shared/quality-reference.md:
//   complaints  reference, organisation, received, subject, service, outcome (upheld,
//               partly_upheld, not_upheld; empty while open), days_to_respond — KO41 subject
//               areas and service areas; restricted.
//   audits      reference, organisation, audit, standard, date, result, met (met, partly_met,
//               not_met), actions — national and local clinical audits.
//   ratings     organisation, published, overall, safe, effective, caring, responsive, well_led
//               (outstanding, good, requires_improvement, inadequate; empty = not rated),
//               report (link) — CQC's four-point scale and five key questions.
//   notes       organisation, noted_on, text, source (staff, patient_public, partner,
//               regulator, media), theme, concerning (yes/no) — the restricted soft-intelligence
//               notes (notes.h) with the fields added by migration 707.
//   horizon     reference, title, type (guidance, safety_alert, report, regulation, other),
//               published, due, organisations, metrics, responded, response, link — national
//               guidance, safety alerts and reports, with a due date for a response.
// Every kind also takes an optional `metric` column: the metric the record bears on.
//
// Example:
//   ASSIGN_OR_RETURN(auto r, ImportRecords(*conn, RatingKind(), table, sha, options));
#ifndef SHEWHART_INTELLIGENCE_SOURCES_H_
#define SHEWHART_INTELLIGENCE_SOURCES_H_

#include <optional>
#include <span>
#include <string_view>

#include "db/migrate.h"
#include "intelligence/records.h"

namespace shewhart::intelligence {

inline constexpr std::string_view kComplaintOutcomes[] = {"upheld", "partly_upheld",
                                                          "not_upheld"};
// KO41 subject areas (quality-reference §1.10; the list is unconfirmed there, so the file may
// use any subject: these are the recommended words).
inline constexpr std::string_view kKo41Subjects[] = {
    "Access to treatment or drugs", "Admissions and discharges", "Appointments",
    "Clinical treatment", "Communications", "Consent", "End of life care", "Facilities",
    "Integrated care", "Patient care", "Prescribing", "Privacy, dignity and wellbeing",
    "Staff numbers", "Transport", "Trust administration", "Values and behaviours (staff)",
    "Waiting times", "Other"};
inline constexpr std::string_view kAuditResults[] = {"met", "partly_met", "not_met"};
// CQC's four-point scale, best first.
inline constexpr std::string_view kCqcRatings[] = {"outstanding", "good", "requires_improvement",
                                                   "inadequate"};
// CQC's five key questions, in CQC's order, as the columns of a ratings file.
inline constexpr std::string_view kKeyQuestions[] = {"safe", "effective", "caring", "responsive",
                                                     "well_led"};
inline constexpr std::string_view kNoteSources[] = {"staff", "patient_public", "partner",
                                                    "regulator", "media"};
inline constexpr std::string_view kHorizonTypes[] = {"guidance", "safety_alert", "report",
                                                     "regulation", "other"};

// 4 (outstanding) .. 1 (inadequate); nullopt for "" or an unknown word.
std::optional<int> RatingScore(std::string_view rating);
// "Requires improvement" from "requires_improvement".
std::string RatingText(std::string_view rating);

const Kind& ComplaintKind();
const Kind& AuditKind();
const Kind& RatingKind();
const Kind& NoteKind();
const Kind& HorizonKind();

// Migrations 704-708: complaints, audits, ratings, the notes' new fields, horizon items.
std::span<const db::Migration> SourceMigrations();

}  // namespace shewhart::intelligence

#endif  // SHEWHART_INTELLIGENCE_SOURCES_H_
