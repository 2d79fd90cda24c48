// capability measures: each of NWS's measures as a system metric in the dictionary, computed
// monthly per organisation and for the system, so it charts as an SPC series like any other
// (oversight/spc_store.h) — the way intelligence/series.h turns counts into series.
//
// The metrics (created and agreed on first use; domain "improvement capability"; monthly):
//   CAP_LEARN, CAP_LIVE, CAP_LEAD   people in each tier at the end of the month (xmr)
//   CAP_ATTENDED                     people who attended training in the month (c)
//   CAP_COACHING_HOURS               hours of coaching sessions held in the month (xmr)
//   CAP_PROJECTS_COMMUNITY           active projects led by the community at the month's end (xmr)
//   CAP_SSI                          the self-sustainability index at the month's end (xmr)
// A person counts for the organisation of their unit (the unit itself or the nearest organisation
// above it); the system's unit (kind "system") gets the measures of everyone. Series run from the
// first month with training or coaching to the month of the latest; written as observations of
// an import batch of kind "capability measures" (a change later is a correction, with history).
//
// Writes run in the caller's transaction. Thread-compatible.
//
// Example:
//   ASSIGN_OR_RETURN(MeasuresReport r, RefreshCapabilityMeasures(*conn, "cli:ana", now));
#ifndef SHEWHART_CAPABILITY_MEASURES_H_
#define SHEWHART_CAPABILITY_MEASURES_H_

#include <cstdint>
#include <string_view>

#include "base/status.h"
#include "db/db.h"

namespace shewhart::capability {

struct MeasuresReport {
  int64_t months = 0;        // months computed
  int64_t units = 0;         // organisations (and the system) with series
  int64_t observations = 0;  // observations added or corrected
  int64_t series = 0;        // series whose SPC was recomputed
};

Result<MeasuresReport> RefreshCapabilityMeasures(db::Connection& conn, std::string_view actor,
                                                 std::string_view at);

}  // namespace shewhart::capability

#endif  // SHEWHART_CAPABILITY_MEASURES_H_
