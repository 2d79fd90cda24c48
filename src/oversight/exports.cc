// The board as a workbook and as a board pack. Everything is read from the board service and the
// stored results; the pack's charts are the stored series analysed by the same
// AnalyseSpcSeries the store used (same direction, target and recalculations), so the chart and
// the stored icons agree.
#include "oversight/exports.h"

#include <xlsxwriter.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "base/date.h"
#include "chart/table_page.h"
#include "chart/xmr_chart.h"
#include "dictionary/dictionary.h"
#include "directory/directory.h"
#include "oversight/spc_series.h"
#include "oversight/spc_store.h"

namespace shewhart::oversight {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ---- Stored series as points. -----------------------------------------------------------------

struct SeriesPoints {
  std::vector<Date> dates;
  std::vector<double> values;
  std::vector<double> mean, lpl, upl;  // per point, from its recalculation group
  std::vector<Recalculation> recalculations;
  double target = kNaN;
};

SeriesPoints PointsOf(const StoredSpcResult& r) {
  SeriesPoints s;
  for (const StoredPoint& p : r.points) {
    s.dates.push_back(p.period);
    s.values.push_back(p.value);
  }
  const size_t n = s.dates.size();
  s.mean.assign(n, kNaN);
  s.lpl.assign(n, kNaN);
  s.upl.assign(n, kNaN);
  for (size_t g = 0; g < r.groups.size(); ++g) {
    const StoredGroup& gr = r.groups[g];
    for (size_t i = static_cast<size_t>(std::max(0, gr.begin));
         i < std::min(n, static_cast<size_t>(std::max(0, gr.end))); ++i) {
      s.mean[i] = gr.mean;
      s.lpl[i] = gr.lpl;
      s.upl[i] = gr.upl;
    }
    if (g > 0 && gr.begin >= 0 && static_cast<size_t>(gr.begin) < n) {
      s.recalculations.push_back({s.dates[static_cast<size_t>(gr.begin)], gr.reason});
    }
  }
  if (r.target) s.target = *r.target;
  return s;
}

// The ids the stored results are keyed by.
struct Ids {
  directory::Directory dir;
  dictionary::Dictionary dict;
  std::optional<SeriesKey> KeyOf(const BoardRow& row) const {
    const dictionary::Metric* m = dict.FindByCode(row.metric);
    const directory::Unit* u = dir.FindByCode(row.unit);
    if (m == nullptr || u == nullptr) return std::nullopt;
    return SeriesKey{m->id, u->id, row.aggregate};
  }
  std::string UnitOf(const std::string& metric) const {
    const dictionary::Metric* m = dict.FindByCode(metric);
    return m != nullptr && !m->versions.empty() ? m->Latest().unit : "";
  }
};

Result<Ids> LoadIds(db::Connection& conn) {
  Ids ids;
  ASSIGN_OR_RETURN(ids.dir, directory::Directory::Load(conn));
  ASSIGN_OR_RETURN(ids.dict, dictionary::Dictionary::Load(conn));
  return ids;
}

Result<std::optional<SeriesPoints>> LoadPoints(db::Connection& conn, const Ids& ids,
                                               const BoardRow& row) {
  const std::optional<SeriesKey> key = ids.KeyOf(row);
  if (!key) return std::optional<SeriesPoints>();
  ASSIGN_OR_RETURN(std::optional<StoredSpcResult> r, LoadSpcResult(conn, *key));
  if (!r) return std::optional<SeriesPoints>();
  return std::optional<SeriesPoints>(PointsOf(*r));
}

std::string FilterText(const BoardFilter& f, const std::string& generated_at) {
  std::string out;
  auto add = [&](const char* name, const std::string& v) {
    if (v.empty()) return;
    out += (out.empty() ? "" : ", ") + std::string(name) + " " + v;
  };
  add("domain", f.domain);
  add("place", f.place);
  add("kind", f.kind);
  add("metric", f.metric);
  std::string text = out.empty() ? "All metrics and units" : "Filtered to " + out;
  if (!generated_at.empty()) text += " · made " + generated_at;
  return text;
}

std::string UnitLabel(const BoardRow& r) {
  if (r.aggregate) return r.unit_name + " (system)";
  return r.unit_name == r.unit ? r.unit : r.unit_name + " (" + r.unit + ")";
}

// The icons in a few words, for the cover's narrow columns (the key spells them out).
std::string ShortVariation(std::string_view v) {
  if (v == "common_cause") return "Common cause";
  if (v == "improvement_high") return "Improvement (high)";
  if (v == "improvement_low") return "Improvement (low)";
  if (v == "concern_high") return "Concern (high)";
  if (v == "concern_low") return "Concern (low)";
  if (v == "neutral_high") return "Special cause (high)";
  if (v == "neutral_low") return "Special cause (low)";
  return "Too few points";
}

std::string ShortAssurance(std::string_view a) {
  if (a == "consistent_pass") return "Consistently passing";
  if (a == "consistent_fail") return "Consistently failing";
  if (a == "inconsistent") return "Hit and miss";
  return "";
}

std::string Number(const std::optional<double>& v) {
  if (!v || !std::isfinite(*v)) return "";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.4g", *v);
  return buf;
}

std::optional<stats::Variation> VariationOf(std::string_view name) {
  using stats::Variation;
  for (Variation v : {Variation::kCommonCause, Variation::kImprovementHigh,
                      Variation::kImprovementLow, Variation::kConcernHigh, Variation::kConcernLow,
                      Variation::kNeutralHigh, Variation::kNeutralLow}) {
    if (stats::Name(v) == name) return v;
  }
  return std::nullopt;
}

stats::Direction DirectionOf(std::string_view d) {
  if (d == "increase") return stats::Direction::kIncrease;
  if (d == "decrease") return stats::Direction::kDecrease;
  return stats::Direction::kNeutral;
}

// ---- The workbook. ----------------------------------------------------------------------------

// Owns a libxlsxwriter workbook: closed (and written) by Close(), or on destruction.
class Workbook {
 public:
  explicit Workbook(const std::string& path) : wb_(workbook_new(path.c_str())), path_(path) {}
  ~Workbook() {
    if (wb_ != nullptr) workbook_close(wb_);
  }
  Workbook(const Workbook&) = delete;
  Workbook& operator=(const Workbook&) = delete;

