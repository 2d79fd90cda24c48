// portfolio_impact_load: a national portfolio's impact loaded FROM A DATABASE (bench/README.md,
// "Improvement"). Unless --reuse, generates a SQLite (or PostgreSQL) database through the
// ordinary imports: U organisations, M metrics (falls per 1,000 bed days style rates, lower is
// better), 60 months each (a quarter of the series step down after month 30; fixed seed). Then
// (always) adds P projects straight into the improvement tables, each with an outcome measure on
// an EXISTING series of the database, spread evenly over them (5% claim a series another project
// claims) and one PDSA
// cycle in month 28; then times improvement::GetProgrammeImpact(conn, 0) — what
// `GET /api/portfolio/impact` runs — R times, and prints each time and the totals.
//
//   portfolio_impact_load --db sqlite:/tmp/portfolio.db --units 250 --metrics 40 --projects 10000
//   portfolio_impact_load --db sqlite:/tmp/portfolio.db --reuse --projects 10000 --repeat 3
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "db/db.h"
#include "imports/imports.h"
#include "imports/table.h"
#include "improvement/programmes.h"
#include "schema/schema.h"

namespace {

using namespace shewhart;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a) {
  return std::chrono::duration<double>(Clock::now() - a).count();
}

// Deterministic noise in [-0.5, 0.5).
double Noise(uint64_t i) {
  uint64_t x = i * 0x9E3779B97F4A7C15ull + 12345;
  x ^= x >> 31;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 29;
  return static_cast<double>(x % 100000) / 100000.0 - 0.5;
}

std::string Period(int m) {
  char p[16];
  std::snprintf(p, sizeof p, "%04d-%02d-01", 2019 + m / 12, m % 12 + 1);
  return p;
}

