// The system quality report (PDF and Excel) and a meeting's pack, built from the same services as
// the screens (follow_up.h, signals.h, oversight/board.h) and drawn with the board pack's
// plumbing (chart::PdfBoardPack): each section is a table of A4 landscape pages; the signals and
// agenda items that bear on a metric get its Making Data Count chart.
#include <xlsxwriter.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "base/date.h"
#include "chart/table_page.h"
#include "chart/xmr_chart.h"
#include "dictionary/dictionary.h"
#include "directory/directory.h"
#include "intelligence/follow_up.h"
#include "intelligence/records.h"
#include "intelligence/signals.h"
#include "oversight/board.h"
#include "oversight/spc_series.h"
#include "oversight/spc_store.h"

namespace shewhart::intelligence {
namespace {

using nlohmann::json;

struct Section {
  chart::TablePageInput table;
  // For the workbook: a background colour per cell (row, column) -> "#RRGGBB".
  std::map<std::pair<size_t, size_t>, std::string> fills;
};

struct Chart {
  std::string metric, unit;  // codes
  std::string title;
};

std::string S(const json& j, std::string_view key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

std::string Plural(size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

std::string Words(std::string s) {
  std::replace(s.begin(), s.end(), '_', ' ');
  return s;
}

std::string LongDate(std::string_view iso) {
  static constexpr const char* kMonths[] = {"January", "February", "March",     "April",
                                            "May",     "June",     "July",      "August",
                                            "September", "October", "November", "December"};
  std::optional<Date> d = ParseIsoDate(iso);
  if (!d) return std::string(iso);
  const CivilDate c = CivilFromDays(*d);
  return std::to_string(c.day) + " " + kMonths[c.month - 1] + " " + std::to_string(c.year);
}


// Lines of at most `width` characters, broken at spaces (a table cell is cut, not wrapped).
std::vector<std::string> Wrap(const std::string& text, size_t width) {
  std::vector<std::string> out;
  std::string line;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      out.push_back(line);
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
    start = end + 1;
  }
  if (!line.empty() || out.empty()) out.push_back(line);
  return out;
}

// Adds `cells` as one or more rows: each cell wrapped to its column's share of about 160
// characters across the page, the continuation rows blank elsewhere.
void AddRow(chart::TablePageInput* t, std::vector<std::string> cells) {
  double total = 0;
  for (const chart::TableColumn& c : t->columns) total += c.weight;
  std::vector<std::vector<std::string>> lines;
  size_t rows = 1;
  for (size_t i = 0; i < cells.size(); ++i) {
    const double w = i < t->columns.size() ? t->columns[i].weight : 1;
    const size_t width = std::max<size_t>(8, static_cast<size_t>(160 * w / total) - 2);
    lines.push_back(Wrap(cells[i], width));
    rows = std::max(rows, lines.back().size());
  }
  for (size_t r = 0; r < rows; ++r) {
    chart::TableRow row;
    for (const auto& l : lines) row.cells.push_back(r < l.size() ? l[r] : "");
    t->rows.push_back(std::move(row));
  }
}

// Everything the report says, as sections (the PDF and the workbook write the same ones).
struct Report {
  std::string title, subtitle;
  std::vector<Section> sections;
  std::vector<Chart> charts;
};

Result<Report> BuildReport(db::Connection& conn, const access::Scope& scope,
                           const ReportOptions& options) {
  Report rep;
  ASSIGN_OR_RETURN(directory::Directory dir, directory::Directory::Load(conn));
  std::set<std::string> in_place;  // organisation codes within the place ("" = all)
  std::string place_name = "the whole system";
  if (!options.place.empty()) {
    const directory::Unit* p = dir.FindByCode(options.place);
    if (p == nullptr) return NotFoundError("there is no place or system \"" + options.place + "\"");
    place_name = p->name;
    ASSIGN_OR_RETURN(std::vector<int64_t> below, UnitAndBelow(conn, p->id));
    for (int64_t id : below) {
      if (const directory::Unit* u = dir.FindById(id)) in_place.insert(u->code);
    }
  }
  auto inside = [&](const json& codes) {
    if (in_place.empty()) return true;
    for (const json& c : codes) {
      if (in_place.count(c.get<std::string>())) return true;
    }
    return false;
  };
  const std::string today = options.generated_at.substr(0, 10);
  for (const std::string* d : {&options.from, &options.to}) {
    if (!d->empty() && !ParseIsoDate(*d)) {
      return InvalidArgumentError("\"from\" and \"to\" must be dates written YYYY-MM-DD");
    }
  }
  const std::string to = options.to.empty() ? today : options.to;
  const std::string from =
      options.from.empty() ? FormatIsoDate(*ParseIsoDate(to) - 30) : options.from;
  if (from > to) return InvalidArgumentError("\"from\" must not be after \"to\"");
  rep.title = "System quality report";
  rep.subtitle = "For " + place_name + ", " + LongDate(from) + " to " + LongDate(to) +
                 ". Produced by Shewhart on " + LongDate(today) + ".";

  // ---- the facts
  SignalOptions so{.as_of = options.to.empty() ? "" : options.to, .comparisons = true,
                   .place = options.place};
  ASSIGN_OR_RETURN(std::vector<OrganisationWeight> weights, SystemSignals(conn, scope, so));
  ASSIGN_OR_RETURN(std::string cj, ListConcerns(conn, scope, {}));
  json concerns = json::array();
  const json c_doc = json::parse(cj);
  for (const json& c : c_doc["concerns"]) {
    if (inside(c["organisations"]) && S(c, "opened_on") <= to) concerns.push_back(c);
  }
  ASSIGN_OR_RETURN(std::string ej, CurrentEscalations(conn, scope, from, to));
  json escalations = json::array();
  const json e_doc = json::parse(ej);
  for (const json& e : e_doc["escalations"]) {
    if (inside(json::array({e["organisation"]}))) escalations.push_back(e);
  }
  ASSIGN_OR_RETURN(std::string rj, ListRisks(conn, scope, ""));
  json risks = json::array();
  int heat[5][5] = {};
  const json r_doc = json::parse(rj);
  for (const json& r : r_doc["risks"]) {
    if (!inside(r["organisations"]) || r["status"] == "closed") continue;
    risks.push_back(r);
    ++heat[r["consequence"].get<int>() - 1][r["likelihood"].get<int>() - 1];
  }
  oversight::BoardFilter bf{.place = ""};
  std::vector<oversight::BoardRow> board;
  {
    ASSIGN_OR_RETURN(std::vector<oversight::BoardRow> all, oversight::BoardSummary(conn, bf));
    for (oversight::BoardRow& b : all) {
      if (b.aggregate) continue;
      if (!in_place.empty() && !in_place.count(b.unit)) continue;
      board.push_back(std::move(b));
    }
  }
  size_t board_concerns = 0, board_improving = 0, failing = 0;
  for (const oversight::BoardRow& b : board) {
    if (oversight::ConcernRank(b.variation, b.assurance) == 0) ++board_concerns;
    if (b.variation.rfind("improvement", 0) == 0) ++board_improving;
    if (b.assurance == "consistent_fail") ++failing;
  }
  size_t active = 0, due = 0;
  for (const json& c : concerns) {
    if (c["status"] != "closed") ++active;
    if (c["status"] != "closed" && S(c, "review_by") <= to) ++due;
  }
  size_t above = 0;
  for (const json& r : risks) above += r["above_appetite"].get<bool>() ? 1 : 0;

  // ---- 1. summary in words
  Section summary;
  summary.table.title = "Summary for the board";
  summary.table.subtitle = rep.subtitle;
  summary.table.columns = {{"What the board needs to know", 1}};
  auto line = [&](std::string s) { AddRow(&summary.table, {std::move(s)}); };
  line("Measures: " + Plural(board.size(), "series is", "series are") + " tracked; " +
       std::to_string(board_concerns) + " show a change for the worse that is unlikely to be chance, " +
       std::to_string(board_improving) + " show an improvement, and " + std::to_string(failing) +
       " will not meet their target unless something changes.");
  if (!weights.empty()) {
    line("Where to look first: " + weights[0].name + " (" + weights[0].top.reason + ").");
  }
  line("Concerns: " + Plural(active, "concern is", "concerns are") + " being followed up, " +
       std::to_string(due) + " due for review by " + LongDate(to) + ".");
  size_t enhanced = 0, intensive = 0;
  for (const json& e : escalations) {
    if (e["level"] == "enhanced") ++enhanced;
    if (e["level"] == "intensive") ++intensive;
  }
  line("Escalation: " + Plural(enhanced, "organisation is", "organisations are") +
       " under enhanced surveillance and " + std::to_string(intensive) + " in intensive support.");
  line("Risks: " + Plural(risks.size(), "open system risk", "open system risks") + ", " +
       std::to_string(above) + " above the system's appetite (a score over " +
       std::to_string(kRiskAppetite) + ").");
  summary.table.notes = {
      "How to read this report: a 'signal' is something in the data or the intelligence that "
      "may need attention; a 'concern' is a signal the system has decided to follow up, with a "
      "named owner; 'escalation' is the National Quality Board's level of response (routine, "
      "enhanced, intensive); a risk's score is its consequence (1-5) times its likelihood (1-5).",
      "Special cause variation means the change is unlikely to be chance (Making Data Count); "
      "common cause means the variation is what the process usually shows."};
  rep.sections.push_back(std::move(summary));

  // ---- 2. the board's icons
  Section bs;
  bs.table.title = "Board summary: measures that changed";
  bs.table.subtitle = "Concerns first; the meaning of each Making Data Count icon in words";
  bs.table.columns = {{"Measure", 3}, {"Organisation", 2.5}, {"What the data show", 4},
                      {"Against the target", 3}, {"Latest", 1.2}};
  for (const oversight::BoardRow& b : board) {
    if (oversight::ConcernRank(b.variation, b.assurance) > 1) continue;
    if (bs.table.rows.size() >= 40) break;
    AddRow(&bs.table, {b.name, b.unit_name, oversight::VariationMeaning(b.variation),
                                       b.assurance.empty() ? "No target"
                                                           : oversight::AssuranceMeaning(b.assurance),
                                       b.last_period.substr(0, 7)});
  }
  if (bs.table.rows.empty()) AddRow(&bs.table, {"No measure shows a concern", "", "", "", ""});
  rep.sections.push_back(std::move(bs));

  // ---- 3. signals that matter
  Section sig;
  sig.table.title = "Signals that matter";
  sig.table.subtitle = "Organisations with the most weight of signals, and the first thing to look at";
  sig.table.columns = {{"Organisation", 2.5}, {"Signals", 0.8}, {"First to look at", 7}};
  for (const OrganisationWeight& w : weights) {
    if (sig.table.rows.size() >= 15) break;
    AddRow(&sig.table, {w.name, std::to_string(w.signals), w.top.reason});
    if (!w.top.metric.empty() && (w.top.source == "spc" || w.top.source == "assurance") &&
        rep.charts.size() < 6) {
      rep.charts.push_back({w.top.metric, w.code, w.name});
    }
  }
  if (sig.table.rows.empty()) AddRow(&sig.table, {"No signals", "", ""});
  rep.sections.push_back(std::move(sig));

  // ---- 4. concerns
  Section con;
  con.table.title = "Concerns and their status";
  con.table.subtitle = "Every concern the system is following up, with its named owner";
  con.table.columns = {{"Concern", 4}, {"Organisations", 1.6}, {"Owner", 2.6}, {"Status", 1.6},
                       {"Review by", 1.4}};
  for (const json& c : concerns) {
    std::string orgs;
    for (const json& o : c["organisations"]) orgs += (orgs.empty() ? "" : ", ") + o.get<std::string>();
    AddRow(&con.table, {S(c, "title"), orgs, S(c, "owner"), Words(S(c, "status")),
                                        S(c, "review_by")});
  }
  if (con.table.rows.empty()) AddRow(&con.table, {"No concerns", "", "", "", ""});
  rep.sections.push_back(std::move(con));

  // ---- 5. escalations
  Section esc;
  esc.table.title = "Escalations";
  esc.table.subtitle = "Organisations above routine monitoring, or whose level changed in the period";
  esc.table.columns = {{"Organisation", 2.4}, {"Level", 2}, {"Since", 1.3}, {"Why", 4},
                       {"Step down when", 3.4}};
  for (const json& e : escalations) {
    AddRow(&esc.table, {S(e, "organisation_name"), S(e, "display_name"),
                                        S(e, "decided_on"), S(e, "reason"),
                                        S(e, "step_down_criteria")});
  }
  if (esc.table.rows.empty()) AddRow(&esc.table, {"Every organisation is at routine monitoring", "", "", "", ""});
  rep.sections.push_back(std::move(esc));

  // ---- 6. heat map
  Section hm;
  hm.table.title = "Risk heat map";
  hm.table.subtitle = "Open system risks by consequence (rows) and likelihood (columns): count and band";
  static constexpr const char* kLikelihood[] = {"1 Rare", "2 Unlikely", "3 Possible", "4 Likely",
                                                "5 Almost certain"};
  static constexpr const char* kConsequence[] = {"1 Negligible", "2 Minor", "3 Moderate",
                                                 "4 Major", "5 Catastrophic"};
  hm.table.columns = {{"Consequence", 2}};
  for (const char* l : kLikelihood) hm.table.columns.push_back({l, 1.6});
  for (int c = 5; c >= 1; --c) {
    chart::TableRow row{.cells = {kConsequence[c - 1]}};
    for (int l = 1; l <= 5; ++l) {
      const int n = heat[c - 1][l - 1];
      std::string band(RiskBand(c * l));
      band[0] = static_cast<char>(std::toupper(band[0]));
      row.cells.push_back(band + " (" + std::to_string(c * l) + "): " + (n ? std::to_string(n) : "-"));
      hm.fills[{hm.table.rows.size(), static_cast<size_t>(l)}] =
          std::string(RiskBandColour(RiskBand(c * l)));
    }
    hm.table.rows.push_back(std::move(row));
  }
  hm.table.notes = {"Bands (NPSA 5x5 matrix): 1-3 low, 4-6 moderate, 8-12 high, 15-25 extreme."};
  rep.sections.push_back(std::move(hm));

  // ---- 7. top risks
  Section top;
  top.table.title = "Top risks";
  top.table.subtitle = "Open system risks above appetite (score over " + std::to_string(kRiskAppetite) +
                       "), highest first, with their movement since the last review";
  top.table.columns = {{"Risk", 4.5}, {"Score", 0.8}, {"Band", 1.1}, {"Movement", 1.3},
                       {"Owner", 2.4}, {"Organisations", 1.8}};
  for (const json& r : risks) {
    if (!r["above_appetite"].get<bool>()) continue;
    const int score = r["score"].get<int>();
    std::string movement = "new";
    if (!r["previous_score"].is_null()) {
      const int prev = r["previous_score"].get<int>();
      movement = prev == score ? "no change" : (score > prev ? "up from " : "down from ") + std::to_string(prev);
    }
    std::string orgs;
    for (const json& o : r["organisations"]) orgs += (orgs.empty() ? "" : ", ") + o.get<std::string>();
    AddRow(&top.table, {S(r, "title"), std::to_string(score), S(r, "band"),
                                        movement, S(r, "owner"), orgs});
  }
  if (top.table.rows.empty()) AddRow(&top.table, {"No risk is above appetite", "", "", "", "", ""});
  rep.sections.push_back(std::move(top));

  // ---- 8. what changed
  Section ch;
  ch.table.title = "What changed since the last report";
  ch.table.subtitle = LongDate(from) + " to " + LongDate(to);
  ch.table.columns = {{"Date", 1.3}, {"What", 2}, {"Change", 7}};
  std::vector<std::vector<std::string>> changes;
  for (const json& c : concerns) {
    if (S(c, "opened_on") >= from && S(c, "opened_on") <= to) {
      changes.push_back({S(c, "opened_on"), "Concern raised", S(c, "title") + " (owner " + S(c, "owner") + ")"});
    }
  }
  for (const json& e : escalations) {
    for (const json& x : e["changes_in_period"]) {
      changes.push_back({S(x, "decided_on"), x["direction"] == "up" ? "Escalated" : "De-escalated",
                         S(x, "organisation_name") + ": " + S(x, "previous_display_name") + " to " +
                             S(x, "display_name") + ". " + S(x, "reason")});
    }
  }
  for (const json& r : risks) {
    const std::string added = S(r, "created_at").substr(0, 10);
    if (added >= from && added <= to) {
      changes.push_back({added, "Risk added", S(r, "title") + " (score " + S(r, "score") + ")"});
    }
  }
  std::sort(changes.begin(), changes.end());
  for (auto& c : changes) AddRow(&ch.table, std::move(c));
  if (ch.table.rows.empty()) AddRow(&ch.table, {"", "Nothing changed", ""});
  rep.sections.push_back(std::move(ch));
  return rep;
}

// One stored series as a Making Data Count chart page.
Status AddSeriesChart(db::Connection& conn, chart::PdfBoardPack* pack, const std::string& metric,
                      const std::string& unit, const std::string& unit_name) {
  ASSIGN_OR_RETURN(dictionary::Dictionary dict, dictionary::Dictionary::Load(conn));
  const dictionary::Metric* metric_row = dict.FindByCode(metric);
  ASSIGN_OR_RETURN(std::optional<int64_t> unit_id, directory::FindUnitId(conn, unit));
  if (metric_row == nullptr || metric_row->versions.empty() || !unit_id) return Status::Ok();
  const dictionary::MetricVersion* m = &metric_row->Latest();
  ASSIGN_OR_RETURN(std::optional<oversight::StoredSpcResult> s,
                   oversight::LoadSpcResult(conn, {.metric_id = metric_row->id, .unit_id = *unit_id}));
  if (!s || s->points.size() < 2) return Status::Ok();
  std::vector<Date> dates;
  std::vector<double> values;
  for (const oversight::StoredPoint& p : s->points) {
    dates.push_back(p.period);
    values.push_back(p.value);
  }
  oversight::SpcSeriesInput in;
  in.dates = dates;
  in.values = values;
  in.target = s->target.value_or(std::numeric_limits<double>::quiet_NaN());
  in.options.improvement = m->improvement_direction == "increase"   ? stats::Direction::kIncrease
                           : m->improvement_direction == "decrease" ? stats::Direction::kDecrease
                                                                    : stats::Direction::kNeutral;
  oversight::SpcSeriesResult out;
  oversight::AnalyseSpcSeries(in, &out);
  chart::XmrChartInput c;
  c.title = unit_name + ": " + m->name;
  c.subtitle = metric + " · " + (m->improvement_direction == "increase"   ? "higher is better"
                                 : m->improvement_direction == "decrease" ? "lower is better"
                                                                          : "no better direction");
  c.y_label = m->unit;
  c.dates = dates;
  c.values = values;
  c.xmr = &out.xmr;
  c.improvement = in.options.improvement;
  c.target = in.target;
  return pack->AddPage(c);
}

}  // namespace

Result<std::vector<std::string>> WriteSystemQualityPdf(db::Connection& conn,
                                                       const access::Scope& scope,
                                                       const ReportOptions& options,
                                                       const std::string& path) {
  ASSIGN_OR_RETURN(Report rep, BuildReport(conn, scope, options));
  ASSIGN_OR_RETURN(std::unique_ptr<chart::PdfBoardPack> pack, chart::PdfBoardPack::Create(path));
  std::vector<std::string> titles;
  for (Section& s : rep.sections) {
    if (titles.empty()) s.table.title = rep.title + ": " + s.table.title;
    titles.push_back(s.table.title);
    RETURN_IF_ERROR(pack->AddTablePages(s.table).status());
  }
  for (const Chart& c : rep.charts) {
    RETURN_IF_ERROR(AddSeriesChart(conn, pack.get(), c.metric, c.unit, c.title));
  }
  RETURN_IF_ERROR(pack->Finish());
  return titles;
}

Status WriteSystemQualityXlsx(db::Connection& conn, const access::Scope& scope,
                              const ReportOptions& options, const std::string& path) {
  ASSIGN_OR_RETURN(Report rep, BuildReport(conn, scope, options));
  lxw_workbook* wb = workbook_new(path.c_str());
  if (wb == nullptr) return IoError("cannot write the workbook");
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  lxw_format* wrap = workbook_add_format(wb);
  format_set_text_wrap(wrap);
  format_set_align(wrap, LXW_ALIGN_VERTICAL_TOP);
  std::map<std::string, lxw_format*> fills;
  static constexpr const char* kSheetNames[] = {"Summary", "Board", "Signals", "Concerns",
                                                "Escalations", "Risk heat map", "Top risks",
                                                "Changes"};
  for (size_t i = 0; i < rep.sections.size(); ++i) {
    const Section& s = rep.sections[i];
    lxw_worksheet* ws = workbook_add_worksheet(wb, i < std::size(kSheetNames) ? kSheetNames[i] : nullptr);
    worksheet_write_string(ws, 0, 0, (i == 0 ? rep.title + ": " : std::string()).append(s.table.title).c_str(), bold);
    worksheet_write_string(ws, 1, 0, s.table.subtitle.c_str(), nullptr);
    for (size_t c = 0; c < s.table.columns.size(); ++c) {
      worksheet_write_string(ws, 3, static_cast<lxw_col_t>(c), s.table.columns[c].heading.c_str(), bold);
      worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c),
                           std::min(90.0, 12 * s.table.columns[c].weight), nullptr);
    }
    for (size_t r = 0; r < s.table.rows.size(); ++r) {
      for (size_t c = 0; c < s.table.rows[r].cells.size(); ++c) {
        lxw_format* f = wrap;
        if (auto it = s.fills.find({r, c}); it != s.fills.end()) {
          lxw_format*& ff = fills[it->second];
          if (ff == nullptr) {
            ff = workbook_add_format(wb);
            format_set_bg_color(ff, static_cast<lxw_color_t>(std::stoul(it->second.substr(1), nullptr, 16)));
            format_set_border(ff, LXW_BORDER_THIN);
          }
          f = ff;
        }
        worksheet_write_string(ws, static_cast<lxw_row_t>(4 + r), static_cast<lxw_col_t>(c),
                               s.table.rows[r].cells[c].c_str(), f);
      }
    }
    for (size_t n = 0; n < s.table.notes.size(); ++n) {
      worksheet_write_string(ws, static_cast<lxw_row_t>(5 + s.table.rows.size() + n), 0,
                             s.table.notes[n].c_str(), nullptr);
    }
  }
  if (workbook_close(wb) != LXW_NO_ERROR) return IoError("cannot write the workbook");
  return Status::Ok();
}

