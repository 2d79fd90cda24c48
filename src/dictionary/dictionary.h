// dictionary: what is measured and what words mean, agreed once for the whole system.
//
// A metric (code "AE4H") has one or more versions. Each version carries the whole definition —
// name, plain-English definition, numerator and denominator definitions, unit, how a value is
// formed (measure, multiplier), improvement direction, chart type, frequency, domain, target and
// from when, source, owner — and a status: draft -> agreed -> retired, with who agreed it and
// when. A change to an agreed definition is a NEW version with `applies_from`, the first period
// it governs; the old version keeps governing the periods before. So every observation is read
// under the definition in force for its period (Metric::VersionFor).
//
// Measures:
//   "value"       the observation is one number (a count, a score, a mean);
//   "proportion"  numerator / denominator with numerator <= denominator (e.g. % seen in 4 hours);
//   "rate"        numerator / denominator, numerator may exceed it (falls per 1,000 bed days).
// For proportions and rates the stored value is multiplier x numerator / denominator (multiplier
// 100 for a percentage, 1000 for "per 1,000"), and targets are on the same scale as values.
//
// Glossary terms ("system", "place", "provider collaborative") are versioned the same way.
//
// Thread-compatible.
//
// Example:
//   ASSIGN_OR_RETURN(dictionary::Dictionary dict, dictionary::Dictionary::Load(*conn));
//   const dictionary::Metric* m = dict.FindByCode("AE4H");
//   const dictionary::MetricVersion& v = m->VersionFor(DaysFromCivil(2018, 5, 1));
//   v.measure;  // "proportion"
#ifndef SHEWHART_DICTIONARY_DICTIONARY_H_
#define SHEWHART_DICTIONARY_DICTIONARY_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/date.h"
#include "access/audit.h"
#include "base/status.h"
#include "db/db.h"
#include "db/migrate.h"

namespace shewhart::dictionary {

// Allowed words for the enumerated fields (lower case, as written in files).
std::span<const std::string_view> Measures();     // value, proportion, rate
std::span<const std::string_view> Directions();   // increase, decrease, neutral
std::span<const std::string_view> ChartTypes();   // xmr, run, p, u, c
std::span<const std::string_view> Frequencies();  // daily, weekly, monthly, quarterly, yearly
std::span<const std::string_view> Domains();      // safe, effective, caring, responsive,
                                                  // well-led, workforce, improvement capability
std::span<const std::string_view> Statuses();     // draft, agreed, retired, local
bool IsOneOf(std::span<const std::string_view> words, std::string_view word);

struct MetricVersion {
  int64_t id = 0;
  int32_t version = 0;               // 1, 2, ... per metric
  std::optional<Date> applies_from;  // first period governed; nullopt = from the beginning
  std::string name;
  std::string definition;
  std::string numerator_definition;
  std::string denominator_definition;
  std::string unit;  // what a value is measured in ("%", "per 1,000 bed days", "patients")
  std::string measure = "value";
  double multiplier = 1;
  std::string improvement_direction = "neutral";
  std::string chart_type = "xmr";
  std::string frequency = "monthly";
  std::string domain;
  std::optional<double> target;
  std::optional<Date> target_from;
  std::string source;
  std::string owner;
  std::string status = "draft";
  std::string agreed_by;
  std::string agreed_at;  // ISO timestamp or date, "" when not agreed
  std::string created_by;
  std::string created_at;

  bool has_ratio() const { return measure == "proportion" || measure == "rate"; }
  // True if the definition fields (everything but status, agreed_by/at, created_by/at, id,
  // version) are equal.
  bool SameDefinition(const MetricVersion& other) const;
};

struct Metric {
  int64_t id = 0;
  std::string code;
  std::vector<MetricVersion> versions;  // ordered by applies_from (the open-start one first)

  // The version in force for `period`: the last whose applies_from <= period, or the first.
  // REQUIRES: !versions.empty().
  const MetricVersion& VersionFor(Date period) const;
  const MetricVersion& Latest() const { return versions.back(); }
};

// The schema of this part (metrics, versions, glossary). Versions 200-299.
std::span<const db::Migration> Migrations();

class Dictionary {
 public:
  static Result<Dictionary> Load(db::Connection& conn);
  const Metric* FindByCode(std::string_view code) const;  // nullptr when absent
  const Metric* FindById(int64_t id) const;
  const std::vector<Metric>& metrics() const { return metrics_; }  // ordered by code

