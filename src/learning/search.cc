#include "learning/search.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>

#include "base/markup.h"
#include "base/date.h"
#include "base/hash.h"
#include "directory/directory.h"

namespace shewhart::learning {
namespace {

// How one kind's documents are made from its table. Either `select` (hand-written, for sources
// whose title lives in another table) or the generic columns: the first present of
// `title_columns`, all present of `body_columns`, the first present of `date_columns`. Columns
// are looked up in the live table, so a part may add or drop columns without breaking writes.
struct Source {
  std::string_view kind;
  std::string_view key_column = "id";  // the column of the trigger's row that names the doc
  std::string_view title_columns;
  std::string_view body_columns;
  std::string_view date_columns;
  std::string_view link;  // "{id}" and "{org}" are replaced
  // For tables without unit_id: the column naming a parent row and the parent's table.
  std::string_view parent_column;
  std::string_view parent_table;
  // Hand-written: SELECT ref_id, title, body, unit_id, visibility, themes, doc_date, link,
  // co_design ... with {KEY} where the key goes.
  std::string_view select;
};

constexpr IndexedKind kKinds[] = {
    {"metric", "Metric", "metric_version", "public"},
    {"glossary", "Glossary term", "glossary_version", "public"},
    {"lesson", "Lesson", "lesson", "lesson"},
    {"forum", "Learning forum", "learning_forum", "public"},
    {"forum_meeting", "Forum meeting", "forum_meeting", "public"},
    {"thematic_review", "Thematic review", "thematic_review", "public"},
    {"sharing_event", "Sharing event", "sharing_event", "public"},
    {"audit", "Clinical audit", "clinical_audit", "public"},
    {"horizon", "Horizon scanning", "horizon_item", "public"},
    {"person", "Person", "capability_person", "public"},
    {"course", "Course", "capability_course", "public"},
    {"project", "Improvement project", "improvement_project", "public"},
    {"pdsa", "PDSA cycle", "improvement_pdsa", "public"},
    {"incident", "Incident", "incident", "restricted"},
    {"complaint", "Complaint", "complaint", "restricted"},
    {"note", "Soft-intelligence note", "soft_note", "restricted"},
    // A concern or a risk names its organisations in a link table written just after the row:
    // the index follows the link table, so the document carries the organisation.
    {"concern", "Concern", "concern_unit", "restricted"},
    {"risk", "Risk", "risk_unit", "restricted"},
    {"meeting", "Meeting", "meeting,quality_meeting,intelligence_meeting", "restricted"},
};

constexpr Source kSources[] = {
    {.kind = "metric",
     .key_column = "metric_id",
     .select = "SELECT m.id, v.name, v.definition || ' ' || v.numerator_definition || ' ' || "
               "v.denominator_definition || ' ' || v.domain || ' ' || m.code, CAST(NULL AS "
               "BIGINT), 'public', '', "
               "COALESCE(v.applies_from, ''), '/dictionary/' || m.code, 0 "
               "FROM metric m JOIN metric_version v ON v.metric_id = m.id "
               "WHERE v.version = (SELECT MAX(w.version) FROM metric_version w "
               "WHERE w.metric_id = m.id) AND m.id = {KEY}"},
    {.kind = "glossary",
     .key_column = "term_id",
     .select = "SELECT t.id, t.term, v.definition, CAST(NULL AS BIGINT), 'public', '', "
               "SUBSTR(v.created_at, 1, 10), '/glossary/' || t.term, 0 "
               "FROM glossary_term t JOIN glossary_version v ON v.term_id = t.id "
               "WHERE v.version = (SELECT MAX(w.version) FROM glossary_version w "
               "WHERE w.term_id = t.id) AND t.id = {KEY}"},
    {.kind = "lesson",
     .select = "SELECT l.id, l.title, l.summary || ' ' || l.rapid_points || ' ' || "
               "REPLACE(l.themes, '|', ' '), l.unit_id, "
               "CASE l.share WHEN 'named' THEN 'public' WHEN 'anonymised' THEN 'anonymised' "
               "ELSE 'restricted' END, l.themes, l.learned_on, '/lessons/' || l.id, l.co_design "
               "FROM lesson l WHERE l.id = {KEY}"},
    {.kind = "forum",
     .select = "SELECT f.id, f.name, f.description, CAST(NULL AS BIGINT), 'public', '', "
               "SUBSTR(f.created_at, 1, 10), '/forums/' || f.id, 0 "
               "FROM learning_forum f WHERE f.id = {KEY}"},
    {.kind = "forum_meeting",
     .select = "SELECT m.id, m.title, m.notes, CAST(NULL AS BIGINT), 'public', '', m.held_on, "
               "'/forums/' || m.forum_id || '#meeting-' || m.id, 0 "
               "FROM forum_meeting m WHERE m.id = {KEY}"},
    {.kind = "thematic_review",
     .select = "SELECT r.id, r.title, r.summary || ' ' || r.learning_points, CAST(NULL AS BIGINT), "
               "'public', "
               "'|' || r.theme || '|', SUBSTR(r.created_at, 1, 10), '/reviews/' || r.id, 0 "
               "FROM thematic_review r WHERE r.id = {KEY}"},
    {.kind = "sharing_event",
     .select = "SELECT e.id, e.title, e.description || ' ' || e.location, CAST(NULL AS BIGINT), "
               "'public', '', "
               "SUBSTR(e.starts_at, 1, 10), '/api/events/' || e.id || '.ics', 0 "
               "FROM sharing_event e WHERE e.id = {KEY}"},
    {.kind = "audit",
     .title_columns = "audit",
     .body_columns = "standard,result,met,actions,reference",
     .date_columns = "audit_date",
     .link = "/organisations/{org}"},
    {.kind = "horizon",
     .title_columns = "title",
     .body_columns = "item_type,organisations,metrics,response,reference",
     .date_columns = "published",
     .link = "/system"},
    {.kind = "person",
     .title_columns = "name",
     .body_columns = "profession,email",
     .link = "/person?email={email}"},
    {.kind = "course",
     .title_columns = "title",
     .body_columns = "code,tier,level,format",
     .link = "/capability"},
    {.kind = "project",
     .title_columns = "title,name",
     .body_columns = "aim,description,summary,problem,measures,outcome,lead_email,status",
     .date_columns = "started,start_date,created_at",
     .link = "/projects/{id}"},
    {.kind = "pdsa",
     .title_columns = "title,change_idea,name,plan",
     .body_columns = "plan,prediction,do_notes,done,study,act,learning,notes,summary",
     .date_columns = "started,start_date,created_at",
     .link = "/projects/{parent}#pdsa-{id}",
     .parent_column = "project_id",
     .parent_table = "improvement_project"},
    {.kind = "incident",
     .title_columns = "category",
     .body_columns = "summary,response,harm,status,reference",
     .date_columns = "occurred",
     .link = "/organisations/{org}"},
    {.kind = "complaint",
     .title_columns = "subject",
     .body_columns = "summary,service,outcome,reference",
     .date_columns = "received",
     .link = "/organisations/{org}"},
    {.kind = "note",
     .title_columns = "theme,text",
     .body_columns = "text,concerning,source_kind",
     .date_columns = "noted_on",
     .link = "/organisations/{org}"},
    {.kind = "concern",
     .key_column = "concern_id",
     .select = "SELECT c.id, c.title, c.description || ' ' || c.status, (SELECT MIN(cu.unit_id) "
               "FROM concern_unit cu WHERE cu.concern_id = c.id), 'restricted', '', c.opened_on, "
               "'/concerns/' || c.id, 0 FROM concern c WHERE c.id = {KEY}"},
    {.kind = "risk",
     .key_column = "risk_id",
     .select = "SELECT r.id, r.title, r.description || ' ' || r.controls, (SELECT MIN(ru.unit_id) "
               "FROM risk_unit ru WHERE ru.risk_id = r.id), 'restricted', '', "
               "SUBSTR(r.created_at, 1, 10), '/risks/' || r.id, 0 FROM risk r WHERE r.id = {KEY}"},
    {.kind = "meeting",
     .title_columns = "title,name",
     .body_columns = "agenda,minutes,notes,summary,decisions",
     .date_columns = "held_on,meeting_date,date,created_at",
     .link = "/organisations/{org}"},
};

constexpr std::string_view kColumns =
    "kind, ref_id, title, body, unit_id, visibility, themes, doc_date, link, co_design";

const Source& SourceOf(std::string_view kind) {
  for (const Source& s : kSources) {
    if (s.kind == kind) return s;
  }
  return kSources[0];  // unreachable: every kind has a source (search_test checks)
}

std::vector<std::string_view> Split(std::string_view list) {
  std::vector<std::string_view> out;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    out.push_back(list.substr(0, comma));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return out;
}

bool IsPostgres(db::Connection& conn) { return conn.dialect() == db::Dialect::kPostgres; }

Result<bool> TableExists(db::Connection& conn, std::string_view table) {
  bool found = false;
  RETURN_IF_ERROR(conn.Query(IsPostgres(conn)
                                 ? "SELECT 1 FROM information_schema.tables WHERE table_schema = "
                                   "current_schema() AND table_name = ?"
                                 : "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                             {table}, [&](const db::Row&) {
                               found = true;
                               return db::Flow::kStop;
                             }));
  return found;
}

Result<std::set<std::string>> ColumnsOf(db::Connection& conn, std::string_view table) {
  std::set<std::string> out;
  RETURN_IF_ERROR(conn.Query(
      IsPostgres(conn) ? "SELECT CAST(column_name AS TEXT) FROM information_schema.columns "
                         "WHERE table_schema = current_schema() AND table_name = ?"
                       : "SELECT name FROM pragma_table_info(?)",
      {table}, [&](const db::Row& r) {
        out.insert(r.Text(0));
        return db::Flow::kContinue;
      }));
  return out;
}

// The table a kind lives in here, or "" when none of its candidates exists.
Result<std::string> TableOf(db::Connection& conn, const IndexedKind& k) {
  for (std::string_view t : Split(k.tables)) {
    ASSIGN_OR_RETURN(bool exists, TableExists(conn, t));
    if (exists) return std::string(t);
  }
  return std::string();
}

std::string Text(std::string_view column) {
  return "COALESCE(CAST(t." + std::string(column) + " AS TEXT), '')";
}

std::string ReplaceAll(std::string s, std::string_view from, std::string_view to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

// The SELECT (with {KEY}) that makes `kind`'s document from `table`.
Result<std::string> DocumentSelect(db::Connection& conn, const IndexedKind& k,
                                   const std::string& table) {
  const Source& src = SourceOf(k.kind);
  if (!src.select.empty()) return std::string(src.select);
  ASSIGN_OR_RETURN(std::set<std::string> cols, ColumnsOf(conn, table));
  std::string title = "''";
  for (std::string_view c : Split(src.title_columns)) {
    if (cols.contains(std::string(c))) {
      // A long text as title (a note) is cut to a headline.
      title = "SUBSTR(" + Text(c) + ", 1, 120)";
      break;
    }
  }
  std::string body = "''";
  for (std::string_view c : Split(src.body_columns)) {
    if (cols.contains(std::string(c))) body += " || ' ' || " + Text(c);
  }
  std::string date = "''";
  for (std::string_view c : Split(src.date_columns)) {
    if (cols.contains(std::string(c))) {
      date = "SUBSTR(" + Text(c) + ", 1, 10)";
      break;
    }
  }
  std::string unit = "CAST(NULL AS BIGINT)";
  if (cols.contains("unit_id")) {
    unit = "t.unit_id";
  } else if (!src.parent_column.empty() && cols.contains(std::string(src.parent_column))) {
    ASSIGN_OR_RETURN(bool parent_exists, TableExists(conn, src.parent_table));
    if (parent_exists) {
      ASSIGN_OR_RETURN(std::set<std::string> pcols, ColumnsOf(conn, src.parent_table));
      if (pcols.contains("unit_id")) {
        unit = "(SELECT p.unit_id FROM " + std::string(src.parent_table) + " p WHERE p.id = t." +
               std::string(src.parent_column) + ")";
      }
    }
  }
  std::string co_design = "0";
  if (cols.contains("co_design")) {
    co_design = "CASE WHEN CAST(t.co_design AS TEXT) IN ('1', 'true', 'yes') THEN 1 ELSE 0 END";
  } else if (k.kind == "project") {
    ASSIGN_OR_RETURN(bool team, TableExists(conn, "improvement_team_member"));
    if (team) {
      co_design =
          "CASE WHEN EXISTS (SELECT 1 FROM improvement_team_member tm WHERE tm.project_id = t.id "
          "AND tm.role = 'patient_partner') THEN 1 ELSE 0 END";
    }
  }
  std::string link = "'" + std::string(src.link) + "'";
  link = ReplaceAll(link, "{id}", "' || t.id || '");
  link =
      ReplaceAll(link, "{org}",
                 "' || COALESCE((SELECT u.code FROM unit u WHERE u.id = " + unit + "), '') || '");
  if (cols.contains("email")) link = ReplaceAll(link, "{email}", "' || t.email || '");
  if (!src.parent_column.empty() && cols.contains(std::string(src.parent_column))) {
    link = ReplaceAll(link, "{parent}", "' || t." + std::string(src.parent_column) + " || '");
  }
  // A record a team chose to restrict (an improvement project has `restricted`; its PDSA cycles
  // follow the project) is restricted in search too, whatever its kind's default.
  std::string visibility = k.visibility == "restricted" ? "'restricted'" : "'public'";
  if (k.visibility != "restricted") {
    if (cols.contains("restricted")) {
      visibility =
          "CASE WHEN CAST(t.restricted AS TEXT) IN ('1', 'true') THEN 'restricted' ELSE "
          "'public' END";
    } else if (!src.parent_column.empty() && cols.contains(std::string(src.parent_column))) {
      ASSIGN_OR_RETURN(bool parent_exists, TableExists(conn, src.parent_table));
      if (parent_exists) {
        ASSIGN_OR_RETURN(std::set<std::string> pcols, ColumnsOf(conn, src.parent_table));
        if (pcols.contains("restricted")) {
          visibility = "CASE WHEN (SELECT CAST(p.restricted AS TEXT) FROM " +
                       std::string(src.parent_table) + " p WHERE p.id = t." +
                       std::string(src.parent_column) +
                       ") IN ('1', 'true') THEN 'restricted' ELSE 'public' END";
        }
      }
    }
  }
  return "SELECT t.id, " + title + ", " + body + ", " + unit + ", " + visibility + ", '', " + date +
         ", " + link + ", " + co_design + " FROM " + table + " t WHERE t.id = {KEY}";
}

std::string KeyColumnOf(const IndexedKind& k) { return std::string(SourceOf(k.kind).key_column); }

// The trigger name prefix of a kind.
std::string TriggerName(const IndexedKind& k) { return "search_sync_" + std::string(k.kind); }

std::string InsertFor(const IndexedKind& k, const std::string& select, std::string_view key) {
  return "DELETE FROM search_doc WHERE kind = '" + std::string(k.kind) +
         "' AND ref_id = " + std::string(key) + "; INSERT INTO search_doc (" +
         std::string(kColumns) + ") SELECT '" + std::string(k.kind) + "', s.* FROM (" +
         ReplaceAll(select, "{KEY}", key) + ") s; ";
}

// The script that (re)creates the kind's triggers on `table`.
std::string TriggerScript(db::Connection& conn, const IndexedKind& k, const std::string& table,
                          const std::string& select) {
  const std::string name = TriggerName(k);
  const std::string key = KeyColumnOf(k);
  if (IsPostgres(conn)) {
    return "CREATE OR REPLACE FUNCTION " + name +
           "() RETURNS trigger LANGUAGE plpgsql AS $search$\n"
           "DECLARE search_key_ BIGINT;\nBEGIN\n"
           "IF TG_OP = 'DELETE' THEN search_key_ := OLD." +
           key + "; ELSE search_key_ := NEW." + key + "; END IF;\n" +
           InsertFor(k, select, "search_key_") + "\nIF TG_OP = 'UPDATE' AND OLD." + key +
           " IS DISTINCT FROM NEW." + key + " THEN " + InsertFor(k, select, "OLD." + key) +
           " END IF;\n"
           "RETURN NULL;\nEND\n$search$;\n"
           "DROP TRIGGER IF EXISTS " +
           name + " ON " + table + ";\nCREATE TRIGGER " + name +
           " AFTER INSERT OR UPDATE OR DELETE ON " + table + " FOR EACH ROW EXECUTE FUNCTION " +
           name + "();\n";
  }
  std::string out;
  for (std::string_view op : {"insert", "update", "delete"}) {
    out += "DROP TRIGGER IF EXISTS " + name + "_" + std::string(op) + ";\n";
  }
  out += "CREATE TRIGGER " + name + "_insert AFTER INSERT ON " + table + " BEGIN " +
         InsertFor(k, select, "NEW." + key) + "END;\n";
  out += "CREATE TRIGGER " + name + "_update AFTER UPDATE ON " + table + " BEGIN " +
         InsertFor(k, select, "OLD." + key) + InsertFor(k, select, "NEW." + key) + "END;\n";
  out += "CREATE TRIGGER " + name + "_delete AFTER DELETE ON " + table + " BEGIN " +
         InsertFor(k, select, "OLD." + key) + "END;\n";
  return out;
}

Result<bool> TriggerExists(db::Connection& conn, const IndexedKind& k) {
  bool found = false;
  const std::string name = TriggerName(k) + (IsPostgres(conn) ? "" : "_insert");
  RETURN_IF_ERROR(conn.Query(
      IsPostgres(conn)
          ? "SELECT 1 FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE g.tgname = ? AND n.nspname = current_schema()"
          : "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?",
      {name}, [&](const db::Row&) {
        found = true;
        return db::Flow::kStop;
      }));
  return found;
}

Status Reindex(db::Connection& conn, const IndexedKind& k, const std::string& select) {
  RETURN_IF_ERROR(conn.Execute("DELETE FROM search_doc WHERE kind = ?", {k.kind}));
  // Every row: the key compared with itself holds for every row. Each select names its table's
  // alias just before ".id = {KEY}".
  std::string all = select;
  const size_t at = select.find(".id = {KEY}");
  const size_t alias = select.rfind(' ', at) + 1;
  const std::string key_expr = select.substr(alias, at - alias) + ".id";
  all = ReplaceAll(all, "{KEY}", key_expr);
  return conn.Execute("INSERT INTO search_doc (" + std::string(kColumns) + ") SELECT '" +
                      std::string(k.kind) + "', s.* FROM (" + all + ") s");
}

Status Ensure(db::Connection& conn, bool rebuild) {
  ASSIGN_OR_RETURN(bool ready, TableExists(conn, "search_doc"));
  if (!ready) return Status::Ok();
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  if (IsPostgres(conn)) {
    RETURN_IF_ERROR(conn.Query("SELECT pg_advisory_xact_lock(1000014)", {},
                               [](const db::Row&) { return db::Flow::kContinue; }));
  }
  std::map<std::string, std::string> installed;
  RETURN_IF_ERROR(
      conn.Query("SELECT kind, signature FROM search_source", {}, [&](const db::Row& r) {
        installed[r.Text(0)] = r.Text(1);
        return db::Flow::kContinue;
      }));
  for (const IndexedKind& k : kKinds) {
    ASSIGN_OR_RETURN(std::string table, TableOf(conn, k));
    if (table.empty()) {
      if (installed.contains(std::string(k.kind))) {
        RETURN_IF_ERROR(conn.Execute("DELETE FROM search_doc WHERE kind = ?", {k.kind}));
        RETURN_IF_ERROR(conn.Execute("DELETE FROM search_source WHERE kind = ?", {k.kind}));
      }
      continue;
    }
    ASSIGN_OR_RETURN(std::string select, DocumentSelect(conn, k, table));
    const std::string script = TriggerScript(conn, k, table, select);
    const std::string signature = Sha256Hex(script);
    ASSIGN_OR_RETURN(bool has_trigger, TriggerExists(conn, k));
    auto it = installed.find(std::string(k.kind));
    const bool current = has_trigger && it != installed.end() && it->second == signature;
    if (!current) {
      RETURN_IF_ERROR(conn.ExecuteScript(script));
      RETURN_IF_ERROR(conn.Execute("DELETE FROM search_source WHERE kind = ?", {k.kind}));
      RETURN_IF_ERROR(
          conn.Execute("INSERT INTO search_source (kind, table_name, signature) VALUES (?, ?, ?)",
                       {k.kind, table, signature}));
    }
    if (!current || rebuild) RETURN_IF_ERROR(Reindex(conn, k, select));
  }
  return tx.Commit();
}

// The snippet as HTML: the text escaped (base/markup.h), the engine's match markers \x02 and
// \x03 (which no stored text holds: control characters are refused) as <mark> and </mark>.
void AppendEscaped(std::string& out, std::string_view text) {
  size_t from = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] != '\x02' && text[i] != '\x03') continue;
    AppendMarkupEscaped(text.substr(from, i - from), &out);
    if (i < text.size()) out += text[i] == '\x02' ? "<mark>" : "</mark>";
    from = i + 1;
  }
}

