// Concerns, follow-ups, actions, escalations, risks, meetings and a person's work: the services
// of follow_up.h. JSON in and out (nlohmann stays in this file); every write in one service
// transaction with its audit entry.
#include "intelligence/follow_up.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "base/date.h"
#include "base/identifiers.h"
#include "dictionary/dictionary.h"
#include "directory/directory.h"
#include "intelligence/records.h"

namespace shewhart::intelligence {
namespace {

using nlohmann::json;

#define SHEWHART_FOLLOW_UP_SCHEMA(PK, ID)                                                        \
  "CREATE TABLE escalation_level (\n"                                                            \
  "  level TEXT PRIMARY KEY, ord INTEGER NOT NULL, display_name TEXT NOT NULL,\n"                \
  "  meaning TEXT NOT NULL\n"                                                                    \
  ");\n"                                                                                         \
  "INSERT INTO escalation_level (level, ord, display_name, meaning) VALUES\n"                    \
  " ('routine', 0, 'Routine quality monitoring', 'The provider manages quality through its own " \
  "governance; the ICB monitors through normal reporting.'),\n"                                  \
  " ('enhanced', 1, 'Enhanced surveillance', 'The System Quality Group agrees an action plan, "  \
  "extra data, visits or a rapid quality review, with a lead organisation and a review date.'),\n" \
  " ('intensive', 2, 'Intensive support', 'A serious or complex concern the system cannot "      \
  "resolve alone: the region is involved and a risk summit may be called.');\n"                  \
  "CREATE TABLE concern (\n"                                                                     \
  "  id " PK ",\n"                                                                               \
  "  title TEXT NOT NULL, description TEXT NOT NULL DEFAULT '',\n"                               \
  "  owner TEXT NOT NULL, review_by TEXT NOT NULL, status TEXT NOT NULL,\n"                      \
  "  quality_domain TEXT NOT NULL DEFAULT '', opened_on TEXT NOT NULL,\n"                        \
  "  created_by TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL\n"             \
  ");\n"                                                                                         \
  "CREATE INDEX concern_owner ON concern(owner);\n"                                              \
  "CREATE TABLE concern_unit (\n"                                                                \
  "  concern_id " ID " NOT NULL REFERENCES concern(id),\n"                                       \
  "  unit_id " ID " NOT NULL REFERENCES unit(id), PRIMARY KEY (concern_id, unit_id)\n"           \
  ");\n"                                                                                         \
  "CREATE INDEX concern_unit_unit ON concern_unit(unit_id);\n"                                   \
  "CREATE TABLE concern_metric (\n"                                                              \
  "  concern_id " ID " NOT NULL REFERENCES concern(id),\n"                                       \
  "  metric_id " ID " NOT NULL REFERENCES metric(id), PRIMARY KEY (concern_id, metric_id)\n"     \
  ");\n"                                                                                         \
  "CREATE TABLE concern_signal (\n"                                                              \
  "  id " PK ", concern_id " ID " NOT NULL REFERENCES concern(id),\n"                            \
  "  source TEXT NOT NULL, unit TEXT NOT NULL, metric TEXT NOT NULL, period TEXT NOT NULL,\n"    \
  "  on_date TEXT NOT NULL, reason TEXT NOT NULL, href TEXT NOT NULL\n"                          \
  ");\n"                                                                                         \
  "CREATE INDEX concern_signal_concern ON concern_signal(concern_id);\n"                         \
  "CREATE TABLE concern_event (\n"                                                               \
  "  id " PK ", concern_id " ID " NOT NULL REFERENCES concern(id),\n"                            \
  "  on_date TEXT NOT NULL, from_status TEXT NOT NULL, to_status TEXT NOT NULL,\n"               \
  "  reason TEXT NOT NULL, actor TEXT NOT NULL, acted_at TEXT NOT NULL\n"                        \
  ");\n"                                                                                         \
  "CREATE INDEX concern_event_concern ON concern_event(concern_id);\n"                           \
  "CREATE TABLE follow_up (\n"                                                                   \
  "  id " PK ", concern_id " ID " NOT NULL REFERENCES concern(id),\n"                            \
  "  held_on TEXT NOT NULL, unit_id " ID " NOT NULL REFERENCES unit(id),\n"                      \
  "  with_whom TEXT NOT NULL, role TEXT NOT NULL DEFAULT '', asked TEXT NOT NULL DEFAULT '',\n"  \
  "  heard TEXT NOT NULL DEFAULT '', agreed TEXT NOT NULL DEFAULT '',\n"                         \
  "  assurance TEXT NOT NULL DEFAULT '', created_by TEXT NOT NULL, created_at TEXT NOT NULL\n"   \
  ");\n"                                                                                         \
  "CREATE INDEX follow_up_concern ON follow_up(concern_id);\n"                                   \
  "CREATE TABLE meeting (\n"                                                                     \
  "  id " PK ", grp TEXT NOT NULL, title TEXT NOT NULL, held_on TEXT NOT NULL,\n"                \
  "  chair TEXT NOT NULL DEFAULT '', unit_id " ID " REFERENCES unit(id),\n"                      \
  "  created_by TEXT NOT NULL, created_at TEXT NOT NULL\n"                                       \
  ");\n"                                                                                         \
  "CREATE INDEX meeting_date ON meeting(held_on);\n"                                             \
  "CREATE TABLE meeting_member (\n"                                                              \
  "  meeting_id " ID " NOT NULL REFERENCES meeting(id), email TEXT NOT NULL,\n"                  \
  "  PRIMARY KEY (meeting_id, email)\n"                                                          \
  ");\n"                                                                                         \
  "CREATE TABLE agenda_item (\n"                                                                 \
  "  id " PK ", meeting_id " ID " NOT NULL REFERENCES meeting(id), ord INTEGER NOT NULL,\n"      \
  "  kind TEXT NOT NULL, title TEXT NOT NULL, unit_id " ID " REFERENCES unit(id),\n"             \
  "  ref TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '',\n"                           \
  "  generated INTEGER NOT NULL DEFAULT 0, minutes TEXT NOT NULL DEFAULT '',\n"                  \
  "  decision TEXT NOT NULL DEFAULT ''\n"                                                        \
  ");\n"                                                                                         \
  "CREATE INDEX agenda_item_meeting ON agenda_item(meeting_id, ord);\n"                          \
  "CREATE TABLE follow_up_action (\n"                                                            \
  "  id " PK ", concern_id " ID " REFERENCES concern(id),\n"                                     \
  "  follow_up_id " ID " REFERENCES follow_up(id),\n"                                            \
  "  agenda_item_id " ID " REFERENCES agenda_item(id), unit_id " ID " REFERENCES unit(id),\n"    \
  "  title TEXT NOT NULL, owner TEXT NOT NULL, due TEXT NOT NULL, status TEXT NOT NULL,\n"       \
  "  note TEXT NOT NULL DEFAULT '', created_by TEXT NOT NULL, created_at TEXT NOT NULL,\n"       \
  "  updated_at TEXT NOT NULL\n"                                                                 \
  ");\n"                                                                                         \
  "CREATE INDEX follow_up_action_owner ON follow_up_action(owner, status);\n"                    \
  "CREATE TABLE escalation (\n"                                                                  \
  "  id " PK ", unit_id " ID " NOT NULL REFERENCES unit(id), level TEXT NOT NULL,\n"             \
  "  previous_level TEXT NOT NULL, reason TEXT NOT NULL,\n"                                      \
  "  meeting_id " ID " REFERENCES meeting(id), concern_id " ID " REFERENCES concern(id),\n"      \
  "  step_down_criteria TEXT NOT NULL DEFAULT '', people_told TEXT NOT NULL DEFAULT '[]',\n"     \
  "  review_by TEXT NOT NULL DEFAULT '', decided_on TEXT NOT NULL,\n"                            \
  "  created_by TEXT NOT NULL, created_at TEXT NOT NULL\n"                                       \
  ");\n"                                                                                         \
  "CREATE INDEX escalation_unit ON escalation(unit_id, id);\n"                                   \
  "CREATE TABLE risk (\n"                                                                        \
  "  id " PK ", title TEXT NOT NULL, description TEXT NOT NULL DEFAULT '', owner TEXT NOT NULL,\n" \
  "  consequence INTEGER NOT NULL, likelihood INTEGER NOT NULL,\n"                               \
  "  target_consequence INTEGER, target_likelihood INTEGER,\n"                                   \
  "  controls TEXT NOT NULL DEFAULT '', review_by TEXT NOT NULL DEFAULT '',\n"                   \
  "  status TEXT NOT NULL, last_reviewed TEXT NOT NULL,\n"                                       \
  "  created_by TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL\n"             \
  ");\n"                                                                                         \
  "CREATE TABLE risk_unit (\n"                                                                   \
  "  risk_id " ID " NOT NULL REFERENCES risk(id), unit_id " ID " NOT NULL REFERENCES unit(id),\n" \
  "  PRIMARY KEY (risk_id, unit_id)\n"                                                           \
  ");\n"                                                                                         \
  "CREATE TABLE risk_concern (\n"                                                                \
  "  risk_id " ID " NOT NULL REFERENCES risk(id),\n"                                             \
  "  concern_id " ID " NOT NULL REFERENCES concern(id), PRIMARY KEY (risk_id, concern_id)\n"     \
  ");\n"                                                                                         \
  "CREATE TABLE risk_metric (\n"                                                                 \
  "  risk_id " ID " NOT NULL REFERENCES risk(id),\n"                                             \
  "  metric_id " ID " NOT NULL REFERENCES metric(id), PRIMARY KEY (risk_id, metric_id)\n"        \
  ");\n"                                                                                         \
  "CREATE TABLE risk_review (\n"                                                                 \
  "  id " PK ", risk_id " ID " NOT NULL REFERENCES risk(id), on_date TEXT NOT NULL,\n"           \
  "  consequence INTEGER NOT NULL, likelihood INTEGER NOT NULL, reason TEXT NOT NULL,\n"         \
  "  actor TEXT NOT NULL, acted_at TEXT NOT NULL\n"                                              \
  ");\n"                                                                                         \
  "CREATE TABLE work_seen (email TEXT PRIMARY KEY, seen_at TEXT NOT NULL);\n"

constexpr db::Migration kMigrations[] = {
    {710, "intelligence: concerns, follow-ups, actions, escalations, risks, quality meetings",
     SHEWHART_FOLLOW_UP_SCHEMA("INTEGER PRIMARY KEY", "INTEGER"),
     SHEWHART_FOLLOW_UP_SCHEMA("BIGSERIAL PRIMARY KEY", "BIGINT")},
};

constexpr size_t kShort = 200;
constexpr size_t kLong = 5000;

// ---- reading bodies: every error names its field

Result<json> ParseBody(std::string_view body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return InvalidArgumentError("the body must be a JSON object");
  }
  return j;
}

std::string Trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) s.remove_suffix(1);
  return std::string(s);
}

Status FieldError(std::string_view field, std::string_view message) {
  return InvalidArgumentError("\"" + std::string(field) + "\" " + std::string(message));
}

// Text of `key`: "" when absent (or null) unless required.
Result<std::string> Text(const json& j, std::string_view key, bool required, size_t max) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) return FieldError(key, "is required");
    return std::string();
  }
  if (!it->is_string()) return FieldError(key, "must be text");
  std::string v = Trimmed(it->get<std::string>());
  if (required && v.empty()) return FieldError(key, "is required");
  if (v.size() > max) return FieldError(key, "is longer than " + std::to_string(max) + " bytes");
  if (ContainsNhsNumber(v)) return FieldError(key, kNhsNumberMessage);
  if (ContainsControlCharacter(v)) return FieldError(key, "contains a control character");
  return v;
}

Result<std::string> DateField(const json& j, std::string_view key, bool required,
                              std::string_view fallback = "") {
  ASSIGN_OR_RETURN(std::string v, Text(j, key, required, 10));
  if (v.empty()) return std::string(fallback);
  if (!ParseIsoDate(v)) return FieldError(key, "must be a date written YYYY-MM-DD, not " + v);
  return v;
}

Result<std::optional<int64_t>> IntField(const json& j, std::string_view key, bool required,
                                        int64_t min, int64_t max) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) return FieldError(key, "is required");
    return std::optional<int64_t>();
  }
  const std::string range =
      "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max);
  if (!it->is_number_integer()) return FieldError(key, range);
  const int64_t v = it->get<int64_t>();
  if (v < min || v > max) return FieldError(key, range + ", not " + std::to_string(v));
  return std::optional<int64_t>(v);
}

Result<std::vector<std::string>> TextList(const json& j, std::string_view key, bool required) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) return FieldError(key, "is required (a list)");
    return out;
  }
  if (!it->is_array()) return FieldError(key, "must be a list");
  for (const json& e : *it) {
    if (!e.is_string()) return FieldError(key, "must be a list of text");
    std::string v = Trimmed(e.get<std::string>());
    if (v.empty()) continue;
    if (v.size() > kShort) return FieldError(key, "has an entry longer than 200 bytes");
    if (ContainsNhsNumber(v)) return FieldError(key, kNhsNumberMessage);
    if (ContainsControlCharacter(v)) return FieldError(key, "contains a control character");
    out.push_back(std::move(v));
  }
  return out;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// An e-mail with an enabled account.
