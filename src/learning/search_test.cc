// Search and lessons on SQLite and PostgreSQL: stemming ("falls" finds "fall" and "falling"),
// ranking (a title match above a body match), snippets, filters, the index kept current by the
// triggers inside the writing transaction (and a table that lands after the migrations), lessons'
// validation, responses and spread — and NO LEAKS: for every kind search knows (generated from
// IndexedKinds(), so a new kind cannot escape), a person out of scope gets neither a restricted
// record nor any trace of it.
#include "learning/search.h"

#include <set>

#include "access/audit.h"
#include "directory/directory.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "imports/testing/storage_fixture.h"
#include "learning/lessons.h"

namespace shewhart::learning {
namespace {

using ::shewhart::testing::StorageTest;
using ::shewhart::testing::ValueOrDie;
using ::testing::HasSubstr;

const access::Acting kWho{.actor = "user:lead@nhs.net", .at = "2026-03-01T09:00:00Z"};

class SearchTest : public StorageTest {
 protected:
  void SetUp() override {
    StorageTest::SetUp();
    if (conn_ == nullptr) return;
    sys_ = Unit("SYS", "Demo ICS", "system", std::nullopt);
    raa_ = Unit("RAA", "Aldgate Hospitals NHS Trust", "acute trust", sys_);
    rbb_ = Unit("RBB", "Bexley Acute NHS Trust", "acute trust", sys_);
    rcc_ = Unit("RCC", "Croydon Care NHS Trust", "acute trust", sys_);
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
  int64_t Lesson(const std::string& title, const std::string& summary,
                 const std::string& share = "named", const std::string& org = "RAA",
                 std::vector<std::string> themes = {"falls"},
                 const std::string& date = "2026-02-01") {
    NewLesson l{.title = title,
                .summary = summary,
                .organisation = org,
                .themes = std::move(themes),
                .share = share,
                .learned_on = date};
    return ValueOrDie(CreateLesson(*conn_, kWho, all_, l));
  }
  std::vector<SearchResult> Find(const access::Scope& scope, SearchQuery q) {
    return ValueOrDie(Search(*conn_, scope, q));
  }
  static std::set<int64_t> Ids(const std::vector<SearchResult>& r, std::string_view kind) {
    std::set<int64_t> out;
    for (const auto& x : r) {
      if (x.kind == kind) out.insert(x.id);
    }
    return out;
  }
  void Exec(const std::string& sql, db::Params p = {}) {
    SHEWHART_ASSERT_OK(conn_->Execute(sql, p));
  }
  int64_t Incident(int64_t unit, const std::string& category, const std::string& summary) {
    return ValueOrDie(conn_->ExecuteReturningId(
        "INSERT INTO incident (unit_id, reference, occurred, category, harm, summary, created_by, "
        "created_at) VALUES (?, ?, '2026-01-10', ?, 'moderate', ?, 'test', 't') RETURNING id",
        {unit, "INC-" + std::to_string(++counter_), category, summary}));
  }

  int64_t sys_ = 0, raa_ = 0, rbb_ = 0, rcc_ = 0;
  int counter_ = 0;
  access::Scope all_, in_raa_, in_rbb_;
};

TEST_P(SearchTest, StemmingFindsEveryFormOfAWord) {
  const int64_t fall = Lesson("Learning from a fall on the stroke ward", "Bed rails were down.");
  const int64_t falling =
      Lesson("Night checks", "Patients falling at night when going to the toilet.");
  const int64_t other = Lesson("Hand hygiene", "Gel at every bed.", "named", "RAA", {"infection"});
  const std::set<int64_t> hits = Ids(Find(all_, {.q = "falls"}), "lesson");
  EXPECT_TRUE(hits.contains(fall));
  EXPECT_TRUE(hits.contains(falling));
  EXPECT_FALSE(hits.contains(other));
}

TEST_P(SearchTest, TitleMatchRanksAboveBodyMatchWithHighlightedSnippet) {
  const int64_t body = Lesson("Ward rounds at night",
                              "Include hydration in every round, with the fluid chart & <notes>.");
  const int64_t title = Lesson("Hydration checks", "A jug on each table, refilled at lunch.");
  const auto r = Find(all_, {.q = "hydration", .kind = "lesson"});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].id, title);
  EXPECT_EQ(r[1].id, body);
  EXPECT_GE(r[0].score, r[1].score);
  EXPECT_THAT(r[1].snippet, HasSubstr("<mark>hydration</mark>"));
  // A match in the title only: the snippet is the title, highlighted.
  EXPECT_THAT(r[0].snippet, HasSubstr("<mark>Hydration</mark>"));
  // Escaped HTML (PostgreSQL's headline drops the tag-like text; SQLite escapes it).
  EXPECT_THAT(r[1].snippet, HasSubstr("&amp;"));
  EXPECT_THAT(r[1].snippet, ::testing::Not(HasSubstr("<notes>")));
  EXPECT_EQ(r[1].link, "/lessons/" + std::to_string(body));
}

TEST_P(SearchTest, FiltersByKindOrganisationThemeAndDate) {
  const int64_t a = Lesson("Sepsis screening at triage", "Screen sepsis early.", "named", "RAA",
                           {"sepsis"}, "2026-01-05");
  const int64_t b = Lesson("Sepsis six in the ambulance", "Start sepsis six.", "named", "RBB",
                           {"sepsis", "deteriorating patient"}, "2026-02-20");
  Incident(raa_, "Sepsis", "Late sepsis recognition");
  EXPECT_EQ(Ids(Find(all_, {.q = "sepsis", .kind = "lesson"}), "lesson"),
            (std::set<int64_t>{a, b}));
  EXPECT_EQ(Ids(Find(all_, {.q = "sepsis", .kind = "incident"}), "lesson").size(), 0u);
  EXPECT_EQ(Find(all_, {.q = "sepsis", .kind = "incident"}).size(), 1u);
  EXPECT_EQ(Ids(Find(all_, {.q = "sepsis", .organisation = "RBB"}), "lesson"),
            (std::set<int64_t>{b}));
  EXPECT_EQ(Ids(Find(all_, {.q = "sepsis", .theme = "Deteriorating Patient"}), "lesson"),
            (std::set<int64_t>{b}));
  EXPECT_EQ(Ids(Find(all_, {.q = "sepsis", .from = "2026-02-01", .to = "2026-02-28"}), "lesson"),
            (std::set<int64_t>{b}));
  EXPECT_FALSE(Search(*conn_, all_, {.q = "x", .kind = "nonsense"}).ok());
  const Status bad_date = Search(*conn_, all_, {.q = "x", .from = "01/02/2026"}).status();
  EXPECT_THAT(bad_date.message(), HasSubstr("from"));
  EXPECT_THAT(Search(*conn_, all_, {.q = "x", .organisation = "ZZZ"}).status().message(),
              HasSubstr("organisation"));
  // Operators and quotes in what people type are words, never syntax.
  EXPECT_TRUE(Search(*conn_, all_, {.q = "sepsis\" OR NEAR( * -"}).ok());
}

TEST_P(SearchTest, TriggersKeepTheIndexCurrentInsideTheWritingTransaction) {
  const int64_t id = Incident(raa_, "Medication", "Wrong dose of insulin given");
  EXPECT_EQ(Find(all_, {.q = "insulin"}).size(), 1u);
  Exec("UPDATE incident SET summary = 'Omitted dose of heparin' WHERE id = ?", {id});
  EXPECT_EQ(Find(all_, {.q = "insulin"}).size(), 0u);
  EXPECT_EQ(Find(all_, {.q = "heparin"}).size(), 1u);
  {
    db::Transaction tx = ValueOrDie(db::Transaction::Begin(*conn_));
    Incident(raa_, "Medication", "Warfarin interaction missed");
    EXPECT_EQ(Find(all_, {.q = "warfarin"}).size(), 1u);  // seen inside the transaction
  }                                                       // rolled back
  EXPECT_EQ(Find(all_, {.q = "warfarin"}).size(), 0u);
  Exec("DELETE FROM incident WHERE id = ?", {id});
  EXPECT_EQ(Find(all_, {.q = "heparin"}).size(), 0u);
  // Metrics and glossary terms come from their versions.
  Exec("INSERT INTO glossary_term (term) VALUES ('huddle')");
  Exec(
      "INSERT INTO glossary_version (term_id, version, definition, status, created_by, "
      "created_at) SELECT id, 1, 'A short daily safety briefing', 'agreed', 't', "
      "'2026-01-01T00:00:00Z' FROM glossary_term WHERE term = 'huddle'");
  const auto g = Find(all_, {.q = "briefings", .kind = "glossary"});
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].title, "huddle");
  EXPECT_EQ(g[0].link, "/glossary/huddle");
}

