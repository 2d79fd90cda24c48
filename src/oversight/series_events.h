// Series events: what happened to a series at a date, so that a chart tells the story of what was
// done and when. Two kinds:
//   - a recalculation (rebase): the process changed at this period for a stated reason; the limits
//     are recalculated from there. Adding one recomputes the stored result of the series
//     (spc_store.h), whose groups then carry the reason;
//   - an annotation: a PDSA cycle, a change, an event — text shown on the chart, nothing
//     recomputed.
// An event belongs to one series (metric, unit, own or aggregate) and one of its periods. Its text
// is required (non-empty after trimming spaces), at most kMaxSeriesEventTextBytes, and must not
// contain an NHS number: Shewhart holds no patient-identifiable data.
//
// Writes run in the caller's transaction (the caller records the audit entry in the same one).
// Thread-compatible.
//
// Example:
//   ASSIGN_OR_RETURN(SeriesKey key, FindSeries(*conn, "AE4H", "RJZ", /*aggregate=*/false));
//   ASSIGN_OR_RETURN(RecalculationOutcome r,
//                    AddRecalculation(*conn, {.series = key, .period = "2021-01-01",
//                                             .text = "New triage model", .created_by =
//                                             "ana@nhs.net"},
//                                     now));
//   r.groups_after;  // [..., {"begin":12, ..., "reason":"New triage model"}]
//   ASSIGN_OR_RETURN(auto notes, ListEvents(*conn, key, SeriesEventKind::kAnnotation));
#ifndef SHEWHART_OVERSIGHT_SERIES_EVENTS_H_
#define SHEWHART_OVERSIGHT_SERIES_EVENTS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "access/audit.h"
#include "base/status.h"
#include "db/db.h"
#include "db/migrate.h"
#include "oversight/spc_store.h"

namespace shewhart::oversight {

enum class SeriesEventKind { kRecalculation, kAnnotation };

// "recalculation" or "annotation", as stored.
std::string_view Name(SeriesEventKind kind);

inline constexpr size_t kMaxSeriesEventTextBytes = 2000;

// The series_event table (version 402); oversight::Migrations() lists it with the part's others.
std::span<const db::Migration> SeriesEventMigrations();

struct NewSeriesEvent {
  SeriesKey series;
  std::string period;      // YYYY-MM-DD, one of the series' periods
  std::string text;        // the reason (recalculation) or what happened (annotation)
  std::string created_by;  // who: an e-mail address, or "cli"
};

struct SeriesEvent {
  int64_t id = 0;
  SeriesKey series;
  std::string period;  // YYYY-MM-DD
  SeriesEventKind kind = SeriesEventKind::kAnnotation;
  std::string text;  // trimmed
  std::string created_by;
  std::string created_at;  // ISO 8601 UTC
};

// The key of the series of `metric_code` at `unit_code`. NotFound for an unknown metric or unit
// (the series itself need not have a stored result).
Result<SeriesKey> FindSeries(db::Connection& conn, std::string_view metric_code,
                             std::string_view unit_code, bool aggregate);

struct RecalculationOutcome {
  SeriesEvent event;
  std::string groups_before;  // the stored groups (GroupsJson of StoredSpcResult::groups) before,
  std::string groups_after;   // and after the recompute
};

// Records a recalculation and recomputes the stored result of the series (an own series also
// recomputes the aggregates above its unit, as after an import). Errors:
//   InvalidArgument — no reason, a reason too long or with an NHS number, a malformed period, a
//                     period that is not one of the series' periods, or its first period (the
//                     first group starts there anyway);
//   NotFound        — the series has no stored result (no observations);
//   AlreadyExists   — the limits are already recalculated from that period (by a person or a
//                     change of definition).
// `at` is the time (ISO 8601 UTC), stored as created_at and the recompute time.
// Runs in its own transaction (or the caller's) and records the audit entry
// "series.recalculate", "METRIC UNIT[ aggregate]", {"groups"} -> {"period", "reason", "groups"}.
Result<RecalculationOutcome> AddRecalculation(db::Connection& conn, const NewSeriesEvent& event,
                                              const access::Acting& who);

// Undoes a recalculation a person recorded (the event `id` of kind recalculation on `series`):
// removes it and recomputes the series (and the aggregates above its unit), in one transaction,
// audited as "series.recalculation_undo", target as above, {"id", "period", "reason",
// "created_by", "created_at", "groups"} -> {"groups"}. Returns the removed event in `event`.
// NotFound when the series has no such recalculation (a definition's restart is not undone
// here: it follows the definition).
Result<RecalculationOutcome> UndoRecalculation(db::Connection& conn, const SeriesKey& series,
                                               int64_t id, const access::Acting& who);

// Records an annotation. Errors: InvalidArgument for the text and period as above (any period of
// the series, the first included); NotFound when the series has no stored result.
// Audited as "series.annotate" (target as above; after: id, period, text), in its own
// transaction or the caller's.
Result<SeriesEvent> AddAnnotation(db::Connection& conn, const NewSeriesEvent& event,
                                  const access::Acting& who);

// The events of a series in period order (then in the order recorded); only those of `kind` when
// given. Empty for a series without any.
Result<std::vector<SeriesEvent>> ListEvents(db::Connection& conn, const SeriesKey& series,
                                            std::optional<SeriesEventKind> kind = std::nullopt);

}  // namespace shewhart::oversight

#endif  // SHEWHART_OVERSIGHT_SERIES_EVENTS_H_
