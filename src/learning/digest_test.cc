// Forums, thematic reviews and the learning digest on SQLite and PostgreSQL: an incident at one
// trust becomes a lesson shared anonymised, appears in the forum's thematic review (without its
// organisation), in the digest (HTML, Atom with the required elements, PDF), another trust adopts
// it; sharing events as iCalendar; and the digest e-mail received by a local SMTP server this test
// starts on a free port.
#include "learning/digest.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "directory/directory.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "imports/testing/storage_fixture.h"
#include "learning/forums.h"
#include "learning/lessons.h"

namespace shewhart::learning {
namespace {

using ::shewhart::testing::StorageTest;
using ::shewhart::testing::ValueOrDie;
using ::testing::HasSubstr;
using ::testing::Not;

const access::Acting kWho{.actor = "user:lead@nhs.net", .at = "2026-03-31T09:00:00Z"};

// A minimal SMTP server (RFC 5321's happy path) on 127.0.0.1 and a free port, keeping the DATA of
// the one message it receives.
class SmtpSink {
 public:
  SmtpSink() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    listen(fd_, 1);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~SmtpSink() {
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    if (thread_.joinable()) thread_.join();
  }
  int port() const { return port_; }
  std::string data() {
    if (thread_.joinable()) thread_.join();
    return data_;
  }
  std::string envelope() {
    if (thread_.joinable()) thread_.join();
    return envelope_;
  }