TEST_P(SearchTest, ATableThatLandsLaterIsIndexedOnTheNextStart) {
  const bool pg = conn_->dialect() == db::Dialect::kPostgres;
  // The improvement part now ships improvement_project: take it (and its dependants) away so the
  // table can "land later" in this test, and let the index forget it first.
  Exec(pg ? "DROP TABLE IF EXISTS improvement_pdsa CASCADE"
          : "DROP TABLE IF EXISTS improvement_pdsa");
  Exec(pg ? "DROP TABLE IF EXISTS improvement_project CASCADE"
          : "DROP TABLE IF EXISTS improvement_project");
  SHEWHART_ASSERT_OK(EnsureSearchIndex(*conn_));
  Exec(std::string("CREATE TABLE improvement_project (id ") + (pg ? "BIGSERIAL" : "INTEGER") +
       " PRIMARY KEY, unit_id BIGINT, title TEXT NOT NULL, aim TEXT, status TEXT, started TEXT)");
  Exec(
      "INSERT INTO improvement_project (unit_id, title, aim, status, started) VALUES (?, "
      "'Reducing pressure ulcers', 'Halve category 2 ulcers', 'active', '2026-01-01')",
      {rbb_});
  EXPECT_EQ(Find(all_, {.q = "ulcers"}).size(), 0u);
  SHEWHART_ASSERT_OK(EnsureSearchIndex(*conn_));
  auto r = Find(all_, {.q = "ulcer"});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].kind, "project");
  EXPECT_EQ(r[0].organisation, "RBB");
  Exec(
      "INSERT INTO improvement_project (unit_id, title, aim, status, started) VALUES (?, "
      "'Ulcer prevention in care homes', '', 'planning', '2026-02-01')",
      {rcc_});
  EXPECT_EQ(Find(all_, {.q = "ulcer"}).size(), 2u);
  const std::vector<std::string> active = ValueOrDie(ActiveKinds(*conn_));
  EXPECT_NE(std::find(active.begin(), active.end(), "project"), active.end());
  SHEWHART_ASSERT_OK(EnsureSearchIndex(*conn_));  // again: nothing to do
  EXPECT_EQ(Find(all_, {.q = "ulcer"}).size(), 2u);
}