  lxw_workbook* get() const { return wb_; }
  Status Close() {
    const lxw_error e = workbook_close(wb_);
    wb_ = nullptr;
    if (e != LXW_NO_ERROR) {
      return IoError("cannot write the workbook '" + path_ + "': " + lxw_strerror(e));
    }
    return Status::Ok();
  }

 private:
  lxw_workbook* wb_;
  std::string path_;
};

// A worksheet name Excel accepts (at most 31 characters, none of []:*?/\), unique in `used`.
std::string SheetName(const std::string& code, std::set<std::string>* used) {
  std::string base;
  for (char c : code) {
    base += std::string_view("[]:*?/\\'").find(c) == std::string_view::npos ? c : '_';
  }
  if (base.empty()) base = "metric";
  base = base.substr(0, 28);
  std::string name = base;
  for (int i = 2; used->count(name) != 0; ++i) name = base + "~" + std::to_string(i);
  used->insert(name);
  return name;
}

// "'Sheet name'!$A$2:$A$9" for a column block of one sheet (0-based rows and column).
std::string RangeRef(const std::string& sheet, int row0, int row1, int col) {
  std::string colname;
  for (int c = col + 1; c > 0; c = (c - 1) / 26)
    colname.insert(colname.begin(), 'A' + (c - 1) % 26);
  return "='" + sheet + "'!$" + colname + "$" + std::to_string(row0 + 1) + ":$" + colname + "$" +
         std::to_string(row1 + 1);
}

void WriteOptional(lxw_worksheet* ws, int row, int col, double v, lxw_format* f) {
  if (std::isfinite(v)) worksheet_write_number(ws, row, col, v, f);
}

constexpr lxw_color_t kOrangeFill = 0xFCE4C4;
constexpr lxw_color_t kBlueFill = 0xD4ECF9;
constexpr lxw_color_t kPurpleFill = 0xE1DAF0;

}  // namespace

