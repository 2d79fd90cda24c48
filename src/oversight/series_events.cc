#include "oversight/series_events.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "access/audit.h"
#include "base/date.h"
#include "base/text_checks.h"
#include "dictionary/dictionary.h"
#include "directory/directory.h"

namespace shewhart::oversight {
namespace {

// What happened to a series at a date: written here, read by the stored-result recompute
// (spc_store.cc) because a recalculation changes the stored result. One recalculation per period
// of a series.
#define SHEWHART_SERIES_EVENT_SCHEMA(PK, FK)                                                   \
  "CREATE TABLE series_event (\n"                                                              \
  "  id " PK                                                                                   \
  ",\n"                                                                                        \
  "  metric_id " FK                                                                            \
  " NOT NULL REFERENCES metric(id),\n"                                                         \
  "  unit_id " FK                                                                              \
  " NOT NULL REFERENCES unit(id),\n"                                                           \
  "  aggregate INTEGER NOT NULL CHECK (aggregate IN (0, 1)),\n"                                \
  "  period TEXT NOT NULL,\n"                                                                  \
  "  kind TEXT NOT NULL CHECK (kind IN ('recalculation', 'annotation')),\n"                    \
  "  text TEXT NOT NULL,\n"                                                                    \
  "  created_by TEXT NOT NULL,\n"                                                              \
  "  created_at TEXT NOT NULL\n"                                                               \
  ");\n"                                                                                       \
  "CREATE INDEX series_event_series ON series_event(metric_id, unit_id, aggregate, period);\n" \
  "CREATE INDEX series_event_unit ON series_event(unit_id);\n"                                 \
  "CREATE UNIQUE INDEX series_event_one_recalculation "                                        \
  "ON series_event(metric_id, unit_id, aggregate, period) WHERE kind = 'recalculation';\n"

constexpr db::Migration kMigrations[] = {
    {402, "oversight: series events (recalculations, annotations)",
     SHEWHART_SERIES_EVENT_SCHEMA("INTEGER PRIMARY KEY", "INTEGER"),
     SHEWHART_SERIES_EVENT_SCHEMA("BIGSERIAL PRIMARY KEY", "BIGINT")},
};

constexpr std::string_view kSelectRecalculationAt =
    "SELECT id FROM series_event WHERE metric_id = ? AND unit_id = ? AND aggregate = ? "
    "AND period = ? AND kind = 'recalculation'";
constexpr std::string_view kInsert =
    "INSERT INTO series_event (metric_id, unit_id, aggregate, period, kind, text, created_by, "
    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
constexpr std::string_view kSelectEvents =
    "SELECT id, period, kind, text, created_by, created_at FROM series_event "
    "WHERE metric_id = ? AND unit_id = ? AND aggregate = ? ORDER BY period, id";

constexpr std::string_view kSelectEvent =
    "SELECT id, period, kind, text, created_by, created_at FROM series_event "
    "WHERE id = ? AND metric_id = ? AND unit_id = ? AND aggregate = ? AND kind = 'recalculation'";
constexpr std::string_view kDeleteEvent = "DELETE FROM series_event WHERE id = ?";

std::string Trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n\f\v";
  const size_t begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return "";
  return std::string(s.substr(begin, s.find_last_not_of(kSpace) - begin + 1));
}

// The checked, trimmed text of an event. `what` names it in messages ("the reason").
Result<std::string> CheckedText(std::string_view text, std::string_view what) {
  std::string t = Trim(text);
  if (t.empty()) return InvalidArgumentError(std::string(what) + " is required");
  if (t.size() > kMaxSeriesEventTextBytes) {
    return InvalidArgumentError(std::string(what) + " is longer than " +
                                std::to_string(kMaxSeriesEventTextBytes) + " bytes");
  }
  if (ContainsNhsNumber(t)) {
    return InvalidArgumentError(std::string(what) + " " + std::string(kNhsNumberMessage));
  }
  return t;
}

// The stored result of the series and the position of `period` among its periods.
struct Located {
  StoredSpcResult result;
  size_t index = 0;
};

Result<Located> LocatePeriod(db::Connection& conn, const SeriesKey& series,
                             std::string_view period) {
  if (period.size() != 10 || !ParseIsoDate(period)) {
    return InvalidArgumentError("\"period\" must be a date written YYYY-MM-DD");
  }
  ASSIGN_OR_RETURN(std::optional<StoredSpcResult> stored, LoadSpcResult(conn, series));
  if (!stored) return NotFoundError("no stored result for this series (no observations yet?)");
  const Date date = *ParseIsoDate(period);
  for (size_t index = 0; index < stored->points.size(); ++index) {
    if (stored->points[index].period == date) return Located{std::move(*stored), index};
  }
  return InvalidArgumentError("\"period\" " + std::string(period) +
                              " is not one of the periods of this series");
}

// The reason of the stored group that starts at `index`, if one does (after the first).
std::optional<std::string> GroupStartingAt(std::span<const StoredGroup> groups, size_t index) {
  for (size_t g = 1; g < groups.size(); ++g) {
    if (groups[g].begin == static_cast<int64_t>(index)) return groups[g].reason;
  }
  return std::nullopt;
}

Result<SeriesEvent> Insert(db::Connection& conn, const NewSeriesEvent& e, SeriesEventKind kind,
                           std::string text, std::string_view at) {
  SeriesEvent out{.series = e.series,
                  .period = e.period,
                  .kind = kind,
                  .text = std::move(text),
                  .created_by = e.created_by,
                  .created_at = std::string(at)};
  ASSIGN_OR_RETURN(out.id,
                   conn.ExecuteReturningId(
                       kInsert, {e.series.metric_id, e.series.unit_id, e.series.aggregate ? 1 : 0,
                                 e.period, Name(kind), out.text, e.created_by, at}));
  return out;
}

}  // namespace

