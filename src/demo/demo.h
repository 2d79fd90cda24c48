// demo: fills an empty database with a system that looks true, so every screen has something to
// show.
//
// Two parts, both loaded through the ordinary imports (same validation, same provenance):
//   1. Real data: NHS England's monthly A&E statistics (data/ae_attendances.csv, Apr 2016 -
//      Mar 2019) for every provider with a type-1 department: units under a nation unit "ENG",
//      kind "acute trust", named by their ODS code (the file carries no names); metrics
//      AE4H_T1 (type-1 4-hour performance, % = 100 x (attendances - breaches) / attendances,
//      target 95, increase), AE_ATT_T1 (attendances, neutral) and AE_ADM_T1 (emergency
//      admissions from type-1 departments, neutral).
//   2. A generated Integrated Care System (fixed seed, so every run is identical): one system,
//      four places, twelve partner organisations, an acute collaborative and a peer group, 40 GP
//      practices; ~30 agreed metrics across the seven domains over 48 months (Apr 2020 -
//      Mar 2024), drawn from binomial and Poisson distributions around plausible rates with
//      winter seasonality where natural, targets, four deliberate shifts (a step at a known
//      month), two metrics whose definition changed (version 2 from April 2021 / April 2022),
//      a glossary, and monthly submission expectations for the GP practices with some late and
//      some missing returns.
//
// Example:
//   ASSIGN_OR_RETURN(DemoReport r, LoadDemo(*conn, {.ae_csv = "data/ae_attendances.csv",
//                                                  .actor = "cli:ana", .now = NowUtc()}));
#ifndef SHEWHART_DEMO_DEMO_H_
#define SHEWHART_DEMO_DEMO_H_

#include <cstdint>
#include <string>

#include "base/status.h"
#include "db/db.h"

namespace shewhart::demo {

struct DemoOptions {
  std::string ae_csv;  // path of ae_attendances.csv; "" skips the real data
  std::string actor;
  std::string now;  // ISO 8601 UTC
  uint64_t seed = 20240401;
};

struct DemoReport {
  int64_t units = 0;
  int64_t metrics = 0;
  int64_t observations = 0;
  int64_t series_recomputed = 0;
  int64_t aggregates_recomputed = 0;
};

// The default location of the A&E file in the source tree this binary was built from.
std::string DefaultAeCsvPath();

// Loads the demo in one transaction. FailedPrecondition if the database already holds units
// (the demo fills an EMPTY database); REQUIRES: the schema is migrated (schema::MigrateAll).
Result<DemoReport> LoadDemo(db::Connection& conn, const DemoOptions& options);

}  // namespace shewhart::demo

#endif  // SHEWHART_DEMO_DEMO_H_