Result<std::string> PersonField(db::Connection& conn, const json& j, std::string_view key,
                                bool required) {
  ASSIGN_OR_RETURN(std::string email, Text(j, key, required, kShort));
  if (email.empty()) return email;
  email = Lower(email);
  ASSIGN_OR_RETURN(std::optional<access::Account> a, access::FindAccount(conn, email));
  if (!a || a->disabled) {
    return FieldError(key, "must be a person with a Shewhart account; there is none for " + email);
  }
  return email;
}

struct UnitRef {
  int64_t id = 0;
  std::string code;
};

// Organisations named by code: every one known, and within the writer's scope.
Result<std::vector<UnitRef>> UnitsField(db::Connection& conn, const access::Scope& scope,
                                        const json& j, std::string_view key, bool required) {
  ASSIGN_OR_RETURN(std::vector<std::string> codes, TextList(j, key, required));
  if (required && codes.empty()) return FieldError(key, "must name at least one organisation");
  std::vector<UnitRef> out;
  for (const std::string& code : codes) {
    ASSIGN_OR_RETURN(std::optional<int64_t> id, directory::FindUnitId(conn, code));
    if (!id) return FieldError(key, "names \"" + code + "\", which is no organisation");
    if (!scope.Contains(*id)) {
      return Status(StatusCode::kPermissionDenied, "\"" + std::string(key) + "\": " + code +
                                   " is not within your scope");
    }
    if (std::none_of(out.begin(), out.end(), [&](const UnitRef& u) { return u.id == *id; })) {
      out.push_back({*id, code});
    }
  }
  return out;
}

Result<std::vector<int64_t>> MetricsField(db::Connection& conn, const json& j,
                                          std::string_view key) {
  ASSIGN_OR_RETURN(std::vector<std::string> codes, TextList(j, key, false));
  std::vector<int64_t> out;
  for (const std::string& code : codes) {
    Result<int64_t> id = dictionary::MetricIdByCode(conn, code);
    if (!id.ok()) return FieldError(key, "names \"" + code + "\", which is no metric");
    if (std::find(out.begin(), out.end(), *id) == out.end()) out.push_back(*id);
  }
  return out;
}

Result<std::string> WordField(const json& j, std::string_view key, bool required,
                              std::span<const std::string_view> words,
                              std::string_view fallback = "") {
  ASSIGN_OR_RETURN(std::string v, Text(j, key, required, kShort));
  if (v.empty()) return std::string(fallback);
  v = Lower(v);
  std::string list;
  for (std::string_view w : words) {
    if (w == v) return v;
    list += (list.empty() ? "" : ", ") + std::string(w);
  }
  return FieldError(key, "must be one of " + list + ", not \"" + v + "\"");
}

std::string Today(const access::Acting& who) { return who.at.substr(0, 10); }

std::string IdText(std::string_view thing, int64_t id) {
  return std::string(thing) + " " + std::to_string(id);
}

// The units of a thing (concern, risk) and whether the scope sees any of them.
bool Visible(const access::Scope& scope, const std::vector<int64_t>& units) {
  if (scope.all) return true;
  return std::any_of(units.begin(), units.end(), [&](int64_t u) { return scope.Contains(u); });
}

Result<std::vector<int64_t>> IdList(db::Connection& conn, std::string_view sql, int64_t id) {
  std::vector<int64_t> out;
  RETURN_IF_ERROR(conn.Query(sql, {id}, [&](const db::Row& r) {
    out.push_back(r.Int(0));
    return db::Flow::kContinue;
  }));
  return out;
}

