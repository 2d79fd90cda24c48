#include "capability/people.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <unordered_map>

#include "access/audit.h"
#include "base/date.h"
#include "base/text_checks.h"
#include "capability/measures.h"
#include "imports/problems.h"
#include "observations/observations.h"

namespace shewhart::capability {
namespace {

using imports::Problems;
using imports::Table;
using imports::TableRow;
using nlohmann::json;

constexpr char kSep = '\x1f';
constexpr size_t kMaxText = 200;

#define SHEWHART_CAPABILITY_SCHEMA(PK, ID)                               \
  "CREATE TABLE capability_person (\n"                                   \
  "  id " PK                                                             \
  ",\n"                                                                  \
  "  email TEXT NOT NULL UNIQUE,\n"                                      \
  "  name TEXT NOT NULL,\n"                                              \
  "  unit_id " ID                                                        \
  " NOT NULL REFERENCES unit(id),\n"                                     \
  "  profession TEXT NOT NULL DEFAULT '',\n"                             \
  "  consent_recorded_by TEXT NOT NULL,\n"                               \
  "  consent_recorded_at TEXT NOT NULL,\n"                               \
  "  created_at TEXT NOT NULL,\n"                                        \
  "  updated_at TEXT NOT NULL\n"                                         \
  ");\n"                                                                 \
  "CREATE INDEX capability_person_unit ON capability_person(unit_id);\n" \
  "CREATE TABLE capability_course (\n"                                   \
  "  id " PK                                                             \
  ",\n"                                                                  \
  "  code TEXT NOT NULL UNIQUE,\n"                                       \
  "  title TEXT NOT NULL,\n"                                             \
  "  tier TEXT NOT NULL,\n"                                              \
  "  level TEXT NOT NULL DEFAULT '',\n"                                  \
  "  format TEXT NOT NULL DEFAULT '',\n"                                 \
  "  created_at TEXT NOT NULL,\n"                                        \
  "  updated_at TEXT NOT NULL\n"                                         \
  ");\n"                                                                 \
  "CREATE TABLE capability_attendance (\n"                               \
  "  id " PK                                                             \
  ",\n"                                                                  \
  "  person_id " ID                                                      \
  " NOT NULL REFERENCES capability_person(id),\n"                        \
  "  course_id " ID                                                      \
  " NOT NULL REFERENCES capability_course(id),\n"                        \
  "  held_on TEXT NOT NULL,\n"                                           \
  "  attended TEXT NOT NULL,\n"                                          \
  "  role TEXT NOT NULL DEFAULT 'attendee',\n"                           \
  "  created_at TEXT NOT NULL,\n"                                        \
  "  updated_at TEXT NOT NULL,\n"                                        \
  "  UNIQUE (person_id, course_id, held_on)\n"                           \
  ");\n"                                                                 \
  "CREATE TABLE capability_coaching (\n"                                 \
  "  id " PK                                                             \
  ",\n"                                                                  \
  "  coach_id " ID                                                       \
  " NOT NULL REFERENCES capability_person(id),\n"                        \
  "  coachee_id " ID                                                     \
  " NOT NULL REFERENCES capability_person(id),\n"                        \
  "  started TEXT NOT NULL,\n"                                           \
  "  ended TEXT NOT NULL DEFAULT '',\n"                                  \
  "  project TEXT NOT NULL DEFAULT '',\n"                                \
  "  created_at TEXT NOT NULL,\n"                                        \
  "  updated_at TEXT NOT NULL,\n"                                        \
  "  UNIQUE (coach_id, coachee_id, started)\n"                           \
  ");\n"                                                                 \
  "CREATE TABLE capability_tier_change (\n"                              \
  "  id " PK                                                             \
  ",\n"                                                                  \
  "  person_id " ID                                                      \
  " NOT NULL REFERENCES capability_person(id),\n"                        \
  "  tier TEXT NOT NULL,\n"                                              \
  "  since TEXT NOT NULL,\n"                                             \
  "  source TEXT NOT NULL,\n"                                            \
  "  reason TEXT NOT NULL DEFAULT '',\n"                                 \
  "  recorded_by TEXT NOT NULL,\n"                                       \
  "  recorded_at TEXT NOT NULL\n"                                        \
  ");\n"                                                                 \
  "CREATE INDEX capability_tier_change_person ON capability_tier_change(person_id);\n"

constexpr db::Migration kMigrations[] = {
    {901, "capability: people, courses, attendance, coaching, tier history",
     SHEWHART_CAPABILITY_SCHEMA("INTEGER PRIMARY KEY", "INTEGER"),
     SHEWHART_CAPABILITY_SCHEMA("BIGSERIAL PRIMARY KEY", "BIGINT")},
};

// Domains of personal mail: Shewhart keeps staff by their work email only.
constexpr std::string_view kPersonalDomains[] = {
    "gmail.com", "googlemail.com", "hotmail.com",    "hotmail.co.uk",  "outlook.com",
    "live.com",  "live.co.uk",     "yahoo.com",      "yahoo.co.uk",    "icloud.com",
    "me.com",    "aol.com",        "btinternet.com", "protonmail.com", "proton.me",
};
constexpr std::string_view kLevels[] = {"basic", "intermediate", "advanced", "masterclass"};
constexpr std::string_view kFormats[] = {"in person", "online", "blended", "e-learning"};
constexpr std::string_view kRoles[] = {"attendee", "trainer"};

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string Join(std::span<const std::string_view> words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == words.size() ? " or " : ", ") + std::string(words[i]);
  }
  return out;
}

// Why `email` is not a usable work email; "" when it is. REQUIRES: lower case, trimmed.
std::string EmailProblem(std::string_view email) {
  const size_t at = email.find('@');
  if (email.empty()) return "the work email is missing";
  if (at == std::string_view::npos || at == 0 ||
      email.find('@', at + 1) != std::string_view::npos ||
      email.find(' ') != std::string_view::npos ||
      email.substr(at + 1).find('.') == std::string_view::npos || email.back() == '.') {
    return Quote(email) + " is not an email address; write it like ana.smith@trust.nhs.uk";
  }
  const std::string_view domain = email.substr(at + 1);
  for (std::string_view d : kPersonalDomains) {
    if (domain == d) {
      return Quote(email) + " is a personal address; Shewhart keeps staff by their work email";
    }
  }
  return "";
}