bool IsSignal(const BoardRow& row) { return ConcernRank(row.variation, row.assurance) < 3; }

Result<BoardWorkbookReport> WriteBoardWorkbook(db::Connection& conn,
                                               const BoardExportOptions& options,
                                               const std::string& path) {
  ASSIGN_OR_RETURN(const BoardFilter filter, WithDefaultScope(conn, options.filter));
  ASSIGN_OR_RETURN(std::vector<BoardRow> rows, BoardSummary(conn, filter));
  ASSIGN_OR_RETURN(Ids ids, LoadIds(conn));
  BoardWorkbookReport report;
  report.rows = static_cast<int64_t>(rows.size());

  Workbook book(path);
  if (book.get() == nullptr) return IoError("cannot create the workbook '" + path + "'");
  lxw_workbook* wb = book.get();
  lxw_format* title = workbook_add_format(wb);
  format_set_bold(title);
  format_set_font_size(title, 14);
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  format_set_bg_color(bold, 0xE8EDEE);
  format_set_text_wrap(bold);
  lxw_format* month = workbook_add_format(wb);
  format_set_num_format(month, "mmm yyyy");
  lxw_format* number = workbook_add_format(wb);
  format_set_num_format(number, "0.00");
  lxw_format* orange = workbook_add_format(wb);
  format_set_bg_color(orange, kOrangeFill);
  lxw_format* blue = workbook_add_format(wb);
  format_set_bg_color(blue, kBlueFill);
  lxw_format* purple = workbook_add_format(wb);
  format_set_bg_color(purple, kPurpleFill);

  // The summary.
  lxw_worksheet* summary = workbook_add_worksheet(wb, "Board summary");
  worksheet_write_string(summary, 0, 0, "Board summary: Making Data Count variation and assurance",
                         title);
  worksheet_write_string(summary, 1, 0, FilterText(options.filter, options.generated_at).c_str(),
                         nullptr);
  const char* headings[] = {
      "Metric",      "Name",   "Domain",      "Unit",      "Unit name",      "Kind",
      "Place",       "Series", "Variation",   "Assurance", "Latest mean",    "Lower limit",
      "Upper limit", "Target", "Last period", "Points",    "Concern points", "Improvement points"};
  constexpr int kHeaderRow = 3;
  constexpr int kVariationCol = 8, kAssuranceCol = 9;
  for (int c = 0; c < static_cast<int>(std::size(headings)); ++c) {
    worksheet_write_string(summary, kHeaderRow, c, headings[c], bold);
  }
  int r = kHeaderRow + 1;
  for (const BoardRow& b : rows) {
    worksheet_write_string(summary, r, 0, b.metric.c_str(), nullptr);
    worksheet_write_string(summary, r, 1, b.name.c_str(), nullptr);
    worksheet_write_string(summary, r, 2, b.domain.c_str(), nullptr);
    worksheet_write_string(summary, r, 3, b.unit.c_str(), nullptr);
    worksheet_write_string(summary, r, 4, b.unit_name.c_str(), nullptr);
    worksheet_write_string(summary, r, 5, b.kind.c_str(), nullptr);
    worksheet_write_string(summary, r, 6, b.place.c_str(), nullptr);
    worksheet_write_string(summary, r, 7, b.aggregate ? "system aggregate" : "own", nullptr);
    worksheet_write_string(summary, r, kVariationCol, VariationMeaning(b.variation).c_str(),
                           nullptr);
    worksheet_write_string(summary, r, kAssuranceCol, AssuranceMeaning(b.assurance).c_str(),
                           nullptr);
    WriteOptional(summary, r, 10, b.mean.value_or(kNaN), number);
    WriteOptional(summary, r, 11, b.lpl.value_or(kNaN), number);
    WriteOptional(summary, r, 12, b.upl.value_or(kNaN), number);
    WriteOptional(summary, r, 13, b.target.value_or(kNaN), number);
    if (std::optional<Date> d = ParseIsoDate(b.last_period)) {
      const CivilDate c = CivilFromDays(*d);
      lxw_datetime dt = {c.year, c.month, c.day, 0, 0, 0};
      worksheet_write_datetime(summary, r, 14, &dt, month);
    }
    worksheet_write_number(summary, r, 15, static_cast<double>(b.n_points), nullptr);
    worksheet_write_number(summary, r, 16, static_cast<double>(b.n_concern), nullptr);
    worksheet_write_number(summary, r, 17, static_cast<double>(b.n_improvement), nullptr);
    ++r;
  }
  const int last_row = std::max(r - 1, kHeaderRow + 1);
  // Icon colours as conditional formats, so they follow a person's own sorting and filtering.
  auto highlight = [&](int col, const char* text, lxw_format* f) {
    lxw_conditional_format cf = {};
    cf.type = LXW_CONDITIONAL_TYPE_TEXT;
    cf.criteria = LXW_CONDITIONAL_CRITERIA_TEXT_CONTAINING;
    cf.value_string = const_cast<char*>(text);
    cf.format = f;
    worksheet_conditional_format_range(summary, kHeaderRow + 1, col, last_row, col, &cf);
  };
  highlight(kVariationCol, "concern", orange);
  highlight(kVariationCol, "improvement", blue);
  highlight(kVariationCol, "neither better nor worse", purple);
  highlight(kAssuranceCol, "failing", orange);
  highlight(kAssuranceCol, "passing", blue);
  highlight(kAssuranceCol, "Hit and miss", purple);
  worksheet_freeze_panes(summary, kHeaderRow + 1, 0);
  worksheet_autofilter(summary, kHeaderRow, 0, last_row, static_cast<int>(std::size(headings)) - 1);
  worksheet_set_column(summary, 0, 0, 10, nullptr);
  worksheet_set_column(summary, 1, 1, 34, nullptr);
  worksheet_set_column(summary, 4, 4, 34, nullptr);
  worksheet_set_column(summary, kVariationCol, kAssuranceCol, 52, nullptr);

  // The key.
  lxw_worksheet* key = workbook_add_worksheet(wb, "Key");
  worksheet_write_string(key, 0, 0, "What the icons mean", title);
  worksheet_write_string(key, 2, 0, "Icon", bold);
  worksheet_write_string(key, 2, 1, "Meaning", bold);
  int k = 3;
  for (const char* v : {"common_cause", "improvement_high", "improvement_low", "concern_high",
                        "concern_low", "neutral_high", "neutral_low"}) {
    worksheet_write_string(key, k, 0, ("variation: " + std::string(v)).c_str(), nullptr);
    worksheet_write_string(key, k++, 1, VariationMeaning(v).c_str(), nullptr);
  }
  for (const char* a : {"consistent_pass", "consistent_fail", "inconsistent", ""}) {
    worksheet_write_string(key, k, 0, ("assurance: " + std::string(*a ? a : "none")).c_str(),
                           nullptr);
    worksheet_write_string(key, k++, 1, AssuranceMeaning(a).c_str(), nullptr);
  }
  worksheet_write_string(
      key, k + 1, 0,
      "Variation compares the latest points with the process's own limits (Making Data Count); "
      "assurance says whether the process limits put the target within reach.",
      nullptr);
  worksheet_set_column(key, 0, 0, 28, nullptr);
  worksheet_set_column(key, 1, 1, 70, nullptr);

  // One sheet per metric: a block of rows per series, its chart beside it.
  std::map<std::string, std::vector<const BoardRow*>> by_metric;
  std::vector<std::string> metric_order;
  for (const BoardRow& b : rows) {
    if (by_metric.find(b.metric) == by_metric.end()) metric_order.push_back(b.metric);
    by_metric[b.metric].push_back(&b);
  }
  std::set<std::string> used = {"Board summary", "Key"};
  constexpr int kBlockMinRows = 20;  // a chart is ~15 rows tall
  for (const std::string& code : metric_order) {
    if (report.charts >= options.max_charts) break;
    const std::string name = SheetName(code, &used);
    lxw_worksheet* ws = workbook_add_worksheet(wb, name.c_str());
    ++report.metrics;
    const std::vector<const BoardRow*>& series = by_metric[code];
    worksheet_write_string(ws, 0, 0, (code + ": " + series.front()->name).c_str(), title);
    const std::string unit = ids.UnitOf(code);
    worksheet_write_string(
        ws, 1, 0,
        ("Values in " + (unit.empty() ? std::string("the metric's unit") : unit) +
         "; mean and process limits per recalculation group")
            .c_str(),
        nullptr);
    worksheet_set_column(ws, 0, 0, 11, nullptr);
    worksheet_set_column(ws, 1, 4, 12, nullptr);
    int row = 3;
    for (const BoardRow* b : series) {
      if (report.charts >= options.max_charts) break;
      ASSIGN_OR_RETURN(std::optional<SeriesPoints> p, LoadPoints(conn, ids, *b));
      if (!p || p->dates.empty()) continue;
      const std::string label = UnitLabel(*b);
      worksheet_write_string(ws, row, 0, label.c_str(), title);
      const int head = row + 1;
      const char* cols[] = {"Period", "Value", "Mean", "Lower process limit",
                            "Upper process limit"};
      for (int c = 0; c < 5; ++c) worksheet_write_string(ws, head, c, cols[c], bold);
      const int first = head + 1;
      const int n = static_cast<int>(p->dates.size());
      for (int i = 0; i < n; ++i) {
        const CivilDate c = CivilFromDays(p->dates[i]);
        lxw_datetime dt = {c.year, c.month, c.day, 0, 0, 0};
        worksheet_write_datetime(ws, first + i, 0, &dt, month);
        WriteOptional(ws, first + i, 1, p->values[i], nullptr);
        WriteOptional(ws, first + i, 2, p->mean[i], number);
        WriteOptional(ws, first + i, 3, p->lpl[i], number);
        WriteOptional(ws, first + i, 4, p->upl[i], number);
      }
      const int last = first + n - 1;
      lxw_chart* chart = workbook_add_chart(wb, LXW_CHART_LINE);
      const std::string cats = RangeRef(name, first, last, 0);
      struct Line {
        int col;
        const char* name;
        lxw_color_t color;
        uint8_t dash;
        float width;
      };
      const Line lines[] = {{1, "Value", 0x425563, LXW_CHART_LINE_DASH_SOLID, 1.75f},
                            {2, "Mean", 0x231F20, LXW_CHART_LINE_DASH_SOLID, 1.0f},
                            {3, "Lower process limit", 0x768692, LXW_CHART_LINE_DASH_DASH, 1.0f},
                            {4, "Upper process limit", 0x768692, LXW_CHART_LINE_DASH_DASH, 1.0f}};
      for (const Line& l : lines) {
        lxw_chart_series* s =
            chart_add_series(chart, cats.c_str(), RangeRef(name, first, last, l.col).c_str());
        chart_series_set_name(s, l.name);
        lxw_chart_line line = {};
        line.color = l.color;
        line.width = l.width;
        line.dash_type = l.dash;
        chart_series_set_line(s, &line);
        if (l.col == 1) {
          chart_series_set_marker_type(s, LXW_CHART_MARKER_CIRCLE);
          chart_series_set_marker_size(s, 4);
        }
      }
      chart_title_set_name(chart, label.c_str());
      chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
      lxw_chart_options place = {};
      place.x_scale = 1.4;
      place.y_scale = 1.0;
      worksheet_insert_chart_opt(ws, row, 6, chart, &place);
      ++report.charts;
      row = std::max(last + 2, row + kBlockMinRows);
    }
  }
  RETURN_IF_ERROR(book.Close());
  return report;
}

