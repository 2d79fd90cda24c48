#include "learning/lessons.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "base/date.h"
#include "base/text_checks.h"
#include "dictionary/dictionary.h"
#include "directory/directory.h"
#include "learning/search.h"

namespace shewhart::learning {
namespace {

using nlohmann::json;

constexpr std::string_view kShares[] = {"named", "anonymised", "organisation_only"};
constexpr std::string_view kResponses[] = {"adopted", "adapted", "not_applicable", "reviewing"};
constexpr std::string_view kSourceKinds[] = {
    "incident", "complaint",         "audit",        "project",       "pdsa",
    "meeting",  "learning_response", "conversation", "forum_meeting", "thematic_review"};
// The table behind a source kind, where there is one (a kind whose table is absent, or
// "conversation", has no record to check).
constexpr std::pair<std::string_view, std::string_view> kSourceTables[] = {
    {"incident", "incident"},
    {"complaint", "complaint"},
    {"audit", "clinical_audit"},
    {"project", "improvement_project"},
    {"pdsa", "improvement_pdsa"},
    {"forum_meeting", "forum_meeting"},
    {"thematic_review", "thematic_review"}};

// The organisations a lesson's spread counts, besides any that responded.
constexpr std::string_view kAudienceKinds[] = {"acute trust", "community trust",
                                               "mental health trust", "ambulance trust"};

// Search (search_doc, FTS5 / tsvector), lessons and their responses. The search index's triggers
// on other parts' tables are not here: EnsureSearchIndex() installs them after every migration,
// for whichever tables exist (search.h).
#define SHEWHART_LESSON_SCHEMA(PK, ID)                                                     \
  "CREATE TABLE search_source (\n"                                                         \
  "  kind TEXT PRIMARY KEY,\n"                                                             \
  "  table_name TEXT NOT NULL,\n"                                                          \
  "  signature TEXT NOT NULL\n"                                                            \
  ");\n"                                                                                   \
  "CREATE TABLE lesson (\n"                                                                \
  "  id " PK                                                                               \
  ",\n"                                                                                    \
  "  unit_id " ID                                                                          \
  " NOT NULL REFERENCES unit(id),\n"                                                       \
  "  title TEXT NOT NULL,\n"                                                               \
  "  summary TEXT NOT NULL,\n"                                                             \
  "  share TEXT NOT NULL CHECK (share IN ('named', 'anonymised', 'organisation_only')),\n" \
  "  source_kind TEXT NOT NULL DEFAULT '',\n"                                              \
  "  source_id " ID                                                                        \
  ",\n"                                                                                    \
  "  themes TEXT NOT NULL DEFAULT '',\n"                                                   \
  "  rapid_points TEXT NOT NULL DEFAULT '',\n"                                             \
  "  metrics TEXT NOT NULL DEFAULT '',\n"                                                  \
  "  co_design INTEGER NOT NULL DEFAULT 0,\n"                                              \
  "  populations TEXT NOT NULL DEFAULT '',\n"                                              \
  "  learned_on TEXT NOT NULL,\n"                                                          \
  "  created_by TEXT NOT NULL,\n"                                                          \
  "  created_at TEXT NOT NULL\n"                                                           \
  ");\n"                                                                                   \
  "CREATE INDEX lesson_unit ON lesson(unit_id);\n"                                         \
  "CREATE INDEX lesson_learned ON lesson(learned_on);\n"                                   \
  "CREATE TABLE lesson_response (\n"                                                       \
  "  id " PK                                                                               \
  ",\n"                                                                                    \
  "  lesson_id " ID                                                                        \
  " NOT NULL REFERENCES lesson(id),\n"                                                     \
  "  unit_id " ID                                                                          \
  " NOT NULL REFERENCES unit(id),\n"                                                       \
  "  response TEXT NOT NULL CHECK (response IN ('adopted', 'adapted', "                    \
  "'not_applicable', 'reviewing')),\n"                                                     \
  "  responded_on TEXT NOT NULL,\n"                                                        \
  "  project TEXT NOT NULL DEFAULT '',\n"                                                  \
  "  action TEXT NOT NULL DEFAULT '',\n"                                                   \
  "  note TEXT NOT NULL DEFAULT '',\n"                                                     \
  "  recorded_by TEXT NOT NULL,\n"                                                         \
  "  recorded_at TEXT NOT NULL\n"                                                          \
  ");\n"                                                                                   \
  "CREATE INDEX lesson_response_lesson ON lesson_response(lesson_id, unit_id);\n"          \
  "CREATE INDEX lesson_response_date ON lesson_response(responded_on);\n"

#define SHEWHART_FORUM_SCHEMA(PK, ID)             \
  "CREATE TABLE learning_forum (\n"               \
  "  id " PK                                      \
  ",\n"                                           \
  "  name TEXT NOT NULL UNIQUE,\n"                \
  "  description TEXT NOT NULL DEFAULT '',\n"     \
  "  created_by TEXT NOT NULL,\n"                 \
  "  created_at TEXT NOT NULL\n"                  \
  ");\n"                                          \
  "CREATE TABLE forum_member (\n"                 \
  "  forum_id " ID                                \
  " NOT NULL REFERENCES learning_forum(id),\n"    \
  "  unit_id " ID                                 \
  " NOT NULL REFERENCES unit(id),\n"              \
  "  role TEXT NOT NULL DEFAULT 'member',\n"      \
  "  UNIQUE (forum_id, unit_id)\n"                \
  ");\n"                                          \
  "CREATE TABLE forum_meeting (\n"                \
  "  id " PK                                      \
  ",\n"                                           \
  "  forum_id " ID                                \
  " NOT NULL REFERENCES learning_forum(id),\n"    \
  "  held_on TEXT NOT NULL,\n"                    \
  "  title TEXT NOT NULL,\n"                      \
  "  notes TEXT NOT NULL DEFAULT '',\n"           \
  "  created_by TEXT NOT NULL,\n"                 \
  "  created_at TEXT NOT NULL\n"                  \
  ");\n"                                          \
  "CREATE TABLE forum_case (\n"                   \
  "  id " PK                                      \
  ",\n"                                           \
  "  meeting_id " ID                              \
  " NOT NULL REFERENCES forum_meeting(id),\n"     \
  "  kind TEXT NOT NULL,\n"                       \
  "  ref_id " ID                                  \
  ",\n"                                           \
  "  unit_id " ID                                 \
  " REFERENCES unit(id),\n"                       \
  "  summary TEXT NOT NULL DEFAULT ''\n"          \
  ");\n"                                          \
  "CREATE TABLE thematic_review (\n"              \
  "  id " PK                                      \
  ",\n"                                           \
  "  forum_id " ID                                \
  " NOT NULL REFERENCES learning_forum(id),\n"    \
  "  theme TEXT NOT NULL,\n"                      \
  "  title TEXT NOT NULL,\n"                      \
  "  summary TEXT NOT NULL DEFAULT '',\n"         \
  "  learning_points TEXT NOT NULL DEFAULT '',\n" \
  "  created_by TEXT NOT NULL,\n"                 \
  "  created_at TEXT NOT NULL\n"                  \
  ");\n"                                          \
  "CREATE TABLE thematic_review_item (\n"         \
  "  review_id " ID                               \
  " NOT NULL REFERENCES thematic_review(id),\n"   \
  "  kind TEXT NOT NULL,\n"                       \
  "  ref_id " ID                                  \
  " NOT NULL,\n"                                  \
  "  unit_id " ID                                 \
  " REFERENCES unit(id),\n"                       \
  "  summary TEXT NOT NULL DEFAULT '',\n"         \
  "  UNIQUE (review_id, kind, ref_id)\n"          \
  ");\n"                                          \
  "CREATE TABLE forum_action (\n"                 \
  "  id " PK                                      \
  ",\n"                                           \
  "  review_id " ID                               \
  " NOT NULL REFERENCES thematic_review(id),\n"   \
  "  unit_id " ID                                 \
  " NOT NULL REFERENCES unit(id),\n"              \
  "  action TEXT NOT NULL,\n"                     \
  "  status TEXT NOT NULL DEFAULT 'planned',\n"   \
  "  due TEXT NOT NULL DEFAULT '',\n"             \
  "  created_by TEXT NOT NULL,\n"                 \
  "  created_at TEXT NOT NULL\n"                  \
  ");\n"                                          \
  "CREATE TABLE sharing_event (\n"                \
  "  id " PK                                      \
  ",\n"                                           \
  "  forum_id " ID                                \
  " REFERENCES learning_forum(id),\n"             \
  "  title TEXT NOT NULL,\n"                      \
  "  description TEXT NOT NULL DEFAULT '',\n"     \
  "  location TEXT NOT NULL DEFAULT '',\n"        \
  "  starts_at TEXT NOT NULL,\n"                  \
  "  ends_at TEXT NOT NULL,\n"                    \
  "  created_by TEXT NOT NULL,\n"                 \
  "  created_at TEXT NOT NULL\n"                  \
  ");\n"

constexpr std::string_view kSearchSqlite =
    "CREATE TABLE search_doc (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  kind TEXT NOT NULL,\n"
    "  ref_id INTEGER NOT NULL,\n"
    "  title TEXT NOT NULL DEFAULT '',\n"
    "  body TEXT NOT NULL DEFAULT '',\n"
    "  unit_id INTEGER,\n"
    "  visibility TEXT NOT NULL DEFAULT 'public',\n"
    "  themes TEXT NOT NULL DEFAULT '',\n"
    "  doc_date TEXT NOT NULL DEFAULT '',\n"
    "  link TEXT NOT NULL DEFAULT '',\n"
    "  co_design INTEGER NOT NULL DEFAULT 0,\n"
    "  UNIQUE (kind, ref_id)\n"
    ");\n"
    "CREATE INDEX search_doc_date ON search_doc(doc_date);\n"
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, content='search_doc', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2');\n"
    "CREATE TRIGGER search_doc_ai AFTER INSERT ON search_doc BEGIN INSERT INTO search_fts(rowid, "
    "title, body) VALUES (new.id, new.title, new.body); END;\n"
    "CREATE TRIGGER search_doc_ad AFTER DELETE ON search_doc BEGIN INSERT INTO "
    "search_fts(search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); "
    "END;\n"
    "CREATE TRIGGER search_doc_au AFTER UPDATE ON search_doc BEGIN INSERT INTO "
    "search_fts(search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END;\n";

// The document's words, title weighted A (ranked above) and body B; 'english' stems.
constexpr std::string_view kSearchPostgres =
    "CREATE TABLE search_doc (\n"
    "  id BIGSERIAL PRIMARY KEY,\n"
    "  kind TEXT NOT NULL,\n"
    "  ref_id BIGINT NOT NULL,\n"
    "  title TEXT NOT NULL DEFAULT '',\n"
    "  body TEXT NOT NULL DEFAULT '',\n"
    "  unit_id BIGINT,\n"
    "  visibility TEXT NOT NULL DEFAULT 'public',\n"
    "  themes TEXT NOT NULL DEFAULT '',\n"
    "  doc_date TEXT NOT NULL DEFAULT '',\n"
    "  link TEXT NOT NULL DEFAULT '',\n"
    "  co_design INTEGER NOT NULL DEFAULT 0,\n"
    "  tsv tsvector GENERATED ALWAYS AS (setweight(to_tsvector('english', title), 'A') || "
    "setweight(to_tsvector('english', body), 'B')) STORED,\n"
    "  UNIQUE (kind, ref_id)\n"
    ");\n"
    "CREATE INDEX search_doc_date ON search_doc(doc_date);\n"
    "CREATE INDEX search_doc_tsv ON search_doc USING GIN (tsv);\n";

// Bounded work per query (docs/learning.md): who may see a document and what kind it is are
// written into the full-text index itself as tokens no typed word can reach, so a search for
// one trust's incidents reads only that trust's incident postings, never a row it must skip:
//   v<vis>x           v0x = anyone signed in (public, anonymised); v<unit id>x = restricted to
//                     that organisation; vnx = restricted with no organisation
//   k<kind>x          the kind, underscores dropped (kforummeetingx)
//   s<kind>v<vis>x    both at once (sincidentv17x: organisation 17's incidents)
// and, on PostgreSQL only, where a GIN index has no order, the document's place in the index
// (b<id/1024>x, c<id/16384>x) so a search can take the newest matches a window at a time.
#define SHEWHART_SEARCH_VIS \
  "(CASE WHEN visibility = 'restricted' THEN COALESCE(CAST(unit_id AS TEXT), 'n') ELSE '0' END)"
#define SHEWHART_SEARCH_KIND "REPLACE(kind, '_', '')"

constexpr std::string_view kSearchTagsSqlite =
    "DROP TRIGGER search_doc_ai;\n"
    "DROP TRIGGER search_doc_ad;\n"
    "DROP TRIGGER search_doc_au;\n"
    "DROP TABLE search_fts;\n"
    "ALTER TABLE search_doc ADD COLUMN tags TEXT GENERATED ALWAYS AS ('k' || " SHEWHART_SEARCH_KIND
    " || 'x v' || " SHEWHART_SEARCH_VIS " || 'x s' || " SHEWHART_SEARCH_KIND
    " || 'v' || " SHEWHART_SEARCH_VIS
    " || 'x') VIRTUAL;\n"
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, tags, content='search_doc', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2');\n"
    "CREATE TRIGGER search_doc_ai AFTER INSERT ON search_doc BEGIN INSERT INTO search_fts(rowid, "
    "title, body, tags) VALUES (new.id, new.title, new.body, new.tags); END;\n"
    "CREATE TRIGGER search_doc_ad AFTER DELETE ON search_doc BEGIN INSERT INTO "
    "search_fts(search_fts, rowid, title, body, tags) VALUES ('delete', old.id, old.title, "
    "old.body, old.tags); END;\n"
    "CREATE TRIGGER search_doc_au AFTER UPDATE ON search_doc BEGIN INSERT INTO "
    "search_fts(search_fts, rowid, title, body, tags) VALUES ('delete', old.id, old.title, "
    "old.body, old.tags); INSERT INTO search_fts(rowid, title, body, tags) VALUES (new.id, "
    "new.title, new.body, new.tags); END;\n"
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild');\n";

// One GIN index over the keys, the words and the title's words (a GIN index answers any subset
// of its columns); no pending list, so every search costs the same.
constexpr std::string_view kSearchTagsPostgres =
    "DROP INDEX search_doc_tsv;\n"
    "ALTER TABLE search_doc ADD COLUMN title_tsv tsvector GENERATED ALWAYS AS "
    "(to_tsvector('english', title)) STORED, ADD COLUMN keys_tsv tsvector GENERATED ALWAYS AS "
    "(array_to_tsvector(ARRAY['v' || " SHEWHART_SEARCH_VIS " || 'x', 'k' || " SHEWHART_SEARCH_KIND
    " || 'x', 's' || " SHEWHART_SEARCH_KIND " || 'v' || " SHEWHART_SEARCH_VIS
    " || 'x', 'b' || CAST(id / 1024 AS TEXT) || 'x', 'c' || CAST(id / 16384 AS TEXT) || 'x'])) "
    "STORED;\n"
    "CREATE INDEX search_doc_words ON search_doc USING GIN (keys_tsv, tsv, title_tsv) "
    "WITH (fastupdate = off);\n";

// search_doc has no foreign key to unit: it is a derived index, rebuilt from its sources.
constexpr db::Migration kMigrations[] = {
    {1001, "learning: search index (FTS5 / tsvector + GIN)", kSearchSqlite, kSearchPostgres},
    {1002, "learning: lessons and responses",
     SHEWHART_LESSON_SCHEMA("INTEGER PRIMARY KEY", "INTEGER"),
     SHEWHART_LESSON_SCHEMA("BIGSERIAL PRIMARY KEY", "BIGINT")},
    {1003, "learning: forums, meetings, thematic reviews, actions, sharing events",
     SHEWHART_FORUM_SCHEMA("INTEGER PRIMARY KEY", "INTEGER"),
     SHEWHART_FORUM_SCHEMA("BIGSERIAL PRIMARY KEY", "BIGINT")},
    {1004, "learning: search keys (visibility, kind, place) inside the full-text index",
     kSearchTagsSqlite, kSearchTagsPostgres},
};

constexpr std::string_view kInsertLesson =
    "INSERT INTO lesson (unit_id, title, summary, share, source_kind, source_id, themes, "
    "rapid_points, metrics, co_design, populations, learned_on, created_by, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
constexpr std::string_view kSelectLessons =
    "SELECT l.id, l.unit_id, u.code, u.name, l.title, l.summary, l.share, l.source_kind, "
    "l.source_id, l.themes, l.rapid_points, l.metrics, l.co_design, l.learned_on, l.created_by, "
    "l.created_at, l.populations FROM lesson l JOIN unit u ON u.id = l.unit_id";
constexpr std::string_view kSelectResponses =
    "SELECT r.id, u.code, u.name, r.response, r.responded_on, r.project, r.action, r.note, "
    "r.recorded_by, r.recorded_at, r.unit_id FROM lesson_response r JOIN unit u ON u.id = "
    "r.unit_id "
    "WHERE r.lesson_id = ? ORDER BY r.id DESC";
constexpr std::string_view kInsertResponse =
    "INSERT INTO lesson_response (lesson_id, unit_id, response, responded_on, project, action, "
    "note, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";

constexpr char kPointSep = '\n';

std::string Join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

std::string JoinBars(const std::vector<std::string>& items) {
  if (items.empty()) return "";
  return "|" + Join(items, "|") + "|";
}

std::vector<std::string> SplitOn(std::string_view text, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = text.find(sep, start);
    const std::string_view part =
        text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (!part.empty()) out.emplace_back(part);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

bool OneOf(std::string_view word, std::span<const std::string_view> words) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

std::string Words(std::span<const std::string_view> words) {
  std::string out;
  for (std::string_view w : words) out += (out.empty() ? "" : ", ") + std::string(w);
  return out;
}

Status Required(std::string_view field, const std::string& text, size_t max_bytes) {
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return InvalidArgumentError(std::string(field) + " is required");
  }
  if (text.size() > max_bytes) {
    return InvalidArgumentError(std::string(field) + ": at most " + std::to_string(max_bytes) +
                                " characters");
  }
  return ScreenFreeText(field, text);
}

Status Optional(std::string_view field, const std::string& text, size_t max_bytes) {
  if (text.size() > max_bytes) {
    return InvalidArgumentError(std::string(field) + ": at most " + std::to_string(max_bytes) +
                                " characters");
  }
  return ScreenFreeText(field, text);
}

Result<std::string> DateOrToday(std::string_view field, const std::string& date,
                                const access::Acting& who) {
  if (date.empty()) return who.at.substr(0, 10);
  if (!ParseIsoDate(date)) {
    return InvalidArgumentError(std::string(field) + ": write the date as YYYY-MM-DD");
  }
  return date;
}

// True when `text` names the organisation: its name without the "NHS (Foundation) Trust" tail,
// or its code as a whole word (case-insensitive).
bool NamesOrganisation(std::string_view text, const directory::Unit& org) {
  const std::string t = NormaliseTheme(text);
  std::string name = NormaliseTheme(org.name);
  for (std::string_view tail : {" nhs foundation trust", " nhs trust", " foundation trust",
                                " trust", " hospitals", " hospital"}) {
    if (name.size() > tail.size() + 3 && name.ends_with(tail)) {
      name.resize(name.size() - tail.size());
    }
  }
  if (name.size() >= 4 && t.find(name) != std::string::npos) return true;
  const std::string code = NormaliseTheme(org.code);
  if (code.empty()) return false;
  for (size_t at = t.find(code); at != std::string::npos; at = t.find(code, at + 1)) {
    const bool left = at == 0 || !std::isalnum(static_cast<unsigned char>(t[at - 1]));
    const size_t end = at + code.size();
    const bool right = end == t.size() || !std::isalnum(static_cast<unsigned char>(t[end]));
    if (left && right) return true;
  }
  return false;
}

Result<directory::Unit> OrganisationOf(db::Connection& conn, std::string_view field,
                                       const std::string& code) {
  if (code.empty()) return InvalidArgumentError(std::string(field) + " is required (an ODS code)");
  ASSIGN_OR_RETURN(directory::Directory dir, directory::Directory::Load(conn));
  const directory::Unit* u = dir.FindByCode(code);
  if (u == nullptr) {
    return InvalidArgumentError(std::string(field) + ": there is no organisation \"" + code + "\"");
  }
  return *u;
}

Result<bool> HasTable(db::Connection& conn, std::string_view table) {
  bool found = false;
  RETURN_IF_ERROR(conn.Query(
      conn.dialect() == db::Dialect::kPostgres
          ? "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND "
            "table_name = ?"
          : "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
      {table}, [&](const db::Row&) {
        found = true;
        return db::Flow::kStop;
      }));
  return found;
}

Lesson LessonFromRow(const db::Row& r) {
  Lesson l;
  l.id = r.Int(0);
  l.organisation = r.Text(2);
  l.organisation_name = r.Text(3);
  l.title = r.Text(4);
  l.summary = r.Text(5);
  l.share = r.Text(6);
  l.anonymised = l.share == "anonymised";
  l.source_kind = r.Text(7);
  l.source_id = r.OptionalInt(8);
  l.themes = SplitOn(r.Text(9), '|');
  l.rapid_learning_points = SplitOn(r.Text(10), kPointSep);
  l.metrics = SplitOn(r.Text(11), '|');
  l.co_design = r.Int(12) != 0;
  l.learned_on = r.Text(13);
  l.created_by = r.Text(14);
  l.created_at = r.Text(15);
  l.populations = SplitOn(r.Text(16), '|');
  return l;
}

// Applies what `scope` may see to a lesson of unit `unit_id`: false when it may not see it.
bool Redact(Lesson& l, int64_t unit_id, const access::Scope& scope) {
  if (scope.Contains(unit_id)) return true;
  if (l.share == "organisation_only") return false;
  if (l.share == "anonymised") {
    l.organisation.clear();
    l.organisation_name.clear();
    l.source_kind.clear();
    l.source_id.reset();
    l.created_by.clear();
  }
  return true;
}

Result<std::optional<std::pair<Lesson, int64_t>>> LoadLesson(db::Connection& conn, int64_t id) {
  std::optional<std::pair<Lesson, int64_t>> out;
  RETURN_IF_ERROR(
      conn.Query(std::string(kSelectLessons) + " WHERE l.id = ?", {id}, [&](const db::Row& r) {
        out.emplace(LessonFromRow(r), r.Int(1));
        return db::Flow::kStop;
      }));
  return out;
}

Result<std::vector<Response>> LatestResponses(db::Connection& conn, int64_t lesson_id) {
  std::vector<Response> out;
  std::set<std::string> seen;
  RETURN_IF_ERROR(conn.Query(kSelectResponses, {lesson_id}, [&](const db::Row& r) {
    if (!seen.insert(r.Text(1)).second) return db::Flow::kContinue;
    Response x;
    x.id = r.Int(0);
    x.organisation = r.Text(1);
    x.organisation_name = r.Text(2);
    x.response = r.Text(3);
    x.responded_on = r.Text(4);
    x.project = r.Text(5);
    x.action = r.Text(6);
    x.note = r.Text(7);
    x.recorded_by = r.Text(8);
    x.recorded_at = r.Text(9);
    out.push_back(std::move(x));
    return db::Flow::kContinue;
  }));
  return out;
}

json LessonAuditJson(const NewLesson& l) {
  return {{"title", l.title},
          {"summary", l.summary},
          {"organisation", l.organisation},
          {"themes", l.themes},
          {"share", l.share},
          {"source", {{"kind", l.source_kind}, {"id", l.source_id ? json(*l.source_id) : json()}}},
          {"rapid_learning_points", l.rapid_learning_points},
          {"metrics", l.metrics},
          {"co_design", l.co_design},
          {"populations", l.populations},
          {"learned_on", l.learned_on}};
}

}  // namespace

std::span<const std::string_view> ShareWords() { return kShares; }
std::span<const std::string_view> ResponseWords() { return kResponses; }
std::span<const std::string_view> SourceKinds() { return kSourceKinds; }
std::span<const db::Migration> LessonMigrations() { return kMigrations; }

Result<int64_t> CreateLesson(db::Connection& conn, const access::Acting& who,
                             const access::Scope& scope, const NewLesson& in) {
  NewLesson l = in;
  RETURN_IF_ERROR(Required("title", l.title, 200));
  RETURN_IF_ERROR(Required("summary", l.summary, 4000));
  if (!OneOf(l.share, kShares)) {
    return InvalidArgumentError("share: \"" + l.share + "\" is not one of " + Words(kShares));
  }
  if (l.themes.empty()) return InvalidArgumentError("themes: give at least one theme");
  if (l.themes.size() > 12) return InvalidArgumentError("themes: at most 12 themes");
  std::vector<std::string> themes;
  for (const std::string& t : l.themes) {
    RETURN_IF_ERROR(Required("themes", t, 80));
    if (t.find('|') != std::string::npos) {
      return InvalidArgumentError("themes: a theme may not contain '|'");
    }
    const std::string n = NormaliseTheme(t);
    if (std::find(themes.begin(), themes.end(), n) == themes.end()) themes.push_back(n);
  }
  l.themes = themes;
  if (l.rapid_learning_points.size() > 20) {
    return InvalidArgumentError("rapid_learning_points: at most 20 points");
  }
  for (std::string& p : l.rapid_learning_points) {
    RETURN_IF_ERROR(Required("rapid_learning_points", p, 500));
    std::replace(p.begin(), p.end(), kPointSep, ' ');
  }
  ASSIGN_OR_RETURN(l.learned_on, DateOrToday("learned_on", l.learned_on, who));
  if (!l.source_kind.empty() && !OneOf(l.source_kind, kSourceKinds)) {
    return InvalidArgumentError("source.kind: \"" + l.source_kind + "\" is not one of " +
                                Words(kSourceKinds));
  }
  if (l.source_kind.empty() && l.source_id) {
    return InvalidArgumentError("source.kind is required with source.id");
  }

  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(directory::Unit org, OrganisationOf(conn, "organisation", l.organisation));
  if (!scope.Contains(org.id)) {
    return Status(StatusCode::kPermissionDenied,
                  "organisation: " + org.code +
                      " is not in your organisations; you record lessons for yours");
  }
  if (l.share == "anonymised") {
    for (const auto& [field, text] :
         {std::pair<std::string_view, const std::string*>{"title", &l.title},
          {"summary", &l.summary}}) {
      if (NamesOrganisation(*text, org)) {
        return InvalidArgumentError(std::string(field) +
                                    ": an anonymised lesson must not name its organisation");
      }
    }
  }
  // The source record must exist where its kind has a table here, and be the organisation's.
  if (l.source_id) {
    for (const auto& [kind, table] : kSourceTables) {
      if (kind != l.source_kind) continue;
      ASSIGN_OR_RETURN(bool has, HasTable(conn, table));
      if (!has) break;
      bool found = false;
      std::optional<int64_t> unit;
      RETURN_IF_ERROR(conn.Query(
          "SELECT " +
              std::string(table == "forum_meeting" || table == "thematic_review" ? "NULL"
                                                                                 : "unit_id") +
              " FROM " + std::string(table) + " WHERE id = ?",
          {*l.source_id}, [&](const db::Row& r) {
            found = true;
            unit = r.OptionalInt(0);
            return db::Flow::kStop;
          }));
      if (!found || (unit && !scope.Contains(*unit))) {
        return InvalidArgumentError("source.id: there is no " + l.source_kind + " " +
                                    std::to_string(*l.source_id) + " in your organisations");
      }
    }
  }
  for (const std::string& code : l.metrics) {
    bool found = false;
    RETURN_IF_ERROR(conn.Query("SELECT 1 FROM metric WHERE code = ?", {code}, [&](const db::Row&) {
      found = true;
      return db::Flow::kStop;
    }));
    if (!found) return InvalidArgumentError("metrics: there is no metric \"" + code + "\"");
  }
  // Populations engaged: segments of the directory (deprivation quintiles, communities...).
  for (const std::string& code : l.populations) {
    bool found = false;
    RETURN_IF_ERROR(conn.Query("SELECT 1 FROM unit WHERE code = ? AND kind = 'segment'", {code},
                               [&](const db::Row&) {
                                 found = true;
                                 return db::Flow::kStop;
                               }));
    if (!found) {
      return InvalidArgumentError("populations: there is no population segment \"" + code + "\"");
    }
  }
  // The shared taxonomy is the glossary: a new theme is proposed there as a draft term.
  for (const std::string& t : l.themes) {
    bool known = false;
    RETURN_IF_ERROR(
        conn.Query("SELECT 1 FROM glossary_term WHERE term = ?", {t}, [&](const db::Row&) {
          known = true;
          return db::Flow::kStop;
        }));
    if (!known) {
      RETURN_IF_ERROR(
          dictionary::DefineTerm(
              conn, t, "A theme of lessons, proposed with a lesson; not yet agreed.", "draft", who)
              .status());
    }
  }
  ASSIGN_OR_RETURN(
      int64_t id,
      conn.ExecuteReturningId(
          kInsertLesson,
          {org.id, l.title, l.summary, l.share, l.source_kind, l.source_id, JoinBars(l.themes),
           Join(l.rapid_learning_points, std::string(1, kPointSep)), JoinBars(l.metrics),
           l.co_design ? 1 : 0, JoinBars(l.populations), l.learned_on, who.actor, who.at}));
  l.organisation = org.code;
  RETURN_IF_ERROR(
      access::RecordAudit(conn, who, "lesson.create", "lesson " + std::to_string(id), "",
                          LessonAuditJson(l).dump(-1, ' ', false, json::error_handler_t::replace)));
  RETURN_IF_ERROR(tx.Commit());
  return id;
}

Result<Lesson> GetLesson(db::Connection& conn, const access::Scope& scope, int64_t id) {
  ASSIGN_OR_RETURN(auto found, LoadLesson(conn, id));
  if (!found) return NotFoundError("there is no lesson " + std::to_string(id));
  Lesson l = std::move(found->first);
  if (!Redact(l, found->second, scope)) {
    return NotFoundError("there is no lesson " + std::to_string(id));
  }
  ASSIGN_OR_RETURN(l.responses, LatestResponses(conn, id));
  return l;
}

Result<std::vector<Lesson>> ListLessons(db::Connection& conn, const access::Scope& scope,
                                        const LessonFilter& filter) {
  std::string sql = std::string(kSelectLessons) + " WHERE 1 = 1";
  std::vector<db::Value> params;
  if (!filter.theme.empty()) {
    sql += " AND l.themes LIKE ?";
    params.emplace_back("%|" + NormaliseTheme(filter.theme) + "|%");
  }
  if (!filter.from.empty()) {
    if (!ParseIsoDate(filter.from)) return InvalidArgumentError("from: write YYYY-MM-DD");
    sql += " AND l.learned_on >= ?";
    params.emplace_back(filter.from);
  }
  if (!filter.to.empty()) {
    if (!ParseIsoDate(filter.to)) return InvalidArgumentError("to: write YYYY-MM-DD");
    sql += " AND l.learned_on <= ?";
    params.emplace_back(filter.to);
  }
  if (filter.co_design) sql += " AND l.co_design = 1";
  std::optional<int64_t> org_id;
  if (!filter.organisation.empty()) {
    ASSIGN_OR_RETURN(org_id, directory::FindUnitId(conn, filter.organisation));
    if (!org_id) {
      return InvalidArgumentError("organisation: there is no organisation \"" +
                                  filter.organisation + "\"");
    }
    sql += " AND l.unit_id = ?";
    params.emplace_back(*org_id);
  }
  sql += " ORDER BY l.learned_on DESC, l.id DESC";
  std::vector<Lesson> out;
  RETURN_IF_ERROR(conn.Query(sql, params, [&](const db::Row& r) {
    Lesson l = LessonFromRow(r);
    const int64_t unit = r.Int(1);
    // Filtering by organisation must not find anonymised lessons out of scope.
    if (org_id && l.share != "named" && !scope.Contains(unit)) return db::Flow::kContinue;
    if (Redact(l, unit, scope)) out.push_back(std::move(l));
    return db::Flow::kContinue;
  }));
  for (Lesson& l : out) {
    ASSIGN_OR_RETURN(l.responses, LatestResponses(conn, l.id));
  }
  return out;
}

Result<int64_t> RecordResponse(db::Connection& conn, const access::Acting& who,
                               const access::Scope& scope, int64_t lesson_id,
                               const NewResponse& in) {
  NewResponse r = in;
  if (!OneOf(r.response, kResponses)) {
    return InvalidArgumentError("response: \"" + r.response + "\" is not one of " +
                                Words(kResponses));
  }
  RETURN_IF_ERROR(Optional("project", r.project, 200));
  RETURN_IF_ERROR(Optional("action", r.action, 500));
  RETURN_IF_ERROR(Optional("note", r.note, 2000));
  ASSIGN_OR_RETURN(r.date, DateOrToday("date", r.date, who));
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(Lesson lesson, GetLesson(conn, scope, lesson_id));
  ASSIGN_OR_RETURN(directory::Unit org, OrganisationOf(conn, "organisation", r.organisation));
  if (!scope.Contains(org.id)) {
    return Status(
        StatusCode::kPermissionDenied,
        "organisation: " + org.code + " is not in your organisations; you respond for yours");
  }
  std::string before;
  for (const Response& x : lesson.responses) {
    if (x.organisation == org.code) {
      before = json{{"response", x.response},
                    {"date", x.responded_on},
                    {"project", x.project},
                    {"action", x.action}}
                   .dump();
    }
  }
  ASSIGN_OR_RETURN(
      int64_t id,
      conn.ExecuteReturningId(kInsertResponse, {lesson_id, org.id, r.response, r.date, r.project,
                                                r.action, r.note, who.actor, who.at}));
  const json after = {{"organisation", org.code}, {"response", r.response}, {"date", r.date},
                      {"project", r.project},     {"action", r.action},     {"note", r.note}};
  RETURN_IF_ERROR(access::RecordAudit(conn, who, "lesson.respond",
                                      "lesson " + std::to_string(lesson_id), before,
                                      after.dump(-1, ' ', false, json::error_handler_t::replace)));
  RETURN_IF_ERROR(tx.Commit());
  return id;
}

Result<Spread> LessonSpread(db::Connection& conn, const access::Scope& scope, int64_t lesson_id) {
  ASSIGN_OR_RETURN(auto found, LoadLesson(conn, lesson_id));
  if (!found) return NotFoundError("there is no lesson " + std::to_string(lesson_id));
  Lesson l = found->first;
  const int64_t source_unit = found->second;
  const bool sees_source = scope.Contains(source_unit) || l.share == "named";
  if (!Redact(l, source_unit, scope)) {
    return NotFoundError("there is no lesson " + std::to_string(lesson_id));
  }
  ASSIGN_OR_RETURN(std::vector<Response> responses, LatestResponses(conn, lesson_id));
  ASSIGN_OR_RETURN(directory::Directory dir, directory::Directory::Load(conn));
  Spread s;
  s.lesson_id = lesson_id;
  std::set<std::string> responded;
  for (const Response& r : responses) {
    const directory::Unit* u = dir.FindByCode(r.organisation);
    s.organisations.push_back({r.organisation, r.organisation_name, u ? u->kind : "", r.response,
                               r.responded_on, r.project, r.action});
    responded.insert(r.organisation);
    ++s.reviewed;
    if (r.response == "adopted") ++s.adopted;
    if (r.response == "adapted") ++s.adapted;
    if (r.response == "not_applicable") ++s.not_applicable;
    if (r.response == "reviewing") ++s.reviewing;
  }
  // The audience is the lesson's own system (the demo also holds the nation's trusts as
  // comparators; they are not expected to look).
  const std::vector<int64_t> roots = dir.AggregateRoots(source_unit);
  std::vector<const directory::Unit*> rest;
  for (const directory::Unit& u : dir.units()) {
    if (!OneOf(u.kind, kAudienceKinds) || !u.closed.empty()) continue;
    if (!roots.empty() && !dir.IsOrganisationUnder(u.id, roots.front())) continue;
    if (responded.contains(u.code)) continue;
    if (sees_source && u.id == source_unit) continue;
    rest.push_back(&u);
  }
  std::sort(rest.begin(), rest.end(),
            [](const directory::Unit* a, const directory::Unit* b) { return a->name < b->name; });
  for (const directory::Unit* u : rest) {
    s.organisations.push_back({u->code, u->name, u->kind, "", "", "", ""});
    ++s.not_yet;
  }
  return s;
}

Result<std::vector<Theme>> ListThemes(db::Connection& conn, const access::Scope& scope) {
  ASSIGN_OR_RETURN(std::vector<Lesson> lessons, ListLessons(conn, scope, {}));
  std::map<std::string, int> counts;
  for (const Lesson& l : lessons) {
    for (const std::string& t : l.themes) ++counts[t];
  }
  RETURN_IF_ERROR(conn.Query("SELECT theme FROM thematic_review", {}, [&](const db::Row& r) {
    counts.try_emplace(r.Text(0), 0);
    return db::Flow::kContinue;
  }));
  ASSIGN_OR_RETURN(std::vector<dictionary::GlossaryTerm> glossary, dictionary::Glossary(conn));
  std::map<std::string, std::string> definitions;
  for (const auto& g : glossary) definitions[NormaliseTheme(g.term)] = g.definition;
  std::vector<Theme> out;
  for (const auto& [term, n] : counts) {
    out.push_back({term, definitions.contains(term) ? definitions[term] : "", n});
  }
  return out;
}

}  // namespace shewhart::learning