// Reads one table: the named columns (REQUIRED ones must be there).
class Cells {
 public:
  Cells(const Table& table, std::string_view kind, std::span<const std::string_view> required,
        std::span<const std::string_view> optional, Problems* problems) {
    std::string needs;
    for (std::string_view n : required) needs += (needs.empty() ? "" : ", ") + std::string(n);
    for (std::string_view n : required) {
      columns_[std::string(n)] = table.Column(n);
      if (!table.Column(n)) {
        problems->Add(table.header_row, n,
                      "the column is missing; a file of " + std::string(kind) +
                          " needs the columns " + needs);
      }
    }
    for (std::string_view n : optional) columns_[std::string(n)] = table.Column(n);
  }
  bool Has(std::string_view name) const {
    auto it = columns_.find(std::string(name));
    return it != columns_.end() && it->second.has_value();
  }
  std::string Get(const TableRow& row, std::string_view name) const {
    auto it = columns_.find(std::string(name));
    if (it == columns_.end() || !it->second || *it->second >= row.cells.size()) return "";
    return std::string(Trim(row.cells[*it->second]));
  }

 private:
  std::map<std::string, std::optional<size_t>> columns_;
};

// Checks free or short text: required, length, NHS numbers. Returns the text.
std::string CheckText(const std::string& value, int64_t row, std::string_view column, bool required,
                      Problems* problems) {
  if (value.empty()) {
    if (required) problems->Add(row, column, "is empty; it is required");
    return value;
  }
  if (value.size() > kMaxText) {
    problems->Add(row, column,
                  "is " + std::to_string(value.size()) + " bytes long; at most " +
                      std::to_string(kMaxText) + " are kept");
  }
  if (ContainsNhsNumber(value)) problems->Add(row, column, std::string(kNhsNumberMessage));
  return value;
}

std::string CheckWord(const std::string& value, int64_t row, std::string_view column,
                      std::span<const std::string_view> words, bool required, Problems* problems) {
  const std::string w = AsciiLower(value);
  if (w.empty()) {
    if (required) problems->Add(row, column, "is empty; write " + Join(words));
    return w;
  }
  for (std::string_view ok : words) {
    if (w == ok) return w;
  }
  problems->Add(row, column, Quote(value) + " is not one of " + Join(words));
  return w;
}

// A date written YYYY-MM-DD, not after `today` (unless `future_ok`).
std::string CheckDate(const std::string& value, int64_t row, std::string_view column, bool required,
                      std::string_view today, Problems* problems) {
  if (value.empty()) {
    if (required) problems->Add(row, column, "is empty; write a date like 2024-03-31");
    return value;
  }
  const std::optional<Date> d = ParseIsoDate(value);
  if (!d) {
    problems->Add(row, column, Quote(value) + " is not a date; write it like 2024-03-31");
    return value;
  }
  const std::string iso = FormatIsoDate(*d);
  if (iso > today) {
    problems->Add(row, column, iso + " is in the future (today is " + std::string(today) + ")");
  }
  return iso;
}

std::string CheckYesNo(const std::string& value, int64_t row, std::string_view column,
                       Problems* problems) {
  const std::string w = AsciiLower(value);
  if (w == "yes" || w == "y" || w == "true" || w == "1") return "yes";
  if (w == "no" || w == "n" || w == "false" || w == "0") return "no";
  problems->Add(row, column,
                value.empty() ? std::string("is empty; write yes or no")
                              : Quote(value) + " is not yes or no");
  return w;
}

// Lookups loaded once per write.
struct Lookups {
  std::unordered_map<std::string, int64_t> units;   // code -> id
  std::unordered_map<std::string, int64_t> people;  // email -> id
  struct CourseInfo {
    int64_t id = 0;
    std::string tier;
  };
  std::unordered_map<std::string, CourseInfo> courses;  // code -> id, tier
};

Result<Lookups> LoadLookups(db::Connection& conn) {
  Lookups l;
  RETURN_IF_ERROR(conn.Query("SELECT id, code FROM unit", {}, [&](const db::Row& r) {
    l.units[AsciiLower(r.Text(1))] = r.Int(0);
    return db::Flow::kContinue;
  }));
  RETURN_IF_ERROR(conn.Query("SELECT id, email FROM capability_person", {}, [&](const db::Row& r) {
    l.people[r.Text(1)] = r.Int(0);
    return db::Flow::kContinue;
  }));
  RETURN_IF_ERROR(
      conn.Query("SELECT id, code, tier FROM capability_course", {}, [&](const db::Row& r) {
        l.courses[AsciiLower(r.Text(1))] = {r.Int(0), r.Text(2)};
        return db::Flow::kContinue;
      }));
  return l;
}

// One row ready to write: its key, what is compared with the stored row, the column values.
struct Prepared {
  int64_t row = 0;
  std::string key, key_text, compare;
  std::vector<db::Value> values;
  std::vector<int64_t> people;  // whose tiers it may change
};
struct Stored {
  int64_t id = 0;
  std::string compare;
  std::vector<int64_t> people;
};

std::string Joined(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) {
    out += p;
    out += kSep;
  }
  return out;
}

std::string Today(const std::string& now) { return now.substr(0, 10); }

Status RefreshTiers(db::Connection& conn, const std::set<int64_t>& people, const std::string& actor,
                    const std::string& now);