Result<BoardPackReport> WriteBoardPack(db::Connection& conn, const BoardExportOptions& options,
                                       const std::string& path) {
  ASSIGN_OR_RETURN(const BoardFilter filter, WithDefaultScope(conn, options.filter));
  ASSIGN_OR_RETURN(std::vector<BoardRow> rows, BoardSummary(conn, filter));
  ASSIGN_OR_RETURN(Ids ids, LoadIds(conn));
  BoardPackReport report;
  report.rows = static_cast<int64_t>(rows.size());

  // The scope every page names: the system or organisation, else the filter in words.
  const directory::Unit* scope_unit =
      filter.scope.empty() ? nullptr : ids.dir.FindByCode(filter.scope);
  std::string scope = scope_unit != nullptr ? scope_unit->name : FilterText(filter, "");
  if (scope_unit != nullptr) {
    const std::string rest =
        FilterText({.domain = filter.domain, .kind = filter.kind, .metric = filter.metric}, "");
    if (rest != "All metrics and units") scope += " · " + rest;
  }
  const std::string made = options.generated_at.empty() ? "" : " · made " + options.generated_at;
  // The scope's own rows (a system's aggregates, an organisation's series): the summary. Without
  // a scope unit, every row is its own.
  std::vector<const BoardRow*> own, others;
  for (const BoardRow& b : rows) {
    (scope_unit == nullptr || b.unit == scope_unit->code ? own : others).push_back(&b);
  }
  std::string latest;
  for (const BoardRow& b : rows) latest = std::max(latest, b.last_period);
  int counts[4] = {0, 0, 0, 0};
  for (const BoardRow* b : own) ++counts[ConcernRank(b->variation, b->assurance)];

  ASSIGN_OR_RETURN(std::unique_ptr<chart::PdfBoardPack> pack, chart::PdfBoardPack::Create(path));
  // 1. The cover.
  chart::TablePageInput cover;
  cover.title = "Board pack: " + scope;
  cover.subtitle = "Quality oversight in Making Data Count charts" + made;
  cover.columns = {{"", 2.5}, {"", 6}};
  cover.rows = {{.cells = {"Scope", scope}},
                {.cells = {"Latest period", latest.empty() ? "none" : latest}},
                {.cells = {"Measures in the summary", std::to_string(own.size())}},
                {.cells = {"Special cause of concern", std::to_string(counts[0])}},
                {.cells = {"Consistently failing the target", std::to_string(counts[1])}},
                {.cells = {"Hit and miss against the target", std::to_string(counts[2])}},
                {.cells = {"Nothing to look at", std::to_string(counts[3])}},
                {.cells = {"Contents",
                           "Where to look first; the summary with icons and latest values; "
                           "then a chart for each measure that needs attention"}}};
  cover.notes = {"Every page names its scope: " + scope + "."};
  ASSIGN_OR_RETURN(int pages, pack->AddTablePages(cover));
  report.table_pages += pages;

  // 2. Where to look first: the signals, the scope's own first, then its organisations'.
  std::vector<const BoardRow*> signals;
  for (const auto* list : {&own, &others}) {
    for (const BoardRow* b : *list) {
      if (ConcernRank(b->variation, b->assurance) < 2) signals.push_back(b);
    }
  }
  std::stable_sort(signals.begin(), signals.end(), [](const BoardRow* a, const BoardRow* b) {
    return ConcernRank(a->variation, a->assurance) < ConcernRank(b->variation, b->assurance);
  });
  constexpr size_t kWhereToLook = 15;
  chart::TablePageInput look;
  look.title = "Where to look first: " + scope;
  look.subtitle = "Special cause of concern first, then targets consistently failed" + made;
  look.columns = {{"Measure", 4.2},   {"Where", 3.4},  {"Variation", 2.2},
                  {"Assurance", 2.2}, {"Latest", 1.2}, {"Target", 0.9}};
  for (size_t i = 0; i < signals.size() && i < kWhereToLook; ++i) {
    const BoardRow& b = *signals[i];
    look.rows.push_back({.cells = {b.name, UnitLabel(b), ShortVariation(b.variation),
                                   ShortAssurance(b.assurance), b.last_period, Number(b.target)},
                         .marker = VariationOf(b.variation)});
  }
  if (look.rows.empty())
    look.notes.push_back("Nothing shows special cause of concern or a failing target.");
  if (signals.size() > kWhereToLook) {
    look.notes.push_back(std::to_string(signals.size() - kWhereToLook) +
                         " more signals are on the board on screen and in the workbook.");
  }
  ASSIGN_OR_RETURN(pages, pack->AddTablePages(look));
  report.table_pages += pages;

  // 3. The summary: the scope's own measures with icons and latest values.
  chart::TablePageInput summary;
  summary.title = "Summary: " + scope;
  summary.subtitle = std::to_string(own.size()) + " measures, concerns first" + made;
  summary.columns = {{"Measure", 4.6}, {"Variation", 2.2}, {"Assurance", 2.2}, {"Mean", 0.9},
                     {"Limits", 1.7},  {"Target", 0.9},    {"Latest", 1.3},    {"Reported", 1.1}};
  for (const BoardRow* b : own) {
    summary.rows.push_back(
        {.cells = {b->name, ShortVariation(b->variation), ShortAssurance(b->assurance),
                   Number(b->mean), Number(b->lpl) + " to " + Number(b->upl), Number(b->target),
                   b->last_period,
                   b->expected > 0
                       ? std::to_string(b->reported) + " of " + std::to_string(b->expected)
                       : ""},
         .marker = VariationOf(b->variation)});
  }
  summary.notes = {
      "Concern: special cause variation that is worse than before; improvement: better than "
      "before; special cause: a change in a metric with no better direction. Consistently "
      "passing or failing: the process limits are on one side of the target; hit and miss: the "
      "target lies within them.",
      "The dot before each row is the colour of its variation icon: orange = special cause of "
      "concern, blue = improvement, purple = special cause with no better direction, grey = "
      "common cause. Reported: organisations that reported the latest period shown, of those "
      "expected; months too few reported are held back."};
  ASSIGN_OR_RETURN(pages, pack->AddTablePages(summary));
  report.table_pages += pages;

  // 4. Charts only for what needs attention, within the page budget.
  const int32_t budget =
      std::max(0, std::min(options.max_charts, options.max_pages - report.table_pages));
  std::vector<const BoardRow*> charted;
  for (const BoardRow* b : own) {
    if (IsSignal(*b)) charted.push_back(b);
  }
  for (const BoardRow* b : signals) {
    if (std::find(charted.begin(), charted.end(), b) == charted.end()) charted.push_back(b);
  }
  for (const BoardRow* row : charted) {
    if (report.charts >= budget) break;
    const BoardRow& b = *row;
    ASSIGN_OR_RETURN(std::optional<SeriesPoints> p, LoadPoints(conn, ids, b));
    if (!p || p->dates.empty()) continue;
    // The stored series through the engine again, exactly as the store analysed it.
    SpcSeriesInput in;
    in.dates = p->dates;
    in.values = p->values;
    in.recalculations = p->recalculations;
    in.target = p->target;
    in.options.improvement = DirectionOf(b.improvement_direction);
    SpcSeriesResult out;
    AnalyseSpcSeries(in, &out);
    chart::XmrChartInput chart_in;
    chart_in.title = UnitLabel(b) + ": " + b.name;
    chart_in.subtitle = "Board pack: " + scope + " · " + b.domain + " · " +
                        (b.improvement_direction == "increase"   ? "higher is better"
                         : b.improvement_direction == "decrease" ? "lower is better"
                                                                 : "no better direction");
    chart_in.y_label = ids.UnitOf(b.metric);
    chart_in.dates = p->dates;
    chart_in.values = p->values;
    chart_in.xmr = &out.xmr;
    chart_in.improvement = in.options.improvement;
    chart_in.target = p->target;
    for (const AppliedRecalculation& rc : out.recalculations) {
      chart_in.annotations.push_back({rc.date, rc.reason});
    }
    RETURN_IF_ERROR(pack->AddPage(chart_in));
    ++report.charts;
  }
  RETURN_IF_ERROR(pack->Finish());
  report.pages = report.table_pages + report.charts;
  return report;
}

}  // namespace shewhart::oversight