// Makes, through the real tables, one record of `kind` that only RAA may see (fully restricted
// or anonymised), carrying `word`. Every restricted kind present must have a maker: a new kind
// fails this test until it has one.
bool MakeRestricted(SearchTest& t, db::Connection& c, std::string_view kind, int64_t raa,
                    const std::string& word, const std::function<int64_t(std::string)>& lesson) {
  if (kind == "incident") {
    return c
        .Execute(
            "INSERT INTO incident (unit_id, reference, category, summary, created_by, "
            "created_at) VALUES (?, 'LEAK-1', ?, ?, 't', 't')",
            {raa, word, "about " + word})
        .ok();
  }
  if (kind == "complaint") {
    return c
        .Execute(
            "INSERT INTO complaint (unit_id, reference, subject, summary, created_by, "
            "created_at) VALUES (?, 'LEAK-2', ?, ?, 't', 't')",
            {raa, word, "about " + word})
        .ok();
  }
  if (kind == "note") {
    return c
        .Execute(
            "INSERT INTO soft_note (unit_id, text, author, noted_on, created_at) "
            "VALUES (?, ?, 't', '2026-01-01', 't')",
            {raa, "staff worried about " + word})
        .ok();
  }
  if (kind == "lesson") {
    lesson("organisation_only");
    return true;
  }
  if (kind == "concern" || kind == "risk") {
    const std::string table = std::string(kind);
    const std::string sql =
        kind == "concern"
            ? "INSERT INTO concern (title, description, owner, review_by, status, opened_on, "
              "created_by, created_at, updated_at) VALUES (?, ?, 'o@nhs.net', '2026-02-01', "
              "'open', '2026-01-01', 't', 't', 't') RETURNING id"
            : "INSERT INTO risk (title, description, owner, consequence, likelihood, status, "
              "last_reviewed, created_by, created_at, updated_at) VALUES (?, ?, 'o@nhs.net', 4, 4, "
              "'open', '2026-01-01', 't', '2026-01-01T00:00:00Z', 't') RETURNING id";
    const Result<int64_t> id = c.ExecuteReturningId(sql, {word, "about " + word});
    if (!id.ok()) return false;
    return c
        .Execute("INSERT INTO " + table + "_unit (" + table + "_id, unit_id) VALUES (?, ?)",
                 {id.value(), raa})
        .ok();
  }
  if (kind == "meeting") {
    return c
        .Execute(
            "INSERT INTO meeting (grp, title, held_on, unit_id, created_by, created_at) "
            "VALUES ('committee', ?, '2026-01-01', ?, 't', 't')",
            {word, raa})
        .ok();
  }
  (void)t;
  return false;
}