// The all-or-nothing write shared by the four imports.
Result<imports::ImportReport> Apply(db::Connection& conn, db::ServiceTransaction& tx,
                                    const Table& table, std::string_view kind,
                                    std::string_view sha256, const imports::ImportOptions& options,
                                    std::vector<Prepared> rows,
                                    const std::unordered_map<std::string, Stored>& stored,
                                    std::string_view insert_sql, std::string_view update_sql) {
  imports::ImportReport report;
  report.file = table.name;
  report.rows = static_cast<int64_t>(table.rows.size());
  std::vector<const Prepared*> added;
  std::vector<std::pair<const Prepared*, const Stored*>> changed;
  for (const Prepared& p : rows) {
    auto it = stored.find(p.key);
    if (it == stored.end()) {
      added.push_back(&p);
    } else if (it->second.compare == p.compare) {
      ++report.unchanged;
    } else {
      changed.emplace_back(&p, &it->second);
      if (report.changes.size() < imports::ImportReport::kMaxListedChanges) {
        report.changes.push_back(
            {p.row, std::string(kind) + " " + p.key_text, "as stored", "as in the file"});
      }
    }
  }
  report.added = static_cast<int64_t>(added.size());
  report.changed = static_cast<int64_t>(changed.size());
  if (options.dry_run || (added.empty() && changed.empty())) return report;
  ASSIGN_OR_RETURN(report.batch_id, observations::InsertBatch(
                                        conn, {std::string(kind), table.name, std::string(sha256),
                                               options.actor, options.now}));
  std::set<int64_t> touched;
  for (const Prepared* p : added) {
    std::vector<db::Value> v = p->values;
    v.emplace_back(options.now);
    v.emplace_back(options.now);
    RETURN_IF_ERROR(conn.Execute(insert_sql, v));
    touched.insert(p->people.begin(), p->people.end());
  }
  for (const auto& [p, old] : changed) {
    std::vector<db::Value> v = p->values;
    v.emplace_back(options.now);
    v.emplace_back(old->id);
    RETURN_IF_ERROR(conn.Execute(update_sql, v));
    touched.insert(p->people.begin(), p->people.end());
    touched.insert(old->people.begin(), old->people.end());
  }
  RETURN_IF_ERROR(observations::SetBatchCounts(conn, report.batch_id, report.added, report.changed,
                                               report.unchanged));
  const json after = {{"file", report.file},       {"sha256", sha256},
                      {"rows", report.rows},       {"added", report.added},
                      {"changed", report.changed}, {"unchanged", report.unchanged}};
  RETURN_IF_ERROR(access::RecordAudit(conn, {.at = options.now,
                                             .actor = options.actor,
                                             .action = "import." + std::string(kind),
                                             .target = "batch " + std::to_string(report.batch_id),
                                             .before = "",
                                             .after = after.dump(),
                                             .remote = options.remote}));
  RETURN_IF_ERROR(RefreshTiers(conn, touched, options.actor, options.now));
  // The monthly CAP_* measures follow the register in the same commit, so the charts of the
  // community's growth are current after every import (measures.h).
  RETURN_IF_ERROR(RefreshCapabilityMeasures(conn, options.actor, options.now).status());
  RETURN_IF_ERROR(tx.Commit());
  report.written = true;
  return report;
}

void CheckDuplicates(const std::vector<Prepared>& rows, std::string_view column,
                     Problems* problems) {
  std::unordered_map<std::string, int64_t> seen;
  for (const Prepared& p : rows) {
    auto [it, inserted] = seen.emplace(p.key, p.row);
    if (!inserted) {
      problems->Add(
          p.row, column,
          "duplicate: " + Quote(p.key_text) + " is also on row " + std::to_string(it->second));
    }
  }
}

// ---- loading a person's evidence ----

Result<std::vector<Person>> LoadPeople(db::Connection& conn) {
  std::vector<Person> out;
  RETURN_IF_ERROR(conn.Query(
      "SELECT p.id, p.email, p.name, u.code, u.name, p.profession, p.unit_id "
      "FROM capability_person p JOIN unit u ON u.id = p.unit_id ORDER BY p.name, p.email",
      {}, [&](const db::Row& r) {
        out.push_back({r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5), r.Int(6)});
        return db::Flow::kContinue;
      }));
  return out;
}

}  // namespace

std::span<const db::Migration> PeopleMigrations() { return kMigrations; }

bool IsUsableWorkEmail(std::string_view email) {
  return EmailProblem(AsciiLower(Trim(email))).empty();
}

Result<bool> TableExists(db::Connection& conn, std::string_view table) {
  const std::string_view sql =
      conn.dialect() == db::Dialect::kSqlite
          ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?"
          : "SELECT CAST(table_name AS TEXT) FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_name = ?";
  ASSIGN_OR_RETURN(std::optional<db::Row> row, conn.QueryRow(sql, {std::string(table)}));
  return row.has_value();
}

Result<bool> HasColumns(db::Connection& conn, std::string_view table,
                        std::initializer_list<std::string_view> columns) {
  ASSIGN_OR_RETURN(bool exists, TableExists(conn, table));
  if (!exists) return false;
  const std::string_view sql =
      conn.dialect() == db::Dialect::kSqlite
          ? "SELECT name FROM pragma_table_info(?)"
          : "SELECT CAST(column_name AS TEXT) FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ?";
  std::set<std::string> have;
  RETURN_IF_ERROR(conn.Query(sql, {std::string(table)}, [&](const db::Row& r) {
    have.insert(AsciiLower(r.Text(0)));
    return db::Flow::kContinue;
  }));
  for (std::string_view c : columns) {
    if (!have.count(std::string(c))) return false;
  }
  return true;
}

