#include "improvement/programme_report.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <vector>

#include "chart/table_page.h"
#include "chart/xmr_chart.h"
#include "oversight/board.h"
#include "stats/xmr.h"

namespace shewhart::improvement {
namespace {

std::string Number(double v, int decimals = 1) {
  if (std::isnan(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string s = buf;
  if (s == "-0.0" || s == "-0") s = s.substr(1);
  return s;
}

std::string LongDay(const std::string& iso) {
  static constexpr const char* kMonths[] = {"January", "February", "March",     "April",
                                            "May",     "June",     "July",      "August",
                                            "September", "October", "November", "December"};
  if (iso.size() < 10) return iso;
  const int m = std::atoi(iso.substr(5, 2).c_str());
  if (m < 1 || m > 12) return iso;
  return std::to_string(std::atoi(iso.substr(8, 2).c_str())) + " " + kMonths[m - 1] + " " +
         iso.substr(0, 4);
}

std::optional<stats::Variation> VariationOf(std::string_view name) {
  for (stats::Variation v :
       {stats::Variation::kCommonCause, stats::Variation::kImprovementHigh,
        stats::Variation::kImprovementLow, stats::Variation::kConcernHigh,
        stats::Variation::kConcernLow, stats::Variation::kNeutralHigh,
        stats::Variation::kNeutralLow}) {
    if (stats::Name(v) == name) return v;
  }
  return std::nullopt;
}

std::string StageWord(std::string_view stage) {
  if (stage == "input") return "Input";
  if (stage == "activity") return "Activity";
  if (stage == "output") return "Output";
  if (stage == "outcome") return "Outcome";
  if (stage == "impact") return "Impact";
  return std::string(stage);
}

std::string StatusWord(std::string s) {
  for (char& c : s) c = c == '_' ? ' ' : c;
  if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

}  // namespace

std::string ImpactInWords(const MetricImpactRow& row) {
  const MetricTotal& t = row.total;
  const std::string of = std::to_string(t.series) + " series";
  if (t.detected == 0) {
    return "No improvement measured yet on its " + of +
           ": the rules have not shown a real change since the first PDSA cycle.";
  }
  std::string s = "Improvement confirmed on " + std::to_string(t.detected) + " of " + of +
                  ": a total change of " + Number(t.impact) + " (95% interval " +
                  Number(t.ci_low) + " to " + Number(t.ci_high) + "), each unit-period once.";
  if (t.shared > 0 && std::abs(t.double_count_avoided) > 1e-9) {
    s += " Alone the projects would claim " + Number(t.claimed) + ": " +
         Number(std::abs(t.double_count_avoided)) + " of double counting avoided.";
  }
  return s;
}

Status WriteProgrammeReportPdf(db::Connection& conn, int64_t programme_id, const Writer& reader,
                               std::string_view today_in, const std::string& path) {
  const std::string today(today_in.substr(0, 10));
  ASSIGN_OR_RETURN(Programme p, GetProgramme(conn, programme_id, reader));
  ASSIGN_OR_RETURN(ProgrammeImpact impact, GetProgrammeImpact(conn, programme_id));
  ASSIGN_OR_RETURN(std::unique_ptr<chart::PdfBoardPack> pack, chart::PdfBoardPack::Create(path));
  const std::string produced = "Produced " + LongDay(today) + " for the programme's executive.";

  // The cover.
  int outcomes = 0, outcomes_improving = 0, outcomes_concern = 0;
  for (const LogicItem& l : p.logic) {
    if (l.stage != "outcome") continue;
    ++outcomes;
    if (l.variation.rfind("improvement", 0) == 0) ++outcomes_improving;
    if (l.variation.rfind("concern", 0) == 0) ++outcomes_concern;
  }
  int done = 0, overdue = 0;
  for (const Milestone& m : p.milestones) {
    if (!m.done.empty()) {
      ++done;
    } else if (m.due < today) {
      ++overdue;
    }
  }
  int detected_metrics = 0;
  for (const MetricImpactRow& m : impact.metrics) detected_metrics += m.total.detected > 0 ? 1 : 0;
  chart::TablePageInput cover;
  cover.title = p.title + ": programme report";
  cover.subtitle = produced;
  cover.columns = {{"", 1.8}, {"", 8}};
  auto add = [](chart::TablePageInput* t, std::vector<std::string> cells,
                std::optional<stats::Variation> marker = std::nullopt) {
    t->rows.push_back({.cells = std::move(cells), .marker = marker});
  };
  add(&cover, {"Programme", p.title});
  add(&cover, {"Purpose", p.purpose});
  add(&cover, {"Organisation", p.organisation.empty() ? "System-wide" : p.organisation});
  add(&cover, {"Lead", p.lead});
  add(&cover, {"Runs", LongDay(p.started) + (p.ends.empty() ? ", no end date set"
                                                             : " to " + LongDay(p.ends))});
  add(&cover, {"Projects", std::to_string(p.projects.size()) +
                               (p.projects.size() == 1 ? " project" : " projects")});
  add(&cover, {"Outcomes", std::to_string(outcomes) + " in the logic model: " +
                               std::to_string(outcomes_improving) + " showing improvement, " +
                               std::to_string(outcomes_concern) + " showing concern"});
  add(&cover, {"Plan", std::to_string(p.milestones.size()) + " milestones: " +
                           std::to_string(done) + " done, " + std::to_string(overdue) +
                           " overdue"});
  add(&cover, {"Impact", std::to_string(detected_metrics) + " of " +
                             std::to_string(impact.metrics.size()) +
                             " metrics with a measured improvement"});
  cover.notes = {"Contents: logic model, projects, milestones and plan, cumulative impact."};
  RETURN_IF_ERROR(pack->AddTablePages(cover).status());

  // The logic model.
  chart::TablePageInput logic;
  logic.title = p.title + ": logic model";
  logic.subtitle = "Inputs, activities, outputs, outcomes and impact; outcomes linked to a system "
                   "series show its Making Data Count state.";
  logic.columns = {{"Stage", 0.9}, {"Item", 2.8}, {"Series", 1.3}, {"SPC state", 5.2},
                   {"Latest", 0.7}, {"Mean", 0.7}};
  for (std::string_view stage : LogicStages()) {
    for (const LogicItem& l : p.logic) {
      if (l.stage != stage) continue;
      std::string state;
      if (l.metric.empty()) {
        state = l.stage == "outcome" ? "Not linked to a system series" : "";
      } else if (l.variation.empty()) {
        state = "No SPC result stored yet";
      } else {
        state = oversight::VariationMeaning(l.variation);
        if (!l.assurance.empty()) state += "; " + oversight::AssuranceMeaning(l.assurance);
      }
      add(&logic,
          {StageWord(l.stage), l.title, l.metric.empty() ? "" : l.metric + " at " + l.unit, state,
           l.latest ? Number(*l.latest, 2) : "", l.mean ? Number(*l.mean, 2) : ""},
          VariationOf(l.variation));
    }
  }
  if (logic.rows.empty()) add(&logic, {"", "No logic model recorded yet", "", "", "", ""});
  logic.notes = {"The dot is the Making Data Count variation icon's colour: orange concern, blue "
                 "improvement, grey common cause."};
  RETURN_IF_ERROR(pack->AddTablePages(logic).status());

  // The projects.
  chart::TablePageInput projects;
  projects.title = p.title + ": projects";
  projects.subtitle = "Each project's status and its IHI progress score (0.5 to 5.0) set by its "
                      "team.";
  projects.columns = {{"No.", 0.6}, {"Project", 3.6}, {"Organisation", 1.3}, {"Lead", 2.2},
                      {"Status", 1.1}, {"Started", 1.1}, {"Progress score", 2.6},
                      {"Cycles", 0.9}};
  for (const ProjectSummary& s : p.projects) {
    add(&projects, {std::to_string(s.id), s.title, s.organisation, s.lead, StatusWord(s.status),
                    s.started,
                    s.score ? Number(*s.score) + " " + std::string(ScoreLabel(*s.score))
                            : "Not scored yet",
                    std::to_string(s.pdsas)});
  }
  if (projects.rows.empty()) add(&projects, {"", "No projects yet", "", "", "", "", "", ""});
  RETURN_IF_ERROR(pack->AddTablePages(projects).status());

  // Milestones and plan.
  chart::TablePageInput plan;
  plan.title = p.title + ": milestones and plan";
  plan.subtitle = "The programme's plan, by due date.";
  plan.columns = {{"Due", 1.3}, {"Milestone", 6}, {"Status", 2.5}};
  for (const Milestone& m : p.milestones) {
    add(&plan, {LongDay(m.due), m.title,
                !m.done.empty() ? "Done on " + LongDay(m.done)
                : m.due < today ? "Overdue"
                                : "Due"});
  }
  if (plan.rows.empty()) add(&plan, {"", "No milestones recorded yet", ""});
  RETURN_IF_ERROR(pack->AddTablePages(plan).status());

  // Cumulative impact.
  chart::TablePageInput imp;
  imp.title = p.title + ": cumulative impact";
  imp.subtitle = "Measured on the system's own series from each project's first PDSA cycle; a "
                 "unit-period claimed by two projects counts once.";
  imp.columns = {{"Metric", 2.6},        {"Improved", 1.0},        {"Projects", 0.9},
                 {"Total change", 1.1},   {"95% interval", 1.7},    {"Claimed alone", 1.2},
                 {"Double count avoided", 2.4}};
  std::vector<std::string> words;
  for (const MetricImpactRow& m : impact.metrics) {
    const MetricTotal& t = m.total;
    add(&imp, {m.metric + (m.metric_name.empty() ? "" : " " + m.metric_name),
               std::to_string(t.detected) + " of " + std::to_string(t.series),
               std::to_string(t.projects), Number(t.impact),
               t.detected > 0 ? Number(t.ci_low) + " to " + Number(t.ci_high) : "-",
               Number(t.claimed), Number(std::abs(t.double_count_avoided))});
    words.push_back(m.metric + ": " + ImpactInWords(m));
  }
  if (imp.rows.empty()) {
    add(&imp, {"No outcome measure of its projects is a system series yet", "", "", "", "", "", ""});
  }
  words.insert(words.end(), impact.notes.begin(), impact.notes.end());
  words.push_back("Changes are in the metric's numerator (events) for rates and proportions, and "
                  "in its unit x months for plain values.");
  imp.notes = std::move(words);
  RETURN_IF_ERROR(pack->AddTablePages(imp).status());
  return pack->Finish();
}

}  // namespace shewhart::improvement