TEST_P(SearchTest, NoLeaksForEveryIndexedKind) {
  const std::vector<std::string> active = ValueOrDie(ActiveKinds(*conn_));
  int checked = 0;
  for (const IndexedKind& k : IndexedKinds()) {
    SCOPED_TRACE(std::string(k.kind));
    const std::string word = "zqx" + std::string(k.kind.substr(0, 3)) + "secretword";
    const std::string w = word;  // one token: no underscores
    // 1. Whatever the kind, a restricted document of RAA's is invisible to RBB's people: by
    //    the word, by the kind, by the organisation, with no query at all.
    Exec(
        "INSERT INTO search_doc (kind, ref_id, title, body, unit_id, visibility, doc_date) "
        "VALUES (?, ?, ?, ?, ?, 'restricted', '2026-01-01')",
        {k.kind, 900000 + checked, w + " title", w + " body", raa_});
    for (const SearchQuery& q :
         {SearchQuery{.q = w}, SearchQuery{.q = w, .kind = std::string(k.kind)},
          SearchQuery{.q = w, .organisation = "RAA"}, SearchQuery{.kind = std::string(k.kind)},
          SearchQuery{.organisation = "RAA"}}) {
      for (const SearchResult& r : Find(in_rbb_, q)) {
        EXPECT_NE(r.id, 900000 + checked) << "leaked to a person out of scope";
        EXPECT_THAT(r.title + r.snippet, ::testing::Not(HasSubstr(w)));
      }
    }
    EXPECT_EQ(Find(in_raa_, {.q = w}).size(), 1u);
    EXPECT_EQ(Find(all_, {.q = w}).size(), 1u);
    Exec("DELETE FROM search_doc WHERE kind = ? AND ref_id = ?", {k.kind, 900000 + checked});
    ++checked;

    // 2. Through the real tables, for every kind whose records may be restricted.
    const bool present = std::find(active.begin(), active.end(), k.kind) != active.end();
    if (!present || k.visibility == "public") continue;
    const std::string real = "zqy" + std::string(k.kind.substr(0, 3)) + "realword";
    int64_t lesson_id = 0;
    const bool made = MakeRestricted(*this, *conn_, k.kind, raa_, real, [&](std::string share) {
      lesson_id = Lesson(real + " learning", "what " + real + " taught us", share);
      return lesson_id;
    });
    ASSERT_TRUE(made) << "kind \"" << k.kind
                      << "\" may be restricted but this test cannot make one: add it to "
                         "MakeRestricted";
    EXPECT_EQ(Find(in_raa_, {.q = real}).size(), 1u) << "the insider must find it";
    for (const SearchQuery& q :
         {SearchQuery{.q = real}, SearchQuery{.q = real, .kind = std::string(k.kind)},
          SearchQuery{.q = real, .organisation = "RAA"}, SearchQuery{.kind = std::string(k.kind)},
          SearchQuery{.organisation = "RAA"}}) {
      for (const SearchResult& r : Find(in_rbb_, q)) {
        EXPECT_THAT(r.title + r.snippet, ::testing::Not(HasSubstr(real)));
      }
    }
  }
  EXPECT_EQ(checked, static_cast<int>(IndexedKinds().size()));
}

