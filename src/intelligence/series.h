// intelligence: counts become series. Incidents (all, by harm level, by category) and complaints
// (all, by subject) per organisation per month are stored as observations of system metrics and
// go through the same stored SPC engine as every other metric (oversight/spc_store.h), so a rise
// in serious incidents is a special-cause signal like any other.
//
// The metrics (created, agreed, on first use; chart type "c": counts of events in equal months):
//   PSI_ALL                 patient safety incidents (by the month they occurred)
//   PSI_HARM_<LEVEL>        ... with that level of harm (NONE, LOW, MODERATE, SEVERE, FATAL)
//   PSI_HARM_MODERATE_PLUS  ... with moderate harm or worse
//   PSI_CAT_<CATEGORY>      ... in that category (e.g. PSI_CAT_FALLS)
//   CMP_ALL                 complaints received (by the month received)
//   CMP_SUBJ_<SUBJECT>      ... about that subject (e.g. CMP_SUBJ_COMMUNICATIONS)
// A record at a ward, team or care home counts for the ORGANISATION above it. Each series runs
// from the organisation's first month with a record of the kind to the latest month with a record
// of the kind anywhere; months without records count 0. Series are written as observations of an
// import batch of kind "intelligence counts" (corrections keep history, as for any import).
//
// Writes run in the caller's transaction. Thread-compatible.
//
// Example:
//   ASSIGN_OR_RETURN(SeriesReport r, RefreshCountSeries(*conn, IncidentKind(), {unit_id},
//                                                       "cli:ana", now));
#ifndef SHEWHART_INTELLIGENCE_SERIES_H_
#define SHEWHART_INTELLIGENCE_SERIES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "db/db.h"
#include "intelligence/records.h"

namespace shewhart::intelligence {

struct SeriesReport {
  int64_t series = 0;      // organisations' series recomputed
  int64_t aggregates = 0;  // system series recomputed
};

// Brings the count series of the organisations of `unit_ids` up to date for `kind` (incidents
// or complaints; any other kind has none: returns zeros).
Result<SeriesReport> RefreshCountSeries(db::Connection& conn, const Kind& kind,
                                        const std::vector<int64_t>& unit_ids,
                                        std::string_view actor, std::string_view at);

// "FALLS" from "Falls", "PRIVACY_DIGNITY_AND_WELLBEING" from "Privacy, dignity and wellbeing".
std::string CodeWord(std::string_view text);

// True for the metric codes this module writes (PSI_*, CMP_*); *source is "incident" or
// "complaint".
bool IsCountMetric(std::string_view metric_code, std::string_view* source);

}  // namespace shewhart::intelligence

#endif  // SHEWHART_INTELLIGENCE_SERIES_H_
