// Observations: validate every row, compare with what is stored, write in one transaction.
#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "base/date.h"
#include "dictionary/dictionary.h"
#include "directory/directory.h"
#include "imports/imports.h"
#include "imports/internal/common.h"
#include "base/text_checks.h"
#include "observations/observations.h"
#include "oversight/spc_store.h"

namespace shewhart::imports {
namespace {

using internal::Cell;
using internal::Quote;

struct Parsed {
  int64_t row;
  observations::Observation obs;
};

struct KeyHash {
  size_t operator()(const std::tuple<int64_t, int64_t, Date>& k) const {
    const auto [m, u, p] = k;
    uint64_t h = static_cast<uint64_t>(m) * 0x9E3779B97F4A7C15ull;
    h ^= static_cast<uint64_t>(u) + 0x7F4A7C15ull + (h << 6) + (h >> 2);
    h ^= static_cast<uint64_t>(static_cast<uint32_t>(p)) + (h << 6) + (h >> 2);
    return static_cast<size_t>(h);
  }
};

using Key = std::tuple<int64_t, int64_t, Date>;  // metric, unit, period

// Finds the rows that repeat a key, naming the first row with it. While the keys come in
// strictly increasing order (as most files are written) none can repeat and nothing is hashed;
// at the first key out of order every key so far goes into a hash map, which then answers.
class DuplicateCheck {
 public:
  explicit DuplicateCheck(size_t rows) { keys_.reserve(rows); }

  // The row first seen with `key`, or 0 (and `row` is recorded) when the key is new.
  int64_t Add(const Key& key, int64_t row) {
    if (map_.empty()) {
      if (keys_.empty() || keys_.back().first < key) {
        keys_.emplace_back(key, row);
        return 0;
      }
      map_.reserve(keys_.capacity());
      for (const auto& [k, r] : keys_) map_.emplace(k, r);
      keys_.clear();
      keys_.shrink_to_fit();
    }
    const auto [it, inserted] = map_.emplace(key, row);
    return inserted ? 0 : it->second;
  }
  // Whether every key came in strictly increasing order.
  bool sorted() const { return map_.empty(); }

 private:
  std::vector<std::pair<Key, int64_t>> keys_;
  std::unordered_map<Key, int64_t, KeyHash> map_;
};

// A code looked up in the directory or dictionary, remembered for the rows after it.
template <typename T>
class LastLookup {
 public:
  template <typename Lookup>
  const T* Find(std::string_view code, const Lookup& find) {
    if (!valid_ || code != code_) {
      code_.assign(code);
      found_ = find(code);
      valid_ = true;
    }
    return found_;
  }