Result<std::vector<PersonProject>> LoadProjectRoles(db::Connection& conn) {
  std::vector<PersonProject> out;
  ASSIGN_OR_RETURN(bool projects, HasColumns(conn, "improvement_project",
                                             {"id", "title", "status", "started", "lead_email",
                                              "unit_id"}));
  ASSIGN_OR_RETURN(bool members,
                   HasColumns(conn, "improvement_team_member", {"project_id", "email", "role"}));
  ASSIGN_OR_RETURN(bool pdsa, HasColumns(conn, "improvement_pdsa", {"project_id", "started"}));
  if (!projects || !members || !pdsa) return out;  // the improvement part has not landed
  // The columns agreed with the improvement part (/work/CROSS-PART.md); a schema without them
  // gives no evidence rather than failing.
  constexpr std::string_view kSql =
      "SELECT m.email, m.role, p.title, p.status, p.started, "
      "(SELECT MIN(d.started) FROM improvement_pdsa d WHERE d.project_id = p.id), p.id, "
      "p.lead_email, p.unit_id "
      "FROM improvement_team_member m JOIN improvement_project p ON p.id = m.project_id "
      "ORDER BY p.id, m.email";
  RETURN_IF_ERROR(conn.Query(kSql, {}, [&](const db::Row& r) {
    PersonProject pp;
    pp.email = AsciiLower(Trim(r.OptionalText(0).value_or("")));
    pp.role = {r.OptionalText(2).value_or(""), r.OptionalText(1).value_or(""),
               r.OptionalText(3).value_or(""), r.OptionalText(4).value_or(""),
               r.OptionalText(5).value_or("")};
    pp.project_id = r.OptionalInt(6).value_or(0);
    pp.unit_id = r.OptionalInt(8).value_or(0);
    out.push_back(std::move(pp));
    return db::Flow::kContinue;
  }));
  return out;
}

Result<std::vector<int64_t>> UnitAndBelow(db::Connection& conn, int64_t unit_id) {
  std::vector<int64_t> out = {unit_id};
  for (size_t i = 0; i < out.size(); ++i) {
    RETURN_IF_ERROR(
        conn.Query("SELECT id FROM unit WHERE parent_id = ?", {out[i]}, [&](const db::Row& r) {
          if (std::find(out.begin(), out.end(), r.Int(0)) == out.end()) out.push_back(r.Int(0));
          return db::Flow::kContinue;
        }));
  }
  return out;
}

Result<Register> LoadRegister(db::Connection& conn) {
  Register reg;
  ASSIGN_OR_RETURN(reg.people, LoadPeople(conn));
  std::unordered_map<int64_t, size_t> index;
  std::unordered_map<int64_t, std::string> email;
  for (size_t i = 0; i < reg.people.size(); ++i) {
    index[reg.people[i].id] = i;
    email[reg.people[i].id] = reg.people[i].email;
  }
  reg.evidence.resize(reg.people.size());
  reg.overrides.resize(reg.people.size());
  RETURN_IF_ERROR(conn.Query(
      "SELECT a.person_id, c.code, c.title, c.tier, a.held_on, a.attended, a.role "
      "FROM capability_attendance a JOIN capability_course c ON c.id = a.course_id "
      "ORDER BY a.held_on, a.id",
      {}, [&](const db::Row& r) {
        const size_t i = index.at(r.Int(0));
        const bool attended = r.Text(5) == "yes";
        reg.attendance.push_back({i, r.Text(1), r.Text(4), r.Text(6), attended});
        if (!attended) return db::Flow::kContinue;
        const Tier course_tier = ParseTier(r.Text(3)).value_or(Tier::kNone);
        if (r.Text(6) == "trainer") {
          reg.evidence[i].push_back(MakeEvidence(Activity::kTaught, r.Text(4), course_tier,
                                                 "taught " + r.Text(1) + " " + r.Text(2)));
        } else {
          reg.evidence[i].push_back(MakeEvidence(
              Activity::kAttended, r.Text(4), course_tier,
              "attended " + r.Text(1) + " " + r.Text(2) + " (" + r.Text(3) + " course)"));
        }
        return db::Flow::kContinue;
      }));
  RETURN_IF_ERROR(conn.Query(
      "SELECT coach_id, coachee_id, started, ended, project FROM capability_coaching "
      "ORDER BY started, id",
      {}, [&](const db::Row& r) {
        const size_t coach = index.at(r.Int(0));
        const size_t coachee = index.at(r.Int(1));
        reg.coaching.push_back({coach, coachee, r.Text(2), r.Text(3)});
        const std::string project = r.Text(4).empty() ? "" : " on " + r.Text(4);
        reg.evidence[coach].push_back(MakeEvidence(Activity::kCoaches, r.Text(2), Tier::kNone,
                                                   "coaches " + email[r.Int(1)] + project));
        reg.evidence[coachee].push_back(MakeEvidence(Activity::kCoached, r.Text(2), Tier::kNone,
                                                     "coached by " + email[r.Int(0)] + project));
        return db::Flow::kContinue;
      }));
  RETURN_IF_ERROR(conn.Query(
      "SELECT c.coach_id, c.coachee_id, s.held_on, s.minutes FROM capability_coaching_session s "
      "JOIN capability_coaching c ON c.id = s.coaching_id ORDER BY s.held_on, s.id",
      {}, [&](const db::Row& r) {
        reg.sessions.push_back({index.at(r.Int(0)), index.at(r.Int(1)), r.Text(2), r.Int(3)});
        return db::Flow::kContinue;
      }));
  // Projects led, joined or coached (the improvement part's tables, when it has landed): see
  // docs/capability.md "Projects". Until then there is no project evidence.
  ASSIGN_OR_RETURN(std::vector<PersonProject> projects, LoadProjectRoles(conn));
  std::unordered_map<std::string, size_t> by_email;
  for (size_t i = 0; i < reg.people.size(); ++i) by_email[reg.people[i].email] = i;
  for (const PersonProject& pp : projects) {
    auto it = by_email.find(pp.email);
    if (it == by_email.end()) continue;
    if (std::optional<Evidence> e = ProjectEvidence(pp.role)) {
      reg.evidence[it->second].push_back(std::move(*e));
    }
  }
  RETURN_IF_ERROR(conn.Query(
      "SELECT person_id, tier, since, reason, recorded_by FROM capability_tier_change "
      "WHERE source = 'override' ORDER BY id",
      {}, [&](const db::Row& r) {
        reg.overrides[index.at(r.Int(0))].push_back(
            {r.Text(2), ParseTier(r.Text(1)).value_or(Tier::kNone), r.Text(3), r.Text(4)});
        return db::Flow::kContinue;
      }));
  return reg;
}