std::vector<std::string> Words(std::string_view typed) {
  std::vector<std::string> words;
  std::string cur;
  for (char c : typed) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || u >= 0x80) {
      cur += c;
    } else if (!cur.empty()) {
      words.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) words.push_back(std::move(cur));
  if (words.size() > 12) words.resize(12);
  return words;
}

std::vector<std::string> SplitThemes(std::string_view stored) {
  std::vector<std::string> out;
  for (std::string_view t : Split(ReplaceAll(std::string(stored), "|", ","))) {
    if (!t.empty()) out.emplace_back(t);
  }
  return out;
}

bool ValidDate(std::string_view d) { return ParseIsoDate(d).has_value(); }

// A person whose scope holds this many organisations or more has visibility tested on the rows
// rather than by the index's keys (one key per organisation would make a long OR).
constexpr size_t kMaxScopeKeys = 64;
// PostgreSQL's place keys: a window is kWindowIds documents (b<id / 1024>x); kPerCoarse windows
// make a coarse one (c<id / 16384>x), so a long run of windows stays a short tsquery.
constexpr int64_t kWindowIds = 1024;
constexpr int64_t kPerCoarse = 16;
// When about this many matches are expected in the rest of the index, it is read in one go.
constexpr double kFewLeft = 300;
// SQLite: a kind with at most this many documents is a key in FTS5 (its postings are short).
constexpr int64_t kSmallKind = 20000;

}  // namespace