 private:
  std::vector<Metric> metrics_;
  std::unordered_map<std::string, size_t> by_code_;
  std::unordered_map<int64_t, size_t> by_id_;
};

// The id of the metric with `code`; NotFound ("there is no metric \"X\"") when there is none.
Result<int64_t> MetricIdByCode(db::Connection& conn, std::string_view code);

// Writes, attributed to `actor` at `at`; run them inside the caller's transaction.
// Creates a metric with no versions; AlreadyExists if the code is taken.
Result<int64_t> InsertMetric(db::Connection& conn, std::string_view code, std::string_view actor,
                             std::string_view at);
// Adds `v` as a new version of `metric_id` (v.version must be the next number). Returns its id.
Result<int64_t> InsertVersion(db::Connection& conn, int64_t metric_id, const MetricVersion& v);
// Changes the lifecycle of an existing version (status, agreed_by, agreed_at) — the only update a
// version ever receives; the definition itself is never overwritten once agreed.
Status UpdateVersionStatus(db::Connection& conn, int64_t version_id, std::string_view status,
                           std::string_view agreed_by, std::string_view agreed_at);
// Overwrites a DRAFT version's definition in place (drafts are work in progress).
// FailedPrecondition if the stored version is not a draft.
Status UpdateDraftVersion(db::Connection& conn, const MetricVersion& v);

// ---- Services: the dictionary's rules, whichever face calls them. Each runs in its own
// transaction (or joins the caller's), validates, writes, and records its audit entry with `who`.

// Proposes a definition: a new metric (version 1) or the next version of an existing one, as a
// draft. Checks the words (measure, improvement_direction, chart_type, frequency, domain), a
// positive finite multiplier, free text free of NHS numbers, and that a new version of an
// existing metric says the period it applies from. Returns the version as stored (number set).
// Audit: "metric.propose", "CODE vN", "" -> the version. InvalidArgument naming the field.
Result<MetricVersion> ProposeVersion(db::Connection& conn, std::string_view code, MetricVersion v,
                                     const access::Acting& who);

// The lifecycle of a definition: draft -> agreed -> retired. Both steps find the metric by code
// and the version by number and return the version as it was BEFORE the step. NotFound for an
// unknown metric or version; FailedPrecondition when the version is not in the state the step
// starts from. Audit: "metric.agree" / "metric.retire", "CODE vN", {"status": before} ->
// {"status": after}.
// Agree: draft -> agreed, recording who agreed it and when.
Result<MetricVersion> AgreeVersion(db::Connection& conn, std::string_view code, int32_t version,
                                   const access::Acting& who);
// Retire: agreed -> retired, keeping who agreed it and when.
Result<MetricVersion> RetireVersion(db::Connection& conn, std::string_view code, int32_t version,
                                    const access::Acting& who);

// The glossary words a term's status may take: draft, agreed, retired.
std::span<const std::string_view> TermStatuses();
// Defines `term` (a new version when it differs from the latest). Checks the status word, the
// lengths (term <= 200 bytes, definition <= 4000) and free text free of NHS numbers. Audit:
// "glossary.set", "TERM vN", {"definition": old} -> {"definition": new}. Returns the version.
Result<int32_t> DefineTerm(db::Connection& conn, std::string_view term, std::string_view definition,
                           std::string_view status, const access::Acting& who);

// A version as JSON text (every field; dates as YYYY-MM-DD, absent values null): the audit
// entry's form and the API's.
std::string VersionJson(const MetricVersion& v);

struct GlossaryTerm {
  std::string term;
  int32_t version = 0;
  std::string definition;
  std::string status;
  std::string created_by;
  std::string created_at;
};
// Records `definition` for `term`: a new version when the term is new or the definition differs
// from the latest; nothing when it is the same. Returns the version now in force.
// InvalidArgument unless `status` is draft, agreed or retired.
Result<int32_t> SetGlossaryTerm(db::Connection& conn, std::string_view term,
                                std::string_view definition, std::string_view status,
                                std::string_view actor, std::string_view at);
// Latest version of every term, ordered by term.
Result<std::vector<GlossaryTerm>> Glossary(db::Connection& conn);
// Every version of one term, oldest first.
Result<std::vector<GlossaryTerm>> GlossaryHistory(db::Connection& conn, std::string_view term);

// The largest multiplier a definition may have (1 000 000: "per million"); larger ones would turn
// finite values into infinities.
inline constexpr double kMaxMultiplier = 1e6;

}  // namespace shewhart::dictionary

#endif  // SHEWHART_DICTIONARY_DICTIONARY_H_
