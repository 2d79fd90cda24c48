#include "directory/directory.h"

#include <algorithm>
#include <array>
#include <unordered_set>

namespace shewhart::directory {
namespace {

constexpr std::string_view kSelectUnitIdByCode = "SELECT id FROM unit WHERE code = ?";
constexpr std::array<std::string_view, 23> kKinds = {"system",
                                                     "nation",
                                                     "place",
                                                     "acute trust",
                                                     "community trust",
                                                     "mental health trust",
                                                     "ambulance trust",
                                                     "gp practice",
                                                     "primary care network",
                                                     "local authority",
                                                     "care home",
                                                     "hospice",
                                                     "voluntary sector",
                                                     "commissioner",
                                                     "independent provider",
                                                     "other organisation",
                                                     "collaborative",
                                                     "peer group",
                                                     "site",
                                                     "ward",
                                                     "team",
                                                     "segment",
                                                     "care homes collaborative"};

constexpr db::Migration kMigrations[] = {
    {101, "directory: units, memberships, history",
     R"sql(
CREATE TABLE unit (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  parent_id INTEGER REFERENCES unit(id),
  opened TEXT,
  closed TEXT,
  successor_id INTEGER REFERENCES unit(id),
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX unit_parent ON unit(parent_id);
CREATE TABLE unit_membership (
  group_id INTEGER NOT NULL REFERENCES unit(id),
  member_id INTEGER NOT NULL REFERENCES unit(id),
  PRIMARY KEY (group_id, member_id)
);
CREATE TABLE unit_history (
  id INTEGER PRIMARY KEY,
  unit_id INTEGER NOT NULL REFERENCES unit(id),
  field TEXT NOT NULL,
  old_value TEXT,
  new_value TEXT,
  changed_by TEXT NOT NULL,
  changed_at TEXT NOT NULL
);
CREATE INDEX unit_history_unit ON unit_history(unit_id);
)sql",
     R"sql(
CREATE TABLE unit (
  id BIGSERIAL PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  parent_id BIGINT REFERENCES unit(id),
  opened TEXT,
  closed TEXT,
  successor_id BIGINT REFERENCES unit(id),
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX unit_parent ON unit(parent_id);
CREATE TABLE unit_membership (
  group_id BIGINT NOT NULL REFERENCES unit(id),
  member_id BIGINT NOT NULL REFERENCES unit(id),
  PRIMARY KEY (group_id, member_id)
);
CREATE TABLE unit_history (
  id BIGSERIAL PRIMARY KEY,
  unit_id BIGINT NOT NULL REFERENCES unit(id),
  field TEXT NOT NULL,
  old_value TEXT,
  new_value TEXT,
  changed_by TEXT NOT NULL,
  changed_at TEXT NOT NULL
);
CREATE INDEX unit_history_unit ON unit_history(unit_id);
)sql"},
};

constexpr std::string_view kSelectUnits =
    "SELECT id, code, name, kind, parent_id, opened, closed, successor_id FROM unit ORDER BY id";
constexpr std::string_view kSelectMemberships =
    "SELECT member_id, group_id FROM unit_membership ORDER BY member_id, group_id";
constexpr std::string_view kInsertUnit =
    "INSERT INTO unit (code, name, kind, parent_id, opened, closed, successor_id, created_by, "
    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
constexpr std::string_view kUpdateUnit =
    "UPDATE unit SET name = ?, kind = ?, parent_id = ?, opened = ?, closed = ?, successor_id = ? "
    "WHERE id = ?";
constexpr std::string_view kInsertHistory =
    "INSERT INTO unit_history (unit_id, field, old_value, new_value, changed_by, changed_at) "
    "VALUES (?, ?, ?, ?, ?, ?)";
constexpr std::string_view kDeleteMemberships = "DELETE FROM unit_membership WHERE member_id = ?";
constexpr std::string_view kInsertMembership =
    "INSERT INTO unit_membership (group_id, member_id) VALUES (?, ?)";
constexpr std::string_view kSelectHistory =
    "SELECT field, old_value, new_value, changed_by, changed_at FROM unit_history "
    "WHERE unit_id = ? ORDER BY id";

db::Value TextOrNull(std::string_view s) { return s.empty() ? db::Value() : db::Value(s); }

std::string IdText(const std::optional<int64_t>& id) {
  return id ? std::to_string(*id) : std::string();
}

}  // namespace

std::span<const std::string_view> Kinds() { return kKinds; }

bool IsKnownKind(std::string_view kind) {
  return std::find(kKinds.begin(), kKinds.end(), kind) != kKinds.end();
}
bool IsAggregateRootKind(std::string_view kind) { return kind == "system" || kind == "nation"; }
bool IsGroupKind(std::string_view kind) {
  return kind == "collaborative" || kind == "peer group" || kind == "care homes collaborative";
}
bool IsOrganisationKind(std::string_view kind) {
  return IsKnownKind(kind) && !IsAggregateRootKind(kind) && !IsGroupKind(kind) && kind != "place" &&
         kind != "site" && kind != "ward" && kind != "team" && kind != "segment";
}

std::span<const db::Migration> Migrations() { return kMigrations; }

Result<Directory> Directory::Load(db::Connection& conn) {
  Directory d;
  RETURN_IF_ERROR(conn.Query(kSelectUnits, {}, [&](const db::Row& r) {
    Unit u;
    u.id = r.Int(0);
    u.code = r.Text(1);
    u.name = r.Text(2);
    u.kind = r.Text(3);
    u.parent_id = r.OptionalInt(4);
    u.opened = r.OptionalText(5).value_or("");
    u.closed = r.OptionalText(6).value_or("");
    u.successor_id = r.OptionalInt(7);
    d.by_code_[u.code] = d.units_.size();
    d.by_id_[u.id] = d.units_.size();
    d.units_.push_back(std::move(u));
    return db::Flow::kContinue;
  }));
  RETURN_IF_ERROR(conn.Query(kSelectMemberships, {}, [&](const db::Row& r) {
    const auto it = d.by_id_.find(r.Int(0));
    if (it != d.by_id_.end()) d.units_[it->second].group_ids.push_back(r.Int(1));
    return db::Flow::kContinue;
  }));
  return d;
}

const Unit* Directory::FindByCode(std::string_view code) const {
  const auto it = by_code_.find(std::string(code));
  return it == by_code_.end() ? nullptr : &units_[it->second];
}

const Unit* Directory::FindById(int64_t id) const {
  const auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &units_[it->second];
}

std::vector<int64_t> Directory::AggregateRoots(int64_t unit_id) const {
  std::vector<int64_t> roots;
  std::unordered_set<int64_t> seen;  // guards against a parent cycle
  const Unit* u = FindById(unit_id);
  while (u != nullptr && seen.insert(u->id).second) {
    if (IsAggregateRootKind(u->kind)) roots.push_back(u->id);
    u = u->parent_id ? FindById(*u->parent_id) : nullptr;
  }
  return roots;
}

bool Directory::IsOrganisationUnder(int64_t unit_id, int64_t root_id) const {
  const Unit* u = FindById(unit_id);
  if (u == nullptr || !IsOrganisationKind(u->kind)) return false;
  const std::vector<int64_t> roots = AggregateRoots(unit_id);
  return std::find(roots.begin(), roots.end(), root_id) != roots.end();
}

Result<std::optional<int64_t>> FindUnitId(db::Connection& conn, std::string_view code) {
  ASSIGN_OR_RETURN(std::optional<db::Row> row, conn.QueryRow(kSelectUnitIdByCode, {code}));
  if (!row) return std::optional<int64_t>();
  return std::optional<int64_t>(row->Int(0));
}

Result<int64_t> UnitIdByCode(db::Connection& conn, std::string_view code) {
  ASSIGN_OR_RETURN(std::optional<int64_t> id, FindUnitId(conn, code));
  if (!id) return NotFoundError("there is no organisation or unit \"" + std::string(code) + "\"");
  return *id;
}

Result<int64_t> InsertUnit(db::Connection& conn, const Unit& u, std::string_view actor,
                           std::string_view at) {
  return conn.ExecuteReturningId(
      kInsertUnit, {u.code, u.name, u.kind, u.parent_id, TextOrNull(u.opened), TextOrNull(u.closed),
                    u.successor_id, actor, at});
}

Status UpdateUnit(db::Connection& conn, const Unit& before, const Unit& after,
                  std::string_view actor, std::string_view at) {
  struct Field {
    const char* name;
    std::string old_value;
    std::string new_value;
  };
  const Field fields[] = {
      {"name", before.name, after.name},
      {"kind", before.kind, after.kind},
      {"parent", IdText(before.parent_id), IdText(after.parent_id)},
      {"opened", before.opened, after.opened},
      {"closed", before.closed, after.closed},
      {"successor", IdText(before.successor_id), IdText(after.successor_id)},
  };
  bool changed = false;
  for (const Field& f : fields) {
    if (f.old_value == f.new_value) continue;
    changed = true;
    RETURN_IF_ERROR(conn.Execute(kInsertHistory, {before.id, f.name, TextOrNull(f.old_value),
                                                  TextOrNull(f.new_value), actor, at}));
  }
  if (!changed) return Status::Ok();
  return conn.Execute(kUpdateUnit,
                      {after.name, after.kind, after.parent_id, TextOrNull(after.opened),
                       TextOrNull(after.closed), after.successor_id, before.id});
}

Status SetGroups(db::Connection& conn, int64_t unit_id, const std::vector<int64_t>& old_groups,
                 const std::vector<int64_t>& new_groups, std::string_view old_text,
                 std::string_view new_text, bool new_unit, std::string_view actor,
                 std::string_view at) {
  if (old_groups == new_groups) return Status::Ok();
  RETURN_IF_ERROR(conn.Execute(kDeleteMemberships, {unit_id}));
  for (const int64_t g : new_groups) RETURN_IF_ERROR(conn.Execute(kInsertMembership, {g, unit_id}));
  if (new_unit) return Status::Ok();  // a first assignment is not a change
  return conn.Execute(kInsertHistory,
                      {unit_id, "groups", TextOrNull(old_text), TextOrNull(new_text), actor, at});
}

Result<std::vector<UnitHistoryEntry>> History(db::Connection& conn, int64_t unit_id) {
  std::vector<UnitHistoryEntry> out;
  RETURN_IF_ERROR(conn.Query(kSelectHistory, {unit_id}, [&](const db::Row& r) {
    out.push_back({r.Text(0), r.OptionalText(1).value_or(""), r.OptionalText(2).value_or(""),
                   r.Text(3), r.Text(4)});
    return db::Flow::kContinue;
  }));
  return out;
}

}  // namespace shewhart::directory