 private:
  bool valid_ = false;
  std::string code_;
  const T* found_ = nullptr;
};

// Whether `period` is a valid first day of a period of `frequency`.
bool IsPeriodStart(Date period, std::string_view frequency) {
  const CivilDate c = CivilFromDays(period);
  if (frequency == "monthly") return c.day == 1;
  if (frequency == "quarterly") return c.day == 1 && (c.month - 1) % 3 == 0;
  if (frequency == "yearly") return c.day == 1 && (c.month == 1 || c.month == 4);
  return true;  // daily, weekly: any day starts a period
}

std::string NumbersText(const observations::Observation& o) {
  if (o.numerator || o.denominator) {
    return FormatNumber(o.numerator.value_or(0)) + "/" + FormatNumber(o.denominator.value_or(0));
  }
  return o.value ? FormatNumber(*o.value) : std::string("(none)");
}

}  // namespace

Result<ImportReport> ImportObservationsFile(db::Connection& conn, const std::string& path,
                                            const ImportOptions& options) {
  internal::PhaseClock clock;
  ASSIGN_OR_RETURN(internal::ReadFile file, internal::ReadAndHash(path));
  clock.Mark("read, hash and parse the file");
  return ImportObservations(conn, file.table, file.sha256, options);
}

Result<ImportReport> ImportObservations(db::Connection& conn, const Table& table,
                                        std::string_view sha256, const ImportOptions& options) {
  internal::PhaseClock clock;
  ImportReport report;
  report.file = table.name;
  report.rows = static_cast<int64_t>(table.rows.size());
  ASSIGN_OR_RETURN(internal::ImportTransaction tx,
                   internal::ImportTransaction::Begin(conn, options.dry_run));
  ASSIGN_OR_RETURN(directory::Directory dir, directory::Directory::Load(conn));
  ASSIGN_OR_RETURN(dictionary::Dictionary dict, dictionary::Dictionary::Load(conn));
  clock.Mark("begin, load codes");

  // Columns.
  Problems problems;
  const std::optional<size_t> c_metric = table.Column("metric");
  const std::optional<size_t> c_unit = table.Column("unit");
  const std::optional<size_t> c_period = table.Column("period");
  const std::optional<size_t> c_value = table.Column("value");
  const std::optional<size_t> c_num = table.Column("numerator");
  const std::optional<size_t> c_den = table.Column("denominator");
  for (const auto& [col, name] :
       {std::pair{c_metric, "metric"}, std::pair{c_unit, "unit"}, std::pair{c_period, "period"}}) {
    if (!col) {
      problems.Add(table.header_row, "",
                   std::string("the header has no column \"") + name +
                       "\"; an observation file needs metric, unit, period and either value "
                       "or numerator and denominator");
    }
  }
  if (!c_value && !(c_num && c_den)) {
    problems.Add(table.header_row, "",
                 "the header needs a \"value\" column, or \"numerator\" and \"denominator\" "
                 "columns");
  }
  if (!problems.empty()) return problems.ToStatus(table.name);
  std::vector<bool> numeric(table.header.size(), false);
  for (const auto& c : {c_value, c_num, c_den}) {
    if (c) numeric[*c] = true;
  }

  // Rows.
  std::vector<Parsed> parsed;
  parsed.reserve(table.rows.size());
  DuplicateCheck seen(table.rows.size());
  // The last code looked up (files come grouped by metric and unit), and the scope of the last
  // unit asked about.
  LastLookup<dictionary::Metric> last_metric;
  LastLookup<directory::Unit> last_unit;
  int64_t scope_unit = 0;
  bool scope_answer = false;
  auto in_scope = [&](int64_t unit_id) {
    if (unit_id != scope_unit || scope_unit == 0) {
      scope_unit = unit_id;
      scope_answer = options.unit_in_scope(unit_id);
    }
    return scope_answer;
  };
  const std::string kValue = table.header[c_value.value_or(0)];
  std::set<std::string> outside_scope;
  for (const TableRow& row : table.rows) {
    internal::CheckNoNhsNumbers(table, row, numeric, &problems);
    bool ok = true;
    const std::string_view metric_code = Cell(row, c_metric);
    const std::string_view unit_code = Cell(row, c_unit);
    const std::string_view period_text = Cell(row, c_period);
    const dictionary::Metric* metric = nullptr;
    if (metric_code.empty()) {
      problems.Add(row.number, "metric", "empty; write the metric's code from the dictionary");
      ok = false;
    } else if ((metric = last_metric.Find(metric_code, [&](std::string_view c) {
                  return dict.FindByCode(c);
                })) == nullptr ||
               metric->versions.empty()) {
      problems.Add(row.number, "metric",
                   "unknown metric " + Quote(metric_code) +
                       "; it must be in the dictionary first (shewhart import metrics)");
      ok = false;
    }
    const directory::Unit* unit = nullptr;
    if (unit_code.empty()) {
      problems.Add(row.number, "unit",
                   "empty; write the ODS code of the organisation (or a place or system code)");
      ok = false;
    } else if ((unit = last_unit.Find(unit_code, [&](std::string_view c) {
                  return dir.FindByCode(c);
                })) == nullptr) {
      problems.Add(row.number, "unit",
                   "unknown unit " + Quote(unit_code) +
                       "; it must be in the directory first (shewhart import organisations)");
      ok = false;
    } else if (options.unit_in_scope && !in_scope(unit->id)) {
      outside_scope.insert(unit->code);
      // Listed with every other problem of the file, not instead of them.
      problems.Add(row.number, "unit", unit->code + " is outside your scope");
      ok = false;
    }
    const std::optional<Date> period = ParseIsoDate(period_text);
    if (!period) {
      problems.Add(
          row.number, "period",
          (period_text.empty() ? std::string("empty") : Quote(period_text) + " is not a date") +
              "; write the first day of the period as YYYY-MM-DD, e.g. 2024-04-01");
      ok = false;
    }
    if (!ok) continue;
    const dictionary::MetricVersion& version = metric->VersionFor(*period);
    if (!IsPeriodStart(*period, version.frequency)) {
      problems.Add(row.number, "period",
                   std::string(period_text) + " is not the first day of a " + version.frequency +
                       " period; metric " + metric->code + " is " + version.frequency);
      ok = false;
    }
    Parsed p{row.number, {metric->id, unit->id, *period, std::nullopt, std::nullopt, std::nullopt}};
    const std::string_view value_text = Cell(row, c_value);
    const std::string_view num_text = Cell(row, c_num);
    const std::string_view den_text = Cell(row, c_den);
    if (version.has_ratio()) {
      if (!value_text.empty()) {
        problems.Add(row.number, "value",
                     "metric " + metric->code +
                         " is defined with a numerator and a denominator; "
                         "give those and leave value empty");
        ok = false;
      }
      p.obs.numerator = ParseNumber(num_text);
      p.obs.denominator = ParseNumber(den_text);
      if (!p.obs.numerator) {
        problems.Add(
            row.number, "numerator",
            (num_text.empty() ? std::string("empty") : Quote(num_text) + " is not a number") +
                "; metric " + metric->code + " needs a numerator (a plain number, e.g. 42)");
        ok = false;
      }
      if (!p.obs.denominator) {
        problems.Add(
            row.number, "denominator",
            (den_text.empty() ? std::string("empty") : Quote(den_text) + " is not a number") +
                "; metric " + metric->code + " needs a denominator (a plain number, e.g. 120)");
        ok = false;
      }
      if (!ok) continue;
      const double num = *p.obs.numerator, den = *p.obs.denominator;
      if (den < 0) {
        problems.Add(row.number, "denominator", FormatNumber(den) + " is negative");
        ok = false;
      }
      if (version.measure == "proportion") {
        if (num < 0) {
          problems.Add(row.number, "numerator", FormatNumber(num) + " is negative");
          ok = false;
        } else if (num > den) {
          problems.Add(row.number, "numerator",
                       "numerator " + FormatNumber(num) + " is larger than denominator " +
                           FormatNumber(den) + "; metric " + metric->code +
                           " is a proportion (part of a whole)");
          ok = false;
        }
      }
      if (den == 0 && num != 0) {
        problems.Add(row.number, "denominator",
                     "denominator is 0 but numerator is " + FormatNumber(num));
        ok = false;
      }
      if (den > 0) p.obs.value = version.multiplier * num / den;
    } else {
      if (!num_text.empty() || !den_text.empty()) {
        problems.Add(row.number, num_text.empty() ? "denominator" : "numerator",
                     "metric " + metric->code +
                         " is defined as a single value; give value and leave numerator and "
                         "denominator empty");
        ok = false;
      }
      p.obs.value = ParseNumber(value_text);
      if (!p.obs.value) {
        problems.Add(
            row.number, c_value ? kValue : std::string("value"),
            (value_text.empty() ? std::string("empty") : Quote(value_text) + " is not a number") +
                "; write a plain number such as 12.5 (no commas, units or % signs)");
        ok = false;
      }
    }
    if (const int64_t first = seen.Add({metric->id, unit->id, *period}, row.number); first != 0) {
      problems.Add(row.number, "",
                   "duplicate: rows " + std::to_string(first) + " and " +
                       std::to_string(row.number) + " are both " + metric->code + " for " +
                       unit->code + " in " + std::string(period_text) + "; keep one");
      ok = false;
    }
    if (ok) parsed.push_back(p);
  }
  if (!outside_scope.empty()) {
    std::string list;
    for (const std::string& c : outside_scope) list += (list.empty() ? "" : ", ") + c;
    // Still refused as out of scope (403), but naming every problem of the file.
    return Status(StatusCode::kPermissionDenied,
                  "the file has rows for organisations outside your scope: " + list + "; " +
                      std::to_string(problems.count()) +
                      (problems.count() == 1 ? " problem" : " problems") +
                      "; nothing was imported.\n" + problems.Format());
  }
  RETURN_IF_ERROR(problems.ToStatus(table.name));
  clock.Mark("validate rows");

  // Compare with what is stored, one query per metric over the file's period range: the rows in
  // key order (metric, unit, period; most files already are) merged with the stored rows, which
  // come in the same order — no per-row look-up.
  std::vector<uint32_t> order(parsed.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  const auto key_of = [&](uint32_t i) {
    const observations::Observation& o = parsed[i].obs;
    return std::tuple{o.metric_id, o.unit_id, o.period};
  };
  if (!seen.sorted()) {
    std::sort(order.begin(), order.end(),
              [&](uint32_t a, uint32_t b) { return key_of(a) < key_of(b); });
  }
  // Per parsed row: -1 new, -2 unchanged, else the index of its stored row in `before`.
  constexpr int32_t kNew = -1, kUnchanged = -2;
  std::vector<int32_t> state(parsed.size(), kNew);
  std::vector<observations::StoredObservation> before;
  for (size_t begin = 0; begin < order.size();) {
    const int64_t metric_id = parsed[order[begin]].obs.metric_id;
    size_t end = begin;
    Date from = parsed[order[begin]].obs.period, to = from;
    while (end < order.size() && parsed[order[end]].obs.metric_id == metric_id) {
      from = std::min(from, parsed[order[end]].obs.period);
      to = std::max(to, parsed[order[end]].obs.period);
      ++end;
    }
    size_t cursor = begin;
    const auto by_key = [&](uint32_t i, const Key& k) { return key_of(i) < k; };
    RETURN_IF_ERROR(observations::ForEachStored(
        conn, metric_id, from, to, [&](const observations::StoredObservation& s) {
          const Key key{s.obs.metric_id, s.obs.unit_id, s.obs.period};
          // Forward from the last match; from the metric's first row should the database's order
          // ever differ from ours (a collation), so a stored row is never taken for a new one.
          const size_t from_row =
              cursor > begin && key < key_of(order[cursor - 1]) ? begin : cursor;
          const size_t at = static_cast<size_t>(
              std::lower_bound(order.begin() + from_row, order.begin() + end, key, by_key) -
              order.begin());
          if (at == end || key_of(order[at]) != key) return;
          cursor = std::max(cursor, at + 1);
          const uint32_t i = order[at];
          if (s.obs.SameNumbers(parsed[i].obs)) {
            state[i] = kUnchanged;
          } else {
            state[i] = static_cast<int32_t>(before.size());
            before.push_back(s);
          }
        }));
    begin = end;
  }
  std::vector<observations::Observation> added;
  added.reserve(parsed.size() - before.size());
  std::vector<observations::Correction> corrections;
  corrections.reserve(before.size());
  for (const Parsed& p : parsed) {
    const int32_t st = state[&p - parsed.data()];
    if (st == kNew) {
      added.push_back(p.obs);
    } else if (st == kUnchanged) {
      ++report.unchanged;
    } else {
      const observations::StoredObservation& old = before[st];
      corrections.push_back({old, p.obs});
      if (report.changes.size() < ImportReport::kMaxListedChanges) {
        report.changes.push_back({p.row,
                                  dict.FindById(p.obs.metric_id)->code + " " +
                                      dir.FindById(p.obs.unit_id)->code + " " +
                                      FormatIsoDate(p.obs.period),
                                  NumbersText(old.obs), NumbersText(p.obs)});
      }
    }
  }
  // The series the import changes, once each, in key order.
  std::vector<oversight::SeriesKey> affected;
  for (const uint32_t i : order) {
    if (state[i] == kUnchanged) continue;
    const oversight::SeriesKey key{parsed[i].obs.metric_id, parsed[i].obs.unit_id, false};
    if (affected.empty() || affected.back() != key) affected.push_back(key);
  }
  clock.Mark("compare with stored");
  report.added = static_cast<int64_t>(added.size());
  report.changed = static_cast<int64_t>(corrections.size());
  if (options.dry_run || (added.empty() && corrections.empty())) return report;

  // Write: batch, rows, corrections with history, stored SPC results.
  ASSIGN_OR_RETURN(report.batch_id,
                   observations::InsertBatch(conn, {"observations", table.name, std::string(sha256),
                                                    options.actor, options.now}));
  RETURN_IF_ERROR(observations::InsertObservations(conn, added, report.batch_id, options.now));
  clock.Mark("insert new rows");
  RETURN_IF_ERROR(observations::ApplyCorrections(conn, corrections, report.batch_id, options.actor,
                                                 options.now));
  RETURN_IF_ERROR(observations::SetBatchCounts(conn, report.batch_id, report.added, report.changed,
                                               report.unchanged));
  clock.Mark("corrections");
  if (options.recompute) {
    ASSIGN_OR_RETURN(oversight::RecomputeStats rs,
                     oversight::RecomputeSpc(conn, dir, dict, affected, options.now));
    report.series_recomputed = rs.series;
    report.aggregates_recomputed = rs.aggregates;
    clock.Mark("recompute SPC");
  }
  RETURN_IF_ERROR(internal::RecordImportAudit(conn, options, "observations", sha256, report));
  clock.Mark("audit");
  RETURN_IF_ERROR(tx.Commit());
  clock.Mark("commit");
  report.written = true;
  return report;
}

}  // namespace shewhart::imports