// The order (docs/learning.md, "How results are ranked"): every word in the title first, then
// the other matches, each newest first — exact however many documents match, including old ones
// far behind thousands of newer documents (PostgreSQL takes the newest matches a window of the
// index at a time, so this reaches past several windows), and with a restricted kind filtered
// for a person who sees one organisation.
TEST_P(SearchTest, TitleMatchesFirstThenNewestAcrossAThousandsDeepIndex) {
  auto doc = [](std::string kind, int64_t ref, std::string title, std::string body, int64_t unit,
                std::string visibility) {
    return std::vector<db::Value>{std::move(kind), ref,  std::move(title),
                                  std::move(body), unit, std::move(visibility)};
  };
  std::vector<std::vector<db::Value>> rows;
  // Oldest: a restricted incident of RAA's and one of RBB's, and a title match.
  rows.push_back(doc("incident", 1, "mishap", "zqold body", raa_, "restricted"));
  rows.push_back(doc("incident", 2, "other mishap", "zqold body", rbb_, "restricted"));
  rows.push_back(doc("lesson", 3, "Zqold lesson", "a title match", raa_, "public"));
  // Then 6,000 newer documents that never hold the word, a few of which hold it in the body.
  for (int i = 0; i < 6000; ++i) {
    const bool hit = i % 1500 == 0;
    rows.push_back(doc("lesson", 100 + i, "filler " + std::to_string(i),
                       hit ? "mentions zqold once" : "nothing here", rcc_, "public"));
  }
  SHEWHART_ASSERT_OK(conn_->ExecuteMany(
      "INSERT INTO search_doc (kind, ref_id, title, body, unit_id, visibility) VALUES (?, ?, ?, "
      "?, ?, ?)",
      rows));
  const auto r = Find(in_raa_, {.q = "zqold"});
  ASSERT_EQ(r.size(), 6u);
  EXPECT_EQ(r[0].id, 3);     // the title match, though it is among the oldest
  EXPECT_EQ(r[1].id, 4600);  // then the body matches, newest first...
  EXPECT_EQ(r[2].id, 3100);
  EXPECT_EQ(r[3].id, 1600);
  EXPECT_EQ(r[4].id, 100);
  EXPECT_EQ(r[5].id, 1);  // ...down to RAA's incident; RBB's is out of scope
  EXPECT_GT(r[0].score, r[1].score);
  const auto page = Find(in_raa_, {.q = "zqold", .limit = 2});
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[1].id, 4600);
  const auto incidents = Find(in_raa_, {.q = "zqold", .kind = "incident"});
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0].id, 1);
  const auto rbb = Find(in_rbb_, {.q = "zqold mishap"});  // RBB's own, never RAA's
  ASSERT_EQ(rbb.size(), 1u);
  EXPECT_EQ(rbb[0].id, 2);
  EXPECT_EQ(Find(all_, {.q = "zqold", .kind = "incident"}).size(), 2u);
}

TEST_P(SearchTest, AnonymisedLessonsNeverNameTheirOrganisationToOthers) {
  const int64_t id = Lesson("Call for help sooner", "Escalate a NEWS2 of 5 within the hour.",
                            "anonymised", "RAA", {"deteriorating patient"});
  const auto outside = Find(in_rbb_, {.q = "escalate"});
  ASSERT_EQ(outside.size(), 1u);
  EXPECT_TRUE(outside[0].anonymised);
  EXPECT_EQ(outside[0].organisation, "");
  EXPECT_EQ(Find(in_rbb_, {.q = "escalate", .organisation = "RAA"}).size(), 0u);
  EXPECT_EQ(Find(in_raa_, {.q = "escalate"})[0].organisation, "RAA");
  const class Lesson seen = ValueOrDie(GetLesson(*conn_, in_rbb_, id));
  EXPECT_EQ(seen.organisation, "");
  EXPECT_EQ(ValueOrDie(ListLessons(*conn_, in_rbb_, {.organisation = "RAA"})).size(), 0u);
  // The spread lists every trust to an outsider, the source included, so its absence names no one.
  const Spread s = ValueOrDie(LessonSpread(*conn_, in_rbb_, id));
  EXPECT_EQ(s.not_yet, 3);
  EXPECT_EQ(ValueOrDie(LessonSpread(*conn_, in_raa_, id)).not_yet, 2);
  // An anonymised lesson that names its organisation is refused, naming the field.
  NewLesson named{.title = "x",
                  .summary = "At Aldgate Hospitals we learned",
                  .organisation = "RAA",
                  .themes = {"a"},
                  .share = "anonymised"};
  EXPECT_THAT(CreateLesson(*conn_, kWho, all_, named).status().message(), HasSubstr("summary"));
}