namespace {

Status RefreshTiers(db::Connection& conn, const std::set<int64_t>& people, const std::string& actor,
                    const std::string& now) {
  if (people.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(Register reg, LoadRegister(conn));
  std::unordered_map<int64_t, std::string> last;
  RETURN_IF_ERROR(conn.Query("SELECT person_id, tier FROM capability_tier_change ORDER BY id", {},
                             [&](const db::Row& r) {
                               last[r.Int(0)] = r.Text(1);
                               return db::Flow::kContinue;
                             }));
  const std::string today = Today(now);
  for (size_t i = 0; i < reg.people.size(); ++i) {
    const int64_t id = reg.people[i].id;
    if (!people.count(id)) continue;
    const TierDecision d = DecideTier(reg.evidence[i], reg.overrides[i], today);
    if (d.source == "override") continue;  // OverrideTier wrote that change itself
    const std::string word(TierWord(d.tier));
    auto it = last.find(id);
    if (it == last.end() ? d.tier == Tier::kNone : it->second == word) continue;
    RETURN_IF_ERROR(conn.Execute(
        "INSERT INTO capability_tier_change (person_id, tier, since, source, reason, recorded_by, "
        "recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        {id, word, d.since.empty() ? today : d.since,
         d.source == "none" ? std::string("evidence") : d.source, "", actor, now}));
  }
  return Status::Ok();
}

}  // namespace

// ---- the four imports ----

Result<imports::ImportReport> ImportPeople(db::Connection& conn, const Table& table,
                                           std::string_view sha256,
                                           const imports::ImportOptions& options) {
  Problems problems;
  constexpr std::string_view kRequired[] = {"email", "name", "organisation"};
  constexpr std::string_view kOptional[] = {"profession", "consent"};
  const Cells cells(table, "people", kRequired, kOptional, &problems);
  if (!problems.empty()) return problems.ToStatus(table.name);
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(Lookups lookups, LoadLookups(conn));
  std::vector<Prepared> rows;
  for (const TableRow& r : table.rows) {
    const std::string email = AsciiLower(cells.Get(r, "email"));
    if (std::string p = EmailProblem(email); !p.empty()) problems.Add(r.number, "email", p);
    const std::string name = CheckText(cells.Get(r, "name"), r.number, "name", true, &problems);
    const std::string org = cells.Get(r, "organisation");
    int64_t unit_id = 0;
    if (org.empty()) {
      problems.Add(r.number, "organisation", "is empty; write the organisation's code");
    } else if (auto it = lookups.units.find(AsciiLower(org)); it == lookups.units.end()) {
      problems.Add(r.number, "organisation",
                   "there is no organisation " + Quote(org) + " in the directory");
    } else {
      unit_id = it->second;
    }
    const std::string profession =
        CheckText(cells.Get(r, "profession"), r.number, "profession", false, &problems);
    if (cells.Has("consent") &&
        CheckYesNo(cells.Get(r, "consent"), r.number, "consent", &problems) == "no") {
      problems.Add(r.number, "consent", "the person has not consented; leave them out of the file");
    }
    rows.push_back({r.number,
                    email,
                    email,
                    Joined({name, std::to_string(unit_id), profession}),
                    {email, name, unit_id, profession, options.actor, options.now},
                    {}});
  }
  CheckDuplicates(rows, "email", &problems);
  if (!problems.empty()) return problems.ToStatus(table.name);
  std::unordered_map<std::string, Stored> stored;
  RETURN_IF_ERROR(conn.Query(
      "SELECT id, email, name, unit_id, profession FROM capability_person", {},
      [&](const db::Row& r) {
        stored[r.Text(1)] = {
            r.Int(0), Joined({r.Text(2), std::to_string(r.Int(3)), r.Text(4)}), {r.Int(0)}};
        return db::Flow::kContinue;
      }));
  // An update keeps the consent first recorded: drop those two values.
  for (Prepared& p : rows) {
    if (stored.count(p.key)) p.values = {p.values[1], p.values[2], p.values[3]};
  }
  return Apply(conn, tx, table, "people", sha256, options, std::move(rows), stored,
               "INSERT INTO capability_person (email, name, unit_id, profession, "
               "consent_recorded_by, consent_recorded_at, created_at, updated_at) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
               "UPDATE capability_person SET name = ?, unit_id = ?, profession = ?, "
               "updated_at = ? WHERE id = ?");
}