 private:
  void Serve() {
    const int c = accept(fd_, nullptr, nullptr);
    if (c < 0) return;
    auto say = [&](std::string_view s) { (void)!write(c, s.data(), s.size()); };
    say("220 sink ESMTP\r\n");
    std::string buf;
    bool in_data = false;
    char chunk[4096];
    for (;;) {
      const ssize_t n = read(c, chunk, sizeof chunk);
      if (n <= 0) break;
      buf.append(chunk, static_cast<size_t>(n));
      for (;;) {
        if (in_data) {
          const size_t end = buf.find("\r\n.\r\n");
          if (end == std::string::npos) break;
          data_ = buf.substr(0, end + 2);
          buf.erase(0, end + 5);
          in_data = false;
          say("250 queued\r\n");
          continue;
        }
        const size_t eol = buf.find("\r\n");
        if (eol == std::string::npos) break;
        const std::string line = buf.substr(0, eol);
        buf.erase(0, eol + 2);
        envelope_ += line + "\n";
        if (line.starts_with("EHLO") || line.starts_with("HELO")) {
          say("250 sink\r\n");
        } else if (line.starts_with("DATA")) {
          in_data = true;
          say("354 go on\r\n");
        } else if (line.starts_with("QUIT")) {
          say("221 bye\r\n");
          close(c);
          return;
        } else {
          say("250 ok\r\n");
        }
      }
    }
    close(c);
  }
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::string data_, envelope_;
};

class DigestTest : public StorageTest {
 protected:
  void SetUp() override {
    StorageTest::SetUp();
    if (conn_ == nullptr) return;
    const int64_t sys = Unit("SYS", "Demo ICS", "system", std::nullopt);
    raa_ = Unit("RAA", "Aldgate Hospitals NHS Trust", "acute trust", sys);
    rbb_ = Unit("RBB", "Bexley Acute NHS Trust", "acute trust", sys);
    Unit("RCC", "Croydon Care NHS Trust", "acute trust", sys);
    Unit("SEG-Q1", "Most deprived fifth", "segment", sys);
    Unit("SEG-CYP", "Children and young people", "segment", sys);
    all_.all = true;
    in_raa_.unit_ids = {raa_};
    in_rbb_.unit_ids = {rbb_};
  }
  int64_t Unit(const std::string& code, const std::string& name, const std::string& kind,
               std::optional<int64_t> parent) {
    directory::Unit u;
    u.code = code;
    u.name = name;
    u.kind = kind;
    u.parent_id = parent;
    return ValueOrDie(directory::InsertUnit(*conn_, u, "test", "2026-01-01T00:00:00Z"));
  }
  int64_t raa_ = 0, rbb_ = 0;
  access::Scope all_, in_raa_, in_rbb_;
};

TEST_P(DigestTest, IncidentToAnonymisedLessonToReviewDigestAndAdoption) {
  const int64_t incident = ValueOrDie(conn_->ExecuteReturningId(
      "INSERT INTO incident (unit_id, reference, occurred, category, harm, summary, created_by, "
      "created_at) VALUES (?, 'W-1', '2026-03-02', 'Deterioration', 'severe', 'NEWS2 of 7 not "
      "escalated overnight', 't', 't') RETURNING id",
      {raa_}));
  const int64_t lesson = ValueOrDie(CreateLesson(
      *conn_, kWho, in_raa_,
      {.title = "Escalate a rising NEWS2 at night",
       .summary = "A score of 5 or more is called through to the outreach team within the hour.",
       .organisation = "RAA",
       .themes = {"Deteriorating patient"},
       .share = "anonymised",
       .source_kind = "incident",
       .source_id = incident,
       .rapid_learning_points = {"Call outreach for NEWS2 >= 5", "Document the call"},
       .co_design = true,
       .populations = {"SEG-Q1"},
       .learned_on = "2026-03-10"}));
  const int64_t forum = ValueOrDie(CreateForum(
      *conn_, kWho, {.name = "Learning from Incidents", .members = {"RAA", "RBB", "RCC"}}));
  EXPECT_THAT(CreateForum(*conn_, kWho, {.name = "Alone", .members = {"RAA"}}).status().message(),
              HasSubstr("members"));
  ValueOrDie(AddMeeting(
      *conn_, kWho, forum,
      {.held_on = "2026-03-15",
       .title = "March meeting",
       .cases = {
           {.kind = "incident", .id = incident, .summary = "Overnight deterioration, NEWS2 7"}}}));
  const int64_t review = ValueOrDie(CreateReview(
      *conn_, kWho, forum,
      {.theme = "deteriorating patient",
       .title = "Deteriorating patients across the trusts",
       .learning_points = {"One escalation standard across the trusts"},
       .items = {{.kind = "incident", .id = incident, .summary = "Overnight deterioration"}}}));
  const Review seen = ValueOrDie(GetReview(*conn_, in_rbb_, review));
  ASSERT_EQ(seen.lessons.size(), 1u);
  EXPECT_EQ(seen.lessons[0].id, lesson);
  EXPECT_EQ(seen.lessons[0].organisation, "");  // anonymised for RBB's people
  EXPECT_EQ(seen.learning_points.size(), 1u);
  ValueOrDie(AddAction(*conn_, kWho, in_rbb_, review,
                       {.organisation = "RBB",
                        .action = "Adopt the escalation standard",
                        .status = "in_progress",
                        .due = "2026-06-30"}));
  EXPECT_EQ(AddAction(*conn_, kWho, in_rbb_, review, {.organisation = "RAA", .action = "x"})
                .status()
                .code(),
            StatusCode::kPermissionDenied);
  ValueOrDie(RecordResponse(*conn_, kWho, in_rbb_, lesson,
                            {.organisation = "RBB",
                             .response = "adopted",
                             .date = "2026-03-20",
                             .project = "Deterioration QI project"}));
  ValueOrDie(CreateEvent(*conn_, kWho,
                         {.forum_id = forum,
                          .title = "Learning from Incidents, April",
                          .description = "Cases, themes; actions",
                          .location = "Leeds",
                          .starts_at = "2026-04-14T10:00",
                          .ends_at = "2026-04-14T12:00"}));
  EXPECT_THAT(CreateEvent(*conn_, kWho,
                          {.title = "x", .starts_at = "tomorrow", .ends_at = "2026-04-14T12:00"})
                  .status()
                  .message(),
              HasSubstr("starts_at"));

  const Digest d = ValueOrDie(BuildDigest(
      *conn_, {.from = "2026-03-01", .to = "2026-03-31", .audience = "system"}, kWho.at));
  ASSERT_EQ(d.new_lessons.size(), 1u);
  EXPECT_TRUE(d.new_lessons[0].anonymised);
  ASSERT_EQ(d.responses.size(), 1u);
  EXPECT_EQ(d.responses[0].organisation_name, "Bexley Acute NHS Trust");
  ASSERT_EQ(d.events.size(), 1u);
  ASSERT_EQ(d.segments.size(), 2u);
  const std::string html = DigestHtml(d);
  EXPECT_THAT(html, HasSubstr("Escalate a rising NEWS2 at night"));
  EXPECT_THAT(html, HasSubstr("Shared anonymised"));
  EXPECT_THAT(html, Not(HasSubstr("Aldgate")));  // never names the anonymised source
  EXPECT_THAT(html, HasSubstr("<html lang=\"en\">"));
  EXPECT_THAT(html, HasSubstr("Not yet engaged"));
  EXPECT_THAT(html, HasSubstr("Deterioration QI project"));

  const std::string atom = DigestAtom(d, "https://shewhart.example");
  for (const char* required :
       {"<feed xmlns=\"http://www.w3.org/2005/Atom\">", "<id>urn:shewhart:digest:system</id>",
        "<title>", "<updated>2026-03-31T09:00:00Z</updated>", "<author><name>",
        "<entry>\n<id>urn:shewhart:lesson:", "</feed>"}) {
    EXPECT_THAT(atom, HasSubstr(required));
  }
  // Every entry has its id, title and updated (RFC 4287 4.1.2).
  size_t entries = 0;
  for (size_t at = atom.find("<entry>"); at != std::string::npos;
       at = atom.find("<entry>", at + 1)) {
    const std::string entry = atom.substr(at, atom.find("</entry>", at) - at);
    EXPECT_THAT(entry, HasSubstr("<id>"));
    EXPECT_THAT(entry, HasSubstr("<title>"));
    EXPECT_THAT(entry, HasSubstr("<updated>"));
    ++entries;
  }
  EXPECT_EQ(entries, 2u);  // the lesson and the event

  const std::string pdf = ValueOrDie(DigestPdf(d));
  EXPECT_EQ(pdf.substr(0, 5), "%PDF-");

  const std::string ics = ICalendar(d.events, kWho.at);
  EXPECT_THAT(ics, HasSubstr("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
  EXPECT_THAT(ics, HasSubstr("DTSTART:20260414T100000Z\r\n"));
  EXPECT_THAT(ics, HasSubstr("DESCRIPTION:Cases\\, themes\\; actions\r\n"));
  EXPECT_THAT(ics, HasSubstr("END:VCALENDAR\r\n"));

  // A place or forum audience; bad input names the field.
  const Digest f = ValueOrDie(BuildDigest(
      *conn_,
      {.from = "2026-03-01", .to = "2026-03-31", .audience = "forum:" + std::to_string(forum)},
      kWho.at));
  EXPECT_EQ(f.audience_name, "Learning from Incidents");
  EXPECT_THAT(BuildDigest(*conn_, {.from = "x", .to = "2026-03-31"}, kWho.at).status().message(),
              HasSubstr("from"));
  EXPECT_THAT(BuildDigest(*conn_, {.audience = "nowhere"}, kWho.at).status().message(),
              HasSubstr("audience"));
}

TEST_P(DigestTest, TheDigestEmailReachesALocalSmtpServer) {
  ValueOrDie(CreateLesson(*conn_, kWho, in_raa_,
                          {.title = "Safety huddles every morning",
                           .summary = "Ten minutes at 8am.",
                           .organisation = "RAA",
                           .themes = {"falls"},
                           .share = "named",
                           .learned_on = "2026-03-05"}));
  const Digest d =
      ValueOrDie(BuildDigest(*conn_, {.from = "2026-03-01", .to = "2026-03-31"}, kWho.at));
  SmtpSink sink;
  const SmtpSettings smtp{.url = "smtp://127.0.0.1:" + std::to_string(sink.port()),
                          .from = "digest@shewhart.example"};
  const Status sent = SendDigestEmail(smtp, {"quality@nhs.example"}, d, "https://shewhart.example");
  if (EmailAvailable()) {
    ASSERT_TRUE(sent.ok()) << sent.ToString();
    const std::string data = sink.data();
    EXPECT_THAT(sink.envelope(), HasSubstr("RCPT TO:<quality@nhs.example>"));
    EXPECT_THAT(data, HasSubstr("Subject: Learning digest"));
    EXPECT_THAT(data, HasSubstr("Content-Type: text/html; charset=utf-8"));
    EXPECT_THAT(data, HasSubstr("Safety huddles every morning"));
    EXPECT_THAT(data, HasSubstr("<html lang=\"en\">"));
    // The HTML part is the digest page itself (which the browser test checks with axe-core).
    std::string html = DigestHtml(d, "https://shewhart.example");
    std::string crlf;
    for (char c : html) {
      if (c == '\n')
        crlf += "\r\n";
      else
        crlf += c;
    }
    EXPECT_THAT(data, HasSubstr(crlf.substr(0, 400)));
  } else {
    EXPECT_EQ(sent.code(), StatusCode::kFailedPrecondition);
  }
  EXPECT_THAT(SendDigestEmail(smtp, {"not an address"}, d, "").message(), HasSubstr("to"));
}

INSTANTIATE_STORAGE_TEST(DigestTest);

}  // namespace
}  // namespace shewhart::learning