TEST_P(SearchTest, LessonsAreValidatedScopedAuditedAndSpread) {
  NewLesson l{.title = "Safety huddles",
              .summary = "Patient 943 476 5919 fell",
              .organisation = "RAA",
              .themes = {"falls"},
              .share = "named"};
  const std::string before = ::shewhart::testing::DumpDatabase(*conn_);
  Result<int64_t> bad = CreateLesson(*conn_, kWho, all_, l);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("summary"));
  l.summary = "Daily huddles";
  l.share = "public";
  EXPECT_THAT(CreateLesson(*conn_, kWho, all_, l).status().message(), HasSubstr("share"));
  l.share = "named";
  l.themes = {};
  EXPECT_THAT(CreateLesson(*conn_, kWho, all_, l).status().message(), HasSubstr("themes"));
  l.themes = {"Falls"};
  l.metrics = {"NOPE"};
  EXPECT_THAT(CreateLesson(*conn_, kWho, all_, l).status().message(), HasSubstr("metrics"));
  l.metrics = {};
  l.source_kind = "incident";
  l.source_id = 424242;
  EXPECT_THAT(CreateLesson(*conn_, kWho, all_, l).status().message(), HasSubstr("source.id"));
  l.source_kind = "";
  l.source_id.reset();
  EXPECT_EQ(CreateLesson(*conn_, kWho, in_rbb_, l).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(::shewhart::testing::DumpDatabase(*conn_), before);

  const int64_t inc = Incident(raa_, "Falls", "Unwitnessed fall");
  l.source_kind = "incident";
  l.source_id = inc;
  l.rapid_learning_points = {"Huddle at 8am", "Falls champion per ward"};
  const int64_t id = ValueOrDie(CreateLesson(*conn_, kWho, in_raa_, l));
  const class Lesson got = ValueOrDie(GetLesson(*conn_, in_rbb_, id));
  EXPECT_EQ(got.themes, std::vector<std::string>{"falls"});
  EXPECT_EQ(got.rapid_learning_points.size(), 2u);
  EXPECT_EQ(got.organisation, "RAA");
  // The theme is now in the glossary, the shared taxonomy.
  EXPECT_EQ(Find(all_, {.q = "falls", .kind = "glossary"}).size(), 1u);

  EXPECT_THAT(RecordResponse(*conn_, kWho, in_rbb_, id, {.organisation = "RBB", .response = "took"})
                  .status()
                  .message(),
              HasSubstr("response"));
  EXPECT_EQ(
      RecordResponse(*conn_, kWho, in_rbb_, id, {.organisation = "RCC", .response = "adopted"})
          .status()
          .code(),
      StatusCode::kPermissionDenied);
  EXPECT_EQ(
      RecordResponse(*conn_, kWho, in_rbb_, 999999, {.organisation = "RBB", .response = "adopted"})
          .status()
          .code(),
      StatusCode::kNotFound);
  ValueOrDie(
      RecordResponse(*conn_, kWho, in_rbb_, id,
                     {.organisation = "RBB", .response = "reviewing", .date = "2026-03-02"}));
  ValueOrDie(RecordResponse(*conn_, kWho, in_rbb_, id,
                            {.organisation = "RBB",
                             .response = "adopted",
                             .date = "2026-03-20",
                             .project = "Falls QI project 7",
                             .action = "Huddles on 4 wards"}));
  const Spread s = ValueOrDie(LessonSpread(*conn_, all_, id));
  EXPECT_EQ(s.adopted, 1);
  EXPECT_EQ(s.reviewing, 0);  // the later response replaced the earlier one
  EXPECT_EQ(s.not_yet, 1);    // RCC (RAA is the source)
  ASSERT_FALSE(s.organisations.empty());
  EXPECT_EQ(s.organisations[0].organisation, "RBB");
  EXPECT_EQ(s.organisations[0].project, "Falls QI project 7");
  auto audit = ValueOrDie(access::ListAudit(*conn_, 20, std::nullopt));
  int creates = 0, responds = 0;
  for (const auto& e : audit) {
    creates += e.action == "lesson.create";
    responds += e.action == "lesson.respond";
  }
  EXPECT_EQ(creates, 1);
  EXPECT_EQ(responds, 2);
  // organisation_only: invisible out of scope, as if it did not exist.
  l.share = "organisation_only";
  l.source_kind = "";
  l.source_id.reset();
  const int64_t hidden = ValueOrDie(CreateLesson(*conn_, kWho, in_raa_, l));
  EXPECT_EQ(GetLesson(*conn_, in_rbb_, hidden).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(LessonSpread(*conn_, in_rbb_, hidden).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(
      RecordResponse(*conn_, kWho, in_rbb_, hidden, {.organisation = "RBB", .response = "adopted"})
          .status()
          .code(),
      StatusCode::kNotFound);
}

INSTANTIATE_STORAGE_TEST(SearchTest);

}  // namespace
}  // namespace shewhart::learning