Result<imports::ImportReport> ImportCourses(db::Connection& conn, const Table& table,
                                            std::string_view sha256,
                                            const imports::ImportOptions& options) {
  Problems problems;
  constexpr std::string_view kRequired[] = {"code", "title", "tier"};
  constexpr std::string_view kOptional[] = {"level", "format"};
  constexpr std::string_view kTiers[] = {"learn", "live", "lead"};
  const Cells cells(table, "courses", kRequired, kOptional, &problems);
  if (!problems.empty()) return problems.ToStatus(table.name);
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  std::vector<Prepared> rows;
  for (const TableRow& r : table.rows) {
    const std::string code = CheckText(cells.Get(r, "code"), r.number, "code", true, &problems);
    const std::string title = CheckText(cells.Get(r, "title"), r.number, "title", true, &problems);
    const std::string tier =
        CheckWord(cells.Get(r, "tier"), r.number, "tier", kTiers, true, &problems);
    const std::string level =
        CheckWord(cells.Get(r, "level"), r.number, "level", kLevels, false, &problems);
    const std::string format =
        CheckWord(cells.Get(r, "format"), r.number, "format", kFormats, false, &problems);
    rows.push_back({r.number,
                    AsciiLower(code),
                    code,
                    Joined({title, tier, level, format}),
                    {code, title, tier, level, format},
                    {}});
  }
  CheckDuplicates(rows, "code", &problems);
  if (!problems.empty()) return problems.ToStatus(table.name);
  std::unordered_map<std::string, Stored> stored;
  std::unordered_map<std::string, std::vector<int64_t>> attendees;  // course id -> people
  RETURN_IF_ERROR(
      conn.Query("SELECT c.code, a.person_id FROM capability_attendance a "
                 "JOIN capability_course c ON c.id = a.course_id",
                 {}, [&](const db::Row& r) {
                   attendees[AsciiLower(r.Text(0))].push_back(r.Int(1));
                   return db::Flow::kContinue;
                 }));
  RETURN_IF_ERROR(conn.Query("SELECT id, code, title, tier, level, format FROM capability_course",
                             {}, [&](const db::Row& r) {
                               const std::string key = AsciiLower(r.Text(1));
                               stored[key] = {r.Int(0),
                                              Joined({r.Text(2), r.Text(3), r.Text(4), r.Text(5)}),
                                              attendees[key]};
                               return db::Flow::kContinue;
                             }));
  for (Prepared& p : rows) {
    if (stored.count(p.key)) p.values.erase(p.values.begin());  // the code stays
  }
  return Apply(conn, tx, table, "courses", sha256, options, std::move(rows), stored,
               "INSERT INTO capability_course (code, title, tier, level, format, created_at, "
               "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
               "UPDATE capability_course SET title = ?, tier = ?, level = ?, format = ?, "
               "updated_at = ? WHERE id = ?");
}

namespace {

// One attendance row checked against the lookups (shared by the import and the screen).
struct CheckedAttendance {
  int64_t person_id = 0, course_id = 0;
  std::string email, course, date, attended, role;
};
CheckedAttendance CheckAttendance(const Lookups& l, const std::string& email_in,
                                  const std::string& course, const std::string& date,
                                  const std::string& attended, const std::string& role,
                                  std::string_view today, int64_t row, Problems* problems) {
  CheckedAttendance a;
  a.email = AsciiLower(email_in);
  if (a.email.empty()) {
    problems->Add(row, "email", "is empty; write the person's work email");
  } else if (auto it = l.people.find(a.email); it == l.people.end()) {
    problems->Add(row, "email",
                  "there is no person " + Quote(a.email) + "; import them in a people file first");
  } else {
    a.person_id = it->second;
  }
  a.course = course;
  if (course.empty()) {
    problems->Add(row, "course", "is empty; write the course's code");
  } else if (auto it = l.courses.find(AsciiLower(course)); it == l.courses.end()) {
    problems->Add(row, "course",
                  "there is no course " + Quote(course) + "; import it in a courses file first");
  } else {
    a.course_id = it->second.id;
  }
  a.date = CheckDate(date, row, "date", true, today, problems);
  a.attended = CheckYesNo(attended, row, "attended", problems);
  a.role = role.empty() ? "attendee" : CheckWord(role, row, "role", kRoles, false, problems);
  return a;
}

}  // namespace

Result<imports::ImportReport> ImportAttendance(db::Connection& conn, const Table& table,
                                               std::string_view sha256,
                                               const imports::ImportOptions& options) {
  Problems problems;
  constexpr std::string_view kRequired[] = {"email", "course", "date", "attended"};
  constexpr std::string_view kOptional[] = {"role"};
  const Cells cells(table, "attendance", kRequired, kOptional, &problems);
  if (!problems.empty()) return problems.ToStatus(table.name);
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(Lookups lookups, LoadLookups(conn));
  const std::string today = Today(options.now);
  std::vector<Prepared> rows;
  for (const TableRow& r : table.rows) {
    const CheckedAttendance a = CheckAttendance(
        lookups, cells.Get(r, "email"), cells.Get(r, "course"), cells.Get(r, "date"),
        cells.Get(r, "attended"), cells.Get(r, "role"), today, r.number, &problems);
    const std::string key =
        Joined({std::to_string(a.person_id), std::to_string(a.course_id), a.date});
    rows.push_back({r.number,
                    key,
                    a.email + " " + a.course + " " + a.date,
                    Joined({a.attended, a.role}),
                    {a.person_id, a.course_id, a.date, a.attended, a.role},
                    {a.person_id}});
  }
  CheckDuplicates(rows, "email", &problems);
  if (!problems.empty()) return problems.ToStatus(table.name);
  std::unordered_map<std::string, Stored> stored;
  RETURN_IF_ERROR(conn.Query(
      "SELECT id, person_id, course_id, held_on, attended, role FROM capability_attendance", {},
      [&](const db::Row& r) {
        stored[Joined({std::to_string(r.Int(1)), std::to_string(r.Int(2)), r.Text(3)})] = {
            r.Int(0), Joined({r.Text(4), r.Text(5)}), {r.Int(1)}};
        return db::Flow::kContinue;
      }));
  for (Prepared& p : rows) {
    if (stored.count(p.key)) p.values = {p.values[3], p.values[4]};
  }
  return Apply(conn, tx, table, "attendance", sha256, options, std::move(rows), stored,
               "INSERT INTO capability_attendance (person_id, course_id, held_on, attended, role, "
               "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
               "UPDATE capability_attendance SET attended = ?, role = ?, updated_at = ? "
               "WHERE id = ?");
}