Result<json> CodesOf(db::Connection& conn, std::string_view sql, int64_t id) {
  json out = json::array();
  RETURN_IF_ERROR(conn.Query(sql, {id}, [&](const db::Row& r) {
    out.push_back(r.Text(0));
    return db::Flow::kContinue;
  }));
  return out;
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json Nullable(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

}  // namespace

std::span<const db::Migration> FollowUpMigrations() { return kMigrations; }

bool ConcernMoveAllowed(std::string_view from, std::string_view to) {
  static const std::pair<std::string_view, std::string_view> kMoves[] = {
      {"open", "under_follow_up"},     {"open", "resolved"},
      {"open", "escalated"},           {"under_follow_up", "resolved"},
      {"under_follow_up", "escalated"}, {"resolved", "closed"},
      {"escalated", "closed"},         {"escalated", "under_follow_up"},
      {"resolved", "under_follow_up"},
  };
  return std::any_of(std::begin(kMoves), std::end(kMoves),
                     [&](const auto& m) { return m.first == from && m.second == to; });
}

int EscalationOrder(std::string_view level) {
  for (size_t i = 0; i < std::size(kEscalationLevels); ++i) {
    if (kEscalationLevels[i] == level) return static_cast<int>(i);
  }
  return -1;
}

std::string_view RiskBand(int score) {
  if (score <= 3) return "low";
  if (score <= 6) return "moderate";
  if (score <= 12) return "high";
  return "extreme";
}

std::string_view RiskBandColour(std::string_view band) {
  if (band == "low") return "#00B050";
  if (band == "moderate") return "#FFFF00";
  if (band == "high") return "#FFC000";
  return "#FF0000";
}

std::string_view MeetingGroupName(std::string_view group) {
  if (group == "jig") return "Joint Intelligence Group";
  if (group == "sqg") return "System Quality Group";
  if (group == "regional_qsg") return "Regional Quality Surveillance Group";
  if (group == "risk_summit") return "Risk summit";
  if (group == "quality_committee") return "Quality committee";
  return group;
}

// ---------------------------------------------------------------------------------------------
// Concerns

namespace {

constexpr std::string_view kConcernInsert =
    "INSERT INTO concern (title, description, owner, review_by, status, quality_domain, "
    "opened_on, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?, ?) "
    "RETURNING id";
constexpr std::string_view kConcernSelect =
    "SELECT id, title, description, owner, review_by, status, quality_domain, opened_on, "
    "created_by, created_at, updated_at FROM concern";
constexpr std::string_view kConcernUnits = "SELECT unit_id FROM concern_unit WHERE concern_id = ?";
constexpr std::string_view kConcernUnitCodes =
    "SELECT u.code FROM concern_unit cu JOIN unit u ON u.id = cu.unit_id WHERE cu.concern_id = ? "
    "ORDER BY u.code";
constexpr std::string_view kConcernMetricCodes =
    "SELECT m.code FROM concern_metric cm JOIN metric m ON m.id = cm.metric_id "
    "WHERE cm.concern_id = ? ORDER BY m.code";
constexpr std::string_view kEventInsert =
    "INSERT INTO concern_event (concern_id, on_date, from_status, to_status, reason, actor, "
    "acted_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
constexpr std::string_view kActionInsert =
    "INSERT INTO follow_up_action (concern_id, follow_up_id, agenda_item_id, unit_id, title, "
    "owner, due, status, note, created_by, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, 'open', '', ?, ?, ?) RETURNING id";
constexpr std::string_view kActionSelect =
    "SELECT a.id, a.concern_id, a.follow_up_id, a.agenda_item_id, u.code, a.title, a.owner, "
    "a.due, a.status, a.note, a.created_at, a.updated_at, a.unit_id, "
    "(SELECT c.title FROM concern c WHERE c.id = a.concern_id), "
    "(SELECT m.id FROM agenda_item i JOIN meeting m ON m.id = i.meeting_id "
    " WHERE i.id = a.agenda_item_id) "
    "FROM follow_up_action a LEFT JOIN unit u ON u.id = a.unit_id";

json ConcernRow(const db::Row& r) {
  return {{"id", r.Int(0)},          {"title", r.Text(1)},      {"description", r.Text(2)},
          {"owner", r.Text(3)},       {"review_by", r.Text(4)},  {"status", r.Text(5)},
          {"quality_domain", r.Text(6)}, {"opened_on", r.Text(7)}, {"created_by", r.Text(8)},
          {"created_at", r.Text(9)},  {"updated_at", r.Text(10)}};
}

json ActionRow(const db::Row& r, std::string_view today) {
  const std::string due = r.Text(7);
  const std::string status = r.Text(8);
  json a = {{"id", r.Int(0)},
            {"concern", r.IsNull(1) ? json(nullptr) : json(r.Int(1))},
            {"follow_up", r.IsNull(2) ? json(nullptr) : json(r.Int(2))},
            {"agenda_item", r.IsNull(3) ? json(nullptr) : json(r.Int(3))},
            {"organisation", r.IsNull(4) ? json(nullptr) : json(r.Text(4))},
            {"title", r.Text(5)},
            {"owner", r.Text(6)},
            {"due", due},
            {"status", status},
            {"note", r.Text(9)},
            {"created_at", r.Text(10)},
            {"updated_at", r.Text(11)},
            {"concern_title", r.IsNull(13) ? json(nullptr) : json(r.Text(13))},
            {"meeting", r.IsNull(14) ? json(nullptr) : json(r.Int(14))}};
  a["overdue"] = status == "open" && !today.empty() && due < today;
  return a;
}

// The actions in a body's "actions" list, validated.
struct NewAction {
  std::string title, owner, due;
};
Result<std::vector<NewAction>> ActionsField(db::Connection& conn, const json& j,
                                            std::string_view key) {
  std::vector<NewAction> out;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return out;
  if (!it->is_array()) return FieldError(key, "must be a list of {title, owner, due}");
  for (const json& a : *it) {
    if (!a.is_object()) return FieldError(key, "must be a list of {title, owner, due}");
    NewAction n;
    Result<std::string> title = Text(a, "title", true, kShort);
    if (!title.ok()) return InvalidArgumentError(std::string(key) + ": " + title.status().message());
    n.title = *title;
    Result<std::string> owner = PersonField(conn, a, "owner", true);
    if (!owner.ok()) return InvalidArgumentError(std::string(key) + ": " + owner.status().message());
    n.owner = *owner;
    Result<std::string> due = DateField(a, "due", true);
    if (!due.ok()) return InvalidArgumentError(std::string(key) + ": " + due.status().message());
    n.due = *due;
    out.push_back(std::move(n));
  }
  return out;
}

Result<std::vector<int64_t>> InsertActions(db::Connection& conn, const access::Acting& who,
                                           const std::vector<NewAction>& actions,
                                           std::optional<int64_t> concern,
                                           std::optional<int64_t> follow_up,
                                           std::optional<int64_t> item,
                                           std::optional<int64_t> unit) {
  std::vector<int64_t> ids;
  for (const NewAction& a : actions) {
    ASSIGN_OR_RETURN(int64_t id,
                     conn.ExecuteReturningId(kActionInsert, {concern, follow_up, item, unit,
                                                             a.title, a.owner, a.due, who.actor,
                                                             who.at, who.at}));
    RETURN_IF_ERROR(access::RecordAudit(
        conn, who, "action.create", IdText("action", id), "",
        Dump({{"title", a.title}, {"owner", a.owner}, {"due", a.due}})));
    ids.push_back(id);
  }
  return ids;
}

// The concern's row and units; NotFound when absent or out of scope.
Result<json> LoadConcern(db::Connection& conn, const access::Scope& scope, int64_t id) {
  ASSIGN_OR_RETURN(std::optional<db::Row> row,
                   conn.QueryRow(std::string(kConcernSelect) + " WHERE id = ?", {id}));
  if (!row) return NotFoundError("there is no concern " + std::to_string(id));
  ASSIGN_OR_RETURN(std::vector<int64_t> units, IdList(conn, kConcernUnits, id));
  if (!Visible(scope, units)) return NotFoundError("there is no concern " + std::to_string(id));
  json c = ConcernRow(*row);
  ASSIGN_OR_RETURN(c["organisations"], CodesOf(conn, kConcernUnitCodes, id));
  ASSIGN_OR_RETURN(c["metrics"], CodesOf(conn, kConcernMetricCodes, id));
  return c;
}

Status MoveConcernTo(db::Connection& conn, const access::Acting& who, int64_t id,
                     const std::string& from, const std::string& to, const std::string& reason,
                     const std::string& on) {
  RETURN_IF_ERROR(conn.Execute("UPDATE concern SET status = ?, updated_at = ? WHERE id = ?",
                               {to, who.at, id}));
  RETURN_IF_ERROR(conn.Execute(kEventInsert, {id, on, from, to, reason, who.actor, who.at}));
  return access::RecordAudit(conn, who, "concern.move", IdText("concern", id),
                             Dump({{"status", from}}),
                             Dump({{"status", to}, {"reason", reason}, {"on", on}}));
}

}  // namespace

Result<std::string> CreateConcern(db::Connection& conn, const access::Acting& who,
                                  const access::Scope& scope, std::string_view body) {
  ASSIGN_OR_RETURN(json j, ParseBody(body));
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(std::string title, Text(j, "title", true, kShort));
  ASSIGN_OR_RETURN(std::string description, Text(j, "description", false, kLong));
  ASSIGN_OR_RETURN(std::vector<UnitRef> units, UnitsField(conn, scope, j, "organisations", true));
  ASSIGN_OR_RETURN(std::string owner, PersonField(conn, j, "owner", true));
  ASSIGN_OR_RETURN(std::string review_by, DateField(j, "review_by", true));
  ASSIGN_OR_RETURN(std::string domain, Text(j, "quality_domain", false, 60));
  ASSIGN_OR_RETURN(std::vector<int64_t> metrics, MetricsField(conn, j, "metrics"));
  ASSIGN_OR_RETURN(std::string opened_on, DateField(j, "opened_on", false, Today(who)));
  // The signals it was raised from, kept as they read then.
  auto sig = j.find("signals");
  if (sig == j.end() || sig->is_null()) return FieldError("signals", "is required (a list, may be empty)");
  if (!sig->is_array()) return FieldError("signals", "must be a list");
  struct Sig {
    std::string source, unit, metric, period, date, reason, href;
  };
  std::vector<Sig> signals;
  for (const json& s : *sig) {
    if (!s.is_object()) return FieldError("signals", "must be a list of signals (objects)");
    Sig x;
    for (auto [field, out] : {std::pair<std::string_view, std::string*>{"source", &x.source},
                              {"organisation", &x.unit}, {"metric", &x.metric},
                              {"period", &x.period}, {"date", &x.date}, {"reason", &x.reason},
                              {"href", &x.href}}) {
      Result<std::string> v = Text(s, field, field == "source", field == "reason" ? 1000 : kShort);
      if (!v.ok()) return InvalidArgumentError("signals: " + v.status().message());
      *out = *v;
    }
    if (!x.unit.empty()) {
      ASSIGN_OR_RETURN(std::optional<int64_t> u, directory::FindUnitId(conn, x.unit));
      if (!u) return FieldError("signals", "names \"" + x.unit + "\", which is no organisation");
      if (!scope.Contains(*u)) {
        return Status(StatusCode::kPermissionDenied,
                      "\"signals\": " + x.unit + " is not within your scope");
      }
    }
    signals.push_back(std::move(x));
  }
  ASSIGN_OR_RETURN(int64_t id, conn.ExecuteReturningId(kConcernInsert,
                                                       {title, description, owner, review_by,
                                                        domain, opened_on, who.actor, who.at,
                                                        who.at}));
  for (const UnitRef& u : units) {
    RETURN_IF_ERROR(conn.Execute("INSERT INTO concern_unit (concern_id, unit_id) VALUES (?, ?)",
                                 {id, u.id}));
  }
  for (int64_t m : metrics) {
    RETURN_IF_ERROR(conn.Execute(
        "INSERT INTO concern_metric (concern_id, metric_id) VALUES (?, ?)", {id, m}));
  }
  for (const Sig& s : signals) {
    RETURN_IF_ERROR(conn.Execute(
        "INSERT INTO concern_signal (concern_id, source, unit, metric, period, on_date, reason, "
        "href) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        {id, s.source, s.unit, s.metric, s.period, s.date, s.reason, s.href}));
  }
  ASSIGN_OR_RETURN(std::string reason, Text(j, "reason", false, kLong));
  RETURN_IF_ERROR(conn.Execute(kEventInsert, {id, opened_on, "", "open",
                                              reason.empty() ? "Concern raised" : reason,
                                              who.actor, who.at}));
  json codes = json::array();
  for (const UnitRef& u : units) codes.push_back(u.code);
  RETURN_IF_ERROR(access::RecordAudit(
      conn, who, "concern.create", IdText("concern", id), "",
      Dump({{"title", title}, {"organisations", codes}, {"owner", owner},
            {"review_by", review_by}, {"signals", signals.size()}})));
  RETURN_IF_ERROR(tx.Commit());
  return GetConcern(conn, scope, id);
}

Result<std::string> ListConcerns(db::Connection& conn, const access::Scope& scope,
                                 const ConcernFilter& filter) {
  std::set<int64_t> wanted;
  if (!filter.organisation.empty()) {
    ASSIGN_OR_RETURN(std::optional<int64_t> u, directory::FindUnitId(conn, filter.organisation));
    if (!u) return NotFoundError("there is no organisation \"" + filter.organisation + "\"");
    ASSIGN_OR_RETURN(std::vector<int64_t> below, UnitAndBelow(conn, *u));
    wanted.insert(below.begin(), below.end());
  }
  std::map<int64_t, std::vector<int64_t>> units;
  std::map<int64_t, std::vector<std::string>> codes;
  RETURN_IF_ERROR(conn.Query(
      "SELECT cu.concern_id, cu.unit_id, u.code FROM concern_unit cu JOIN unit u ON u.id = "
      "cu.unit_id ORDER BY u.code",
      {}, [&](const db::Row& r) {
        units[r.Int(0)].push_back(r.Int(1));
        codes[r.Int(0)].push_back(r.Text(2));
        return db::Flow::kContinue;
      }));
  std::map<int64_t, int64_t> open_actions;
  RETURN_IF_ERROR(conn.Query(
      "SELECT concern_id, COUNT(*) FROM follow_up_action WHERE status = 'open' AND concern_id IS "
      "NOT NULL GROUP BY concern_id",
      {}, [&](const db::Row& r) {
        open_actions[r.Int(0)] = r.Int(1);
        return db::Flow::kContinue;
      }));
  json list = json::array();
  RETURN_IF_ERROR(conn.Query(std::string(kConcernSelect) + " ORDER BY opened_on DESC, id DESC", {},
                             [&](const db::Row& r) {
                               const int64_t id = r.Int(0);
                               const std::vector<int64_t>& us = units[id];
                               if (!Visible(scope, us)) return db::Flow::kContinue;
                               if (!wanted.empty() &&
                                   std::none_of(us.begin(), us.end(),
                                                [&](int64_t u) { return wanted.count(u) > 0; })) {
                                 return db::Flow::kContinue;
                               }
                               const std::string status = r.Text(5);
                               if (filter.status == "active" ? status == "closed"
                                   : !filter.status.empty() && filter.status != status) {
                                 return db::Flow::kContinue;
                               }
                               if (!filter.owner.empty() && Lower(filter.owner) != r.Text(3)) {
                                 return db::Flow::kContinue;
                               }
                               json c = ConcernRow(r);
                               c["organisations"] = codes[id];
                               c["open_actions"] = open_actions[id];
                               list.push_back(std::move(c));
                               return db::Flow::kContinue;
                             }));
  return Dump({{"concerns", list}});
}

Result<std::string> GetConcern(db::Connection& conn, const access::Scope& scope, int64_t id) {
  ASSIGN_OR_RETURN(json c, LoadConcern(conn, scope, id));
  json history = json::array();
  RETURN_IF_ERROR(conn.Query(
      "SELECT on_date, from_status, to_status, reason, actor, acted_at FROM concern_event "
      "WHERE concern_id = ? ORDER BY id",
      {id}, [&](const db::Row& r) {
        history.push_back({{"on", r.Text(0)}, {"from", Nullable(r.Text(1))}, {"to", r.Text(2)},
                           {"reason", r.Text(3)}, {"by", r.Text(4)}, {"at", r.Text(5)}});
        return db::Flow::kContinue;
      }));
  c["history"] = history;
  json signals = json::array();
  RETURN_IF_ERROR(conn.Query(
      "SELECT source, unit, metric, period, on_date, reason, href FROM concern_signal WHERE "
      "concern_id = ? ORDER BY id",
      {id}, [&](const db::Row& r) {
        signals.push_back({{"source", r.Text(0)}, {"organisation", Nullable(r.Text(1))},
                           {"metric", Nullable(r.Text(2))}, {"period", Nullable(r.Text(3))},
                           {"date", r.Text(4)}, {"reason", r.Text(5)}, {"href", r.Text(6)}});
        return db::Flow::kContinue;
      }));
  c["signals"] = signals;
  json follow_ups = json::array();
  RETURN_IF_ERROR(conn.Query(
      "SELECT f.id, f.held_on, u.code, f.with_whom, f.role, f.asked, f.heard, f.agreed, "
      "f.assurance, f.created_by FROM follow_up f JOIN unit u ON u.id = f.unit_id "
      "WHERE f.concern_id = ? ORDER BY f.held_on, f.id",
      {id}, [&](const db::Row& r) {
        follow_ups.push_back({{"id", r.Int(0)}, {"held_on", r.Text(1)},
                              {"organisation", r.Text(2)}, {"with_whom", r.Text(3)},
                              {"role", r.Text(4)}, {"asked", r.Text(5)}, {"heard", r.Text(6)},
                              {"agreed", r.Text(7)}, {"assurance", r.Text(8)},
                              {"by", r.Text(9)}});
        return db::Flow::kContinue;
      }));
  c["follow_ups"] = follow_ups;
  json actions = json::array();
  RETURN_IF_ERROR(conn.Query(std::string(kActionSelect) + " WHERE a.concern_id = ? ORDER BY a.due, a.id",
                             {id}, [&](const db::Row& r) {
                               actions.push_back(ActionRow(r, ""));
                               return db::Flow::kContinue;
                             }));
  c["actions"] = actions;
  json escalations = json::array();
  RETURN_IF_ERROR(conn.Query(
      "SELECT e.id, u.code, e.level, e.previous_level, e.reason, e.decided_on FROM escalation e "
      "JOIN unit u ON u.id = e.unit_id WHERE e.concern_id = ? ORDER BY e.id",
      {id}, [&](const db::Row& r) {
        escalations.push_back({{"id", r.Int(0)}, {"organisation", r.Text(1)},
                               {"level", r.Text(2)}, {"previous_level", r.Text(3)},
                               {"reason", r.Text(4)}, {"decided_on", r.Text(5)}});
        return db::Flow::kContinue;
      }));
  c["escalations"] = escalations;
  json risks = json::array();
  RETURN_IF_ERROR(conn.Query(
      "SELECT r.id, r.title, r.consequence, r.likelihood FROM risk_concern rc JOIN risk r ON "
      "r.id = rc.risk_id WHERE rc.concern_id = ? ORDER BY r.id",
      {id}, [&](const db::Row& r) {
        const int score = static_cast<int>(r.Int(2) * r.Int(3));
        risks.push_back({{"id", r.Int(0)}, {"title", r.Text(1)}, {"score", score},
                         {"band", RiskBand(score)}});
        return db::Flow::kContinue;
      }));
  c["risks"] = risks;
  return Dump(c);
}

Result<std::string> MoveConcern(db::Connection& conn, const access::Acting& who,
                                const access::Scope& scope, int64_t id, std::string_view body) {
  ASSIGN_OR_RETURN(json j, ParseBody(body));
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(json c, LoadConcern(conn, scope, id));
  ASSIGN_OR_RETURN(std::string to, WordField(j, "status", true, kConcernStatuses));
  ASSIGN_OR_RETURN(std::string reason, Text(j, "reason", true, kLong));
  ASSIGN_OR_RETURN(std::string on, DateField(j, "on", false, Today(who)));
  const std::string from = c["status"].get<std::string>();
  if (!ConcernMoveAllowed(from, to)) {
    return FieldError("status", "cannot move from " + from + " to " + to);
  }
  RETURN_IF_ERROR(MoveConcernTo(conn, who, id, from, to, reason, on));
  if (auto r = j.find("review_by"); r != j.end() && !r->is_null()) {
    ASSIGN_OR_RETURN(std::string review_by, DateField(j, "review_by", true));
    RETURN_IF_ERROR(
        conn.Execute("UPDATE concern SET review_by = ? WHERE id = ?", {review_by, id}));
  }
  RETURN_IF_ERROR(tx.Commit());
  return GetConcern(conn, scope, id);
}

Result<std::string> AddFollowUp(db::Connection& conn, const access::Acting& who,
                                const access::Scope& scope, int64_t concern_id,
                                std::string_view body) {
  constexpr std::string_view kAssurance[] = {"assured", "partially_assured", "not_assured"};
  ASSIGN_OR_RETURN(json j, ParseBody(body));
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(json c, LoadConcern(conn, scope, concern_id));
  ASSIGN_OR_RETURN(std::string held_on, DateField(j, "held_on", false, Today(who)));
  std::vector<UnitRef> units;
  if (j.contains("organisation")) {
    json one = {{"organisation", json::array({j["organisation"]})}};
    if (!j["organisation"].is_string()) return FieldError("organisation", "must be a code");
    ASSIGN_OR_RETURN(units, UnitsField(conn, scope, one, "organisation", true));
  } else {
    ASSIGN_OR_RETURN(std::optional<int64_t> u,
                     directory::FindUnitId(conn, c["organisations"][0].get<std::string>()));
    units.push_back({u.value_or(0), c["organisations"][0].get<std::string>()});
  }
  ASSIGN_OR_RETURN(std::string with_whom, Text(j, "with_whom", true, kShort));
  ASSIGN_OR_RETURN(std::string role, Text(j, "role", false, kShort));
  ASSIGN_OR_RETURN(std::string asked, Text(j, "asked", false, kLong));
  ASSIGN_OR_RETURN(std::string heard, Text(j, "heard", false, kLong));
  ASSIGN_OR_RETURN(std::string agreed, Text(j, "agreed", false, kLong));
  ASSIGN_OR_RETURN(std::string assurance, WordField(j, "assurance", false, kAssurance));
  ASSIGN_OR_RETURN(std::vector<NewAction> actions, ActionsField(conn, j, "actions"));
  ASSIGN_OR_RETURN(int64_t fid,
                   conn.ExecuteReturningId(
                       "INSERT INTO follow_up (concern_id, held_on, unit_id, with_whom, role, "
                       "asked, heard, agreed, assurance, created_by, created_at) VALUES (?, ?, ?, "
                       "?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                       {concern_id, held_on, units[0].id, with_whom, role, asked, heard, agreed,
                        assurance, who.actor, who.at}));
  RETURN_IF_ERROR(access::RecordAudit(
      conn, who, "follow_up.create", IdText("follow_up", fid) + " of " + IdText("concern", concern_id),
      "", Dump({{"held_on", held_on}, {"organisation", units[0].code}, {"with_whom", with_whom},
                {"assurance", assurance}, {"actions", actions.size()}})));
  RETURN_IF_ERROR(
      InsertActions(conn, who, actions, concern_id, fid, std::nullopt, units[0].id).status());
  if (c["status"] == "open") {
    RETURN_IF_ERROR(MoveConcernTo(conn, who, concern_id, "open", "under_follow_up",
                                  "Follow-up conversation with " + with_whom, held_on));
  }
  RETURN_IF_ERROR(conn.Execute("UPDATE concern SET updated_at = ? WHERE id = ?", {who.at, concern_id}));
  RETURN_IF_ERROR(tx.Commit());
  return GetConcern(conn, scope, concern_id);
}

Result<std::string> AddConcernAction(db::Connection& conn, const access::Acting& who,
                                     const access::Scope& scope, int64_t concern_id,
                                     std::string_view body) {
  ASSIGN_OR_RETURN(json j, ParseBody(body));
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(json c, LoadConcern(conn, scope, concern_id));
  json list = {{"actions", json::array({j})}};
  ASSIGN_OR_RETURN(std::vector<NewAction> actions, ActionsField(conn, list, "actions"));
  ASSIGN_OR_RETURN(std::optional<int64_t> unit,
                   directory::FindUnitId(conn, c["organisations"][0].get<std::string>()));
  RETURN_IF_ERROR(
      InsertActions(conn, who, actions, concern_id, std::nullopt, std::nullopt, unit).status());
  RETURN_IF_ERROR(tx.Commit());
  return GetConcern(conn, scope, concern_id);
}

namespace {

// Whether the scope sees an action: through its unit, or (no unit) its meeting's.
bool ActionVisible(const access::Scope& scope, const db::Row& r) {
  if (scope.all) return true;
  return !r.IsNull(12) && scope.Contains(r.Int(12));
}

}  // namespace

Result<std::string> ListActions(db::Connection& conn, const access::Scope& scope,
                                const ActionFilter& filter) {
  json list = json::array();
  RETURN_IF_ERROR(conn.Query(std::string(kActionSelect) + " ORDER BY a.due, a.id", {},
                             [&](const db::Row& r) {
                               const bool mine = !filter.owner.empty() &&
                                                 Lower(filter.owner) == r.Text(6);
                               if (!mine && !ActionVisible(scope, r)) return db::Flow::kContinue;
                               if (!filter.owner.empty() && !mine) return db::Flow::kContinue;
                               if (!filter.status.empty() && filter.status != r.Text(8)) {
                                 return db::Flow::kContinue;
                               }
                               json a = ActionRow(r, filter.today);
                               if (filter.overdue_only && !a["overdue"].get<bool>()) {
                                 return db::Flow::kContinue;
                               }
                               list.push_back(std::move(a));
                               return db::Flow::kContinue;
                             }));
  return Dump({{"actions", list}});
}

Result<std::string> UpdateAction(db::Connection& conn, const access::Acting& who,
                                 const access::Scope& scope, bool may_write, std::string_view me,
                                 int64_t id, std::string_view body) {
  constexpr std::string_view kStatuses[] = {"open", "complete", "closed"};
  ASSIGN_OR_RETURN(json j, ParseBody(body));
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(std::optional<db::Row> row,
                   conn.QueryRow(std::string(kActionSelect) + " WHERE a.id = ?", {id}));
  const bool mine = row && Lower(std::string(me)) == row->Text(6);
  if (!row || (!mine && !ActionVisible(scope, *row))) {
    return NotFoundError("there is no action " + std::to_string(id));
  }
  if (!mine && !may_write) {
    return Status(StatusCode::kPermissionDenied,
                  "only the action's owner or a quality lead may update it");
  }
  ASSIGN_OR_RETURN(std::string status, WordField(j, "status", true, kStatuses));
  ASSIGN_OR_RETURN(std::string note, Text(j, "note", false, kLong));
  RETURN_IF_ERROR(conn.Execute(
      "UPDATE follow_up_action SET status = ?, note = ?, updated_at = ? WHERE id = ?",
      {status, note.empty() ? row->Text(9) : note, who.at, id}));
  RETURN_IF_ERROR(access::RecordAudit(conn, who, "action.update", IdText("action", id),
                                      Dump({{"status", row->Text(8)}}),
                                      Dump({{"status", status}, {"note", note}})));
  RETURN_IF_ERROR(tx.Commit());
  ASSIGN_OR_RETURN(std::optional<db::Row> after,
                   conn.QueryRow(std::string(kActionSelect) + " WHERE a.id = ?", {id}));
  return Dump(ActionRow(*after, Today(who)));
}

// ---------------------------------------------------------------------------------------------
// Escalations

namespace {

struct LevelInfo {
  std::string display_name, meaning;
};

Result<std::map<std::string, LevelInfo>> LoadLevels(db::Connection& conn) {
  std::map<std::string, LevelInfo> out;
  RETURN_IF_ERROR(conn.Query("SELECT level, display_name, meaning FROM escalation_level", {},
                             [&](const db::Row& r) {
                               out[r.Text(0)] = {r.Text(1), r.Text(2)};
                               return db::Flow::kContinue;
                             }));
  return out;
}

constexpr std::string_view kEscalationSelect =
    "SELECT e.id, u.code, u.name, e.level, e.previous_level, e.reason, e.meeting_id, "
    "e.concern_id, e.step_down_criteria, e.people_told, e.review_by, e.decided_on, "
    "e.created_by, e.created_at, e.unit_id, "
    "(SELECT m.title FROM meeting m WHERE m.id = e.meeting_id) "
    "FROM escalation e JOIN unit u ON u.id = e.unit_id";

json EscalationRow(const db::Row& r, const std::map<std::string, LevelInfo>& levels) {
  json told = json::parse(r.Text(9), nullptr, false);
  if (told.is_discarded()) told = json::array();
  auto name = [&](const std::string& l) {
    auto it = levels.find(l);
    return it == levels.end() ? l : it->second.display_name;
  };
  const std::string level = r.Text(3), previous = r.Text(4);
  return {{"id", r.Int(0)},
          {"organisation", r.Text(1)},
          {"organisation_name", r.Text(2)},
          {"level", level},
          {"display_name", name(level)},
          {"previous_level", previous},
          {"previous_display_name", name(previous)},
          {"direction", EscalationOrder(level) > EscalationOrder(previous) ? "up" : "down"},
          {"reason", r.Text(5)},
          {"meeting", r.IsNull(6) ? json(nullptr) : json(r.Int(6))},
          {"meeting_title", r.IsNull(15) ? json(nullptr) : json(r.Text(15))},
          {"concern", r.IsNull(7) ? json(nullptr) : json(r.Int(7))},
          {"step_down_criteria", r.Text(8)},
          {"people_told", told},
          {"review_by", Nullable(r.Text(10))},
          {"decided_on", r.Text(11)},
          {"by", r.Text(12)},
          {"at", r.Text(13)}};
}

Result<std::string> CurrentLevel(db::Connection& conn, int64_t unit) {
  ASSIGN_OR_RETURN(std::optional<db::Row> row,
                   conn.QueryRow("SELECT level FROM escalation WHERE unit_id = ? ORDER BY id DESC "
                                 "LIMIT 1",
                                 {unit}));
  return row ? row->Text(0) : std::string("routine");
}

}  // namespace

Result<std::string> Escalate(db::Connection& conn, const access::Acting& who,
                             const access::Scope& scope, std::string_view org,
                             std::string_view body) {
  ASSIGN_OR_RETURN(json j, ParseBody(body));
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(std::optional<int64_t> unit, directory::FindUnitId(conn, org));
  if (!unit || !scope.Contains(*unit)) {
    return NotFoundError("no such organisation, or not visible to you");
  }
  ASSIGN_OR_RETURN(std::string level, WordField(j, "level", true, kEscalationLevels));
  ASSIGN_OR_RETURN(std::string reason, Text(j, "reason", true, kLong));
  ASSIGN_OR_RETURN(std::string criteria, Text(j, "step_down_criteria", false, kLong));
  ASSIGN_OR_RETURN(std::vector<std::string> told, TextList(j, "people_told", false));
  ASSIGN_OR_RETURN(std::string review_by, DateField(j, "review_by", false));
  ASSIGN_OR_RETURN(std::string decided_on, DateField(j, "decided_on", false, Today(who)));
  ASSIGN_OR_RETURN(std::optional<int64_t> meeting, IntField(j, "meeting", false, 1, INT64_MAX));
  if (meeting) {
    ASSIGN_OR_RETURN(std::optional<db::Row> m,
                     conn.QueryRow("SELECT id FROM meeting WHERE id = ?", {*meeting}));
    if (!m) return FieldError("meeting", "names meeting " + std::to_string(*meeting) + ", which does not exist");
  }
  ASSIGN_OR_RETURN(std::optional<int64_t> concern, IntField(j, "concern", false, 1, INT64_MAX));
  if (concern) {
    Result<json> c = LoadConcern(conn, scope, *concern);
    if (!c.ok()) return FieldError("concern", "names concern " + std::to_string(*concern) + ", which does not exist");
  }
  ASSIGN_OR_RETURN(std::string previous, CurrentLevel(conn, *unit));
  if (previous == level) {
    return FieldError("level", std::string(org) + " is already at " + level +
                                   "; an escalation decision moves it up or down");
  }
  json told_json = told;
  ASSIGN_OR_RETURN(int64_t id,
                   conn.ExecuteReturningId(
                       "INSERT INTO escalation (unit_id, level, previous_level, reason, "
                       "meeting_id, concern_id, step_down_criteria, people_told, review_by, "
                       "decided_on, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                       "?, ?) RETURNING id",
                       {*unit, level, previous, reason, meeting, concern, criteria,
                        Dump(told_json), review_by, decided_on, who.actor, who.at}));
  RETURN_IF_ERROR(access::RecordAudit(
      conn, who, "escalation.create", IdText("escalation", id) + " of " + std::string(org),
      Dump({{"level", previous}}),
      Dump({{"level", level}, {"reason", reason}, {"meeting", meeting ? json(*meeting) : json(nullptr)},
            {"people_told", told_json}, {"decided_on", decided_on}})));
  // A concern escalated with it records the move.
  if (concern && EscalationOrder(level) > EscalationOrder(previous)) {
    ASSIGN_OR_RETURN(json c, LoadConcern(conn, scope, *concern));
    const std::string from = c["status"].get<std::string>();
    if (ConcernMoveAllowed(from, "escalated")) {
      RETURN_IF_ERROR(MoveConcernTo(conn, who, *concern, from, "escalated",
                                    std::string(org) + " escalated to " + level + ": " + reason,
                                    decided_on));
    }
  }
  RETURN_IF_ERROR(tx.Commit());
  return OrganisationEscalations(conn, scope, org);
}

Result<std::string> OrganisationEscalations(db::Connection& conn, const access::Scope& scope,
                                            std::string_view org) {
  ASSIGN_OR_RETURN(std::optional<int64_t> unit, directory::FindUnitId(conn, org));
  if (!unit || !scope.Contains(*unit)) {
    return NotFoundError("no such organisation, or not visible to you");
  }
  ASSIGN_OR_RETURN(auto levels, LoadLevels(conn));
  json history = json::array();
  RETURN_IF_ERROR(conn.Query(std::string(kEscalationSelect) + " WHERE e.unit_id = ? ORDER BY e.id DESC",
                             {*unit}, [&](const db::Row& r) {
                               history.push_back(EscalationRow(r, levels));
                               return db::Flow::kContinue;
                             }));
  const std::string level = history.empty() ? "routine" : history[0]["level"].get<std::string>();
  return Dump({{"organisation", std::string(org)},
               {"level", level},
               {"display_name", levels[level].display_name},
               {"meaning", levels[level].meaning},
               {"since", history.empty() ? json(nullptr) : history[0]["decided_on"]},
               {"step_down_criteria", history.empty() ? json(nullptr) : history[0]["step_down_criteria"]},
               {"review_by", history.empty() ? json(nullptr) : history[0]["review_by"]},
               {"history", history}});
}

Result<std::string> CurrentEscalations(db::Connection& conn, const access::Scope& scope,
                                       std::string_view from, std::string_view to) {
  ASSIGN_OR_RETURN(auto levels, LoadLevels(conn));
  std::map<int64_t, json> latest;
  std::map<int64_t, json> changes;
  RETURN_IF_ERROR(conn.Query(std::string(kEscalationSelect) + " ORDER BY e.id", {},
                             [&](const db::Row& r) {
                               if (!scope.Contains(r.Int(14))) return db::Flow::kContinue;
                               json e = EscalationRow(r, levels);
                               const std::string d = r.Text(11);
                               if (!to.empty() && d > to) return db::Flow::kContinue;
                               latest[r.Int(14)] = e;
                               if ((from.empty() || d >= from)) changes[r.Int(14)].push_back(e);
                               return db::Flow::kContinue;
                             }));
  json list = json::array();
  for (auto& [unit, e] : latest) {
    const bool above = e["level"] != "routine";
    const bool changed = !from.empty() && changes.count(unit) > 0;
    if (!above && !changed) continue;
    e["changes_in_period"] = changes.count(unit) ? changes[unit] : json::array();
    list.push_back(e);
  }
  std::stable_sort(list.begin(), list.end(), [](const json& a, const json& b) {
    return EscalationOrder(a["level"].get<std::string>()) >
           EscalationOrder(b["level"].get<std::string>());
  });
  return Dump({{"escalations", list}});
}

Result<std::string> EscalationLevels(db::Connection& conn) {
  json list = json::array();
  RETURN_IF_ERROR(conn.Query(
      "SELECT level, ord, display_name, meaning FROM escalation_level ORDER BY ord", {},
      [&](const db::Row& r) {
        list.push_back({{"level", r.Text(0)}, {"order", r.Int(1)}, {"display_name", r.Text(2)},
                        {"meaning", r.Text(3)}});
        return db::Flow::kContinue;
      }));
  return Dump({{"levels", list}});
}

Result<std::string> SetEscalationLevel(db::Connection& conn, const access::Acting& who,
                                       std::string_view level, std::string_view body) {
  ASSIGN_OR_RETURN(json j, ParseBody(body));
  if (EscalationOrder(level) < 0) {
    return NotFoundError("there is no escalation level \"" + std::string(level) + "\"");
  }
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(std::string name, Text(j, "display_name", true, 80));
  ASSIGN_OR_RETURN(std::string meaning, Text(j, "meaning", false, kLong));
  ASSIGN_OR_RETURN(auto levels, LoadLevels(conn));
  const LevelInfo before = levels[std::string(level)];
  if (meaning.empty()) meaning = before.meaning;
  RETURN_IF_ERROR(conn.Execute(
      "UPDATE escalation_level SET display_name = ?, meaning = ? WHERE level = ?",
      {name, meaning, level}));
  RETURN_IF_ERROR(access::RecordAudit(conn, who, "escalation_level.set", std::string(level),
                                      Dump({{"display_name", before.display_name}}),
                                      Dump({{"display_name", name}, {"meaning", meaning}})));
  RETURN_IF_ERROR(tx.Commit());
  return EscalationLevels(conn);
}

// ---------------------------------------------------------------------------------------------
// Risks

namespace {

constexpr std::string_view kRiskSelect =
    "SELECT id, title, description, owner, consequence, likelihood, target_consequence, "
    "target_likelihood, controls, review_by, status, last_reviewed, created_by, created_at, "
    "updated_at FROM risk";

json RiskRow(const db::Row& r) {
  const int c = static_cast<int>(r.Int(4)), l = static_cast<int>(r.Int(5));
  json risk = {{"id", r.Int(0)},           {"title", r.Text(1)},
               {"description", r.Text(2)}, {"owner", r.Text(3)},
               {"consequence", c},         {"likelihood", l},
               {"score", c * l},           {"band", RiskBand(c * l)},
               {"controls", r.Text(8)},    {"review_by", Nullable(r.Text(9))},
               {"status", r.Text(10)},     {"last_reviewed", r.Text(11)},
               {"created_by", r.Text(12)}, {"created_at", r.Text(13)},
               {"updated_at", r.Text(14)}, {"above_appetite", c * l > kRiskAppetite}};
  if (!r.IsNull(6) && !r.IsNull(7)) {
    const int tc = static_cast<int>(r.Int(6)), tl = static_cast<int>(r.Int(7));
    risk["target"] = {{"consequence", tc}, {"likelihood", tl}, {"score", tc * tl},
                      {"band", RiskBand(tc * tl)}};
  } else {
    risk["target"] = nullptr;
  }
  return risk;
}

Result<json> LoadRisk(db::Connection& conn, const access::Scope& scope, int64_t id) {
  ASSIGN_OR_RETURN(std::optional<db::Row> row,
                   conn.QueryRow(std::string(kRiskSelect) + " WHERE id = ?", {id}));
  if (!row) return NotFoundError("there is no risk " + std::to_string(id));
  ASSIGN_OR_RETURN(std::vector<int64_t> units,
                   IdList(conn, "SELECT unit_id FROM risk_unit WHERE risk_id = ?", id));
  if (!Visible(scope, units)) return NotFoundError("there is no risk " + std::to_string(id));
  json r = RiskRow(*row);
  ASSIGN_OR_RETURN(r["organisations"],
                   CodesOf(conn,
                           "SELECT u.code FROM risk_unit ru JOIN unit u ON u.id = ru.unit_id "
                           "WHERE ru.risk_id = ? ORDER BY u.code",
                           id));
  ASSIGN_OR_RETURN(r["metrics"],
                   CodesOf(conn,
                           "SELECT m.code FROM risk_metric rm JOIN metric m ON m.id = "
                           "rm.metric_id WHERE rm.risk_id = ? ORDER BY m.code",
                           id));
  json concerns = json::array();
  RETURN_IF_ERROR(conn.Query("SELECT concern_id FROM risk_concern WHERE risk_id = ? ORDER BY concern_id",
                             {id}, [&](const db::Row& x) {
                               concerns.push_back(x.Int(0));
                               return db::Flow::kContinue;
                             }));
  r["concerns"] = concerns;
  return r;
}

}  // namespace

Result<std::string> CreateRisk(db::Connection& conn, const access::Acting& who,
                               const access::Scope& scope, std::string_view body) {
  ASSIGN_OR_RETURN(json j, ParseBody(body));
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(std::string title, Text(j, "title", true, kShort));
  ASSIGN_OR_RETURN(std::optional<int64_t> c, IntField(j, "consequence", true, 1, 5));
  ASSIGN_OR_RETURN(std::optional<int64_t> l, IntField(j, "likelihood", true, 1, 5));
  ASSIGN_OR_RETURN(std::vector<UnitRef> units, UnitsField(conn, scope, j, "organisations", true));
  ASSIGN_OR_RETURN(std::string owner, PersonField(conn, j, "owner", true));
  ASSIGN_OR_RETURN(std::string description, Text(j, "description", false, kLong));
  ASSIGN_OR_RETURN(std::optional<int64_t> tc, IntField(j, "target_consequence", false, 1, 5));
  ASSIGN_OR_RETURN(std::optional<int64_t> tl, IntField(j, "target_likelihood", false, 1, 5));
  if (tc.has_value() != tl.has_value()) {
    return FieldError(tc ? "target_likelihood" : "target_consequence",
                      "is required with the other half of the target score");
  }
  ASSIGN_OR_RETURN(std::string controls, Text(j, "controls", false, kLong));
  ASSIGN_OR_RETURN(std::string review_by, DateField(j, "review_by", false));
  ASSIGN_OR_RETURN(std::string reviewed, DateField(j, "last_reviewed", false, Today(who)));
  ASSIGN_OR_RETURN(std::vector<int64_t> metrics, MetricsField(conn, j, "metrics"));
  std::vector<int64_t> concerns;
  if (auto it = j.find("concerns"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return FieldError("concerns", "must be a list of concern ids");
    for (const json& x : *it) {
      if (!x.is_number_integer() || !LoadConcern(conn, scope, x.get<int64_t>()).ok()) {
        return FieldError("concerns", "names " + x.dump() + ", which is no concern of yours");
      }
      concerns.push_back(x.get<int64_t>());
    }
  }
  ASSIGN_OR_RETURN(int64_t id,
                   conn.ExecuteReturningId(
                       "INSERT INTO risk (title, description, owner, consequence, likelihood, "
                       "target_consequence, target_likelihood, controls, review_by, status, "
                       "last_reviewed, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, "
                       "?, ?, ?, ?, 'open', ?, ?, ?, ?) RETURNING id",
                       {title, description, owner, *c, *l, tc, tl, controls, review_by, reviewed,
                        who.actor, who.at, who.at}));
  for (const UnitRef& u : units) {
    RETURN_IF_ERROR(
        conn.Execute("INSERT INTO risk_unit (risk_id, unit_id) VALUES (?, ?)", {id, u.id}));
  }
  for (int64_t m : metrics) {
    RETURN_IF_ERROR(
        conn.Execute("INSERT INTO risk_metric (risk_id, metric_id) VALUES (?, ?)", {id, m}));
  }
  for (int64_t x : concerns) {
    RETURN_IF_ERROR(conn.Execute(
        "INSERT INTO risk_concern (risk_id, concern_id) VALUES (?, ?)", {id, x}));
  }
  RETURN_IF_ERROR(conn.Execute(
      "INSERT INTO risk_review (risk_id, on_date, consequence, likelihood, reason, actor, "
      "acted_at) VALUES (?, ?, ?, ?, 'Risk added to the register', ?, ?)",
      {id, reviewed, *c, *l, who.actor, who.at}));
  json codes = json::array();
  for (const UnitRef& u : units) codes.push_back(u.code);
  RETURN_IF_ERROR(access::RecordAudit(
      conn, who, "risk.create", IdText("risk", id), "",
      Dump({{"title", title}, {"consequence", *c}, {"likelihood", *l},
            {"score", *c * *l}, {"organisations", codes}, {"owner", owner}})));
  RETURN_IF_ERROR(tx.Commit());
  return GetRisk(conn, scope, id);
}

Result<std::string> ReviewRisk(db::Connection& conn, const access::Acting& who,
                               const access::Scope& scope, int64_t id, std::string_view body) {
  constexpr std::string_view kStatuses[] = {"open", "tolerated", "closed"};
  ASSIGN_OR_RETURN(json j, ParseBody(body));
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(json before, LoadRisk(conn, scope, id));
  ASSIGN_OR_RETURN(std::optional<int64_t> c, IntField(j, "consequence", true, 1, 5));
  ASSIGN_OR_RETURN(std::optional<int64_t> l, IntField(j, "likelihood", true, 1, 5));
  ASSIGN_OR_RETURN(std::string reason, Text(j, "reason", true, kLong));
  ASSIGN_OR_RETURN(std::string on, DateField(j, "on", false, Today(who)));
  ASSIGN_OR_RETURN(std::string status,
                   WordField(j, "status", false, kStatuses, before["status"].get<std::string>()));
  ASSIGN_OR_RETURN(std::string review_by,
                   DateField(j, "review_by", false,
                             before["review_by"].is_null() ? "" : before["review_by"].get<std::string>()));
  ASSIGN_OR_RETURN(std::string controls, Text(j, "controls", false, kLong));
  if (controls.empty()) controls = before["controls"].get<std::string>();
  RETURN_IF_ERROR(conn.Execute(
      "UPDATE risk SET consequence = ?, likelihood = ?, status = ?, review_by = ?, controls = ?, "
      "last_reviewed = ?, updated_at = ? WHERE id = ?",
      {*c, *l, status, review_by, controls, on, who.at, id}));
  RETURN_IF_ERROR(conn.Execute(
      "INSERT INTO risk_review (risk_id, on_date, consequence, likelihood, reason, actor, "
      "acted_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      {id, on, *c, *l, reason, who.actor, who.at}));
  RETURN_IF_ERROR(access::RecordAudit(
      conn, who, "risk.review", IdText("risk", id),
      Dump({{"consequence", before["consequence"]}, {"likelihood", before["likelihood"]},
            {"status", before["status"]}}),
      Dump({{"consequence", *c}, {"likelihood", *l}, {"status", status}, {"reason", reason}})));
  RETURN_IF_ERROR(tx.Commit());
  return GetRisk(conn, scope, id);
}

Result<std::string> GetRisk(db::Connection& conn, const access::Scope& scope, int64_t id) {
  ASSIGN_OR_RETURN(json r, LoadRisk(conn, scope, id));
  json history = json::array();
  RETURN_IF_ERROR(conn.Query(
      "SELECT on_date, consequence, likelihood, reason, actor FROM risk_review WHERE risk_id = ? "
      "ORDER BY id",
      {id}, [&](const db::Row& x) {
        const int s = static_cast<int>(x.Int(1) * x.Int(2));
        history.push_back({{"on", x.Text(0)}, {"consequence", x.Int(1)}, {"likelihood", x.Int(2)},
                           {"score", s}, {"band", RiskBand(s)}, {"reason", x.Text(3)},
                           {"by", x.Text(4)}});
        return db::Flow::kContinue;
      }));
  r["history"] = history;
  return Dump(r);
}

Result<std::string> ListRisks(db::Connection& conn, const access::Scope& scope,
                              std::string_view organisation) {
  std::set<int64_t> wanted;
  if (!organisation.empty()) {
    ASSIGN_OR_RETURN(std::optional<int64_t> u, directory::FindUnitId(conn, organisation));
    if (!u) return NotFoundError("there is no organisation \"" + std::string(organisation) + "\"");
    ASSIGN_OR_RETURN(std::vector<int64_t> below, UnitAndBelow(conn, *u));
    wanted.insert(below.begin(), below.end());
  }
  std::map<int64_t, std::vector<int64_t>> units;
  std::map<int64_t, std::vector<std::string>> codes;
  RETURN_IF_ERROR(conn.Query(
      "SELECT ru.risk_id, ru.unit_id, u.code FROM risk_unit ru JOIN unit u ON u.id = ru.unit_id "
      "ORDER BY u.code",
      {}, [&](const db::Row& r) {
        units[r.Int(0)].push_back(r.Int(1));
        codes[r.Int(0)].push_back(r.Text(2));
        return db::Flow::kContinue;
      }));
  // The score at the review before the latest: movement since the last review.
  std::map<int64_t, std::vector<int>> scores;
  RETURN_IF_ERROR(conn.Query("SELECT risk_id, consequence * likelihood FROM risk_review ORDER BY id",
                             {}, [&](const db::Row& r) {
                               scores[r.Int(0)].push_back(static_cast<int>(r.Int(1)));
                               return db::Flow::kContinue;
                             }));
  json list = json::array();
  json heat = json::array();
  for (int c = 0; c < 5; ++c) heat.push_back(json::array({0, 0, 0, 0, 0}));
  RETURN_IF_ERROR(conn.Query(std::string(kRiskSelect) + " ORDER BY consequence * likelihood DESC, id",
                             {}, [&](const db::Row& r) {
                               const int64_t id = r.Int(0);
                               if (!Visible(scope, units[id])) return db::Flow::kContinue;
                               if (!wanted.empty() &&
                                   std::none_of(units[id].begin(), units[id].end(),
                                                [&](int64_t u) { return wanted.count(u) > 0; })) {
                                 return db::Flow::kContinue;
                               }
                               json x = RiskRow(r);
                               x["organisations"] = codes[id];
                               const std::vector<int>& s = scores[id];
                               x["previous_score"] = s.size() >= 2 ? json(s[s.size() - 2]) : json(nullptr);
                               if (r.Text(10) != "closed") {
                                 heat[r.Int(4) - 1][r.Int(5) - 1] =
                                     heat[r.Int(4) - 1][r.Int(5) - 1].get<int>() + 1;
                               }
                               list.push_back(std::move(x));
                               return db::Flow::kContinue;
                             }));
  json bands = json::array();
  for (int c = 1; c <= 5; ++c) {
    json row = json::array();
    for (int l = 1; l <= 5; ++l) row.push_back(RiskBand(c * l));
    bands.push_back(row);
  }
  return Dump({{"appetite", kRiskAppetite},
               {"risks", list},
               {"heatmap", {{"rows", "consequence 1-5"}, {"columns", "likelihood 1-5"},
                            {"counts", heat}, {"bands", bands}}}});
}

// ---------------------------------------------------------------------------------------------
// Meetings

namespace {

constexpr std::string_view kMeetingSelect =
    "SELECT m.id, m.grp, m.title, m.held_on, m.chair, m.unit_id, u.code, m.created_by, "
    "m.created_at FROM meeting m LEFT JOIN unit u ON u.id = m.unit_id";

bool MeetingVisible(db::Connection& conn, const access::Scope& scope, std::string_view me,
                    const db::Row& m) {
  if (scope.all) return true;
  if (!m.IsNull(5) && scope.Contains(m.Int(5))) return true;
  if (!me.empty() && Lower(std::string(me)) == m.Text(4)) return true;
  Result<std::optional<db::Row>> member = conn.QueryRow(
      "SELECT 1 FROM meeting_member WHERE meeting_id = ? AND email = ?", {m.Int(0), Lower(std::string(me))});
  return member.ok() && member->has_value();
}

// Whether the person may change the meeting: system scope for system groups, the
// organisation's scope for its committee.
bool MeetingWritable(const access::Scope& scope, const db::Row& m) {
  if (scope.all) return true;
  return !m.IsNull(5) && scope.Contains(m.Int(5));
}

Result<db::Row> LoadMeetingRow(db::Connection& conn, const access::Scope& scope,
                               std::string_view me, int64_t id) {
  ASSIGN_OR_RETURN(std::optional<db::Row> m,
                   conn.QueryRow(std::string(kMeetingSelect) + " WHERE m.id = ?", {id}));
  if (!m || !MeetingVisible(conn, scope, me, *m)) {
    return NotFoundError("there is no meeting " + std::to_string(id));
  }
  return *m;
}

Result<db::Row> WritableMeeting(db::Connection& conn, const access::Scope& scope,
                                std::string_view me, int64_t id) {
  ASSIGN_OR_RETURN(db::Row m, LoadMeetingRow(conn, scope, me, id));
  if (!MeetingWritable(scope, m)) {
    return Status(StatusCode::kPermissionDenied,
                  "only the group's quality leads may change meeting " + std::to_string(id));
  }
  return m;
}

json MeetingRow(const db::Row& r) {
  return {{"id", r.Int(0)},
          {"group", r.Text(1)},
          {"group_name", MeetingGroupName(r.Text(1))},
          {"title", r.Text(2)},
          {"held_on", r.Text(3)},
          {"chair", r.Text(4)},
          {"organisation", r.IsNull(6) ? json(nullptr) : json(r.Text(6))},
          {"created_by", r.Text(7)},
          {"created_at", r.Text(8)}};
}

std::string ShortDate(std::string_view iso) {
  static constexpr const char* kMon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::optional<Date> d = ParseIsoDate(iso);
  if (!d) return std::string(iso);
  const CivilDate c = CivilFromDays(*d);
  return std::to_string(c.day) + " " + kMon[c.month - 1] + " " + std::to_string(c.year);
}

struct Item {
  std::string kind, title, ref, detail;
  std::optional<int64_t> unit;
};

// What needs the group on `held_on`: see GenerateAgenda. `units` = the units the meeting covers
// (empty = the whole system).
Result<std::vector<Item>> WhatNeedsTheGroup(db::Connection& conn, const access::Scope& scope,
                                            const std::string& held_on,
                                            const std::string& since,
                                            std::optional<int64_t> org) {
  std::set<int64_t> covered;
  std::string place;
  if (org) {
    ASSIGN_OR_RETURN(std::vector<int64_t> below, UnitAndBelow(conn, *org));
    covered.insert(below.begin(), below.end());
  }
  auto covers = [&](int64_t unit) {
    return scope.Contains(unit) && (covered.empty() || covered.count(unit) > 0);
  };
  ASSIGN_OR_RETURN(directory::Directory dir, directory::Directory::Load(conn));
  std::vector<Item> items;
  // 1. New high-ranked signals: the heaviest organisations whose first signal is recent.
  SignalOptions so{.as_of = held_on, .comparisons = false};
  if (org) so.place = dir.FindById(*org) ? dir.FindById(*org)->code : "";
  Result<std::vector<OrganisationWeight>> weights = SystemSignals(conn, scope, so);
  if (weights.ok()) {
    int taken = 0;
    for (const OrganisationWeight& w : *weights) {
      if (taken >= 5) break;
      if (w.top.weight < 70 || w.top.date <= since) continue;
      const directory::Unit* u = dir.FindByCode(w.code);
      if (u == nullptr || !covers(u->id)) continue;
      items.push_back({"signal", "New signal at " + w.name,
                       "signal:" + w.top.source + ":" + w.top.metric,
                       w.top.reason + " (" + std::to_string(w.signals) + " signals in all)",
                       u->id});
      ++taken;
    }
  }
  // 2. Organisations above routine: progress against the criteria for stepping down.
  ASSIGN_OR_RETURN(std::string esc, CurrentEscalations(conn, scope, "", held_on));
  const json e_doc = json::parse(esc);
  for (const json& e : e_doc["escalations"]) {
    const directory::Unit* u = dir.FindByCode(e["organisation"].get<std::string>());
    if (u == nullptr || !covers(u->id)) continue;
    std::string detail = "At " + e["display_name"].get<std::string>() + " since " +
                         ShortDate(e["decided_on"].get<std::string>()) + ": " +
                         e["reason"].get<std::string>();
    if (!e["step_down_criteria"].get<std::string>().empty()) {
      detail += " Step down when: " + e["step_down_criteria"].get<std::string>();
    }
    items.push_back({"escalation",
                     u->name + " at " + e["display_name"].get<std::string>() + ": review",
                     "escalation:" + std::to_string(e["id"].get<int64_t>()), detail, u->id});
  }
  // 3. Concerns due for review.
  ASSIGN_OR_RETURN(std::string concerns, ListConcerns(conn, scope, {.status = "active"}));
  const json c_doc = json::parse(concerns);
  for (const json& c : c_doc["concerns"]) {
    if (c["review_by"].get<std::string>() > held_on) continue;
    if (c["opened_on"].get<std::string>() > held_on) continue;
    std::optional<int64_t> unit;
    bool in = covered.empty();
    for (const json& code : c["organisations"]) {
      const directory::Unit* u = dir.FindByCode(code.get<std::string>());
      if (u != nullptr && !unit) unit = u->id;
      if (u != nullptr && covered.count(u->id)) in = true;
    }
    if (!in) continue;
    items.push_back({"concern", "Concern due for review: " + c["title"].get<std::string>(),
                     "concern:" + std::to_string(c["id"].get<int64_t>()),
                     "Owner " + c["owner"].get<std::string>() + "; status " +
                         c["status"].get<std::string>() + "; review by " +
                         ShortDate(c["review_by"].get<std::string>()),
                     unit});
  }
  // 4. Risks above appetite.
  ASSIGN_OR_RETURN(std::string risks, ListRisks(conn, scope, ""));
  const json r_doc = json::parse(risks);
  for (const json& r : r_doc["risks"]) {
    if (!r["above_appetite"].get<bool>() || r["status"] == "closed") continue;
    if (r["created_at"].get<std::string>().substr(0, 10) > held_on) continue;
    std::optional<int64_t> unit;
    bool in = covered.empty();
    for (const json& code : r["organisations"]) {
      const directory::Unit* u = dir.FindByCode(code.get<std::string>());
      if (u != nullptr && !unit && r["organisations"].size() == 1) unit = u->id;
      if (u != nullptr && covered.count(u->id)) in = true;
    }
    if (!in) continue;
    items.push_back({"risk",
                     "Risk above appetite: " + r["title"].get<std::string>() + " (score " +
                         std::to_string(r["score"].get<int>()) + ", " +
                         r["band"].get<std::string>() + ")",
                     "risk:" + std::to_string(r["id"].get<int64_t>()),
                     "Owner " + r["owner"].get<std::string>() + ". Controls: " +
                         r["controls"].get<std::string>(),
                     unit});
  }
  // 5. Overdue actions.
  ASSIGN_OR_RETURN(std::string actions,
                   ListActions(conn, scope, {.status = "open", .overdue_only = true, .today = held_on}));
  int n = 0;
  const json a_doc = json::parse(actions);
  for (const json& a : a_doc["actions"]) {
    if (a["created_at"].get<std::string>().substr(0, 10) > held_on) continue;
    std::optional<int64_t> unit;
    if (!a["organisation"].is_null()) {
      const directory::Unit* u = dir.FindByCode(a["organisation"].get<std::string>());
      if (u != nullptr) unit = u->id;
    }
    if (!covered.empty() && (!unit || !covered.count(*unit))) continue;
    if (++n > 10) break;
    items.push_back({"action", "Overdue action: " + a["title"].get<std::string>(),
                     "action:" + std::to_string(a["id"].get<int64_t>()),
                     "Owner " + a["owner"].get<std::string>() + "; due " +
                         ShortDate(a["due"].get<std::string>()),
                     unit});
  }
  return items;
}

Status InsertItem(db::Connection& conn, int64_t meeting, int ord, const Item& item,
                  bool generated) {
  return conn.Execute(
      "INSERT INTO agenda_item (meeting_id, ord, kind, title, unit_id, ref, detail, generated) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {meeting, ord, item.kind, item.title, item.unit, item.ref, item.detail, generated ? 1 : 0});
}

// Rewrites the generated items without minutes; standing and hand-made items keep their places.
Status Regenerate(db::Connection& conn, const access::Scope& scope, const db::Row& m) {
  const int64_t id = m.Int(0);
  const std::string held_on = m.Text(3);
  // Since the group's previous meeting (new signals), or 60 days.
  ASSIGN_OR_RETURN(std::optional<db::Row> prev,
                   conn.QueryRow("SELECT MAX(held_on) FROM meeting WHERE grp = ? AND held_on < ? "
                                 "AND id <> ?",
                                 {m.Text(1), held_on, id}));
  std::string since = prev && !prev->IsNull(0) ? prev->Text(0) : "";
  if (since.empty()) since = FormatIsoDate(*ParseIsoDate(held_on) - 60);
  ASSIGN_OR_RETURN(std::vector<Item> items,
                   WhatNeedsTheGroup(conn, scope, held_on, since,
                                     m.IsNull(5) ? std::nullopt : std::optional<int64_t>(m.Int(5))));
  RETURN_IF_ERROR(conn.Execute(
      "DELETE FROM agenda_item WHERE meeting_id = ? AND generated = 1 AND minutes = '' AND "
      "decision = '' AND NOT EXISTS (SELECT 1 FROM follow_up_action a WHERE a.agenda_item_id = "
      "agenda_item.id)",
      {id}));
  std::set<std::string> kept;
  RETURN_IF_ERROR(conn.Query("SELECT ref FROM agenda_item WHERE meeting_id = ?", {id},
                             [&](const db::Row& r) {
                               kept.insert(r.Text(0));
                               return db::Flow::kContinue;
                             }));
  int ord = 0;
  auto standing = [&](std::string_view ref, std::string_view title) -> Status {
    if (kept.count(std::string(ref))) return Status::Ok();
    kept.insert(std::string(ref));
    return InsertItem(conn, id, ord, {"standing", std::string(title), std::string(ref), "", {}},
                      false);
  };
  ord = 10;
  RETURN_IF_ERROR(standing("standing:apologies", "Apologies and declarations of interest"));
  ord = 20;
  RETURN_IF_ERROR(standing("standing:minutes", "Minutes of the last meeting and the action log"));
  ord = 100;
  for (const Item& item : items) {
    ord += 10;
    if (kept.count(item.ref)) continue;
    kept.insert(item.ref);
    RETURN_IF_ERROR(InsertItem(conn, id, ord, item, true));
  }
  ord = 9000;
  return standing("standing:aob", "Any other business");
}

}  // namespace

Result<std::string> CreateMeeting(db::Connection& conn, const access::Acting& who,
                                  const access::Scope& scope, std::string_view body) {
  ASSIGN_OR_RETURN(json j, ParseBody(body));
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(std::string group, WordField(j, "group", true, kMeetingGroups));
  ASSIGN_OR_RETURN(std::string held_on, DateField(j, "held_on", true));
  ASSIGN_OR_RETURN(std::string title, Text(j, "title", false, kShort));
  if (title.empty()) title = std::string(MeetingGroupName(group)) + ", " + ShortDate(held_on);
  ASSIGN_OR_RETURN(std::string chair, PersonField(conn, j, "chair", false));
  std::vector<std::string> members;
  if (auto it = j.find("members"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return FieldError("members", "must be a list of e-mail addresses");
    for (const json& m : *it) {
      json one = {{"members", m}};
      ASSIGN_OR_RETURN(std::string email, PersonField(conn, one, "members", true));
      if (std::find(members.begin(), members.end(), email) == members.end()) members.push_back(email);
    }
  }
  std::optional<int64_t> unit;
  std::string org_code;
  if (j.contains("organisation") && !j["organisation"].is_null()) {
    if (!j["organisation"].is_string()) return FieldError("organisation", "must be a code");
    json one = {{"organisation", json::array({j["organisation"]})}};
    ASSIGN_OR_RETURN(std::vector<UnitRef> u, UnitsField(conn, scope, one, "organisation", true));
    unit = u[0].id;
    org_code = u[0].code;
  } else if (group == "quality_committee") {
    return FieldError("organisation", "is required for an organisation's quality committee");
  } else if (!scope.all) {
    return Status(StatusCode::kPermissionDenied,
                  "only system quality leads arrange meetings of a system group");
  }
  ASSIGN_OR_RETURN(int64_t id,
                   conn.ExecuteReturningId(
                       "INSERT INTO meeting (grp, title, held_on, chair, unit_id, created_by, "
                       "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                       {group, title, held_on, chair, unit, who.actor, who.at}));
  for (const std::string& m : members) {
    RETURN_IF_ERROR(conn.Execute(
        "INSERT INTO meeting_member (meeting_id, email) VALUES (?, ?)", {id, m}));
  }
  RETURN_IF_ERROR(access::RecordAudit(
      conn, who, "meeting.create", IdText("meeting", id), "",
      Dump({{"group", group}, {"title", title}, {"held_on", held_on}, {"chair", chair},
            {"members", members}, {"organisation", Nullable(org_code)}})));
  const bool generate = !j.contains("generate") || !j["generate"].is_boolean() || j["generate"].get<bool>();
  if (generate) {
    ASSIGN_OR_RETURN(db::Row m, LoadMeetingRow(conn, scope, "", id));
    RETURN_IF_ERROR(Regenerate(conn, scope, m));
  }
  RETURN_IF_ERROR(tx.Commit());
  return GetMeeting(conn, scope, "", id);
}

Result<std::string> ListMeetings(db::Connection& conn, const access::Scope& scope,
                                 std::string_view me, std::string_view upcoming_from) {
  std::vector<db::Row> rows;
  RETURN_IF_ERROR(conn.Query(std::string(kMeetingSelect) + " ORDER BY m.held_on DESC, m.id DESC", {},
                             [&](const db::Row& r) {
                               rows.push_back(r);
                               return db::Flow::kContinue;
                             }));
  std::map<int64_t, int64_t> counts;
  RETURN_IF_ERROR(conn.Query("SELECT meeting_id, COUNT(*) FROM agenda_item GROUP BY meeting_id", {},
                             [&](const db::Row& r) {
                               counts[r.Int(0)] = r.Int(1);
                               return db::Flow::kContinue;
                             }));
  json list = json::array();
  for (const db::Row& r : rows) {
    if (!upcoming_from.empty() && r.Text(3) < upcoming_from) continue;
    if (!MeetingVisible(conn, scope, me, r)) continue;
    json m = MeetingRow(r);
    m["items"] = counts[r.Int(0)];
    list.push_back(std::move(m));
  }
  return Dump({{"meetings", list}});
}

Result<std::string> GetMeeting(db::Connection& conn, const access::Scope& scope,
                               std::string_view me, int64_t id) {
  ASSIGN_OR_RETURN(db::Row m, LoadMeetingRow(conn, scope, me, id));
  json out = MeetingRow(m);
  out["writable"] = MeetingWritable(scope, m);
  json members = json::array();
  RETURN_IF_ERROR(conn.Query("SELECT email FROM meeting_member WHERE meeting_id = ? ORDER BY email",
                             {id}, [&](const db::Row& r) {
                               members.push_back(r.Text(0));
                               return db::Flow::kContinue;
                             }));
  out["members"] = members;
  std::map<int64_t, json> actions;
  RETURN_IF_ERROR(conn.Query(
      std::string(kActionSelect) +
          " WHERE a.agenda_item_id IN (SELECT id FROM agenda_item WHERE meeting_id = ?) ORDER BY a.id",
      {id}, [&](const db::Row& r) {
        actions[r.Int(3)].push_back(ActionRow(r, m.Text(3)));
        return db::Flow::kContinue;
      }));
  json items = json::array();
  RETURN_IF_ERROR(conn.Query(
      "SELECT i.id, i.ord, i.kind, i.title, u.code, i.ref, i.detail, i.generated, i.minutes, "
      "i.decision, i.unit_id, u.name FROM agenda_item i LEFT JOIN unit u ON u.id = i.unit_id "
      "WHERE i.meeting_id = ? ORDER BY i.ord, i.id",
      {id}, [&](const db::Row& r) {
        if (!r.IsNull(10) && !scope.Contains(r.Int(10))) return db::Flow::kContinue;
        items.push_back({{"id", r.Int(0)},
                         {"position", r.Int(1)},
                         {"kind", r.Text(2)},
                         {"title", r.Text(3)},
                         {"organisation", r.IsNull(4) ? json(nullptr) : json(r.Text(4))},
                         {"organisation_name", r.IsNull(11) ? json(nullptr) : json(r.Text(11))},
                         {"ref", r.Text(5)},
                         {"detail", r.Text(6)},
                         {"generated", r.Int(7) != 0},
                         {"minutes", r.Text(8)},
                         {"decision", r.Text(9)},
                         {"actions", actions.count(r.Int(0)) ? actions[r.Int(0)] : json::array()}});
        return db::Flow::kContinue;
      }));
  out["agenda"] = items;
  return Dump(out);
}

Result<std::string> GenerateAgenda(db::Connection& conn, const access::Acting& who,
                                   const access::Scope& scope, std::string_view me, int64_t id) {
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(db::Row m, WritableMeeting(conn, scope, me, id));
  RETURN_IF_ERROR(Regenerate(conn, scope, m));
  RETURN_IF_ERROR(access::RecordAudit(conn, who, "agenda.generate", IdText("meeting", id), "",
                                      Dump({{"held_on", m.Text(3)}})));
  RETURN_IF_ERROR(tx.Commit());
  return GetMeeting(conn, scope, me, id);
}

Result<std::string> AddAgendaItem(db::Connection& conn, const access::Acting& who,
                                  const access::Scope& scope, std::string_view me, int64_t id,
                                  std::string_view body) {
  ASSIGN_OR_RETURN(json j, ParseBody(body));
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(db::Row m, WritableMeeting(conn, scope, me, id));
  Item item;
  ASSIGN_OR_RETURN(item.title, Text(j, "title", true, kShort));
  ASSIGN_OR_RETURN(item.detail, Text(j, "detail", false, kLong));
  ASSIGN_OR_RETURN(item.kind, Text(j, "kind", false, 40));
  if (item.kind.empty()) item.kind = "other";
  if (j.contains("organisation") && !j["organisation"].is_null()) {
    if (!j["organisation"].is_string()) return FieldError("organisation", "must be a code");
    json one = {{"organisation", json::array({j["organisation"]})}};
    ASSIGN_OR_RETURN(std::vector<UnitRef> u, UnitsField(conn, scope, one, "organisation", true));
    item.unit = u[0].id;
  }
  ASSIGN_OR_RETURN(std::optional<int64_t> pos, IntField(j, "position", false, 0, 100000));
  ASSIGN_OR_RETURN(std::optional<db::Row> last,
                   conn.QueryRow("SELECT MAX(ord) FROM agenda_item WHERE meeting_id = ? AND ord < 9000",
                                 {id}));
  const int ord = pos ? static_cast<int>(*pos)
                      : (last && !last->IsNull(0) ? static_cast<int>(last->Int(0)) + 10 : 100);
  item.ref = "item:" + who.at;
  RETURN_IF_ERROR(InsertItem(conn, id, ord, item, false));
  RETURN_IF_ERROR(access::RecordAudit(conn, who, "agenda.add", IdText("meeting", id), "",
                                      Dump({{"title", item.title}, {"position", ord}})));
  RETURN_IF_ERROR(tx.Commit());
  return GetMeeting(conn, scope, me, id);
}

Result<std::string> UpdateAgendaItem(db::Connection& conn, const access::Acting& who,
                                     const access::Scope& scope, std::string_view me,
                                     int64_t meeting_id, int64_t item_id, std::string_view body) {
  ASSIGN_OR_RETURN(json j, ParseBody(body));
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(db::Row m, WritableMeeting(conn, scope, me, meeting_id));
  ASSIGN_OR_RETURN(std::optional<db::Row> item,
                   conn.QueryRow("SELECT id, ord, title, detail, minutes, decision, unit_id FROM "
                                 "agenda_item WHERE id = ? AND meeting_id = ?",
                                 {item_id, meeting_id}));
  if (!item || (!item->IsNull(6) && !scope.Contains(item->Int(6)))) {
    return NotFoundError("meeting " + std::to_string(meeting_id) + " has no item " +
                         std::to_string(item_id));
  }
  auto keep = [&](std::string_view key, size_t col, size_t max) -> Result<std::string> {
    if (!j.contains(key) || j[key].is_null()) return item->Text(col);
    return Text(j, key, key == "title", max);
  };
  ASSIGN_OR_RETURN(std::string title, keep("title", 2, kShort));
  ASSIGN_OR_RETURN(std::string detail, keep("detail", 3, kLong));
  ASSIGN_OR_RETURN(std::string minutes, keep("minutes", 4, kLong * 4));
  ASSIGN_OR_RETURN(std::string decision, keep("decision", 5, kLong));
  ASSIGN_OR_RETURN(std::optional<int64_t> pos, IntField(j, "position", false, 0, 100000));
  ASSIGN_OR_RETURN(std::vector<NewAction> actions, ActionsField(conn, j, "actions"));
  RETURN_IF_ERROR(conn.Execute(
      "UPDATE agenda_item SET title = ?, detail = ?, minutes = ?, decision = ?, ord = ? WHERE id = ?",
      {title, detail, minutes, decision, pos ? *pos : item->Int(1), item_id}));
  std::optional<int64_t> unit = item->IsNull(6) ? std::nullopt : std::optional<int64_t>(item->Int(6));
  RETURN_IF_ERROR(InsertActions(conn, who, actions, std::nullopt, std::nullopt, item_id, unit).status());
  RETURN_IF_ERROR(access::RecordAudit(
      conn, who, "agenda.update", "item " + std::to_string(item_id) + " of " + IdText("meeting", meeting_id),
      Dump({{"title", item->Text(2)}, {"minutes", item->Text(4)}, {"decision", item->Text(5)}}),
      Dump({{"title", title}, {"minutes", minutes}, {"decision", decision}, {"actions", actions.size()}})));
  RETURN_IF_ERROR(tx.Commit());
  return GetMeeting(conn, scope, me, meeting_id);
}

Result<std::string> RemoveAgendaItem(db::Connection& conn, const access::Acting& who,
                                     const access::Scope& scope, std::string_view me,
                                     int64_t meeting_id, int64_t item_id) {
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(db::Row m, WritableMeeting(conn, scope, me, meeting_id));
  ASSIGN_OR_RETURN(std::optional<db::Row> item,
                   conn.QueryRow("SELECT title, unit_id FROM agenda_item WHERE id = ? AND meeting_id = ?",
                                 {item_id, meeting_id}));
  if (!item || (!item->IsNull(1) && !scope.Contains(item->Int(1)))) {
    return NotFoundError("meeting " + std::to_string(meeting_id) + " has no item " +
                         std::to_string(item_id));
  }
  ASSIGN_OR_RETURN(std::optional<db::Row> used,
                   conn.QueryRow("SELECT 1 FROM follow_up_action WHERE agenda_item_id = ?", {item_id}));
  if (used) return FailedPreconditionError("the item has actions; it cannot be removed");
  RETURN_IF_ERROR(conn.Execute("DELETE FROM agenda_item WHERE id = ?", {item_id}));
  RETURN_IF_ERROR(access::RecordAudit(conn, who, "agenda.remove",
                                      "item " + std::to_string(item_id) + " of " + IdText("meeting", meeting_id),
                                      Dump({{"title", item->Text(0)}}), ""));
  RETURN_IF_ERROR(tx.Commit());
  return GetMeeting(conn, scope, me, meeting_id);
}

// ---------------------------------------------------------------------------------------------
// My work

Result<std::string> MyWork(db::Connection& conn, const access::Scope& scope, std::string_view me,
                           std::string_view today) {
  const std::string email = Lower(std::string(me));
  ASSIGN_OR_RETURN(std::optional<db::Row> seen,
                   conn.QueryRow("SELECT seen_at FROM work_seen WHERE email = ?", {email}));
  const std::string since = seen ? seen->Text(0) : "";
  ASSIGN_OR_RETURN(std::string concerns,
                   ListConcerns(conn, access::Scope{.all = true}, {.status = "active", .owner = email}));
  ASSIGN_OR_RETURN(std::string actions,
                   ListActions(conn, scope, {.owner = email, .status = "open", .today = std::string(today)}));
  ASSIGN_OR_RETURN(std::string meetings, ListMeetings(conn, scope, email, ""));
  json upcoming = json::array();
  const json m_doc = json::parse(meetings);
  for (const json& m : m_doc["meetings"]) {
    bool mine = m["chair"] == email;
    if (!mine) {
      ASSIGN_OR_RETURN(std::optional<db::Row> member,
                       conn.QueryRow("SELECT 1 FROM meeting_member WHERE meeting_id = ? AND email = ?",
                                     {m["id"].get<int64_t>(), email}));
      mine = member.has_value();
    }
    if (mine && m["held_on"].get<std::string>() >= today) upcoming.push_back(m);
  }
  std::reverse(upcoming.begin(), upcoming.end());
  ASSIGN_OR_RETURN(std::string risks, ListRisks(conn, access::Scope{.all = true}, ""));
  json my_risks = json::array();
  const json r_doc = json::parse(risks);
  for (const json& r : r_doc["risks"]) {
    if (r["owner"] == email && r["status"] != "closed") my_risks.push_back(r);
  }
  // What changed on my concerns and actions since I last looked (by others).
  json changed = json::array();
  RETURN_IF_ERROR(conn.Query(
      "SELECT e.concern_id, c.title, e.from_status, e.to_status, e.reason, e.actor, e.acted_at "
      "FROM concern_event e JOIN concern c ON c.id = e.concern_id WHERE c.owner = ? AND "
      "e.acted_at > ? AND e.actor <> ? ORDER BY e.acted_at DESC",
      {email, since, "user:" + email}, [&](const db::Row& r) {
        changed.push_back({{"what", "concern"}, {"id", r.Int(0)}, {"title", r.Text(1)},
                           {"change", (r.Text(2).empty() ? std::string("raised")
                                                          : r.Text(2) + " → " + r.Text(3))},
                           {"reason", r.Text(4)}, {"by", r.Text(5)}, {"at", r.Text(6)}});
        return db::Flow::kContinue;
      }));
  RETURN_IF_ERROR(conn.Query(
      "SELECT id, title, due, created_by, created_at FROM follow_up_action WHERE owner = ? AND "
      "created_at > ? AND created_by <> ? ORDER BY created_at DESC",
      {email, since, "user:" + email}, [&](const db::Row& r) {
        changed.push_back({{"what", "action"}, {"id", r.Int(0)}, {"title", r.Text(1)},
                           {"change", "assigned to you, due " + ShortDate(r.Text(2))},
                           {"reason", ""}, {"by", r.Text(3)}, {"at", r.Text(4)}});
        return db::Flow::kContinue;
      }));
  return Dump({{"email", email},
               {"since", Nullable(since)},
               {"concerns", json::parse(concerns)["concerns"]},
               {"actions", json::parse(actions)["actions"]},
               {"meetings", upcoming},
               {"risks", my_risks},
               {"changed", changed}});
}

Status MarkWorkSeen(db::Connection& conn, std::string_view me, std::string_view at) {
  const std::string email = Lower(std::string(me));
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  RETURN_IF_ERROR(conn.Execute("DELETE FROM work_seen WHERE email = ?", {email}));
  RETURN_IF_ERROR(conn.Execute("INSERT INTO work_seen (email, seen_at) VALUES (?, ?)", {email, at}));
  return tx.Commit();
}

// ---------------------------------------------------------------------------------------------
// Signals from follow-up

Status AppendFollowUpSignals(db::Connection& conn, const access::Scope& scope,
                             std::string_view as_of,
                             const std::function<int64_t(int64_t)>& org_of,
                             std::map<int64_t, std::vector<Signal>>* out) {
  constexpr int kOverdueAction = 62;
  constexpr int kRiskMetricConcern = 66;
  constexpr int kRiskReviewOverdue = 58;
  RETURN_IF_ERROR(conn.Query(
      "SELECT a.id, a.unit_id, u.code, a.title, a.owner, a.due, a.concern_id, "
      "(SELECT i.meeting_id FROM agenda_item i WHERE i.id = a.agenda_item_id) "
      "FROM follow_up_action a JOIN unit u ON u.id = a.unit_id "
      "WHERE a.status = 'open' AND a.due < ? AND a.created_at <= ?",
      {as_of, std::string(as_of) + "T99"}, [&](const db::Row& r) {
        if (!scope.Contains(r.Int(1))) return db::Flow::kContinue;
        const int64_t org = org_of(r.Int(1));
        if (org == 0) return db::Flow::kContinue;
        const std::string href = !r.IsNull(6) ? "/concerns/" + std::to_string(r.Int(6))
                                 : !r.IsNull(7) ? "/meetings/" + std::to_string(r.Int(7))
                                                : "/my-work";
        (*out)[org].push_back({.source = "action", .unit = r.Text(2), .date = r.Text(5),
                               .weight = kOverdueAction,
                               .reason = "Action overdue since " + ShortDate(r.Text(5)) + ": " +
                                         r.Text(3) + " (owner " + r.Text(4) + ")",
                               .href = href});
        return db::Flow::kContinue;
      }));
  RETURN_IF_ERROR(conn.Query(
      "SELECT r.id, ru.unit_id, u.code, r.title, r.review_by, r.consequence * r.likelihood "
      "FROM risk r JOIN risk_unit ru ON ru.risk_id = r.id JOIN unit u ON u.id = ru.unit_id "
      "WHERE r.status <> 'closed' AND r.review_by <> '' AND r.review_by < ?",
      {as_of}, [&](const db::Row& r) {
        if (!scope.Contains(r.Int(1))) return db::Flow::kContinue;
        const int64_t org = org_of(r.Int(1));
        if (org == 0) return db::Flow::kContinue;
        const int score = static_cast<int>(r.Int(5));
        (*out)[org].push_back({.source = "risk", .unit = r.Text(2), .date = r.Text(4),
                               .weight = kRiskReviewOverdue,
                               .reason = "Review of the system risk \"" + r.Text(3) +
                                         "\" (score " + std::to_string(score) + ", " +
                                         std::string(RiskBand(score)) + ") overdue since " +
                                         ShortDate(r.Text(4)),
                               .href = "/risks/" + std::to_string(r.Int(0))});
        return db::Flow::kContinue;
      }));
  return conn.Query(
      "SELECT r.id, ru.unit_id, u.code, r.title, m.code, s.last_period FROM risk r "
      "JOIN risk_unit ru ON ru.risk_id = r.id JOIN unit u ON u.id = ru.unit_id "
      "JOIN risk_metric rm ON rm.risk_id = r.id JOIN metric m ON m.id = rm.metric_id "
      "JOIN spc_result s ON s.metric_id = rm.metric_id AND s.unit_id = ru.unit_id "
      "WHERE r.status <> 'closed' AND s.aggregate = 0 AND s.variation LIKE 'concern%'",
      {}, [&](const db::Row& r) {
        if (!scope.Contains(r.Int(1))) return db::Flow::kContinue;
        const int64_t org = org_of(r.Int(1));
        if (org == 0) return db::Flow::kContinue;
        (*out)[org].push_back({.source = "risk", .unit = r.Text(2), .metric = r.Text(4),
                               .date = r.Text(5), .weight = kRiskMetricConcern,
                               .reason = "The system risk \"" + r.Text(3) + "\" has a metric, " +
                                         r.Text(4) + ", showing special cause of concern",
                               .href = "/risks/" + std::to_string(r.Int(0))});
        return db::Flow::kContinue;
      });
}

Result<std::map<std::string, int64_t>> OpenConcernsBySignal(db::Connection& conn,
                                                            const access::Scope& scope,
                                                            std::string_view org) {
  std::map<std::string, int64_t> out;
  ASSIGN_OR_RETURN(std::optional<int64_t> u, directory::FindUnitId(conn, org));
  if (!u) return out;
  ASSIGN_OR_RETURN(std::vector<int64_t> below, UnitAndBelow(conn, *u));
  const std::set<int64_t> mine(below.begin(), below.end());
  std::map<int64_t, std::vector<int64_t>> units;
  RETURN_IF_ERROR(conn.Query("SELECT concern_id, unit_id FROM concern_unit", {},
                             [&](const db::Row& r) {
                               units[r.Int(0)].push_back(r.Int(1));
                               return db::Flow::kContinue;
                             }));
  RETURN_IF_ERROR(conn.Query(
      "SELECT c.id, s.source, s.metric FROM concern c JOIN concern_signal s ON s.concern_id = c.id "
      "WHERE c.status IN ('open', 'under_follow_up', 'escalated') ORDER BY c.id",
      {}, [&](const db::Row& r) {
        const std::vector<int64_t>& us = units[r.Int(0)];
        if (!Visible(scope, us)) return db::Flow::kContinue;
        if (std::none_of(us.begin(), us.end(), [&](int64_t x) { return mine.count(x) > 0; })) {
          return db::Flow::kContinue;
        }
        out.emplace(r.Text(1) + "|" + r.Text(2), r.Int(0));
        return db::Flow::kContinue;
      }));
  return out;
}

}  // namespace shewhart::intelligence