std::span<const IndexedKind> IndexedKinds() { return kKinds; }

Result<std::vector<std::string>> ActiveKinds(db::Connection& conn) {
  std::vector<std::string> out;
  for (const IndexedKind& k : kKinds) {
    ASSIGN_OR_RETURN(std::string table, TableOf(conn, k));
    if (!table.empty()) out.emplace_back(k.kind);
  }
  return out;
}

Status EnsureSearchIndex(db::Connection& conn) { return Ensure(conn, false); }
Status RebuildSearchIndex(db::Connection& conn) { return Ensure(conn, true); }

std::string Fts5Query(std::string_view typed) {
  std::string out;
  for (const std::string& w : Words(typed)) {
    if (!out.empty()) out += ' ';
    out += '"' + w + '"';
  }
  return out;
}

Result<std::vector<SearchResult>> Search(db::Connection& conn, const access::Scope& scope,
                                         const SearchQuery& query) {
  if (!query.kind.empty()) {
    const bool known = std::any_of(std::begin(kKinds), std::end(kKinds),
                                   [&](const IndexedKind& k) { return k.kind == query.kind; });
    if (!known) {
      std::string kinds;
      for (const IndexedKind& k : kKinds)
        kinds += (kinds.empty() ? "" : ", ") + std::string(k.kind);
      return InvalidArgumentError("kind: \"" + query.kind +
                                  "\" is not a kind of record; the kinds are " + kinds);
    }
  }
  if (!query.from.empty() && !ValidDate(query.from)) {
    return InvalidArgumentError("from: write a date as YYYY-MM-DD");
  }
  if (!query.to.empty() && !ValidDate(query.to)) {
    return InvalidArgumentError("to: write a date as YYYY-MM-DD");
  }
  if (query.limit < 1 || query.limit > 100) {
    return InvalidArgumentError("limit: ask for between 1 and 100 results");
  }
  if (query.q.size() > 500) return InvalidArgumentError("q: at most 500 characters");
  std::optional<int64_t> org_id;
  if (!query.organisation.empty()) {
    ASSIGN_OR_RETURN(org_id, directory::FindUnitId(conn, query.organisation));
    if (!org_id) {
      return InvalidArgumentError("organisation: there is no organisation \"" + query.organisation +
                                  "\"");
    }
  }

  const bool pg = IsPostgres(conn);
  const std::vector<std::string> words = Words(query.q);
  const bool text = !words.empty();

  // Filters tested on the document's row (search_doc), as SQL with its parameters. Visibility
  // and kind are normally answered by the index's keys instead (below).
  std::string in_scope = "1 = 1";
  std::vector<db::Value> scope_params;
  if (!scope.all) {
    if (scope.unit_ids.empty()) {
      in_scope = "1 = 0";
    } else {
      in_scope = "d.unit_id IN (";
      bool first = true;
      for (int64_t id : scope.unit_ids) {
        in_scope += first ? "?" : ", ?";
        first = false;
        scope_params.emplace_back(id);
      }
      in_scope += ")";
    }
  }
  std::string where;
  std::vector<db::Value> where_params;
  auto add = [&](const std::string& clause, const std::vector<db::Value>& p) {
    where += " AND " + clause;
    where_params.insert(where_params.end(), p.begin(), p.end());
  };
  // Who may see what, and the kind, are keys in the index (docs/learning.md, "Bounded work per
  // query"); a person with a very wide scope has visibility tested on the rows instead (most
  // documents then pass anyway).
  const bool keys_scope = !scope.all && scope.unit_ids.size() < kMaxScopeKeys;
  const std::string kind_key = ReplaceAll(query.kind, "_", "");
  if (!keys_scope && !scope.all) {
    add("(d.visibility <> 'restricted' OR " + in_scope + ")", scope_params);
  }
  if (!text) {
    // No words: the newest documents matching the filters, tested on the rows.
    if (keys_scope) add("(d.visibility <> 'restricted' OR " + in_scope + ")", scope_params);
    if (!query.kind.empty()) add("d.kind = ?", {query.kind});
  }
  if (org_id) {
    // An anonymised document is never found by its organisation by people out of its scope.
    std::vector<db::Value> p = {*org_id};
    p.insert(p.end(), scope_params.begin(), scope_params.end());
    add("d.unit_id = ? AND (d.visibility = 'public' OR " + in_scope + ")", p);
  }
  if (!query.theme.empty()) add("d.themes LIKE ?", {"%|" + NormaliseTheme(query.theme) + "|%"});
  if (!query.from.empty()) add("d.doc_date >= ?", {query.from});
  if (!query.to.empty()) add("d.doc_date <> '' AND d.doc_date <= ?", {query.to});
  if (query.co_design) add("d.co_design = 1", {});

  std::vector<SearchResult> out;
  auto read = [&](const db::Row& r) {
    SearchResult res;
    res.kind = r.Text(0);
    res.id = r.Int(1);
    res.title = r.Text(2);
    AppendEscaped(res.snippet, r.IsNull(3) ? std::string_view() : std::string_view(r.Text(3)));
    res.link = r.Text(4);
    const std::optional<int64_t> unit = r.OptionalInt(5);
    const std::string visibility = r.Text(6);
    res.anonymised = visibility == "anonymised";
    const bool show_org = unit && (!res.anonymised || scope.Contains(*unit));
    if (show_org) {
      res.organisation = r.OptionalText(11).value_or("");
      res.organisation_name = r.OptionalText(12).value_or("");
    }
    res.date = r.Text(7);
    res.themes = SplitThemes(r.Text(8));
    res.co_design = r.Int(9) != 0;
    res.score = r.Double(10);
    out.push_back(std::move(res));
  };

  if (!text) {
    std::vector<db::Value> params = where_params;
    params.emplace_back(static_cast<int64_t>(query.limit));
    RETURN_IF_ERROR(
        conn.Query("SELECT d.kind, d.ref_id, d.title, SUBSTR(d.body, 1, 200), d.link, d.unit_id, "
                   "d.visibility, d.doc_date, d.themes, d.co_design, 0.0, u.code, u.name "
                   "FROM search_doc d LEFT JOIN unit u ON u.id = d.unit_id WHERE 1 = 1" +
                       where + " ORDER BY d.doc_date DESC, d.id DESC LIMIT ?",
                   params, [&](const db::Row& r) {
                     read(r);
                     return db::Flow::kContinue;
                   }));
    return out;
  }

  // Ranking: documents with every word in their title first, then the others; within each,
  // the most recently written first. So a page needs only the newest `limit` matches of each
  // tier, which both indexes give without ranking (or even reading) every match.
  const int64_t need = query.limit;
  std::string all_words;  // FTS5: every word, each quoted
  for (const std::string& w : words) all_words += (all_words.empty() ? "\"" : " AND \"") + w + "\"";
  if (!pg) {
    // The index is read through memory mapping (no read call, no copy per page): at national
    // scale a search touches a few hundred pages spread over the file. Per connection, idempotent.
    RETURN_IF_ERROR(conn.Query("PRAGMA mmap_size = 1073741824", {},
                               [](const db::Row&) { return db::Flow::kStop; }));
  }
  // The visible set in parts, each read from the index on its own and merged newest first:
  // what anyone may see (tested on the rows the walk meets, which are mostly hits) and the
  // person's organisations' restricted documents (keys: short postings). Testing a key costs a
  // walk of the key's own postings (FTS5) or a decode of its pages (GIN), so a long one — v0x,
  // a large kind — is never used as a key: it is tested on the rows instead.
  struct Part {
    std::vector<std::string> keys;  // alternatives; none = no key
    std::string where;
    std::vector<db::Value> params;
  };
  std::vector<Part> parts;
  {
    bool small_kind = false;
    if (!query.kind.empty()) {
      // How many documents the kind has (up to kSmallKind + 1), remembered for a minute: it
      // only chooses how the filter is applied, never what is found.
      static std::mutex mu;
      static std::map<std::string, std::pair<int64_t, std::chrono::steady_clock::time_point>> sizes;
      const auto now = std::chrono::steady_clock::now();
      std::optional<int64_t> n;
      {
        std::lock_guard<std::mutex> lock(mu);
        auto it = sizes.find(query.kind);
        if (it != sizes.end() && now - it->second.second < std::chrono::minutes(1)) {
          n = it->second.first;
        }
      }
      if (!n) {
        RETURN_IF_ERROR(
            conn.Query("SELECT COUNT(*) FROM (SELECT 1 FROM search_doc WHERE kind = ? LIMIT " +
                           std::to_string(kSmallKind + 1) + ") s",
                       {query.kind}, [&](const db::Row& r) {
                         n = r.Int(0);
                         return db::Flow::kStop;
                       }));
        std::lock_guard<std::mutex> lock(mu);
        sizes[query.kind] = {n.value_or(0), now};
      }
      small_kind = n.value_or(0) <= kSmallKind;
    }
    auto kind_part = [&](std::string_view vis) {
      Part p;
      if (query.kind.empty()) return p;
      if (small_kind) {
        p.keys.push_back(vis.empty() ? "k" + kind_key + "x"
                                     : "s" + kind_key + "v" + std::string(vis) + "x");
      } else {
        p.where = " AND d.kind = ?";
        p.params.emplace_back(query.kind);
      }
      return p;
    };
    if (!keys_scope) {
      parts.push_back(kind_part(""));  // everything visible (or tested on the rows)
    } else {
      const bool always_restricted =
          std::any_of(std::begin(kKinds), std::end(kKinds), [&](const IndexedKind& k) {
            return k.kind == query.kind && k.visibility == "restricted";
          });
      if (!always_restricted) {
        Part p = kind_part("0");
        p.where += " AND d.visibility <> 'restricted'";
        parts.push_back(std::move(p));
      }
      if (!scope.unit_ids.empty()) {
        Part p;
        for (int64_t id : scope.unit_ids) {
          p.keys.push_back(query.kind.empty() ? "v" + std::to_string(id) + "x"
                                              : "s" + kind_key + "v" + std::to_string(id) + "x");
        }
        parts.push_back(std::move(p));
      }
    }
  }
  auto alternatives = [&](const std::vector<std::string>& keys) {
    std::string out;
    for (const std::string& k : keys) {
      out += (out.empty() ? "" : pg ? " | " : " OR ") + (pg ? "'" + k + "'" : "\"" + k + "\"");
    }
    return out;
  };
  // The newest `need` visible matches of one tier, newest first.
  auto tier = [&](bool title_only) -> Result<std::vector<int64_t>> {
    std::vector<int64_t> ids;
    if (!pg) {
      // SQLite: FTS5 walks a word's postings newest first and stops after `need`; testing a
      // key there costs a walk of the key's own postings, so only short ones are used as keys
      // (an organisation's restricted documents, a small kind); the rest is tested on the rows
      // the walk meets, which are mostly hits. One walk per part, merged newest first.
      const std::string words_match =
          std::string(title_only ? "{title}" : "{title body}") + " : (" + all_words + ")";
      for (const Part& part : parts) {
        std::string match = words_match;
        if (!part.keys.empty()) match += " AND {tags} : (" + alternatives(part.keys) + ")";
        std::vector<db::Value> params = {match};
        params.insert(params.end(), part.params.begin(), part.params.end());
        params.insert(params.end(), where_params.begin(), where_params.end());
        params.emplace_back(need);
        const std::string filters = part.where + where;
        const std::string sql =
            filters.empty()
                ? "SELECT rowid FROM search_fts WHERE search_fts MATCH ? ORDER BY rowid DESC "
                  "LIMIT ?"
                : "SELECT d.id FROM search_fts JOIN search_doc d ON d.id = search_fts.rowid "
                  "WHERE search_fts MATCH ?" +
                      filters + " ORDER BY search_fts.rowid DESC LIMIT ?";
        RETURN_IF_ERROR(conn.Query(sql, params, [&](const db::Row& r) {
          ids.push_back(r.Int(0));
          return db::Flow::kContinue;
        }));
      }
      std::sort(ids.begin(), ids.end(), std::greater<>());
      ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
      if (static_cast<int64_t>(ids.size()) > need) ids.resize(need);
      return ids;
    }
    // PostgreSQL: a GIN index returns its matches unordered, so the newest are taken a window
    // of the index at a time (its place keys b<n>x / c<n>x), from the newest 2,048 documents
    // outwards, each window sized from the matches the last one found; when few matches are
    // left to find, the rest of the index in one go.
    int64_t max_id = 0;
    RETURN_IF_ERROR(
        conn.Query("SELECT COALESCE(MAX(id), 0) FROM search_doc", {}, [&](const db::Row& r) {
          max_id = r.Int(0);
          return db::Flow::kStop;
        }));
    const int64_t top = max_id / kWindowIds;
    const std::string words_cond = std::string("SELECT d.id FROM search_doc d WHERE d.") +
                                   (title_only ? "title_tsv" : "tsv") +
                                   " @@ plainto_tsquery('english', ?)";
    for (const Part& part : parts) {
      const std::string filters = part.where + where;
      const std::string sql = words_cond + " AND d.keys_tsv @@ CAST(? AS tsquery)" + filters +
                              " ORDER BY d.id + 0 DESC LIMIT ?";
      const std::string sql_all = words_cond + filters + " ORDER BY d.id + 0 DESC LIMIT ?";
      const std::string keys = alternatives(part.keys);
      std::vector<int64_t> got;
      int64_t span = 2;  // windows of kWindowIds documents
      for (;;) {
        const int64_t lo = top - span + 1;
        const bool whole = lo <= 0;
        std::string keyq = keys;
        if (!whole) {
          std::string places;
          for (int64_t b = lo; b <= top;) {
            if (b % kPerCoarse == 0 && b + kPerCoarse - 1 <= top) {
              places += (places.empty() ? "'c" : " | 'c") + std::to_string(b / kPerCoarse) + "x'";
              b += kPerCoarse;
            } else {
              places += (places.empty() ? "'b" : " | 'b") + std::to_string(b) + "x'";
              ++b;
            }
          }
          keyq = keyq.empty() ? places : "(" + keyq + ") & (" + places + ")";
        }
        std::vector<db::Value> params = {query.q};
        if (!keyq.empty()) params.emplace_back(keyq);
        params.insert(params.end(), part.params.begin(), part.params.end());
        params.insert(params.end(), where_params.begin(), where_params.end());
        params.emplace_back(need);
        got.clear();
        RETURN_IF_ERROR(conn.Query(keyq.empty() ? sql_all : sql, params, [&](const db::Row& r) {
          got.push_back(r.Int(0));
          return db::Flow::kContinue;
        }));
        if (static_cast<int64_t>(got.size()) >= need || whole) break;
        // Matches per document in the windows so far; how many are left in the rest.
        const double seen = static_cast<double>(max_id - lo * kWindowIds + 1);
        const double density = std::max<double>(static_cast<double>(got.size()), 0.5) / seen;
        const double rest = density * static_cast<double>(lo * kWindowIds);
        if (rest <= kFewLeft) {
          span = top + 1;
          continue;
        }
        const double more = (static_cast<double>(need) - static_cast<double>(got.size())) /
                            density * 1.5 / kWindowIds;
        span = std::clamp<int64_t>(span + static_cast<int64_t>(more), span * 2, span * 16);
      }
      ids.insert(ids.end(), got.begin(), got.end());
    }
    std::sort(ids.begin(), ids.end(), std::greater<>());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    if (static_cast<int64_t>(ids.size()) > need) ids.resize(need);
    return ids;
  };
  ASSIGN_OR_RETURN(std::vector<int64_t> title_ids, tier(true));
  std::vector<int64_t> page = title_ids;
  if (static_cast<int64_t>(page.size()) < need) {
    ASSIGN_OR_RETURN(std::vector<int64_t> body_ids, tier(false));
    const std::set<int64_t> in_title(title_ids.begin(), title_ids.end());
    for (int64_t id : body_ids) {
      if (static_cast<int64_t>(page.size()) >= need) break;
      if (!in_title.contains(id)) page.push_back(id);
    }
  }
  if (page.empty()) return out;
  // The page's details and snippets: only for the documents shown.
  std::vector<db::Value> params;
  std::string list;
  for (int64_t id : page) {
    list += list.empty() ? "(?)" : ", (?)";
    params.emplace_back(id);
  }
  std::string sql;
  if (pg) {
    params.emplace_back(query.q);
    sql = "WITH page(id) AS (VALUES " + list +
          ") SELECT d.kind, d.ref_id, d.title, ts_headline('english', CASE WHEN "
          "to_tsvector('english', d.body) @@ q.q THEN d.body ELSE d.title END, q.q, 'StartSel=' "
          "|| chr(2) || ', StopSel=' || chr(3) || ', MaxWords=28, MinWords=10, MaxFragments=2, "
          "FragmentDelimiter=\" … \"'), d.link, d.unit_id, d.visibility, d.doc_date, d.themes, "
          "d.co_design, 0.0, u.code, u.name, d.id FROM page JOIN search_doc d ON d.id = "
          "CAST(page.id AS BIGINT) LEFT JOIN unit u ON u.id = d.unit_id CROSS JOIN "
          "plainto_tsquery('english', ?) AS q(q)";
  } else {
    params.emplace_back("{title body} : (" + all_words + ")");
    sql = "WITH page(id) AS (VALUES " + list +
          ") SELECT d.kind, d.ref_id, d.title, snippet(search_fts, -1, char(2), char(3), ' … ', "
          "20), d.link, d.unit_id, d.visibility, d.doc_date, d.themes, d.co_design, 0.0, u.code, "
          "u.name, d.id FROM page CROSS JOIN search_fts JOIN search_doc d ON d.id = "
          "search_fts.rowid LEFT JOIN unit u ON u.id = d.unit_id WHERE search_fts MATCH ? AND "
          "search_fts.rowid = page.id";
  }
  std::map<int64_t, SearchResult> found;
  RETURN_IF_ERROR(conn.Query(sql, params, [&](const db::Row& r) {
    read(r);
    found[r.Int(13)] = std::move(out.back());
    out.pop_back();
    return db::Flow::kContinue;
  }));
  const std::set<int64_t> in_title(title_ids.begin(), title_ids.end());
  for (int64_t id : page) {
    auto it = found.find(id);
    if (it == found.end()) continue;
    it->second.score = in_title.contains(id) ? 2.0 : 1.0;
    out.push_back(std::move(it->second));
  }
  return out;
}

std::string NormaliseTheme(std::string_view theme) {
  std::string out;
  for (char c : theme) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!out.empty() && out.back() == ' ') out.pop_back();
  while (!out.empty() && out.front() == ' ') out.erase(out.begin());
  return out;
}

}  // namespace shewhart::learning
