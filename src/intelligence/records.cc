#include "intelligence/records.h"

#include <algorithm>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <span>
#include <unordered_map>

#include "base/date.h"
#include "base/text_checks.h"
#include "dictionary/dictionary.h"
#include "directory/directory.h"
#include "intelligence/series.h"
#include "observations/observations.h"

namespace shewhart::intelligence {
namespace {

using imports::Problems;
using imports::Table;
using imports::TableRow;
using nlohmann::json;

constexpr char kKeySeparator = '\x1f';
constexpr std::string_view kOrganisation = "organisation";
constexpr std::string_view kMetric = "metric";

// The SQL of one kind, built once from its descriptor (the same text every time, so prepared
// statements are reused).
struct KindSql {
  std::string select;         // ... FROM table r LEFT JOIN unit LEFT JOIN metric
  std::string select_unit;    // ... WHERE r.unit_id = ?
  std::string select_unit_range;  // ... WHERE r.unit_id = ? AND date_field BETWEEN ? AND ?
  std::string select_range;       // ... WHERE date_field BETWEEN ? AND ?
  std::string select_metric;  // ... WHERE r.metric_id = ?
  std::string select_key;     // ... WHERE r.<first key column> = ? (unique for references)
  std::string insert;       // ... RETURNING id
  std::string insert_many;  // the same without RETURNING, for ExecuteMany
  std::string update;
};

const KindSql& SqlOf(const Kind& kind) {
  static std::mutex mu;
  static std::map<std::string, KindSql, std::less<>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(kind.table);
  if (it != cache.end()) return it->second;
  KindSql s;
  std::string cols;
  std::string insert_cols = "unit_id, metric_id";
  std::string insert_marks = "?, ?";
  std::string sets = "unit_id = ?, metric_id = ?";
  for (const Field& f : kind.fields) {
    cols += ", r." + std::string(f.column);
    insert_cols += ", " + std::string(f.column);
    insert_marks += ", ?";
    sets += ", " + std::string(f.column) + " = ?";
  }
  s.select = "SELECT r.id, r.unit_id, u.code, u.name, m.code, r.version, r." +
             std::string(kind.created_by_column) +
             ", r.created_at, r.updated_at" + cols + " FROM " + std::string(kind.table) +
             " r LEFT JOIN unit u ON u.id = r.unit_id LEFT JOIN metric m ON m.id = r.metric_id";
  s.select_unit = s.select + " WHERE r.unit_id = ?";
  std::string date_column;
  for (const Field& f : kind.fields) {
    if (f.name == kind.date_field) date_column = "r." + std::string(f.column);
  }
  s.select_unit_range = s.select_unit + " AND " + date_column + " >= ? AND " + date_column + " <= ?";
  s.select_range = s.select + " WHERE " + date_column + " >= ? AND " + date_column + " <= ?";
  s.select_metric = s.select + " WHERE r.metric_id = ?";
  for (const Field& f : kind.fields) {
    if (!kind.key.empty() && f.name == kind.key.front()) {
      s.select_key = s.select + " WHERE r." + std::string(f.column) + " = ?";
    }
  }
  s.insert_many = "INSERT INTO " + std::string(kind.table) + " (" + insert_cols + ", version, batch_id, " +
             std::string(kind.created_by_column) + ", created_at, updated_by, updated_at) VALUES (" +
             insert_marks + ", 1, ?, ?, ?, ?, ?)";
  s.insert = s.insert_many + " RETURNING id";
  s.update = "UPDATE " + std::string(kind.table) + " SET " + sets +
             ", version = version + 1, batch_id = ?, updated_by = ?, updated_at = ? WHERE id = ?";
  return cache.emplace(std::string(kind.table), std::move(s)).first->second;
}

constexpr std::string_view kInsertHistory =
    "INSERT INTO intelligence_history (kind, record_id, version, old_values, batch_id, "
    "replaced_by, replaced_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
constexpr std::string_view kSelectChildren = "SELECT id FROM unit WHERE parent_id = ?";
constexpr std::string_view kSelectUnitByCode = "SELECT code, parent_id FROM unit WHERE code = ?";
constexpr std::string_view kSelectUnitById = "SELECT code, parent_id FROM unit WHERE id = ?";

Record RecordFromRow(const Kind& kind, const db::Row& r) {
  Record rec;
  rec.id = r.Int(0);
  rec.kind = kind.singular;
  rec.unit_id = r.OptionalInt(1).value_or(0);
  rec.unit_code = r.OptionalText(2).value_or("");
  rec.unit_name = r.OptionalText(3).value_or("");
  rec.metric = r.OptionalText(4).value_or("");
  rec.version = r.Int(5);
  rec.created_by = r.OptionalText(6).value_or("");
  rec.created_at = r.OptionalText(7).value_or("");
  rec.updated_at = r.OptionalText(8).value_or("");
  for (size_t i = 0; i < kind.fields.size(); ++i) {
    rec.values[std::string(kind.fields[i].name)] = r.OptionalText(9 + i).value_or("");
  }
  return rec;
}

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (int k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += static_cast<size_t>(len);
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string Quote(std::string_view text) {
  constexpr size_t kMax = 60;
  if (text.size() > kMax) return "\"" + std::string(text.substr(0, kMax)) + "...\"";
  return "\"" + std::string(text) + "\"";
}

std::string JoinWords(std::span<const std::string_view> words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += i + 1 == words.size() ? " or " : ", ";
    out += words[i];
  }
  return out;
}

std::vector<std::string> SplitCodes(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(';', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view part = Trim(text.substr(start, end - start));
    if (!part.empty()) out.emplace_back(part);
    start = end + 1;
  }
  return out;
}

// Validates one field's text; returns the normalised value (or "" after adding a problem).
std::string CheckField(const Field& f, std::string_view raw, std::string_view today,
                       const directory::Directory& dir, const dictionary::Dictionary& dict,
                       int64_t row, Problems* problems) {
  const std::string_view text = Trim(raw);
  if (text.empty()) {
    if (f.required) problems->Add(row, f.name, "is empty; a value is required");
    return "";
  }
  auto bad = [&](std::string message) {
    problems->Add(row, f.name, std::move(message));
    return std::string();
  };
  switch (f.type) {
    case FieldType::kText:
    case FieldType::kLong:
      if (text.size() > f.max_bytes) {
        return bad("is longer than " + std::to_string(f.max_bytes) + " bytes");
      }
      if (!ValidUtf8(text)) return bad("is not valid UTF-8 text");
      if (ContainsNhsNumber(text)) return bad(std::string(kNhsNumberMessage));
      return std::string(text);
    case FieldType::kWord: {
      const std::string word = AsciiLower(text);
      for (const std::string_view w : f.words) {
        if (w == word) return word;
      }
      return bad(Quote(text) + " is not a known value; write " + JoinWords(f.words));
    }
    case FieldType::kDate: {
      const std::optional<Date> d = ParseIsoDate(text);
      if (!d) return bad(Quote(text) + " is not a date; write it YYYY-MM-DD");
      const std::string iso = FormatIsoDate(*d);
      if (!f.may_be_future && !today.empty() && iso > today) {
        return bad(iso + " is in the future (today is " + std::string(today) + ")");
      }
      return iso;
    }
    case FieldType::kCount: {
      if (text.size() > 9 || !std::all_of(text.begin(), text.end(),
                                          [](char c) { return c >= '0' && c <= '9'; })) {
        return bad(Quote(text) + " is not a whole number of 0 or more");
      }
      return std::to_string(std::stoll(std::string(text)));
    }
    case FieldType::kUrl:
      if ((text.rfind("https://", 0) != 0 && text.rfind("http://", 0) != 0) ||
          text.find_first_of(" \t\"<>") != std::string_view::npos || text.size() > f.max_bytes) {
        return bad(Quote(text) + " is not a web address (https://...)");
      }
      return std::string(text);
    case FieldType::kYesNo: {
      const std::string w = AsciiLower(text);
      if (w == "yes" || w == "y" || w == "true" || w == "1") return "yes";
      if (w == "no" || w == "n" || w == "false" || w == "0") return "no";
      return bad(Quote(text) + " is not yes or no");
    }
    case FieldType::kCodes: {
      std::vector<std::string> codes = SplitCodes(text);
      std::string out;
      for (const std::string& c : codes) {
        if (dir.FindByCode(c) == nullptr) {
          problems->Add(row, f.name, "there is no organisation or unit with the code " + Quote(c));
          continue;
        }
        out += (out.empty() ? "" : ";") + c;
      }
      return out;
    }
    case FieldType::kMetrics: {
      std::string out;
      for (const std::string& c : SplitCodes(text)) {
        if (dict.FindByCode(c) == nullptr) {
          problems->Add(row, f.name, "there is no metric " + Quote(c) + " in the dictionary");
          continue;
        }
        out += (out.empty() ? "" : ";") + c;
      }
      return out;
    }
  }
  return std::string(text);
}

// Validates a row given as (name -> raw text). Adds problems; returns the resolved record.
Resolved CheckValues(const Kind& kind, const Values& raw, std::string_view today,
                     const directory::Directory& dir, const dictionary::Dictionary& dict,
                     int64_t row, Problems* problems) {
  Resolved out;
  auto find = [&](std::string_view name) -> std::string_view {
    auto it = raw.find(name);
    return it == raw.end() ? std::string_view() : std::string_view(it->second);
  };
  if (kind.has_unit) {
    const std::string_view code = Trim(find(kOrganisation));
    if (code.empty()) {
      problems->Add(row, kOrganisation, "is empty; write the ODS code of the organisation (or a "
                                        "unit code below it)");
    } else if (const directory::Unit* u = dir.FindByCode(code); u == nullptr) {
      problems->Add(row, kOrganisation,
                    "there is no organisation or unit with the code " + Quote(code));
    } else {
      out.unit_id = u->id;
      out.values[std::string(kOrganisation)] = u->code;
    }
  }
  const std::string_view metric = Trim(find(kMetric));
  if (!metric.empty()) {
    if (const dictionary::Metric* m = dict.FindByCode(metric); m == nullptr) {
      problems->Add(row, kMetric, "there is no metric " + Quote(metric) + " in the dictionary");
    } else {
      out.metric_id = m->id;
      out.values[std::string(kMetric)] = m->code;
    }
  }
  const size_t before = problems->count();
  for (const Field& f : kind.fields) {
    out.values[std::string(f.name)] = CheckField(f, find(f.name), today, dir, dict, row, problems);
  }
  if (kind.check != nullptr && problems->count() == before) kind.check(out.values, row, problems);
  return out;
}

std::string KeyOf(const Kind& kind, const Resolved& r) {
  std::string key;
  for (const std::string_view k : kind.key) {
    if (k == kOrganisation) {
      key += std::to_string(r.unit_id);
    } else {
      auto it = r.values.find(k);
      if (it != r.values.end()) key += it->second;
    }
    key += kKeySeparator;
  }
  return key;
}

std::string KeyOfRecord(const Kind& kind, const Record& r) {
  std::string key;
  for (const std::string_view k : kind.key) {
    key += k == kOrganisation ? std::to_string(r.unit_id) : r.Get(k);
    key += kKeySeparator;
  }
  return key;
}

std::string KeyText(const Kind& kind, const Resolved& r) {
  std::string text;
  for (const std::string_view k : kind.key) {
    auto it = r.values.find(k);
    text += (text.empty() ? "" : " ") + (it == r.values.end() ? std::string() : it->second);
  }
  return text;
}

std::vector<db::Value> WriteParams(const Kind& kind, const Resolved& r) {
  std::vector<db::Value> p;
  p.emplace_back(kind.has_unit ? db::Value(r.unit_id) : db::Value());
  p.emplace_back(r.metric_id);
  for (const Field& f : kind.fields) p.emplace_back(r.values.at(std::string(f.name)));
  return p;
}

json ValuesJson(const Kind& kind, const Values& values) {
  json j = json::object();
  for (const Field& f : kind.fields) {
    auto it = values.find(f.name);
    j[std::string(f.name)] = it == values.end() ? "" : it->second;
  }
  return j;
}

std::string Dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

struct Loaded {
  directory::Directory dir;
  dictionary::Dictionary dict;
};

Result<Loaded> LoadLookups(db::Connection& conn) {
  ASSIGN_OR_RETURN(directory::Directory dir, directory::Directory::Load(conn));
  ASSIGN_OR_RETURN(dictionary::Dictionary dict, dictionary::Dictionary::Load(conn));
  return Loaded{std::move(dir), std::move(dict)};
}

// The stored records that may share a key with `rows`: looked up by the first field of the key
// (an indexed reference) or, for keys that start with the organisation, by the rows' units — never
// the whole table, which at national scale holds millions of incidents.
Result<std::vector<Record>> StoredFor(db::Connection& conn, const Kind& kind,
                                      std::span<const Resolved> rows) {
  const KindSql& sql = SqlOf(kind);
  std::vector<Record> out;
  auto keep = [&](const db::Row& r) {
    out.push_back(RecordFromRow(kind, r));
    return db::Flow::kContinue;
  };
  if (!kind.key.empty() && kind.key.front() == kOrganisation) {
    std::set<int64_t> units;
    for (const Resolved& r : rows) units.insert(r.unit_id);
    for (const int64_t u : units) RETURN_IF_ERROR(conn.Query(sql.select_unit, {u}, keep));
  } else if (!sql.select_key.empty()) {
    std::set<std::string> seen;
    for (const Resolved& r : rows) {
      auto it = r.values.find(kind.key.front());
      if (it == r.values.end() || !seen.insert(it->second).second) continue;
      RETURN_IF_ERROR(conn.Query(sql.select_key, {it->second}, keep));
    }
  } else {
    RETURN_IF_ERROR(conn.Query(sql.select, {}, keep));
  }
  return out;
}

}  // namespace

const std::string& Record::Get(std::string_view name) const {
  static const std::string kEmpty;
  auto it = values.find(name);
  return it == values.end() ? kEmpty : it->second;
}

Result<std::vector<int64_t>> UnitAndBelow(db::Connection& conn, int64_t unit_id) {
  std::vector<int64_t> out = {unit_id};
  for (size_t i = 0; i < out.size(); ++i) {
    RETURN_IF_ERROR(conn.Query(kSelectChildren, {out[i]}, [&](const db::Row& r) {
      if (std::find(out.begin(), out.end(), r.Int(0)) == out.end()) out.push_back(r.Int(0));
      return db::Flow::kContinue;
    }));
  }
  return out;
}

std::string FieldColumnsSql(const Kind& kind) {
  std::string out;
  for (const Field& f : kind.fields) {
    out += (out.empty() ? "" : ", ") + std::string(f.column) + " TEXT NOT NULL DEFAULT ''";
  }
  return out;
}

Result<imports::ImportReport> ImportRecords(db::Connection& conn, const Kind& kind,
                                            const Table& table, std::string_view sha256,
                                            const imports::ImportOptions& options) {
  imports::ImportReport report;
  report.file = table.name;
  report.rows = static_cast<int64_t>(table.rows.size());
  Problems problems;
  // The header: every required field (and the organisation) must be there.
  std::vector<std::string_view> names;
  if (kind.has_unit) names.push_back(kOrganisation);
  names.push_back(kMetric);
  for (const Field& f : kind.fields) names.push_back(f.name);
  std::map<std::string_view, size_t> columns;
  for (const std::string_view n : names) {
    if (std::optional<size_t> c = table.Column(n)) columns[n] = *c;
  }
  for (const std::string_view n : names) {
    if (columns.count(n)) continue;
    bool required = n == kOrganisation;
    for (const Field& f : kind.fields) required |= f.name == n && f.required;
    if (required) {
      problems.Add(table.header_row, n,
                   "the column is missing; a file of " + std::string(kind.name) +
                       " needs the columns " + [&] {
                         std::string s = kind.has_unit ? "organisation" : "";
                         for (const Field& f : kind.fields) {
                           if (f.required) s += (s.empty() ? "" : ", ") + std::string(f.name);
                         }
                         return s;
                       }());
    }
  }
  if (!problems.empty()) return problems.ToStatus(table.name);

  // Validate every row against one snapshot of the directory and dictionary.
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(Loaded lookups, LoadLookups(conn));
  const std::string today = options.now.substr(0, 10);
  std::vector<Resolved> rows;
  rows.reserve(table.rows.size());
  std::unordered_map<std::string, int64_t> seen;  // key -> first row
  std::set<std::string> outside_scope;             // codes of units the importer may not write
  for (const TableRow& tr : table.rows) {
    Values raw;
    for (const auto& [name, col] : columns) raw[std::string(name)] = tr.cells[col];
    Resolved r = CheckValues(kind, raw, today, lookups.dir, lookups.dict, tr.number, &problems);
    // Scope is decided on the unit the row resolved to (after trimming and lookup), never on
    // the raw cell, so that no spelling of a code reaches a unit outside the importer's scope.
    if (kind.has_unit && r.unit_id != 0 && options.unit_in_scope &&
        !options.unit_in_scope(r.unit_id)) {
      outside_scope.insert(r.values[std::string(kOrganisation)]);
    }
    const std::string key = KeyOf(kind, r);
    auto [it, inserted] = seen.emplace(key, tr.number);
    if (!inserted) {
      problems.Add(tr.number, kind.key.front(),
                   "duplicate: " + Quote(KeyText(kind, r)) + " is also on row " +
                       std::to_string(it->second));
    }
    rows.push_back(std::move(r));
  }
  if (!outside_scope.empty()) {
    std::string list;
    for (const auto& c : outside_scope) list += (list.empty() ? "" : ", ") + c;
    return Status(StatusCode::kPermissionDenied,
                  "the file has rows for organisations outside your scope: " + list);
  }
  if (!problems.empty()) return problems.ToStatus(table.name);

  // Compare with what is stored.
  ASSIGN_OR_RETURN(std::vector<Record> stored, StoredFor(conn, kind, rows));
  std::unordered_map<std::string, const Record*> by_key;
  for (const Record& s : stored) by_key[KeyOfRecord(kind, s)] = &s;
  std::vector<size_t> added;
  std::vector<std::pair<size_t, const Record*>> changed;
  for (size_t i = 0; i < rows.size(); ++i) {
    auto it = by_key.find(KeyOf(kind, rows[i]));
    if (it == by_key.end()) {
      added.push_back(i);
      continue;
    }
    const Record& old = *it->second;
    bool same = old.unit_id == rows[i].unit_id &&
                old.metric == (rows[i].values.count("metric") ? rows[i].values.at("metric") : "");
    for (const Field& f : kind.fields) same = same && old.Get(f.name) == rows[i].values.at(std::string(f.name));
    if (same) {
      ++report.unchanged;
      continue;
    }
    changed.emplace_back(i, &old);
    if (report.changes.size() < imports::ImportReport::kMaxListedChanges) {
      json before = ValuesJson(kind, old.values);
      json after = ValuesJson(kind, rows[i].values);
      std::string b, a;
      for (const Field& f : kind.fields) {
        if (before[std::string(f.name)] != after[std::string(f.name)]) {
          b += (b.empty() ? "" : ", ") + std::string(f.name) + " " + before[std::string(f.name)].get<std::string>();
          a += (a.empty() ? "" : ", ") + std::string(f.name) + " " + after[std::string(f.name)].get<std::string>();
        }
      }
      if (b.empty()) b = a = "organisation or metric";
      report.changes.push_back(
          {table.rows[i].number, std::string(kind.singular) + " " + KeyText(kind, rows[i]), b, a});
    }
  }
  report.added = static_cast<int64_t>(added.size());
  report.changed = static_cast<int64_t>(changed.size());
  if (options.dry_run || (added.empty() && changed.empty())) return report;

  ASSIGN_OR_RETURN(report.batch_id,
                   observations::InsertBatch(conn, {std::string(kind.name), table.name,
                                                    std::string(sha256), options.actor,
                                                    options.now}));
  const KindSql& sql = SqlOf(kind);
  std::set<int64_t> units;
  std::vector<std::vector<db::Value>> inserts;
  inserts.reserve(added.size());
  for (const size_t i : added) {
    std::vector<db::Value> p = WriteParams(kind, rows[i]);
    p.emplace_back(report.batch_id);
    p.emplace_back(options.actor);
    p.emplace_back(options.now);
    p.emplace_back(options.actor);
    p.emplace_back(options.now);
    inserts.push_back(std::move(p));
    units.insert(rows[i].unit_id);
  }
  // One prepared statement for every new row.
  RETURN_IF_ERROR(conn.ExecuteMany(sql.insert_many, inserts));
  for (const auto& [i, old] : changed) {
    RETURN_IF_ERROR(conn.Execute(kInsertHistory,
                                 {std::string(kind.singular), old->id, old->version,
                                  Dump(ValuesJson(kind, old->values)), report.batch_id,
                                  options.actor, options.now}));
    std::vector<db::Value> p = WriteParams(kind, rows[i]);
    p.emplace_back(report.batch_id);
    p.emplace_back(options.actor);
    p.emplace_back(options.now);
    p.emplace_back(old->id);
    RETURN_IF_ERROR(conn.Execute(sql.update, p));
    units.insert(rows[i].unit_id);
    units.insert(old->unit_id);
  }
  RETURN_IF_ERROR(observations::SetBatchCounts(conn, report.batch_id, report.added,
                                               report.changed, report.unchanged));
  const json after = {{"file", report.file},       {"sha256", sha256},
                      {"rows", report.rows},       {"added", report.added},
                      {"changed", report.changed}, {"unchanged", report.unchanged}};
  RETURN_IF_ERROR(access::RecordAudit(conn, {.at = options.now,
                                             .actor = options.actor,
                                             .action = "import." + std::string(kind.name),
                                             .target = "batch " + std::to_string(report.batch_id),
                                             .before = "",
                                             .after = Dump(after),
                                             .remote = options.remote}));
  if (options.recompute) {
    ASSIGN_OR_RETURN(SeriesReport s,
                     RefreshCountSeries(conn, kind, std::vector<int64_t>(units.begin(), units.end()),
                                        options.actor, options.now));
    report.series_recomputed = s.series;
    report.aggregates_recomputed = s.aggregates;
  }
  RETURN_IF_ERROR(tx.Commit());
  report.written = true;
  return report;
}

Result<int64_t> CreateRecord(db::Connection& conn, const access::Acting& who, const Kind& kind,
                             const Values& values) {
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(Loaded lookups, LoadLookups(conn));
  Problems problems;
  Resolved r = CheckValues(kind, values, who.at.substr(0, 10), lookups.dir, lookups.dict, 0,
                           &problems);
  if (!problems.empty()) {
    std::string message = "the " + std::string(kind.singular) + " was not saved:";
    for (const imports::Problem& p : problems.listed()) {
      message += " " + (p.column.empty() ? std::string() : p.column + " ") + p.message + ";";
    }
    message.pop_back();
    return InvalidArgumentError(message);
  }
  ASSIGN_OR_RETURN(std::vector<Record> stored, StoredFor(conn, kind, std::span(&r, 1)));
  const std::string key = KeyOf(kind, r);
  for (const Record& s : stored) {
    if (KeyOfRecord(kind, s) == key) {
      return Status(StatusCode::kAlreadyExists, "there is already a " + std::string(kind.singular) + " " +
                                Quote(KeyText(kind, r)));
    }
  }
  std::vector<db::Value> p = WriteParams(kind, r);
  p.emplace_back(db::Value());
  p.emplace_back(who.actor);
  p.emplace_back(who.at);
  p.emplace_back(who.actor);
  p.emplace_back(who.at);
  ASSIGN_OR_RETURN(int64_t id, conn.ExecuteReturningId(SqlOf(kind).insert, p));
  // Restricted records keep their free text out of the audit log: only that it was written.
  json after = json::object();
  if (kind.has_unit) after["organisation"] = r.values[std::string(kOrganisation)];
  for (const Field& f : kind.fields) {
    const std::string& v = r.values[std::string(f.name)];
    if (kind.restricted && f.type == FieldType::kLong) {
      after[std::string(f.name) + "_bytes"] = v.size();
    } else {
      after[std::string(f.name)] = v;
    }
  }
  RETURN_IF_ERROR(access::RecordAudit(conn, who, std::string(kind.Noun()) + ".create",
                                      std::string(kind.singular) + " " + std::to_string(id), "",
                                      Dump(after)));
  if (kind.has_unit) {
    RETURN_IF_ERROR(RefreshCountSeries(conn, kind, {r.unit_id}, who.actor, who.at).status());
  }
  RETURN_IF_ERROR(tx.Commit());
  return id;
}

Result<std::vector<Record>> ListRecords(db::Connection& conn, const Kind& kind,
                                        const access::Scope& scope, const RecordFilter& filter) {
  const KindSql& sql = SqlOf(kind);
  std::vector<Record> out;
  auto keep = [&](const db::Row& row) {
    Record r = RecordFromRow(kind, row);
    if (kind.restricted && !scope.Contains(r.unit_id)) return db::Flow::kContinue;
    const std::string& date = r.Get(kind.date_field);
    if (!filter.from.empty() && date < filter.from) return db::Flow::kContinue;
    if (!filter.to.empty() && date > filter.to) return db::Flow::kContinue;
    if (filter.metric && r.metric != *filter.metric) return db::Flow::kContinue;
    out.push_back(std::move(r));
    return db::Flow::kContinue;
  };
  // The field filter as SQL: " AND r.<column> IN (?, ...)", its values appended to each query's.
  std::string in_sql;
  std::vector<db::Value> in_params;
  if (!filter.field.empty()) {
    for (const Field& f : kind.fields) {
      if (f.name == filter.field) in_sql = " AND r." + std::string(f.column) + " IN (";
    }
    if (in_sql.empty()) return InvalidArgumentError("no field " + Quote(filter.field));
    if (filter.values.empty()) return out;
    for (size_t i = 0; i < filter.values.size(); ++i) {
      in_sql += i ? ", ?" : "?";
      in_params.emplace_back(filter.values[i]);
    }
    in_sql += ")";
  }
  auto query = [&](const std::string& sql_text, std::vector<db::Value> params) -> Status {
    if (in_sql.empty()) return conn.Query(sql_text, std::move(params), keep);
    params.insert(params.end(), in_params.begin(), in_params.end());
    const bool has_where = sql_text.find(" WHERE ") != std::string::npos;
    return conn.Query(has_where ? sql_text + in_sql : sql_text + " WHERE 1 = 1" + in_sql,
                      std::move(params), keep);
  };
  if (filter.unit && kind.has_unit) {
    ASSIGN_OR_RETURN(std::optional<int64_t> unit, directory::FindUnitId(conn, *filter.unit));
    if (!unit) return NotFoundError("there is no organisation or unit " + Quote(*filter.unit));
    ASSIGN_OR_RETURN(std::vector<int64_t> ids, UnitAndBelow(conn, *unit));
    const bool ranged = !filter.from.empty() || !filter.to.empty();
    const std::string to = filter.to.empty() ? std::string("9999-12-31") : filter.to;
    for (const int64_t id : ids) {
      if (ranged) {
        RETURN_IF_ERROR(query(sql.select_unit_range, {id, filter.from, to}));
      } else {
        RETURN_IF_ERROR(query(sql.select_unit, {id}));
      }
    }
  } else if (filter.metric) {
    ASSIGN_OR_RETURN(std::optional<int64_t> metric_id, [&]() -> Result<std::optional<int64_t>> {
      Result<int64_t> id = dictionary::MetricIdByCode(conn, *filter.metric);
      if (!id.ok()) {
        if (id.status().code() == StatusCode::kNotFound) return std::optional<int64_t>();
        return id.status();
      }
      return std::optional<int64_t>(*id);
    }());
    if (!metric_id) return NotFoundError("there is no metric " + Quote(*filter.metric));
    RETURN_IF_ERROR(query(sql.select_metric, {*metric_id}));
  } else if (!filter.from.empty() || !filter.to.empty()) {
    const std::string to = filter.to.empty() ? std::string("9999-12-31") : filter.to;
    RETURN_IF_ERROR(query(sql.select_range, {filter.from, to}));
  } else {
    RETURN_IF_ERROR(query(sql.select, {}));
  }
  if (filter.unit && !kind.has_unit) {
    // Horizon items: those naming the unit or an organisation above it, or naming none.
    // The unit and those above it, read one row at a time (not the whole directory: this runs on
    // every organisation page and signals request).
    std::set<std::string> lineage;
    std::optional<db::Row> row;
    ASSIGN_OR_RETURN(row, conn.QueryRow(kSelectUnitByCode, {*filter.unit}));
    if (!row) return NotFoundError("there is no organisation or unit " + Quote(*filter.unit));
    for (int depth = 0; row && depth < 32; ++depth) {
      lineage.insert(row->Text(0));
      const std::optional<int64_t> parent = row->OptionalInt(1);
      if (!parent) break;
      ASSIGN_OR_RETURN(row, conn.QueryRow(kSelectUnitById, {*parent}));
    }
    std::erase_if(out, [&](const Record& r) {
      const std::vector<std::string> codes = SplitCodes(r.Get("organisations"));
      if (codes.empty()) return false;
      return std::none_of(codes.begin(), codes.end(),
                          [&](const std::string& c) { return lineage.count(c) > 0; });
    });
  }
  std::sort(out.begin(), out.end(), [&](const Record& a, const Record& b) {
    const std::string& da = a.Get(kind.date_field);
    const std::string& db_ = b.Get(kind.date_field);
    return da != db_ ? da > db_ : a.id > b.id;
  });
  if (filter.limit > 0 && static_cast<int64_t>(out.size()) > filter.limit) {
    out.resize(static_cast<size_t>(filter.limit));
  }
  return out;
}

std::string RecordsJson(const Kind& kind, const std::vector<Record>& records) {
  json out = json::array();
  for (const Record& r : records) {
    json j = {{"id", r.id}, {"version", r.version}};
    if (kind.has_unit) {
      j["organisation"] = r.unit_code;
      j["organisation_name"] = r.unit_name;
    }
    j["metric"] = r.metric.empty() ? json(nullptr) : json(r.metric);
    for (const Field& f : kind.fields) {
      const std::string& v = r.Get(f.name);
      if (f.type == FieldType::kCount && !v.empty()) {
        j[std::string(f.name)] = std::stoll(v);
      } else {
        j[std::string(f.name)] = v;
      }
    }
    j["created_by"] = r.created_by;
    j["created_at"] = r.created_at;
    out.push_back(std::move(j));
  }
  return Dump(out);
}

}  // namespace shewhart::intelligence
