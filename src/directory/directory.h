// directory: who is who in a system — the system itself, its places, its organisations (with
// their NHS ODS codes and kinds), collaboratives and peer groups, and the units below an
// organisation (sites, wards, teams) or across it (population segments). Renames, mergers and
// closures keep history.
//
// Every unit has a unique `code`: the ODS code where the unit has one (RJZ, Y01234), else a local
// code (a place "NWP", the system "QHL"). A unit may have a parent (a place within a system, an
// organisation within a place, a ward within a trust) and may belong to groups (collaboratives,
// peer groups) through memberships. A merged organisation is closed on a date with a successor.
//
// The Directory class is an in-memory snapshot for validation and aggregation: load it once per
// import (thousands of units load in milliseconds), look codes up without touching the database.
//
// Thread-compatible.
//
// Example:
//   RETURN_IF_ERROR(schema::MigrateAll(*conn));  // directory::Migrations() among the rest
//   ASSIGN_OR_RETURN(directory::Directory dir, directory::Directory::Load(*conn));
//   const directory::Unit* u = dir.FindByCode("RJZ");
//   std::vector<int64_t> roots = dir.AggregateRoots(u->id);  // the systems it belongs to
#ifndef SHEWHART_DIRECTORY_DIRECTORY_H_
#define SHEWHART_DIRECTORY_DIRECTORY_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "db/db.h"
#include "db/migrate.h"

namespace shewhart::directory {

// The kinds a unit may have, as written in files (lower case).
//   aggregate roots:  "system" (an Integrated Care System), "nation"
//   places:           "place"
//   organisations:    "acute trust", "community trust", "mental health trust",
//                     "ambulance trust", "gp practice", "primary care network",
//                     "local authority", "care home", "hospice", "voluntary sector",
//                     "commissioner", "independent provider", "other organisation"
//   groups:           "collaborative", "peer group"
//   below or across:  "site", "ward", "team", "segment" (e.g. a deprivation quintile)
std::span<const std::string_view> Kinds();
bool IsKnownKind(std::string_view kind);
bool IsAggregateRootKind(std::string_view kind);  // system, nation
bool IsGroupKind(std::string_view kind);          // collaborative, peer group
bool IsOrganisationKind(std::string_view kind);   // the organisation kinds above

struct Unit {
  int64_t id = 0;
  std::string code;
  std::string name;
  std::string kind;
  std::optional<int64_t> parent_id;
  std::string opened;                   // YYYY-MM-DD or ""
  std::string closed;                   // YYYY-MM-DD or ""
  std::optional<int64_t> successor_id;  // who took over on a merger
  std::vector<int64_t> group_ids;       // collaboratives and peer groups it belongs to (sorted)
};

// The schema of this part (units, memberships, history). Versions 100-199.
std::span<const db::Migration> Migrations();

class Directory {
 public:
  // Reads every unit and membership.
  static Result<Directory> Load(db::Connection& conn);

  // nullptr when absent. Pointers stay valid until the Directory is destroyed.
  const Unit* FindByCode(std::string_view code) const;
  const Unit* FindById(int64_t id) const;
  const std::vector<Unit>& units() const { return units_; }

  // Ids of the units of aggregate-root kind (system, nation) at or above `unit_id` following
  // parents, nearest first. Empty when none.
  std::vector<int64_t> AggregateRoots(int64_t unit_id) const;
  // True if `unit_id` is an organisation whose parent chain reaches `root_id`.
  bool IsOrganisationUnder(int64_t unit_id, int64_t root_id) const;

 private:
  std::vector<Unit> units_;
  std::unordered_map<std::string, size_t> by_code_;
  std::unordered_map<int64_t, size_t> by_id_;
};

// Writes. Each is attributed to `actor` at `at` (ISO 8601 UTC timestamp) and must run inside the
// caller's transaction when several belong together.
//
// Inserts `unit` (ignoring unit.id and group_ids) and returns its new id. AlreadyExists if the
// code is taken.
// The id of the unit (organisation, place, ward...) with `code`: nullopt when there is none.
// Codes are compared exactly (callers trim what people typed).
Result<std::optional<int64_t>> FindUnitId(db::Connection& conn, std::string_view code);
// As FindUnitId, but NotFound ("there is no organisation or unit \"X\"") when there is none.
Result<int64_t> UnitIdByCode(db::Connection& conn, std::string_view code);

Result<int64_t> InsertUnit(db::Connection& conn, const Unit& unit, std::string_view actor,
                           std::string_view at);
// Updates the unit with id `after.id` from `before` to `after` (not group_ids), writing one
// history row per changed field (name, kind, parent, opened, closed, successor) with the old and
// new value: a rename or merger is never silent.
Status UpdateUnit(db::Connection& conn, const Unit& before, const Unit& after,
                  std::string_view actor, std::string_view at);
// Replaces the groups `unit_id` belongs to (ids sorted). Unless `new_unit`, a change writes a
// history row "groups" with the old and new group codes (`old_text`, `new_text`).
Status SetGroups(db::Connection& conn, int64_t unit_id, const std::vector<int64_t>& old_groups,
                 const std::vector<int64_t>& new_groups, std::string_view old_text,
                 std::string_view new_text, bool new_unit, std::string_view actor,
                 std::string_view at);

struct UnitHistoryEntry {
  std::string field;
  std::string old_value;
  std::string new_value;
  std::string changed_by;
  std::string changed_at;
};
// The history of one unit, oldest first.
Result<std::vector<UnitHistoryEntry>> History(db::Connection& conn, int64_t unit_id);

}  // namespace shewhart::directory

#endif  // SHEWHART_DIRECTORY_DIRECTORY_H_