Result<imports::ImportReport> ImportCoaching(db::Connection& conn, const Table& table,
                                             std::string_view sha256,
                                             const imports::ImportOptions& options) {
  Problems problems;
  constexpr std::string_view kRequired[] = {"coach", "coachee", "started"};
  constexpr std::string_view kOptional[] = {"ended", "project"};
  const Cells cells(table, "coaching", kRequired, kOptional, &problems);
  if (!problems.empty()) return problems.ToStatus(table.name);
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(Lookups lookups, LoadLookups(conn));
  const std::string today = Today(options.now);
  std::vector<Prepared> rows;
  for (const TableRow& r : table.rows) {
    int64_t ids[2] = {0, 0};
    std::string emails[2];
    const std::string_view columns[2] = {"coach", "coachee"};
    for (int k = 0; k < 2; ++k) {
      emails[k] = AsciiLower(cells.Get(r, columns[k]));
      if (emails[k].empty()) {
        problems.Add(r.number, columns[k], "is empty; write the person's work email");
      } else if (auto it = lookups.people.find(emails[k]); it == lookups.people.end()) {
        problems.Add(
            r.number, columns[k],
            "there is no person " + Quote(emails[k]) + "; import them in a people file first");
      } else {
        ids[k] = it->second;
      }
    }
    if (!emails[0].empty() && emails[0] == emails[1]) {
      problems.Add(r.number, "coachee", "is the coach; a person does not coach themselves");
    }
    const std::string started =
        CheckDate(cells.Get(r, "started"), r.number, "started", true, today, &problems);
    const std::string ended =
        CheckDate(cells.Get(r, "ended"), r.number, "ended", false, today, &problems);
    if (!ended.empty() && !started.empty() && ended < started) {
      problems.Add(r.number, "ended", ended + " is before started " + started);
    }
    const std::string project =
        CheckText(cells.Get(r, "project"), r.number, "project", false, &problems);
    rows.push_back({r.number,
                    Joined({std::to_string(ids[0]), std::to_string(ids[1]), started}),
                    emails[0] + " " + emails[1] + " " + started,
                    Joined({ended, project}),
                    {ids[0], ids[1], started, ended, project},
                    {ids[0], ids[1]}});
  }
  CheckDuplicates(rows, "coach", &problems);
  if (!problems.empty()) return problems.ToStatus(table.name);
  std::unordered_map<std::string, Stored> stored;
  RETURN_IF_ERROR(conn.Query(
      "SELECT id, coach_id, coachee_id, started, ended, project FROM capability_coaching", {},
      [&](const db::Row& r) {
        stored[Joined({std::to_string(r.Int(1)), std::to_string(r.Int(2)), r.Text(3)})] = {
            r.Int(0), Joined({r.Text(4), r.Text(5)}), {r.Int(1), r.Int(2)}};
        return db::Flow::kContinue;
      }));
  for (Prepared& p : rows) {
    if (stored.count(p.key)) p.values = {p.values[3], p.values[4]};
  }
  return Apply(conn, tx, table, "coaching", sha256, options, std::move(rows), stored,
               "INSERT INTO capability_coaching (coach_id, coachee_id, started, ended, project, "
               "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
               "UPDATE capability_coaching SET ended = ?, project = ?, updated_at = ? "
               "WHERE id = ?");
}

// ---- services for screens ----

namespace {

std::string ProblemsText(std::string_view what, const Problems& problems) {
  std::string message = std::string(what) + " was not saved:";
  for (const imports::Problem& p : problems.listed()) {
    message += " " + (p.column.empty() ? std::string() : p.column + " ") + p.message + ";";
  }
  message.pop_back();
  return message;
}

}  // namespace