Status WriteMeetingPack(db::Connection& conn, const access::Scope& scope, std::string_view me,
                        int64_t meeting_id, std::string_view generated_at,
                        const std::string& path) {
  ASSIGN_OR_RETURN(std::string mj, GetMeeting(conn, scope, me, meeting_id));
  const json m = json::parse(mj);
  ASSIGN_OR_RETURN(std::unique_ptr<chart::PdfBoardPack> pack, chart::PdfBoardPack::Create(path));
  chart::TablePageInput agenda;
  agenda.title = S(m, "title") + ": agenda";
  agenda.subtitle = S(m, "group_name") + ", " + LongDate(S(m, "held_on")) + ". Pack produced " +
                    std::string(generated_at.substr(0, 10)) + ".";
  agenda.columns = {{"No.", 0.5}, {"Item", 5}, {"Organisation", 2.2}, {"Papers", 3}};
  int n = 0;
  for (const json& item : m["agenda"]) {
    agenda.rows.push_back({.cells = {std::to_string(++n), S(item, "title"),
                                     S(item, "organisation_name"),
                                     S(item, "generated") == "true" ? "Generated: evidence follows"
                                                                    : ""}});
  }
  std::string members;
  for (const json& x : m["members"]) members += (members.empty() ? "" : ", ") + x.get<std::string>();
  agenda.notes = {"Chair: " + S(m, "chair"), "Members: " + members};
  RETURN_IF_ERROR(pack->AddTablePages(agenda).status());
  n = 0;
  for (const json& item : m["agenda"]) {
    ++n;
    if (item["kind"] == "standing") continue;
    chart::TablePageInput page;
    page.title = "Item " + std::to_string(n) + ": " + S(item, "title");
    page.subtitle = S(item, "organisation_name");
    page.columns = {{"", 1.6}, {"", 8}};
    AddRow(&page, {"Why it is here", S(item, "detail")});
    const std::string ref = S(item, "ref");
    std::string metric;
    if (ref.rfind("concern:", 0) == 0) {
      Result<std::string> c = GetConcern(conn, scope, std::stoll(ref.substr(8)));
      if (c.ok()) {
        const json cj = json::parse(*c);
        AddRow(&page, {"Owner", S(cj, "owner")});
        for (const json& h : cj["history"]) {
          AddRow(&page, {S(h, "on"), Words(S(h, "to")) + ": " + S(h, "reason")});
        }
        for (const json& f : cj["follow_ups"]) {
          AddRow(&page, {S(f, "held_on"), "Follow-up with " + S(f, "with_whom") +
                                                              ". Heard: " + S(f, "heard") +
                                                              " Agreed: " + S(f, "agreed")});
        }
        if (!cj["metrics"].empty()) metric = cj["metrics"][0].get<std::string>();
      }
    } else if (ref.rfind("signal:", 0) == 0) {
      const size_t colon = ref.find(':', 7);
      if (colon != std::string::npos) metric = ref.substr(colon + 1);
    } else if (ref.rfind("escalation:", 0) == 0 && !S(item, "organisation").empty()) {
      Result<std::string> e = OrganisationEscalations(conn, scope, S(item, "organisation"));
      if (e.ok()) {
        const json h_doc = json::parse(*e);
        for (const json& h : h_doc["history"]) {
          AddRow(&page, {S(h, "decided_on"), S(h, "previous_display_name") +
                                                                 " to " + S(h, "display_name") +
                                                                 ": " + S(h, "reason")});
        }
      }
    } else if (ref.rfind("risk:", 0) == 0) {
      Result<std::string> r = GetRisk(conn, scope, std::stoll(ref.substr(5)));
      if (r.ok()) {
        const json rj = json::parse(*r);
        AddRow(&page, {"Score", S(rj, "score") + " (" + S(rj, "band") + ")"});
        AddRow(&page, {"Controls", S(rj, "controls")});
        if (!rj["metrics"].empty()) metric = rj["metrics"][0].get<std::string>();
      }
    }
    if (!S(item, "minutes").empty()) AddRow(&page, {"Minutes", S(item, "minutes")});
    if (!S(item, "decision").empty()) AddRow(&page, {"Decision", S(item, "decision")});
    for (const json& a : item["actions"]) {
      AddRow(&page, {"Action", S(a, "title") + " (" + S(a, "owner") + ", due " +
                                                   S(a, "due") + ")"});
    }
    RETURN_IF_ERROR(pack->AddTablePages(page).status());
    if (!metric.empty() && !S(item, "organisation").empty()) {
      RETURN_IF_ERROR(AddSeriesChart(conn, pack.get(), metric, S(item, "organisation"),
                                     S(item, "organisation_name")));
    }
  }
  return pack->Finish();
}

}  // namespace shewhart::intelligence
