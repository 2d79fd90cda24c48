// Metric definitions, one row per version: validate, compare, write without overwriting agreed
// definitions.
#include <algorithm>
#include <map>

#include "base/date.h"
#include "dictionary/dictionary.h"
#include "imports/imports.h"
#include "imports/internal/common.h"
#include "base/text_checks.h"
#include "observations/observations.h"

namespace shewhart::imports {
namespace {

using dictionary::MetricVersion;
using internal::Cell;
using internal::Quote;

struct VersionRow {
  int64_t row = 0;
  std::string code;
  MetricVersion v;
};

std::string Words(std::span<const std::string_view> words) {
  std::string s;
  for (std::string_view w : words) s += (s.empty() ? "" : ", ") + std::string(w);
  return s;
}

std::string FromText(const std::optional<Date>& d) {
  return d ? "from " + FormatIsoDate(*d) : std::string("from the start");
}

// Allowed lifecycle steps of a version's status.
bool AllowedStatusChange(std::string_view from, std::string_view to) {
  if (from == to) return true;
  if (from == "draft") return true;
  if (from == "local") return to == "agreed" || to == "retired";
  if (from == "agreed") return to == "retired";
  return false;  // retired is final
}

}  // namespace

Result<ImportReport> ImportMetricsFile(db::Connection& conn, const std::string& path,
                                       const ImportOptions& options) {
  ASSIGN_OR_RETURN(std::string bytes, internal::ReadFileBytes(path));
  ASSIGN_OR_RETURN(Table table, ReadTable(path));
  return ImportMetrics(conn, table, Sha256Hex(bytes), options);
}

Result<ImportReport> ImportMetrics(db::Connection& conn, const Table& table,
                                   std::string_view sha256, const ImportOptions& options) {
  ImportReport report;
  report.file = table.name;
  report.rows = static_cast<int64_t>(table.rows.size());
  ASSIGN_OR_RETURN(internal::ImportTransaction tx,
                   internal::ImportTransaction::Begin(conn, options.dry_run));
  ASSIGN_OR_RETURN(dictionary::Dictionary dict, dictionary::Dictionary::Load(conn));

  Problems problems;
  static constexpr const char* kRequired[] = {
      "code",      "name",   "definition", "unit", "improvement_direction",
      "frequency", "domain", "status"};
  for (const char* name : kRequired) {
    if (!table.Column(name)) {
      problems.Add(table.header_row, "",
                   std::string("the header has no column \"") + name +
                       "\"; see docs/data-platform.md for the metrics file");
    }
  }
  RETURN_IF_ERROR(problems.ToStatus(table.name));
  auto col = [&](const char* n) { return table.Column(n); };
  const auto c_code = col("code"), c_from = col("applies_from"), c_name = col("name"),
             c_def = col("definition"), c_num = col("numerator_definition"),
             c_den = col("denominator_definition"), c_unit = col("unit"),
             c_measure = col("measure"), c_mult = col("multiplier"),
             c_dir = col("improvement_direction"), c_chart = col("chart_type"),
             c_freq = col("frequency"), c_domain = col("domain"), c_target = col("target"),
             c_target_from = col("target_from"), c_source = col("source"), c_owner = col("owner"),
             c_status = col("status"), c_agreed_by = col("agreed_by"),
             c_agreed_at = col("agreed_at");
  std::vector<bool> numeric(table.header.size(), false);
  for (const auto& c : {c_mult, c_target}) {
    if (c) numeric[*c] = true;
  }

  std::vector<VersionRow> rows;
  std::map<std::pair<std::string, Date>, int64_t> seen;  // (code, applies_from) -> row
  for (const TableRow& tr : table.rows) {
    internal::CheckNoNhsNumbers(table, tr, numeric, &problems);
    VersionRow r;
    r.row = tr.number;
    r.code = Cell(tr, c_code);
    MetricVersion& v = r.v;
    const std::string_view from = Cell(tr, c_from);
    if (!from.empty()) {
      v.applies_from = ParseIsoDate(from);
      if (!v.applies_from) {
        problems.Add(tr.number, "applies_from",
                     Quote(from) +
                         " is not a date; write the first period the definition "
                         "applies to as YYYY-MM-DD, or leave it empty for 'always'");
      }
    }
    v.name = Cell(tr, c_name);
    v.definition = Cell(tr, c_def);
    v.numerator_definition = Cell(tr, c_num);
    v.denominator_definition = Cell(tr, c_den);
    v.unit = Cell(tr, c_unit);
    const std::string_view measure = Cell(tr, c_measure);
    v.measure = !measure.empty() ? AsciiLower(measure)
                                 : (v.numerator_definition.empty() ? "value" : "rate");
    const std::string_view mult = Cell(tr, c_mult);
    if (!mult.empty()) {
      const std::optional<double> m = ParseNumber(mult);
      if (!m || *m <= 0 || *m > dictionary::kMaxMultiplier) {
        problems.Add(tr.number, "multiplier",
                     Quote(mult) +
                         " is not a positive number up to 1000000 (1, 100 for a percentage, 1000 "
                         "for 'per 1,000')");
      } else {
        v.multiplier = *m;
      }
    }
    v.improvement_direction = AsciiLower(Cell(tr, c_dir));
    const std::string_view chart = Cell(tr, c_chart);
    v.chart_type = chart.empty() ? "xmr" : AsciiLower(chart);
    v.frequency = AsciiLower(Cell(tr, c_freq));
    v.domain = AsciiLower(Cell(tr, c_domain));
    const std::string_view target = Cell(tr, c_target);
    if (!target.empty()) {
      v.target = ParseNumber(target);
      if (!v.target) {
        problems.Add(tr.number, "target",
                     Quote(target) +
                         " is not a number; write it on the scale of the values "
                         "(95 for 95% when the multiplier is 100)");
      }
    }
    const std::string_view target_from = Cell(tr, c_target_from);
    if (!target_from.empty()) {
      v.target_from = ParseIsoDate(target_from);
      if (!v.target_from) {
        problems.Add(tr.number, "target_from", Quote(target_from) + " is not a date (YYYY-MM-DD)");
      }
    }
    v.source = Cell(tr, c_source);
    v.owner = Cell(tr, c_owner);
    v.status = AsciiLower(Cell(tr, c_status));
    v.agreed_by = Cell(tr, c_agreed_by);
    v.agreed_at = Cell(tr, c_agreed_at);
    v.created_by = options.actor;
    v.created_at = options.now;

    if (r.code.empty()) problems.Add(tr.number, "code", "empty; every metric needs a code");
    for (const char c : r.code) {
      if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '_' || c == '-' || c == '.')) {
        problems.Add(tr.number, "code",
                     Quote(r.code) + " is not a code; use letters, digits, _ - . and no spaces");
        break;
      }
    }
    if (v.name.empty()) problems.Add(tr.number, "name", "empty; every metric needs a name");
    if (v.definition.empty()) {
      problems.Add(tr.number, "definition", "empty; say in plain English what is measured");
    }
    if (v.unit.empty()) problems.Add(tr.number, "unit", "empty; e.g. %, patients, days");
    struct Enum {
      const std::string* value;
      const char* column;
      std::span<const std::string_view> words;
    };
    for (const Enum& e :
         {Enum{&v.measure, "measure", dictionary::Measures()},
          Enum{&v.improvement_direction, "improvement_direction", dictionary::Directions()},
          Enum{&v.chart_type, "chart_type", dictionary::ChartTypes()},
          Enum{&v.frequency, "frequency", dictionary::Frequencies()},
          Enum{&v.domain, "domain", dictionary::Domains()},
          Enum{&v.status, "status", dictionary::Statuses()}}) {
      if (!dictionary::IsOneOf(e.words, *e.value)) {
        problems.Add(tr.number, e.column,
                     Quote(*e.value) + " is not allowed; use one of: " + Words(e.words));
      }
    }
    if (v.has_ratio() && (v.numerator_definition.empty() || v.denominator_definition.empty())) {
      problems.Add(
          tr.number,
          v.numerator_definition.empty() ? "numerator_definition" : "denominator_definition",
          "empty; a " + v.measure + " needs both a numerator and a denominator definition");
    }
    if (!v.has_ratio() && (!v.numerator_definition.empty() || !v.denominator_definition.empty())) {
      problems.Add(tr.number, "measure",
                   "numerator and denominator definitions are given but measure is \"value\"; "
                   "use proportion or rate");
    }
    if (v.target && v.improvement_direction == "neutral") {
      problems.Add(tr.number, "target",
                   "a target needs a direction; improvement_direction is neutral");
    }
    if (!r.code.empty()) {
      const auto [it, inserted] =
          seen.emplace(std::pair{r.code, v.applies_from.value_or(INT32_MIN)}, tr.number);
      if (!inserted) {
        problems.Add(tr.number, "applies_from",
                     "duplicate: rows " + std::to_string(it->second) + " and " +
                         std::to_string(tr.number) + " are both " + r.code + " " +
                         FromText(v.applies_from) + "; keep one");
      }
    }
    rows.push_back(std::move(r));
  }
  RETURN_IF_ERROR(problems.ToStatus(table.name));

  // Compare each row with the version of the same metric and applies_from.
  enum class Action { kUnchanged, kNewMetric, kNewVersion, kStatus, kDraft };
  std::vector<std::pair<Action, const MetricVersion*>> actions(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const VersionRow& r = rows[i];
    const dictionary::Metric* m = dict.FindByCode(r.code);
    const MetricVersion* stored = nullptr;
    if (m != nullptr) {
      for (const MetricVersion& v : m->versions) {
        if (v.applies_from == r.v.applies_from) stored = &v;
      }
    }
    const std::string key = "metric " + r.code + " " + FromText(r.v.applies_from);
    if (m == nullptr) {
      actions[i] = {Action::kNewMetric, nullptr};
    } else if (stored == nullptr) {
      actions[i] = {Action::kNewVersion, nullptr};
    } else if (!stored->SameDefinition(r.v)) {
      if (stored->status != "draft") {
        problems.Add(r.row, "",
                     key + " is " + stored->status +
                         ": an agreed definition is never overwritten; to change it, add a row "
                         "with a later applies_from (the first period the new definition "
                         "governs)");
        continue;
      }
      actions[i] = {Action::kDraft, stored};
    } else if (stored->status != r.v.status ||
               (!r.v.agreed_by.empty() && stored->agreed_by != r.v.agreed_by) ||
               (!r.v.agreed_at.empty() && stored->agreed_at != r.v.agreed_at)) {
      if (!AllowedStatusChange(stored->status, r.v.status)) {
        problems.Add(r.row, "status",
                     key + " cannot go from " + stored->status + " back to " + r.v.status);
        continue;
      }
      actions[i] = {Action::kStatus, stored};
    } else {
      actions[i] = {Action::kUnchanged, stored};
    }
    if (actions[i].first == Action::kUnchanged) {
      ++report.unchanged;
    } else if (actions[i].first == Action::kNewMetric || actions[i].first == Action::kNewVersion) {
      ++report.added;
    } else {
      ++report.changed;
      if (report.changes.size() < ImportReport::kMaxListedChanges) {
        report.changes.push_back(
            {r.row, key, actions[i].first == Action::kStatus ? stored->status : "draft definition",
             actions[i].first == Action::kStatus ? r.v.status : "revised draft definition"});
      }
    }
  }
  RETURN_IF_ERROR(problems.ToStatus(table.name));
  if (options.dry_run || report.added + report.changed == 0) return report;

  ASSIGN_OR_RETURN(report.batch_id,
                   observations::InsertBatch(conn, {"metrics", table.name, std::string(sha256),
                                                    options.actor, options.now}));
  std::map<std::string, int64_t> metric_ids;
  std::map<std::string, int32_t> next_version;
  for (const dictionary::Metric& m : dict.metrics()) {
    metric_ids[m.code] = m.id;
    int32_t max = 0;
    for (const MetricVersion& v : m.versions) max = std::max(max, v.version);
    next_version[m.code] = max + 1;
  }
  // New versions get numbers in order of applies_from, so version 1 is the earliest.
  std::vector<size_t> order(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return rows[a].v.applies_from.value_or(INT32_MIN) < rows[b].v.applies_from.value_or(INT32_MIN);
  });
  for (const size_t i : order) {
    VersionRow& r = rows[i];
    MetricVersion& v = r.v;
    const auto [action, stored] = actions[i];
    if (action == Action::kUnchanged) continue;
    if (v.status == "agreed" && v.agreed_by.empty()) {
      v.agreed_by =
          stored != nullptr && !stored->agreed_by.empty() ? stored->agreed_by : options.actor;
    }
    if (v.status == "agreed" && v.agreed_at.empty()) {
      v.agreed_at =
          stored != nullptr && !stored->agreed_at.empty() ? stored->agreed_at : options.now;
    }
    if (action == Action::kNewMetric && !metric_ids.count(r.code)) {
      ASSIGN_OR_RETURN(int64_t id,
                       dictionary::InsertMetric(conn, r.code, options.actor, options.now));
      metric_ids[r.code] = id;
      next_version[r.code] = 1;
    }
    if (action == Action::kNewMetric || action == Action::kNewVersion) {
      v.version = next_version[r.code]++;
      ASSIGN_OR_RETURN(int64_t vid, dictionary::InsertVersion(conn, metric_ids[r.code], v));
      (void)vid;
    } else if (action == Action::kStatus) {
      RETURN_IF_ERROR(
          dictionary::UpdateVersionStatus(conn, stored->id, v.status, v.agreed_by, v.agreed_at));
    } else if (action == Action::kDraft) {
      v.id = stored->id;
      RETURN_IF_ERROR(dictionary::UpdateDraftVersion(conn, v));
    }
  }
  RETURN_IF_ERROR(observations::SetBatchCounts(conn, report.batch_id, report.added, report.changed,
                                               report.unchanged));
  RETURN_IF_ERROR(internal::RecordImportAudit(conn, options, "metrics", sha256, report));
  RETURN_IF_ERROR(tx.Commit());
  report.written = true;
  return report;
}

}  // namespace shewhart::imports
