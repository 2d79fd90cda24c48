#include "chart/internal/layout.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/date.h"
#include "chart/internal/chart_kit.h"
#include "chart/internal/text_metrics.h"
#include "stats/periods.h"

namespace shewhart::chart::internal {
namespace {

using stats::Assurance;
using stats::PointType;
using stats::SpecialCause;
using stats::Variation;

// ---------------------------------------------------------------------------------------------
// Words.

std::string RuleWords(SpecialCause cause, int32_t rule_length) {
  const std::string n = std::to_string(rule_length);
  switch (cause) {
    case SpecialCause::kCommonCause:
      return "";
    case SpecialCause::kAboveUpl:
      return "above the upper process limit";
    case SpecialCause::kBelowLpl:
      return "below the lower process limit";
    case SpecialCause::kTrendIncreasing:
      return n + " points in a row going up";
    case SpecialCause::kTrendDecreasing:
      return n + " points in a row going down";
    case SpecialCause::kTwoOfThreeAbove:
      return "2 of 3 points close to the upper process limit";
    case SpecialCause::kTwoOfThreeBelow:
      return "2 of 3 points close to the lower process limit";
    case SpecialCause::kShiftAbove:
      return n + " points in a row above the mean";
    case SpecialCause::kShiftBelow:
      return n + " points in a row below the mean";
  }
  return "";
}

std::string PointMeaning(PointType type, SpecialCause cause, int32_t rule_length) {
  std::string kind;
  switch (type) {
    case PointType::kCommonCause:
      return "Common cause variation";
    case PointType::kImprovement:
      kind = "improvement";
      break;
    case PointType::kConcern:
      kind = "concern";
      break;
    case PointType::kNeutralHigh:
    case PointType::kNeutralLow:
      kind = "neither improvement nor concern";
      break;
  }
  return "Special cause " + std::string(kEmDash) + " " + kind + " (" +
         RuleWords(cause, rule_length) + ")";
}

// The assurance icon: a ring with P (blue, pass), F (orange, fail) or ? (grey, hit and miss)
// above a short dashed target line.
void DrawAssuranceIcon(Builder& b, double cx, double cy, Assurance a) {
  Rgb color = kCommonGrey;
  std::string letter = "?";
  if (a == Assurance::kConsistentPass) color = kImprovementBlue, letter = "P";
  if (a == Assurance::kConsistentFail) color = kConcernOrange, letter = "F";
  const std::string caption = AssuranceCaption(a);
  b.Begin("assurance-icon " + std::string(stats::Name(a)));
  b.AddCircle(cx, cy, kIconRadius, kWhite, Solid(color, 2.6), caption);
  b.AddText(cx, cy + 5, letter, 21, color, Anchor::kMiddle, true);
  b.AddLine(cx - 12, cy + 12, cx + 12, cy + 12, Dashed(kTargetRed, 1.6, 3, 2));
  b.End();
}

// One label above the plot: a recalculation or a dated note.
struct Note {
  double x = 0;  // the line
  std::string text;
  bool recalculation = false;
  bool flip = false;  // written leftwards from the line (near the right edge)
  double left = 0;    // the label's extent
  double right = 0;
  int row = 0;  // 0 = top row
};

struct Series {
  size_t n = 0;
  std::span<const Date> dates;
  std::span<const double> values;
  const stats::XmrResult* xmr = nullptr;
  stats::Frequency frequency = stats::Frequency::kUnknown;
  size_t n_values = 0;  // finite values
};

PointType TypeAt(const Series& s, size_t i) {
  return s.xmr != nullptr && i < s.xmr->point_type.size() ? s.xmr->point_type[i]
                                                          : PointType::kCommonCause;
}
SpecialCause CauseAt(const Series& s, size_t i) {
  return s.xmr != nullptr && i < s.xmr->special_cause.size() ? s.xmr->special_cause[i]
                                                             : SpecialCause::kCommonCause;
}

// The recalculation groups clipped to the n drawn points (one group [0, n) without a result).
std::vector<stats::XmrGroup> GroupsOf(const Series& s) {
  std::vector<stats::XmrGroup> groups;
  if (s.xmr != nullptr) {
    for (const stats::XmrGroup& g : s.xmr->groups) {
      if (g.begin >= static_cast<int32_t>(s.n) || g.end <= g.begin) continue;
      stats::XmrGroup clipped = g;
      clipped.end = std::min<int32_t>(g.end, static_cast<int32_t>(s.n));
      groups.push_back(clipped);
    }
  }
  if (groups.empty()) {
    stats::XmrGroup g;
    g.begin = 0;
    g.end = static_cast<int32_t>(s.n);
    g.mean = g.lpl = g.upl = std::nan("");
    groups.push_back(g);
  }
  return groups;
}

std::string Describe(const XmrChartInput& in, const Series& s,
                     const std::vector<stats::XmrGroup>& groups, const std::string& title,
                     int decimals) {
  if (s.n_values == 0) return title + ". No data.";
  auto value = [&](double v) { return FormatValue(v, in.percent, decimals + 1, true); };
  std::string d = title + ". Making Data Count XmR chart of " + std::to_string(s.n_values) +
                  " values from " + FormatDate(s.dates[0], s.frequency) + " to " +
                  FormatDate(s.dates[s.n - 1], s.frequency);
  if (s.n_values < s.n) d += " (" + std::to_string(s.n - s.n_values) + " missing)";
  d += ".";
  for (size_t i = s.n; i-- > 0;) {
    if (IsFinite(s.values[i])) {
      d += " Latest value " + value(s.values[i]) + (IsMonthly(s.frequency) ? " in " : " on ") +
           FormatDate(s.dates[i], s.frequency) + ".";
      break;
    }
  }
  const stats::XmrGroup& last = groups.back();
  if (IsFinite(last.mean)) {
    d += groups.size() > 1 ? " Since the last recalculation, mean " : " Mean ";
    d += value(last.mean);
    if (IsFinite(last.lpl) && IsFinite(last.upl)) {
      d += ", process limits " + value(last.lpl) + " to " + value(last.upl);
    }
    d += ".";
  }
  if (groups.size() == 2) d += " Recalculated once.";
  if (groups.size() > 2) d += " Recalculated " + std::to_string(groups.size() - 1) + " times.";
  int improvement = 0, concern = 0, neutral = 0;
  for (size_t i = 0; i < s.n; ++i) {
    if (!IsFinite(s.values[i])) continue;
    const PointType t = TypeAt(s, i);
    improvement += t == PointType::kImprovement;
    concern += t == PointType::kConcern;
    neutral += t == PointType::kNeutralHigh || t == PointType::kNeutralLow;
  }
  if (in.improvement == stats::Direction::kNeutral) {
    d += " " + std::to_string(neutral) + " points show special cause variation.";
  } else {
    d += " " + std::to_string(improvement) + " points signal improvement and " +
         std::to_string(concern) + " concern.";
  }
  if (s.xmr != nullptr) {
    d += " Variation: " + VariationCaption(s.xmr->variation) + ".";
    if (s.xmr->assurance != Assurance::kNone) {
      d += " Assurance";
      if (IsFinite(in.target)) d += " against the target of " + value(in.target);
      d += ": " + AssuranceCaption(s.xmr->assurance) + ".";
    }
  }
  if (IsFinite(in.target) && (s.xmr == nullptr || s.xmr->assurance == Assurance::kNone)) {
    d += " Target " + value(in.target) + ".";
  }
  return d;
}

}  // namespace

std::string VariationCaption(Variation v) {
  const std::string special = "Special cause variation " + std::string(kEnDash) + " ";
  switch (v) {
    case Variation::kCommonCause:
      return "Common cause variation " + std::string(kEnDash) + " no significant change";
    case Variation::kImprovementHigh:
      return special + "improvement (high)";
    case Variation::kImprovementLow:
      return special + "improvement (low)";
    case Variation::kConcernHigh:
      return special + "concern (high)";
    case Variation::kConcernLow:
      return special + "concern (low)";
    case Variation::kNeutralHigh:
      return special + "neither improvement nor concern (high)";
    case Variation::kNeutralLow:
      return special + "neither improvement nor concern (low)";
  }
  return "";
}

std::string AssuranceCaption(Assurance a) {
  switch (a) {
    case Assurance::kNone:
      return "";
    case Assurance::kConsistentPass:
      return "Consistently passing the target";
    case Assurance::kConsistentFail:
      return "Consistently failing the target";
    case Assurance::kInconsistent:
      return "Hit and miss " + std::string(kEnDash) + " will pass or fail the target by chance";
  }
  return "";
}

Rgb PointColor(PointType type) {
  switch (type) {
    case PointType::kCommonCause:
      return kCommonGrey;
    case PointType::kImprovement:
      return kImprovementBlue;
    case PointType::kConcern:
      return kConcernOrange;
    case PointType::kNeutralHigh:
    case PointType::kNeutralLow:
      return kNeutralPurple;
  }
  return kCommonGrey;
}

Scene LayoutXmrChart(const XmrChartInput& in, double width, double height) {
  // Below this the header, axes and legend no longer fit; NaN sizes become the minimum too.
  width = std::isnan(width) ? kMinWidth : std::clamp(width, kMinWidth, kMaxSize);
  height = std::isnan(height) ? kMinHeight : std::clamp(height, kMinHeight, kMaxSize);
  Scene scene;
  scene.width = width;
  scene.height = height;
  scene.items.reserve(256);
  Builder b(&scene);

  Series s;
  s.n = std::min(in.dates.size(), in.values.size());
  s.dates = in.dates.first(s.n);
  s.values = in.values.first(s.n);
  s.xmr = in.xmr;
  for (double v : s.values) s.n_values += IsFinite(v);
  bool increasing = true;
  for (size_t i = 1; i < s.n; ++i) increasing = increasing && s.dates[i] > s.dates[i - 1];
  if (s.n >= 2 && increasing) s.frequency = stats::InferFrequency(s.dates);
  const bool has_data = s.n_values > 0;
  const std::vector<stats::XmrGroup> groups = GroupsOf(s);

  const std::string title = SanitizeUtf8(in.title);
  const std::string subtitle = SanitizeUtf8(in.subtitle);
  const std::string y_label = SanitizeUtf8(in.y_label);
  scene.title = title.empty() ? "XmR chart" : title;

  b.AddRect(0, 0, width, height, kWhite, std::nullopt);

  // --- Header: icons top right, title and subtitle top left in the space that is left. -------
  double header_bottom = kMargin;
  double icons_left = width - kMargin;
  if (has_data && s.xmr != nullptr) {
    const bool assurance = s.xmr->assurance != Assurance::kNone;
    const int columns = assurance ? 2 : 1;
    icons_left = width - kMargin - columns * kIconColumn - (columns - 1) * kIconGap;
    const double cy = kMargin + kIconRadius + 2;
    const double variation_cx = icons_left + kIconColumn / 2;
    DrawVariationIcon(b, variation_cx, cy, s.xmr->variation);
    b.Begin("variation-caption");
    double bottom =
        DrawCaption(b, variation_cx, cy + kIconRadius + 2, VariationCaption(s.xmr->variation));
    b.End();
    if (assurance) {
      const double assurance_cx = variation_cx + kIconColumn + kIconGap;
      DrawAssuranceIcon(b, assurance_cx, cy, s.xmr->assurance);
      b.Begin("assurance-caption");
      bottom = std::max(bottom, DrawCaption(b, assurance_cx, cy + kIconRadius + 2,
                                            AssuranceCaption(s.xmr->assurance)));
      b.End();
    }
    header_bottom = std::max(header_bottom, bottom + 4);
  }
  {
    const double text_width = icons_left - kMargin - 16;
    double y = kMargin;
    b.Begin("title");
    for (std::string& line : WrapText(title, kTitleSize, true, text_width, 2)) {
      y += kTitleSize + 3;
      b.AddText(kMargin, y, std::move(line), kTitleSize, kTextBlack, Anchor::kStart, true);
    }
    for (std::string& line : WrapText(subtitle, kSubtitleSize, false, text_width, 2)) {
      y += kSubtitleSize + 5;
      b.AddText(kMargin, y, std::move(line), kSubtitleSize, kDarkGrey);
    }
    b.End();
    header_bottom = std::max(header_bottom, y + 8);
  }

  // --- Vertical budget: legend at the bottom, date labels above it. ---------------------------
  const double legend_baseline = height - kMargin + 2;
  const double plot_bottom = legend_baseline - kLegendSize - 30;

  if (!has_data) {
    const double top = header_bottom + 8;
    b.Begin("no-data");
    b.AddRect(kMargin, top, width - 2 * kMargin, std::max(10.0, plot_bottom - top), std::nullopt,
              Solid(kLineGrey, 1));
    b.AddText(width / 2, (top + plot_bottom) / 2 + 6, "No data", 16, kMidGrey, Anchor::kMiddle,
              true);
    b.End();
    scene.description = Describe(in, s, groups, scene.title, 0);
    return scene;
  }

  // --- Notes: recalculations (with their reason) and other dated annotations. -----------------
  // Positions along x are needed before the plot's left edge is known, so notes are kept as
  // dates and placed once the x scale exists.
  struct DatedNote {
    double date_pos;  // a (fractional) date: midway between two points for a recalculation
    std::string text;
    bool recalculation;
  };
  std::vector<DatedNote> dated_notes;
  std::vector<bool> annotation_used(in.annotations.size(), false);
  for (size_t g = 1; g < groups.size(); ++g) {
    const Date start = s.dates[groups[g].begin];
    const Date before = s.dates[groups[g].begin - 1];
    std::string text = "Recalculated";
    for (size_t a = 0; a < in.annotations.size(); ++a) {
      if (!annotation_used[a] && in.annotations[a].date > before &&
          in.annotations[a].date <= start) {
        const std::string reason = SanitizeUtf8(in.annotations[a].text);
        if (!reason.empty()) text += ": " + reason;
        annotation_used[a] = true;
        break;
      }
    }
    dated_notes.push_back({(static_cast<double>(start) + before) / 2, std::move(text), true});
  }
  for (size_t a = 0; a < in.annotations.size(); ++a) {
    if (annotation_used[a]) continue;
    const Date d = in.annotations[a].date;
    if (d < s.dates[0] || d > s.dates[s.n - 1]) continue;
    dated_notes.push_back({static_cast<double>(d), SanitizeUtf8(in.annotations[a].text), false});
  }
  std::sort(dated_notes.begin(), dated_notes.end(),
            [](const DatedNote& a, const DatedNote& b) { return a.date_pos < b.date_pos; });

  // --- Y scale: values, means, limits and target. ---------------------------------------------
  double lo = INFINITY, hi = -INFINITY;
  auto cover = [&](double v) {
    if (IsFinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  };
  for (double v : s.values) cover(v);
  for (const stats::XmrGroup& g : groups) cover(g.mean), cover(g.lpl), cover(g.upl);
  cover(in.target);
  if (hi > lo) {  // a little headroom, so a point or target never sits on the frame
    // ... but not across zero or past 100%, which would add meaningless ticks.
    const double pad = 0.03 * (hi - lo);
    lo = lo >= 0 ? std::max(0.0, lo - pad) : lo - pad;
    hi = in.percent && hi <= 1 ? std::min(1.0, hi + pad) : hi + pad;
  }

  // Rows of notes above the plot need the x scale; reserve the most we allow and give back
  // what is unused once they are placed (the plot only grows, labels never overlap).
  const double notes_band = dated_notes.empty() ? 0 : kMaxNoteRows * kNoteRow + 4;
  double plot_top = header_bottom + 10 + notes_band;
  const int y_count = std::clamp(static_cast<int>((plot_bottom - plot_top) / 48), 3, 8);
  const YAxis y_axis = NiceYAxis(lo, hi, y_count, in.percent);

  std::vector<double> y_ticks;
  for (int k = 0; k <= 40; ++k) {  // at most ~9 in practice; the bound guards absurd ranges
    const double v = y_axis.lo + k * y_axis.step;
    if (!(v <= y_axis.hi + y_axis.step * 1e-6)) break;
    y_ticks.push_back(std::abs(v) < y_axis.step * 1e-9 ? 0 : v);
  }
  std::vector<std::string> y_tick_labels;
  double y_label_width = 0;
  for (double v : y_ticks) {
    y_tick_labels.push_back(FormatValue(v, in.percent, y_axis.decimals, false));
    y_label_width = std::max(y_label_width, TextWidth(y_tick_labels.back(), kTickSize, false));
  }

  const double plot_left = kMargin + (y_label.empty() ? 0 : 18) + y_label_width + 8;
  // The target is labelled in the right margin, beside its line, where no point can hide it.
  const std::string target_label =
      IsFinite(in.target)
          ? "Target " + FormatValue(in.target, in.percent, y_axis.decimals + 1, true)
          : "";
  const double target_label_width =
      target_label.empty() ? 0 : TextWidth(target_label, kNoteSize, true) + 6;
  const double plot_right = width - kMargin - 6 - target_label_width;
  const double plot_width = plot_right - plot_left;

  // --- X scale: dates with half a step of padding at each end. --------------------------------
  const Date first = s.dates[0];
  const Date last = s.dates[s.n - 1];
  double pad = 1;
  if (s.n >= 2 && last > first) {
    pad = std::max(0.5, 0.5 * (last - first) / static_cast<double>(s.n - 1));
  }
  const LinearScale x{first - pad, last + pad, plot_left, plot_right};

  // Place each label on the first row where it does not overlap the previous label; a label that
  // would run off the right edge is written leftwards from its line instead.
  std::vector<Note> notes;
  int rows_used = 0;
  {
    std::array<double, kMaxNoteRows> row_end;
    row_end.fill(-INFINITY);
    for (DatedNote& dn : dated_notes) {
      Note note{x(dn.date_pos), std::move(dn.text), dn.recalculation};
      const double w = TextWidth(note.text, kNoteSize, false);
      note.flip = note.x + 3 + w > width - kMargin;
      note.left = note.flip ? std::max(kMargin, note.x - 3 - w) : note.x + 3;
      note.right = note.flip ? note.x - 3 : note.x + 3 + w;
      int row = 0;
      while (row < kMaxNoteRows && row_end[row] + 8 > note.left) ++row;
      if (row == kMaxNoteRows) {  // crowded: share the emptiest row, labels ellipsized below
        row = static_cast<int>(std::min_element(row_end.begin(), row_end.end()) - row_end.begin());
      }
      note.row = row;
      row_end[row] = note.right;
      rows_used = std::max(rows_used, row + 1);
      notes.push_back(std::move(note));
    }
  }
  plot_top = header_bottom + 10 + (rows_used > 0 ? rows_used * kNoteRow + 4 : 0);
  const LinearScale y{y_axis.lo, y_axis.hi, plot_bottom, plot_top};

  // --- Grid and axes. --------------------------------------------------------------------------
  b.Begin("grid");
  for (size_t i = 0; i < y_ticks.size(); ++i) {
    const double py = y(y_ticks[i]);
    b.AddLine(plot_left, py, plot_right, py, Solid(kGridGrey, 1));
    b.AddText(plot_left - 6, py + kTickSize * 0.36, y_tick_labels[i], kTickSize, kDarkGrey,
              Anchor::kEnd);
  }
  b.AddLine(plot_left, plot_bottom, plot_right, plot_bottom, Solid(kMidGrey, 1));
  const std::vector<XTick> x_ticks = DateTicks(first, last, s.frequency, plot_width);
  for (const XTick& t : x_ticks) {
    const double px = x(t.date);
    b.AddLine(px, plot_bottom, px, plot_bottom + 4, Solid(kMidGrey, 1));
    const double half = TextWidth(t.label, kTickSize, false) / 2;
    const double cx = std::clamp(px, half + 2, width - half - 2);
    b.AddText(cx, plot_bottom + 17, t.label, kTickSize, kDarkGrey, Anchor::kMiddle);
  }
  if (!y_label.empty()) {
    const std::string label = Ellipsize(y_label, kTickSize + 0.5, false, plot_bottom - plot_top);
    b.AddText(kMargin + 10, (plot_top + plot_bottom) / 2, label, kTickSize + 0.5, kDarkGrey,
              Anchor::kMiddle, false, -90);
  }
  b.End();

  // --- Notes. ----------------------------------------------------------------------------------
  if (!notes.empty()) {
    b.Begin("notes");
    for (size_t i = 0; i < notes.size(); ++i) {
      const Note& note = notes[i];
      const double label_y = plot_top - 6 - (rows_used - 1 - note.row) * kNoteRow;
      b.AddLine(note.x, label_y + 3, note.x, plot_bottom,
                note.recalculation ? Dashed(kMidGrey, 1, 3, 3) : Dashed(kLineGrey, 1, 2, 3));
      // A label may run up to its neighbours on the same row (crowded rows), or the edge.
      double left_limit = kMargin;
      double right_limit = width - kMargin;
      for (size_t j = i; j-- > 0;) {
        if (notes[j].row == note.row) {
          left_limit = std::max(left_limit, notes[j].right + 6);
          break;
        }
      }
      for (size_t j = i + 1; j < notes.size(); ++j) {
        if (notes[j].row == note.row) {
          right_limit = std::min(right_limit, notes[j].left - 6);
          break;
        }
      }
      if (note.flip) {
        b.AddText(note.x - 3, label_y,
                  Ellipsize(note.text, kNoteSize, false, note.x - 3 - left_limit), kNoteSize,
                  kDarkGrey, Anchor::kEnd);
      } else {
        b.AddText(note.x + 3, label_y,
                  Ellipsize(note.text, kNoteSize, false, right_limit - note.x - 3), kNoteSize,
                  kDarkGrey);
      }
    }
    b.End();
  }

  // --- Mean and process limits per group: each spans its own points. ---------------------------
  bool any_limits = false;
  b.Begin("limits");
  for (const stats::XmrGroup& g : groups) {
    double x0 = x(s.dates[g.begin]);
    double x1 = x(s.dates[g.end - 1]);
    if (x1 - x0 < 8) x0 -= 4, x1 += 4;
    if (IsFinite(g.lpl)) b.AddLine(x0, y(g.lpl), x1, y(g.lpl), Dashed(kDarkGrey, 1.2, 6, 4));
    if (IsFinite(g.upl)) b.AddLine(x0, y(g.upl), x1, y(g.upl), Dashed(kDarkGrey, 1.2, 6, 4));
    any_limits = any_limits || IsFinite(g.lpl) || IsFinite(g.upl);
  }
  b.End();
  b.Begin("mean");
  for (const stats::XmrGroup& g : groups) {
    if (!IsFinite(g.mean)) continue;
    double x0 = x(s.dates[g.begin]);
    double x1 = x(s.dates[g.end - 1]);
    if (x1 - x0 < 8) x0 -= 4, x1 += 4;
    b.AddLine(x0, y(g.mean), x1, y(g.mean), Solid(kTextBlack, 1.5));
  }
  b.End();

  // --- Target. -----------------------------------------------------------------------------------
  if (IsFinite(in.target)) {
    const double ty = y(in.target);
    b.Begin("target");
    b.AddLine(plot_left, ty, plot_right, ty, Dashed(kTargetRed, 1.6, 8, 4));
    b.AddText(plot_right + 6, ty + kNoteSize * 0.36, target_label, kNoteSize, kTargetRed,
              Anchor::kStart, true);
    b.End();
  }

  // --- The values: a thin grey line broken at missing values and recalculations, then points.
  b.Begin("series");
  for (const stats::XmrGroup& g : groups) {
    std::vector<Point> run;
    for (int32_t i = g.begin; i < g.end; ++i) {
      if (!IsFinite(s.values[i])) {
        b.AddPolyline(std::move(run), Solid(kLineGrey, 1.5));
        run.clear();
        continue;
      }
      run.push_back({x(s.dates[i]), y(s.values[i])});
    }
    b.AddPolyline(std::move(run), Solid(kLineGrey, 1.5));
  }
  b.End();

  const double radius = std::clamp(plot_width / static_cast<double>(s.n) / 3.2, 1.6, 4.2);
  b.Begin("points");
  const int tooltip_decimals = std::min(y_axis.decimals + 2, 8);
  for (size_t i = 0; i < s.n; ++i) {
    if (!IsFinite(s.values[i])) continue;
    const PointType type = TypeAt(s, i);
    std::string tooltip = FormatDate(s.dates[i], s.frequency) + ": " +
                          FormatValue(s.values[i], in.percent, tooltip_decimals, true) + " " +
                          std::string(kEmDash) + " " +
                          PointMeaning(type, CauseAt(s, i), in.rule_length);
    b.AddCircle(x(s.dates[i]), y(s.values[i]), radius, PointColor(type), std::nullopt,
                std::move(tooltip));
  }
  b.End();

  // --- Legend. -----------------------------------------------------------------------------------
  b.Begin("legend");
  {
    double lx = plot_left;
    const double ly = legend_baseline;
    auto dot = [&](Rgb color, std::string_view label) {
      b.AddCircle(lx + 4, ly - 3.6, 4, color, std::nullopt);
      b.AddText(lx + 12, ly, std::string(label), kLegendSize, kDarkGrey);
      lx += 12 + TextWidth(label, kLegendSize, false) + 14;
    };
    auto line = [&](Stroke stroke, std::string_view label) {
      b.AddLine(lx, ly - 3.6, lx + 22, ly - 3.6, stroke);
      b.AddText(lx + 27, ly, std::string(label), kLegendSize, kDarkGrey);
      lx += 27 + TextWidth(label, kLegendSize, false) + 14;
    };
    dot(kCommonGrey, "Common cause");
    if (in.improvement == stats::Direction::kNeutral) {
      dot(kNeutralPurple, "Special cause (neither improvement nor concern)");
    } else {
      dot(kImprovementBlue, "Improvement");
      dot(kConcernOrange, "Concern");
    }
    lx += 8;
    line(Solid(kTextBlack, 1.5), "Mean");
    if (any_limits) line(Dashed(kDarkGrey, 1.2, 6, 4), "Process limits");
    if (IsFinite(in.target)) line(Dashed(kTargetRed, 1.6, 8, 4), "Target");
  }
  b.End();

  scene.description = Describe(in, s, groups, scene.title, y_axis.decimals);
  return scene;
}

}  // namespace shewhart::chart::internal