std::span<const db::Migration> SeriesEventMigrations() { return kMigrations; }

std::string_view Name(SeriesEventKind kind) {
  return kind == SeriesEventKind::kRecalculation ? "recalculation" : "annotation";
}

Result<SeriesKey> FindSeries(db::Connection& conn, std::string_view metric_code,
                             std::string_view unit_code, bool aggregate) {
  ASSIGN_OR_RETURN(const int64_t metric_id, dictionary::MetricIdByCode(conn, metric_code));
  ASSIGN_OR_RETURN(const int64_t unit_id, directory::UnitIdByCode(conn, unit_code));
  return SeriesKey{metric_id, unit_id, aggregate};
}

namespace {

constexpr std::string_view kSelectSeriesCodes =
    "SELECT m.code, u.code FROM metric m, unit u WHERE m.id = ? AND u.id = ?";

// "AE4H RJZ", "AE4H QHL aggregate": the audit target of a series.
Result<std::string> AuditTarget(db::Connection& conn, const SeriesKey& key) {
  ASSIGN_OR_RETURN(std::optional<db::Row> row,
                   conn.QueryRow(kSelectSeriesCodes, {key.metric_id, key.unit_id}));
  if (!row) return NotFoundError("the series does not exist");
  return row->Text(0) + " " + row->Text(1) + (key.aggregate ? " aggregate" : "");
}

nlohmann::json GroupsOf(const std::string& groups_json) {
  nlohmann::json groups = nlohmann::json::parse(groups_json, nullptr, false);
  return groups.is_discarded() ? nlohmann::json::array() : groups;
}

std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

Result<RecalculationOutcome> AddRecalculation(db::Connection& conn, const NewSeriesEvent& event,
                                              const access::Acting& who) {
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  const std::string_view at = who.at;
  ASSIGN_OR_RETURN(std::string reason, CheckedText(event.text, "the reason"));
  ASSIGN_OR_RETURN(Located where, LocatePeriod(conn, event.series, event.period));
  if (where.index == 0) {
    return InvalidArgumentError("\"period\" " + event.period +
                                " is the first period of the series: its first group starts "
                                "there already; recalculate from a later period");
  }
  // One recalculation per period: a second reason would be silently merged into the first.
  if (std::optional<std::string> existing = GroupStartingAt(where.result.groups, where.index)) {
    return Status(StatusCode::kAlreadyExists, "the limits are already recalculated from " +
                                                  event.period + " (" + *existing + ")");
  }
  ASSIGN_OR_RETURN(
      std::optional<db::Row> recorded,
      conn.QueryRow(kSelectRecalculationAt, {event.series.metric_id, event.series.unit_id,
                                             event.series.aggregate ? 1 : 0, event.period}));
  if (recorded) {
    return Status(StatusCode::kAlreadyExists,
                  "a recalculation from " + event.period + " is already recorded");
  }
  RecalculationOutcome out;
  out.groups_before = GroupsJson(where.result.groups);
  ASSIGN_OR_RETURN(out.event,
                   Insert(conn, event, SeriesEventKind::kRecalculation, std::move(reason), at));
  ASSIGN_OR_RETURN(directory::Directory dir, directory::Directory::Load(conn));
  ASSIGN_OR_RETURN(dictionary::Dictionary dict, dictionary::Dictionary::Load(conn));
  const SeriesKey affected[] = {event.series};
  ASSIGN_OR_RETURN(RecomputeStats stats, RecomputeSpc(conn, dir, dict, affected, at));
  (void)stats;
  ASSIGN_OR_RETURN(std::optional<StoredSpcResult> after, LoadSpcResult(conn, event.series));
  if (!after) return InternalError("the recomputed series has no stored result");
  out.groups_after = GroupsJson(after->groups);
  ASSIGN_OR_RETURN(const std::string target, AuditTarget(conn, event.series));
  RETURN_IF_ERROR(access::RecordAudit(conn, who, "series.recalculate", target,
                                      Dump({{"groups", GroupsOf(out.groups_before)}}),
                                      Dump({{"period", out.event.period},
                                            {"reason", out.event.text},
                                            {"groups", GroupsOf(out.groups_after)}})));
  RETURN_IF_ERROR(tx.Commit());
  return out;
}

Result<RecalculationOutcome> UndoRecalculation(db::Connection& conn, const SeriesKey& series,
                                               int64_t id, const access::Acting& who) {
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(std::optional<db::Row> row,
                   conn.QueryRow(kSelectEvent,
                                 {id, series.metric_id, series.unit_id, series.aggregate ? 1 : 0}));
  if (!row) {
    return NotFoundError("this series has no recalculation " + std::to_string(id) +
                         " recorded by a person");
  }
  RecalculationOutcome out;
  out.event = {.id = row->Int(0),
               .series = series,
               .period = row->Text(1),
               .kind = SeriesEventKind::kRecalculation,
               .text = row->Text(3),
               .created_by = row->Text(4),
               .created_at = row->Text(5)};
  ASSIGN_OR_RETURN(std::optional<StoredSpcResult> before, LoadSpcResult(conn, series));
  out.groups_before = before ? GroupsJson(before->groups) : "[]";
  RETURN_IF_ERROR(conn.Execute(kDeleteEvent, {id}));
  ASSIGN_OR_RETURN(directory::Directory dir, directory::Directory::Load(conn));
  ASSIGN_OR_RETURN(dictionary::Dictionary dict, dictionary::Dictionary::Load(conn));
  const SeriesKey affected[] = {series};
  ASSIGN_OR_RETURN(RecomputeStats stats, RecomputeSpc(conn, dir, dict, affected, who.at));
  (void)stats;
  ASSIGN_OR_RETURN(std::optional<StoredSpcResult> after, LoadSpcResult(conn, series));
  out.groups_after = after ? GroupsJson(after->groups) : "[]";
  ASSIGN_OR_RETURN(const std::string target, AuditTarget(conn, series));
  RETURN_IF_ERROR(access::RecordAudit(conn, who, "series.recalculation_undo", target,
                                      Dump({{"id", out.event.id},
                                            {"period", out.event.period},
                                            {"reason", out.event.text},
                                            {"created_by", out.event.created_by},
                                            {"created_at", out.event.created_at},
                                            {"groups", GroupsOf(out.groups_before)}}),
                                      Dump({{"groups", GroupsOf(out.groups_after)}})));
  RETURN_IF_ERROR(tx.Commit());
  return out;
}

Result<SeriesEvent> AddAnnotation(db::Connection& conn, const NewSeriesEvent& event,
                                  const access::Acting& who) {
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(std::string text, CheckedText(event.text, "the text"));
  ASSIGN_OR_RETURN(Located where, LocatePeriod(conn, event.series, event.period));
  (void)where;
  ASSIGN_OR_RETURN(SeriesEvent e,
                   Insert(conn, event, SeriesEventKind::kAnnotation, std::move(text), who.at));
  ASSIGN_OR_RETURN(const std::string target, AuditTarget(conn, event.series));
  RETURN_IF_ERROR(
      access::RecordAudit(conn, who, "series.annotate", target, "",
                          Dump({{"id", e.id}, {"period", e.period}, {"text", e.text}})));
  RETURN_IF_ERROR(tx.Commit());
  return e;
}

Result<std::vector<SeriesEvent>> ListEvents(db::Connection& conn, const SeriesKey& series,
                                            std::optional<SeriesEventKind> kind) {
  std::vector<SeriesEvent> out;
  RETURN_IF_ERROR(
      conn.Query(kSelectEvents, {series.metric_id, series.unit_id, series.aggregate ? 1 : 0},
                 [&](const db::Row& r) {
                   const SeriesEventKind k = r.Text(2) == Name(SeriesEventKind::kRecalculation)
                                                 ? SeriesEventKind::kRecalculation
                                                 : SeriesEventKind::kAnnotation;
                   if (kind && *kind != k) return db::Flow::kContinue;
                   out.push_back({.id = r.Int(0),
                                  .series = series,
                                  .period = r.Text(1),
                                  .kind = k,
                                  .text = r.Text(3),
                                  .created_by = r.Text(4),
                                  .created_at = r.Text(5)});
                   return db::Flow::kContinue;
                 }));
  return out;
}

}  // namespace shewhart::oversight