Status RecordAttendance(db::Connection& conn, const access::Acting& who,
                        const AttendanceEntry& entry) {
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(Lookups lookups, LoadLookups(conn));
  Problems problems;
  const CheckedAttendance a =
      CheckAttendance(lookups, entry.email, entry.course, entry.date, entry.attended, entry.role,
                      Today(who.at), 0, &problems);
  if (!problems.empty()) {
    if (a.person_id == 0 && !a.email.empty()) {
      return NotFoundError("there is no person " + Quote(a.email));
    }
    return InvalidArgumentError(ProblemsText("the attendance", problems));
  }
  ASSIGN_OR_RETURN(std::optional<db::Row> old,
                   conn.QueryRow("SELECT id, attended, role FROM capability_attendance "
                                 "WHERE person_id = ? AND course_id = ? AND held_on = ?",
                                 {a.person_id, a.course_id, a.date}));
  if (!old && a.role == "attendee") {
    // A planned event of the course on that day has a capacity (programme.h): enforced here too.
    ASSIGN_OR_RETURN(std::optional<db::Row> event,
                     conn.QueryRow("SELECT e.capacity, (SELECT COUNT(*) FROM capability_attendance "
                                   "x WHERE x.course_id = e.course_id AND x.held_on = e.held_on "
                                   "AND x.role = 'attendee') FROM capability_event e WHERE "
                                   "e.course_id = ? AND e.held_on = ?",
                                   {a.course_id, a.date}));
    if (event && event->Int(1) >= event->Int(0)) {
      return FailedPreconditionError("the event is full: all " + std::to_string(event->Int(0)) +
                                     " places of " + a.course + " on " + a.date + " are taken");
    }
  }
  std::string before;
  if (old) {
    before = json{{"attended", old->Text(1)}, {"role", old->Text(2)}}.dump();
    RETURN_IF_ERROR(conn.Execute(
        "UPDATE capability_attendance SET attended = ?, role = ?, updated_at = ? WHERE id = ?",
        {a.attended, a.role, who.at, old->Int(0)}));
  } else {
    RETURN_IF_ERROR(conn.Execute(
        "INSERT INTO capability_attendance (person_id, course_id, held_on, attended, role, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        {a.person_id, a.course_id, a.date, a.attended, a.role, who.at, who.at}));
  }
  const json after = {{"email", a.email},
                      {"course", a.course},
                      {"date", a.date},
                      {"attended", a.attended},
                      {"role", a.role}};
  RETURN_IF_ERROR(access::RecordAudit(conn, who, "attendance.record",
                                      a.email + " " + a.course + " " + a.date, before,
                                      after.dump()));
  RETURN_IF_ERROR(RefreshTiers(conn, {a.person_id}, who.actor, who.at));
  return tx.Commit();
}

Status OverrideTier(db::Connection& conn, const access::Acting& who, std::string_view email_in,
                    std::string_view tier_word, std::string_view reason_in) {
  const std::string reason(Trim(reason_in));
  if (reason.empty()) {
    return InvalidArgumentError(
        "an override of a tier needs a reason; say why the evidence "
        "does not show the person's tier");
  }
  if (ContainsNhsNumber(reason)) {
    return InvalidArgumentError("the reason " + std::string(kNhsNumberMessage));
  }
  if (reason.size() > 1000) return InvalidArgumentError("the reason is longer than 1000 bytes");
  const std::optional<Tier> tier = ParseTier(tier_word);
  if (!tier) {
    return InvalidArgumentError(Quote(tier_word) +
                                " is not a tier; write learn, live, lead or "
                                "none");
  }
  const std::string email = AsciiLower(Trim(email_in));
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(std::optional<db::Row> person,
                   conn.QueryRow("SELECT id FROM capability_person WHERE email = ?", {email}));
  if (!person) return NotFoundError("there is no person " + Quote(email));
  ASSIGN_OR_RETURN(std::optional<db::Row> last,
                   conn.QueryRow("SELECT tier FROM capability_tier_change WHERE person_id = ? "
                                 "ORDER BY id DESC LIMIT 1",
                                 {person->Int(0)}));
  const std::string word(TierWord(*tier));
  RETURN_IF_ERROR(conn.Execute(
      "INSERT INTO capability_tier_change (person_id, tier, since, source, reason, recorded_by, "
      "recorded_at) VALUES (?, ?, ?, 'override', ?, ?, ?)",
      {person->Int(0), word, Today(who.at), reason, who.actor, who.at}));
  RETURN_IF_ERROR(access::RecordAudit(conn, who, "tier.override", email,
                                      last ? json{{"tier", last->Text(0)}}.dump() : std::string(),
                                      json{{"tier", word}, {"reason", reason}}.dump()));
  return tx.Commit();
}

Result<PersonTier> GetPersonTier(db::Connection& conn, std::string_view email_in,
                                 std::string_view as_of) {
  const std::string email = AsciiLower(Trim(email_in));
  ASSIGN_OR_RETURN(Register reg, LoadRegister(conn));
  for (size_t i = 0; i < reg.people.size(); ++i) {
    if (reg.people[i].email != email) continue;
    PersonTier out;
    out.person = reg.people[i];
    out.decision = DecideTier(reg.evidence[i], reg.overrides[i], as_of);
    for (const Evidence& e : reg.evidence[i]) {
      if (e.date <= as_of) out.evidence.push_back(e);
    }
    std::stable_sort(out.evidence.begin(), out.evidence.end(),
                     [](const Evidence& a, const Evidence& b) { return a.date < b.date; });
    RETURN_IF_ERROR(conn.Query(
        "SELECT tier, since, source, reason, recorded_by, recorded_at FROM capability_tier_change "
        "WHERE person_id = ? ORDER BY id",
        {out.person.id}, [&](const db::Row& r) {
          out.history.push_back({r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5)});
          return db::Flow::kContinue;
        }));
    RETURN_IF_ERROR(
        conn.Query("SELECT c.code, c.title, c.tier, a.held_on, a.attended, a.role FROM "
                   "capability_attendance a "
                   "JOIN capability_course c ON c.id = a.course_id WHERE a.person_id = ? "
                   "ORDER BY a.held_on, c.code",
                   {out.person.id}, [&](const db::Row& r) {
                     out.training.push_back(
                         {r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5)});
                     return db::Flow::kContinue;
                   }));
    const std::string_view kCoaching =
        "SELECT a.email, b.email, c.started, c.ended, c.project FROM capability_coaching c "
        "JOIN capability_person a ON a.id = c.coach_id "
        "JOIN capability_person b ON b.id = c.coachee_id ";
    for (int k = 0; k < 2; ++k) {
      auto& list = k == 0 ? out.coaching_given : out.coaching_received;
      RETURN_IF_ERROR(conn.Query(
          std::string(kCoaching) + (k == 0 ? "WHERE c.coach_id = ?" : "WHERE c.coachee_id = ?") +
              " ORDER BY c.started",
          {out.person.id}, [&](const db::Row& r) {
            list.push_back({r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4)});
            return db::Flow::kContinue;
          }));
    }
    return out;
  }
  return NotFoundError("there is no person " + Quote(email));
}

Result<std::vector<Person>> ListPeople(db::Connection& conn, std::string_view organisation,
                                       std::string_view as_of) {
  std::vector<int64_t> ids;
  if (!organisation.empty()) {
    ASSIGN_OR_RETURN(
        std::optional<db::Row> unit,
        conn.QueryRow("SELECT id FROM unit WHERE code = ?", {std::string(organisation)}));
    if (!unit) return NotFoundError("there is no organisation " + Quote(organisation));
    ASSIGN_OR_RETURN(ids, UnitAndBelow(conn, unit->Int(0)));
  }
  ASSIGN_OR_RETURN(Register reg, LoadRegister(conn));
  std::vector<Person> out;
  for (size_t i = 0; i < reg.people.size(); ++i) {
    Person& p = reg.people[i];
    if (!ids.empty() && std::find(ids.begin(), ids.end(), p.unit_id) == ids.end()) continue;
    p.tier = DecideTier(reg.evidence[i], reg.overrides[i], as_of).tier;
    out.push_back(std::move(p));
  }
  return out;
}

Status RefreshPeopleTiers(db::Connection& conn, const std::vector<int64_t>& people,
                          std::string_view actor, std::string_view now) {
  return RefreshTiers(conn, std::set<int64_t>(people.begin(), people.end()), std::string(actor),
                      std::string(now));
}

Result<std::vector<Course>> ListCourses(db::Connection& conn) {
  std::vector<Course> out;
  RETURN_IF_ERROR(
      conn.Query("SELECT code, title, tier, level, format FROM capability_course ORDER BY code", {},
                 [&](const db::Row& r) {
                   out.push_back({r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4)});
                   return db::Flow::kContinue;
                 }));
  return out;
}

}  // namespace shewhart::capability
