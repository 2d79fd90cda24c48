// Exports in the import formats, sorted, so that export -> import -> export is byte-identical.
#include <algorithm>

#include "csv/csv_reader.h"
#include "dictionary/dictionary.h"
#include "directory/directory.h"
#include "imports/imports.h"
#include "base/text_checks.h"
#include "observations/observations.h"

namespace shewhart::imports {
namespace {

void Line(std::initializer_list<std::string_view> fields, std::string* out) {
  bool first = true;
  for (std::string_view f : fields) {
    if (!first) out->push_back(',');
    first = false;
    csv::AppendCsvField(NeutraliseFormula(f), out);
  }
  out->push_back('\n');
}

std::string Opt(const std::optional<double>& v) { return v ? FormatNumber(*v) : std::string(); }
std::string OptDate(const std::optional<Date>& d) { return d ? FormatIsoDate(*d) : std::string(); }

}  // namespace

std::string NeutraliseFormula(std::string_view cell) {
  if (cell.empty() || !IsFormulaStart(cell.front()) || ParseNumber(cell)) return std::string(cell);
  return "'" + std::string(cell);
}

std::string RestoreFormula(std::string_view cell) {
  if (cell.size() >= 2 && cell.front() == '\'' && IsFormulaStart(cell[1])) {
    return std::string(cell.substr(1));
  }
  return std::string(cell);
}

Result<std::string> ExportObservationsCsv(db::Connection& conn) {
  // Which columns: value for single-value metrics, numerator/denominator for ratios.
  ASSIGN_OR_RETURN(dictionary::Dictionary dict, dictionary::Dictionary::Load(conn));
  std::vector<observations::ExportRow> rows;
  RETURN_IF_ERROR(observations::ForEachForExport(
      conn, [&](const observations::ExportRow& r) { rows.push_back(r); }));
  bool any_value = false, any_ratio = false;
  for (const observations::ExportRow& r : rows) {
    if (r.numerator || r.denominator) {
      any_ratio = true;
    } else {
      any_value = true;
    }
  }
  if (!any_ratio) any_value = true;
  std::string out;
  out += "metric,unit,period";
  if (any_value) out += ",value";
  if (any_ratio) out += ",numerator,denominator";
  out += '\n';
  char date[10];
  for (const observations::ExportRow& r : rows) {
    csv::AppendCsvField(r.metric, &out);
    out += ',';
    csv::AppendCsvField(r.unit, &out);
    out += ',';
    FormatIsoDate(r.period, date);
    out.append(date, 10);
    const bool ratio = r.numerator || r.denominator;
    if (any_value) {
      out += ',';
      if (!ratio) out += Opt(r.value);
    }
    if (any_ratio) {
      out += ',';
      out += Opt(r.numerator);
      out += ',';
      out += Opt(r.denominator);
    }
    out += '\n';
  }
  return out;
}

Result<std::string> ExportOrganisationsCsv(db::Connection& conn) {
  ASSIGN_OR_RETURN(directory::Directory dir, directory::Directory::Load(conn));
  std::vector<const directory::Unit*> units;
  for (const directory::Unit& u : dir.units()) units.push_back(&u);
  std::sort(units.begin(), units.end(),
            [](const directory::Unit* a, const directory::Unit* b) { return a->code < b->code; });
  auto code_of = [&](const std::optional<int64_t>& id) {
    const directory::Unit* x = id ? dir.FindById(*id) : nullptr;
    return x ? x->code : std::string();
  };
  std::string out = "code,name,kind,parent,opened,closed,successor,member_of\n";
  for (const directory::Unit* u : units) {
    std::vector<std::string> groups;
    for (const int64_t g : u->group_ids) groups.push_back(code_of(g));
    std::sort(groups.begin(), groups.end());
    std::string member_of;
    for (const std::string& g : groups) member_of += (member_of.empty() ? "" : ";") + g;
    Line({u->code, u->name, u->kind, code_of(u->parent_id), u->opened, u->closed,
          code_of(u->successor_id), member_of},
         &out);
  }
  return out;
}

Result<std::string> ExportMetricsCsv(db::Connection& conn) {
  ASSIGN_OR_RETURN(dictionary::Dictionary dict, dictionary::Dictionary::Load(conn));
  std::string out =
      "code,applies_from,name,definition,numerator_definition,denominator_definition,unit,"
      "measure,multiplier,improvement_direction,chart_type,frequency,domain,target,target_from,"
      "source,owner,status,agreed_by,agreed_at\n";
  for (const dictionary::Metric& m : dict.metrics()) {  // by code; versions by applies_from
    for (const dictionary::MetricVersion& v : m.versions) {
      Line({m.code,
            OptDate(v.applies_from),
            v.name,
            v.definition,
            v.numerator_definition,
            v.denominator_definition,
            v.unit,
            v.measure,
            FormatNumber(v.multiplier),
            v.improvement_direction,
            v.chart_type,
            v.frequency,
            v.domain,
            Opt(v.target),
            OptDate(v.target_from),
            v.source,
            v.owner,
            v.status,
            v.agreed_by,
            v.agreed_at},
           &out);
    }
  }
  return out;
}

}  // namespace shewhart::imports
