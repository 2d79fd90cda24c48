// intelligence records: ONE engine for every strand of evidence the part keeps — patient safety
// incidents, complaints, clinical audits, regulator ratings, soft-intelligence notes and
// horizon-scanning items. Each strand is a Kind: its table, its fields (with their type, their
// words, whether they are required, whether a date may lie in the future), the fields that
// identify a record, and whether it is restricted (visible only within a person's scope).
// The engine validates, imports (all or nothing, every problem by row and column), creates,
// versions and lists records of any Kind in the same way, so a new strand is a descriptor, not
// new code.
//
// Every record belongs to a unit (an organisation, or a ward, team or care home below it) and may
// bear on a metric. A record changed by a later import keeps its old values in
// `intelligence_history` and its version goes up; every write records an audit entry in the same
// transaction (`import.<kind>` for a file, `<singular>.create` for one record entered on a
// screen). Free text is screened for NHS numbers: Shewhart holds no patient-identifiable data.
//
// Thread-compatible.
//
// Example:
//   const Kind& k = IncidentKind();
//   ASSIGN_OR_RETURN(imports::Table t, imports::ReadTable("incidents.csv"));
//   ASSIGN_OR_RETURN(imports::ImportReport r, ImportRecords(*conn, k, t, sha, options));
//   ASSIGN_OR_RETURN(std::vector<Record> mine, ListRecords(*conn, k, scope, {.unit = "RZA"}));
#ifndef SHEWHART_INTELLIGENCE_RECORDS_H_
#define SHEWHART_INTELLIGENCE_RECORDS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "access/access.h"
#include "access/audit.h"
#include "base/status.h"
#include "db/db.h"
#include "imports/imports.h"
#include "imports/problems.h"
#include "imports/table.h"

namespace shewhart::intelligence {

enum class FieldType {
  kText,   // a short text (a reference, a category, a title); screened for NHS numbers
  kLong,   // free text (a summary, actions); screened for NHS numbers
  kWord,   // one of Field::words (lower case; the file may use any case)
  kDate,   // YYYY-MM-DD
  kCount,  // a whole number >= 0
  kUrl,    // http:// or https://
  kYesNo,  // yes or no (also true/false, y/n, 1/0), stored as "yes" / "no"
  kCodes,    // unit codes separated by ';' (empty = every organisation)
  kMetrics,  // metric codes separated by ';'
};

struct Field {
  std::string_view name;    // the column in files and the field in JSON
  std::string_view column;  // the database column
  FieldType type = FieldType::kText;
  bool required = false;
  std::span<const std::string_view> words = {};  // kWord: the allowed words
  bool may_be_future = false;                      // kDate: false = not after today
  size_t max_bytes = 200;
};

using Values = std::map<std::string, std::string, std::less<>>;

struct Kind {
  std::string_view name;      // the import kind and the plural: "incidents"
  std::string_view singular;  // "incident": the signal source, audit action prefix
  std::string_view table;
  std::string_view summary;  // one line for `shewhart import --help` and the upload screen
  std::span<const Field> fields;
  // The fields that identify a record: a row of a file with the same key changes that record.
  // "organisation" may be one of them.
  std::span<const std::string_view> key;
  bool restricted = false;        // visible only within a person's scope (access::Scope)
  std::string_view date_field;    // places the record on the time line
  std::string_view title_field;   // what the time line says about it
  bool has_unit = true;           // false: horizon items name `organisations` instead
  std::string_view created_by_column = "created_by";
  // The thing in audit entries and route actions ("<noun>.create"); "" = singular. Clinical
  // audits say "clinical_audit", as "audit.list" is the audit log's.
  std::string_view noun = "";
  // Checks across fields of one row (e.g. reported on or after occurred); may add problems.
  void (*check)(const Values& values, int64_t row, imports::Problems* problems) = nullptr;

  std::string_view Noun() const { return noun.empty() ? singular : noun; }
};

// One stored record.
struct Record {
  int64_t id = 0;
  std::string_view kind;     // Kind::singular
  int64_t unit_id = 0;       // 0 when the kind has no unit
  std::string unit_code;     // "" when the kind has no unit
  std::string unit_name;
  std::string metric;        // metric code, "" when none
  Values values;             // every field by name ("" when empty)
  int64_t version = 1;
  std::string created_by, created_at, updated_at;

  // The value of field `name`, "" when absent.
  const std::string& Get(std::string_view name) const;
};

// The database columns every record table has besides its fields (see the migrations):
//   id, unit_id (NULL when !has_unit), metric_id, version, batch_id, created_by (or the kind's
//   created_by_column), created_at, updated_by, updated_at.

// The history table shared by every kind (migration 703).
inline constexpr std::string_view kHistoryTable = "intelligence_history";

// Validates one row's values (by field name, plus "organisation" and "metric") against the kind,
// the directory and the dictionary; adds every problem found to `problems` under `row`. `today`
// is YYYY-MM-DD. Resolved ids go to *unit_id / *metric_id (0 / nullopt when absent).
struct Resolved {
  int64_t unit_id = 0;
  std::optional<int64_t> metric_id;
  Values values;  // normalised (trimmed, words lower case, yes/no)
};

// Imports a file of `kind`'s records: the imports::Importer contract (all or nothing; dry run;
// added / changed / unchanged; one audit entry `import.<kind>` with the file's SHA-256). After a
// write, the count series of incidents and complaints are brought up to date (series.h).
Result<imports::ImportReport> ImportRecords(db::Connection& conn, const Kind& kind,
                                            const imports::Table& table, std::string_view sha256,
                                            const imports::ImportOptions& options);

// Adds one record entered on a screen. `values` holds field names plus "organisation" and
// optionally "metric". InvalidArgument naming every problem; AlreadyExists when a record with the
// same key exists. Writes the audit entry `<Noun()>.create` (restricted free text is not copied
// into the audit log). Returns the new id.
Result<int64_t> CreateRecord(db::Connection& conn, const access::Acting& who, const Kind& kind,
                             const Values& values);

struct RecordFilter {
  std::optional<std::string> unit;    // this unit and every unit below it
  std::optional<std::string> metric;  // only records bearing on this metric
  std::string from, to;               // date_field within [from, to] when non-empty
  int64_t limit = 0;                  // 0 = no limit
  // When `field` is set (a field's name): only records whose field is one of `values` — chosen
  // in the database, so the rest are never read.
  std::string_view field;
  std::vector<std::string> values;
};

// Records of `kind` visible within `scope` (restricted kinds: only units in scope; others: all),
// newest first by date_field. NotFound for an unknown unit or metric in the filter. Horizon items
// (no unit) match a unit filter when they name that unit, an organisation above it, or none.
Result<std::vector<Record>> ListRecords(db::Connection& conn, const Kind& kind,
                                        const access::Scope& scope, const RecordFilter& filter);

// The records as JSON text (an array), for the API: every field, "organisation", "metric",
// "version"; kCount fields as numbers.
std::string RecordsJson(const Kind& kind, const std::vector<Record>& records);

// The CREATE TABLE statement's field columns for `kind` ("reference TEXT NOT NULL DEFAULT '',
// ..."), in field order: the migrations are written with it checked by a test.
std::string FieldColumnsSql(const Kind& kind);

// The id of the unit and of every unit below it (the directory's parent links), `unit_id` first.
Result<std::vector<int64_t>> UnitAndBelow(db::Connection& conn, int64_t unit_id);

}  // namespace shewhart::intelligence

#endif  // SHEWHART_INTELLIGENCE_RECORDS_H_
