// Definitions drive results: the lifecycle steps of a metric's definition (dictionary.h) that
// change what the stored results say, done together with the recomputation. Agreeing a version
// (a new target, a new direction, a new chart type, a new version with its applies_from) or
// retiring one recomputes every stored series of the metric — each unit's and each aggregate —
// in the SAME transaction, so the chart shows the new target and the "definition changed"
// restart at once, never "after some later import". Drafts never govern stored results
// (spc_store.h, GoverningDefinition).
//
// Thread-compatible.
//
// Example:
//   ASSIGN_OR_RETURN(DefinitionOutcome r, AgreeDefinition(*conn, "FALLS", 2, who));
//   r.recomputed.series;  // every unit's FALLS series, recomputed under version 2
#ifndef SHEWHART_OVERSIGHT_DEFINITIONS_H_
#define SHEWHART_OVERSIGHT_DEFINITIONS_H_

#include <cstdint>
#include <string_view>

#include "access/audit.h"
#include "base/status.h"
#include "db/db.h"
#include "dictionary/dictionary.h"
#include "oversight/spc_store.h"

namespace shewhart::oversight {

struct DefinitionOutcome {
  dictionary::MetricVersion before;  // the version as it was before the step
  RecomputeStats recomputed;
};

// dictionary::AgreeVersion then RecomputeMetricSpc, in one transaction (or the caller's). Errors
// as dictionary::AgreeVersion's; nothing is written when either fails.
Result<DefinitionOutcome> AgreeDefinition(db::Connection& conn, std::string_view code,
                                          int32_t version, const access::Acting& who);

// dictionary::RetireVersion then RecomputeMetricSpc, in one transaction.
Result<DefinitionOutcome> RetireDefinition(db::Connection& conn, std::string_view code,
                                           int32_t version, const access::Acting& who);

}  // namespace shewhart::oversight

#endif  // SHEWHART_OVERSIGHT_DEFINITIONS_H_