int Fail(const Status& s, const char* what) {
  std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string url;
  int units = 250, metrics = 40, projects = 10000, repeat = 3, months = 60;
  bool reuse = false;
  for (int i = 1; i < argc; ++i) {
    auto next = [&]() { return i + 1 < argc ? argv[++i] : ""; };
    if (!std::strcmp(argv[i], "--db")) url = next();
    else if (!std::strcmp(argv[i], "--units")) units = std::atoi(next());
    else if (!std::strcmp(argv[i], "--metrics")) metrics = std::atoi(next());
    else if (!std::strcmp(argv[i], "--projects")) projects = std::atoi(next());
    else if (!std::strcmp(argv[i], "--repeat")) repeat = std::atoi(next());
    else if (!std::strcmp(argv[i], "--reuse")) reuse = true;
    else {
      std::fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  if (url.empty()) {
    std::fprintf(stderr, "usage: portfolio_impact_load --db URL [--units U --metrics M "
                         "--projects P --repeat R --reuse]\n");
    return 2;
  }
  auto conn = db::Open(url);
  if (!conn.ok()) return Fail(conn.status(), "open");
  db::Connection& c = **conn;
  if (!reuse) {
    const auto t0 = Clock::now();
    if (Status s = schema::MigrateAll(c); !s.ok()) return Fail(s, "migrate");
    imports::ImportOptions o{.actor = "bench", .now = "2024-02-01T10:00:00Z"};
    std::string orgs = "code,name,kind,parent,opened,closed,successor,member_of\n";
    orgs += "QE01,Bench ICS,system,,,,,\n";
    for (int u = 1; u <= units; ++u) {
      orgs += "R" + std::to_string(10000 + u) + ",Trust " + std::to_string(u) + ",acute trust,QE01,,,,\n";
    }
    auto ot = imports::ParseCsvTable("orgs.csv", orgs);
    if (!ot.ok()) return Fail(ot.status(), "orgs");
    if (auto r = imports::ImportOrganisations(c, *ot, "orgs", o); !r.ok()) return Fail(r.status(), "orgs");
    std::string mets =
        "code,applies_from,name,definition,numerator_definition,denominator_definition,unit,"
        "measure,multiplier,improvement_direction,chart_type,frequency,domain,target,target_from,"
        "source,owner,status\n";
    for (int m = 1; m <= metrics; ++m) {
      mets += "HARM" + std::to_string(100 + m) + ",,Harm " + std::to_string(m) +
              " per 1000 bed days,Harm events per 1000 bed days,Events,Bed days,per 1000 bed "
              "days,rate,1000,decrease,xmr,monthly,safe,,,Incidents,Bench,agreed\n";
    }
    auto mt = imports::ParseCsvTable("metrics.csv", mets);
    if (!mt.ok()) return Fail(mt.status(), "metrics");
    if (auto r = imports::ImportMetrics(c, *mt, "metrics", o); !r.ok()) return Fail(r.status(), "metrics");
    std::string obs = "metric,unit,period,value,numerator,denominator\n";
    obs.reserve(static_cast<size_t>(units) * metrics * months * 48);
    for (int m = 1; m <= metrics; ++m) {
      for (int u = 1; u <= units; ++u) {
        const bool step = (u + m) % 4 == 0;
        const double level = 4 + (u * 7 + m * 13) % 5;
        const double bed_days = 1500 + (u * 37 + m) % 1500;
        for (int t = 0; t < months; ++t) {
          const uint64_t k = (static_cast<uint64_t>(m) * 100003 + u) * 1000 + t;
          double rate = level + 1.2 * Noise(k) + (step && t >= 30 ? -1.5 : 0);
          const long events = std::lround(std::max(0.0, rate) * bed_days / 1000);
          obs += "HARM" + std::to_string(100 + m) + ",R" + std::to_string(10000 + u) + "," +
                 Period(t) + ",," + std::to_string(events) + "," +
                 std::to_string(static_cast<long>(bed_days)) + "\n";
        }
      }
    }
    auto tt = imports::ParseCsvTable("obs.csv", obs);
    if (!tt.ok()) return Fail(tt.status(), "observations");
    auto r = imports::ImportObservations(c, *tt, "obs", o);
    if (!r.ok()) return Fail(r.status(), "observations");
    std::printf("generated %d units x %d metrics x %d months = %lld observations in %.1f s\n",
                units, metrics, months, static_cast<long long>(units) * metrics * months,
                Seconds(t0));
  }
  // The projects, on existing series.
  {
    const auto t0 = Clock::now();
    std::vector<std::pair<int64_t, int64_t>> series;
    Status s = c.Query(
        "SELECT DISTINCT metric_id, unit_id FROM observation ORDER BY metric_id, unit_id", {},
        [&](const db::Row& r) {
          series.emplace_back(r.Int(0), r.Int(1));
          return db::Flow::kContinue;
        });
    if (!s.ok()) return Fail(s, "series");
    if (series.empty()) return Fail(NotFoundError("no series"), "series");
    auto tx = db::Transaction::Begin(c);
    if (!tx.ok()) return Fail(tx.status(), "begin");
    for (const char* t : {"improvement_pdsa", "improvement_driver", "improvement_measure",
                          "improvement_project"}) {
      if (Status d = c.Execute(std::string("DELETE FROM ") + t, {}); !d.ok()) return Fail(d, t);
    }
    const std::string now = "2024-02-01T10:00:00Z";
    // Spread over every metric and organisation: with more series than projects, every k-th.
    const size_t stride = std::max<size_t>(1, series.size() / static_cast<size_t>(projects));
    for (int p = 0; p < projects; ++p) {
      // 5% share the series of the project before them.
      const size_t k = static_cast<size_t>(p % 20 == 19 ? p - 1 : p);
      const auto [metric, unit] = series[(k * stride) % series.size()];
      auto id = c.ExecuteReturningId(
          "INSERT INTO improvement_project (unit_id, title, aim, problem, lead_email, status, "
          "method, started, population, restricted, score_reason, created_by, created_at) VALUES "
          "(?, ?, 'Fewer harms', '', 'lead@nhs.net', 'active', 'model_for_improvement', "
          "'2021-03-01', 'adults', 0, '', 'bench', ?) RETURNING id",
          {unit, "Project " + std::to_string(p + 1), now});
      if (!id.ok()) return Fail(id.status(), "project");
      if (Status e = c.Execute("INSERT INTO improvement_measure (project_id, kind, metric_id, "
                               "unit_id, title, definition, created_at) VALUES (?, 'outcome', ?, "
                               "?, 'Harm', '', ?)",
                               {*id, metric, unit, now});
          !e.ok()) {
        return Fail(e, "measure");
      }
      auto idea = c.ExecuteReturningId(
          "INSERT INTO improvement_driver (project_id, kind, title, status) VALUES (?, "
          "'change_idea', 'Huddle', 'testing') RETURNING id",
          {*id});
      if (!idea.ok()) return Fail(idea.status(), "driver");
      if (Status e = c.Execute(
              "INSERT INTO improvement_pdsa (project_id, change_idea_id, cycle, title, plan, "
              "prediction, started, do_note, study, created_by, created_at) VALUES (?, ?, 1, "
              "'Cycle 1', 'p', 'q', ?, '', '', 'bench', ?)",
              {*id, *idea, Period(28 + p % 2), now});
          !e.ok()) {
        return Fail(e, "pdsa");
      }
    }
    if (Status e = tx->Commit(); !e.ok()) return Fail(e, "commit");
    std::printf("added %d projects on %zu existing series in %.1f s\n", projects,
                std::min(series.size(), static_cast<size_t>(projects)), Seconds(t0));
  }
  for (int i = 0; i < repeat; ++i) {
    const auto t0 = Clock::now();
    auto pi = improvement::GetProgrammeImpact(c, 0);
    const double sec = Seconds(t0);
    if (!pi.ok()) return Fail(pi.status(), "impact");
    int detected = 0, shared = 0;
    for (const auto& m : pi->metrics) {
      detected += m.total.detected;
      shared += m.total.shared;
    }
    std::printf("run %d: GetProgrammeImpact (whole portfolio) %.3f s: %zu series, %zu metrics, "
                "%d detected, %d shared\n",
                i + 1, sec, pi->series.size(), pi->metrics.size(), detected, shared);
  }
  // The load alone, both ways: one query per series (as before) and one read per metric.
  {
    std::vector<std::pair<int64_t, int64_t>> claimed;
    Status s = c.Query("SELECT DISTINCT metric_id, unit_id FROM improvement_measure WHERE kind = "
                       "'outcome' ORDER BY metric_id, unit_id",
                       {}, [&](const db::Row& r) {
                         claimed.emplace_back(r.Int(0), r.Int(1));
                         return db::Flow::kContinue;
                       });
    if (!s.ok()) return Fail(s, "claimed");
    auto t0 = Clock::now();
    size_t points = 0;
    for (const auto& [metric, unit] : claimed) {
      auto one = improvement::LoadImpactSeries(c, metric, unit);
      if (!one.ok()) return Fail(one.status(), "load");
      points += one->periods.size();
    }
    const double per_series = Seconds(t0);
    t0 = Clock::now();
    size_t points2 = 0;
    for (size_t i = 0; i < claimed.size();) {
      std::vector<int64_t> units;
      const int64_t metric = claimed[i].first;
      for (; i < claimed.size() && claimed[i].first == metric; ++i) units.push_back(claimed[i].second);
      auto all = improvement::LoadImpactSeriesOfMetric(c, metric, units);
      if (!all.ok()) return Fail(all.status(), "load");
      for (const auto& x : *all) points2 += x.periods.size();
    }
    std::printf("load only, %zu series: one query per series %.3f s (%zu points); one read per "
                "metric %.3f s (%zu points)\n",
                claimed.size(), per_series, points, Seconds(t0), points2);
  }
  return 0;
}
