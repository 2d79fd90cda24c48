// capability dashboard: the numbers of an organisation's (or the system's) QI community on a day —
// people in each tier, people who attended training in the 12 months to that day, active
// coaches, projects led by the community of practice — and the self-sustainability index with
// each of its parts (definitions and a hand-worked example: docs/capability.md).
//
// Thread-compatible (reads only).
//
// Example:
//   ASSIGN_OR_RETURN(Dashboard d, CapabilityOn(*conn, "RAA", "2024-05-01"));
//   std::cout << d.learn << " " << d.self_sustainability.index.value_or(0);
#ifndef SHEWHART_CAPABILITY_DASHBOARD_H_
#define SHEWHART_CAPABILITY_DASHBOARD_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "capability/people.h"
#include "db/db.h"

namespace shewhart::capability {

// One part of the self-sustainability index: value = numerator / denominator (nullopt when the
// denominator is 0 or the data does not exist yet), score = min(value / target, 1).
struct SustainabilityPart {
  std::string name;         // "in_house_delivery", ...
  std::string description;  // one line, what is divided by what
  int64_t numerator = 0, denominator = 0;
  std::optional<double> value;
  double target = 0;
  std::optional<double> score;
};

struct Sustainability {
  std::optional<double> index;  // 0-100: 100 x the mean score of the parts with a value
  std::vector<SustainabilityPart> parts;
};

struct Dashboard {
  std::string organisation;  // "" = the whole system
  std::string as_of;         // YYYY-MM-DD
  int64_t people = 0;
  int64_t learn = 0, live = 0, lead = 0;  // people in each tier on as_of
  int64_t attended = 0;                   // people who attended training in the 12 months to as_of
  int64_t coaches = 0;                    // people coaching in a relationship open on as_of
  int64_t projects_led_by_community = 0;
  double coaching_hours = 0;  // hours of coaching sessions held in the 12 months to as_of (by
                              // coaches of the organisation)
  Sustainability self_sustainability;
  std::string latest_evidence;  // the latest attendance or coaching date in the register ("")
};

// The dashboard of `organisation` (a unit code; the people of it and every unit below it; "" =
// everyone) on `as_of` (YYYY-MM-DD). NotFound for an unknown organisation; InvalidArgument for a
// malformed date. The numbers are computed from `Register` as docs/capability.md defines them.
Result<Dashboard> CapabilityOn(db::Connection& conn, std::string_view organisation,
                               std::string_view as_of);

// The same on a register already loaded, restricted to the people whose unit is in `units`
// (empty = everyone). Pure.
Dashboard ComputeDashboard(const Register& reg, const std::vector<int64_t>& units,
                           std::string_view as_of, int64_t projects_led_by_community,
                           int64_t active_projects);

// Active projects, and those led by members of the QI community (people in the register at Live
// or Lead), from the improvement part's `improvement_project` table when it exists (columns
// `unit_id`, `lead_email`, `status`; active = status not 'closed' / 'abandoned'); 0 and 0 until
// then.
struct ProjectCounts {
  int64_t active = 0, led_by_community = 0;
};
Result<ProjectCounts> CountProjects(db::Connection& conn, const Register& reg,
                                    const std::vector<int64_t>& units, std::string_view as_of);

}  // namespace shewhart::capability

#endif  // SHEWHART_CAPABILITY_DASHBOARD_H_
