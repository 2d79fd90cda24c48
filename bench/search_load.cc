// search_load: search over a national-scale index under load. Fills a database's search index
// with N generated documents (lessons, projects and incidents of ~220 organisations; Zipf-shaped
// vocabulary of clinical and everyday words, fixed seed), then runs C client threads — each with
// its own connection, as server workers have — issuing learning::Search for D seconds as a
// person scoped to one trust (so the restricted-record filter is in every query), and prints the
// latency percentiles and the throughput.
//
//   search_load --db sqlite:/tmp/search.db --docs 1000000 --clients 4 --seconds 30
//   search_load --db postgresql://postgres@127.0.0.1:5432/bench --docs 1000000 ...
//   (--skip-fill to query an index filled by an earlier run; --queries uniform|zipf picks the
//   topic words; --show-slow K prints the K slowest queries, to see what the tail is made of)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "db/db.h"
#include "learning/search.h"
#include "schema/schema.h"

namespace {

using namespace shewhart;

constexpr const char* kWords[] = {
    "patient",       "ward",           "staff",         "care",           "nurse",
    "medication",    "fall",           "falls",         "pressure",       "ulcer",
    "sepsis",        "escalation",     "deterioration", "observations",   "news2",
    "handover",      "discharge",      "transfer",      "infection",      "hand",
    "hygiene",       "line",           "catheter",      "insulin",        "anticoagulant",
    "warfarin",      "heparin",        "dose",          "omitted",        "prescribing",
    "pharmacy",      "night",          "weekend",       "outreach",       "theatre",
    "surgery",       "recovery",       "emergency",     "department",     "triage",
    "ambulance",     "crew",           "community",     "district",       "nursing",
    "home",          "care_home",      "frailty",       "dementia",       "delirium",
    "hydration",     "nutrition",      "swallow",       "choking",        "bed",
    "rails",         "footwear",       "bell",          "toilet",         "mobility",
    "physiotherapy", "assessment",     "risk",          "bundle",         "checklist",
    "huddle",        "safety",         "champion",      "training",       "simulation",
    "audit",         "documentation",  "record",        "electronic",     "alert",
    "family",        "carer",          "concern",       "martha",         "complaint",
    "communication", "interpreter",    "language",      "learning",       "disability",
    "children",      "maternity",      "midwife",       "neonatal",       "labour",
    "postpartum",    "haemorrhage",    "mental",        "health",         "self_harm",
    "ligature",      "restraint",      "violence",      "aggression",     "delay",
    "waiting",       "diagnosis",      "scan",          "result",         "follow",
    "referral",      "appointment",    "telephone",     "virtual",        "clinic",
    "outpatient",    "stroke",         "cardiac",       "arrest",         "resus",
    "oxygen",        "ventilation",    "tracheostomy",  "blood",          "transfusion",
    "glucose",       "ketoacidosis",   "kidney",        "injury",         "fluid",
    "balance",       "chart",          "weight",        "skin",           "wound",
    "dressing",      "equipment",      "mattress",      "hoist",          "moving",
    "handling",      "isolation",      "norovirus",     "covid",          "flu",
    "vaccination",   "antibiotic",     "stewardship",   "culture",        "microbiology",
    "bay",           "side_room",      "cleaning",      "estates",        "temperature",
    "fridge",        "storage",        "controlled",    "drugs",          "opioid",
    "naloxone",      "sedation",       "capacity",      "consent",        "safeguarding",
    "deprivation",   "liberty",        "end",           "life",           "palliative",
    "hospice",       "anticipatory",   "medicines",     "reconciliation", "allergy",
    "wristband",     "identification", "wrong",         "site",           "never",
    "event",         "swab",           "count",         "retained",       "implant",
    "laterality",    "marking",        "improvement",   "project",        "pdsa",
    "cycle",         "change",         "idea",          "measure",        "run",
    "spc",           "baseline",       "aim",           "driver",         "diagram",
    "team",          "coach",          "sponsor",       "lead",           "spread",
    "adopted",       "adapted",        "shared",        "forum",          "review",
    "theme",         "rapid",          "point",         "action"};
constexpr int kHead = static_cast<int>(sizeof kWords / sizeof kWords[0]);
// A national index's vocabulary is long-tailed: the clinical words above are its head, then
// 30,000 rarer words (place names, drug and device names, specialties), generated.
constexpr int kTail = 30000;
constexpr int kVocabulary = kHead + kTail;

std::string Word(int rank) {
  if (rank < kHead) {
    std::string w = kWords[rank];
    std::replace(w.begin(), w.end(), '_', '-');
    return w;
  }
  // Pronounceable and distinct: syllables from the rank's digits.
  static constexpr const char* kSyl[] = {"ba", "ce", "di", "fo", "gu",
                                         "ha", "ke", "li", "mo", "nu"};
  std::string w;
  for (int r = rank; r > 0; r /= 10) w += kSyl[r % 10];
  return w + "x";
}
constexpr const char* kKinds[] = {"lesson", "project", "incident"};

class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  double Uniform() {
    s_ = s_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(s_ >> 11) / static_cast<double>(1ULL << 53);
  }
  int Below(int n) { return static_cast<int>(Uniform() * n); }
  // Zipf-like: rank r with weight 1/(r+1)^0.9, by inversion of the continuous approximation.
  int Zipf(int n) {
    const double s = 0.9;
    const double max = (std::pow(n + 1.0, 1 - s) - 1) / (1 - s);
    const double x = Uniform() * max;
    return std::min(n - 1, static_cast<int>(std::pow(x * (1 - s) + 1, 1 / (1 - s))) - 1);
  }

 private:
  uint64_t s_;
};

std::string Text(Rng& rng, int words) {
  std::string out;
  for (int i = 0; i < words; ++i) {
    if (!out.empty()) out += ' ';
    out += Word(rng.Zipf(kVocabulary));
  }
  return out;
}

int Fill(db::Connection& conn, int64_t docs) {
  if (!schema::MigrateAll(conn).ok()) return 1;
  const auto t0 = std::chrono::steady_clock::now();
  Rng rng(14);
  constexpr int64_t kBatch = 20000;
  std::vector<std::vector<db::Value>> rows;
  for (int64_t i = 0; i < docs; i += kBatch) {
    rows.clear();
    for (int64_t j = i; j < std::min(docs, i + kBatch); ++j) {
      const char* kind = kKinds[j % 3];
      const int64_t unit = 1 + rng.Below(220);
      char date[11];
      std::snprintf(date, sizeof date, "20%02d-%02d-%02d", 20 + rng.Below(6), 1 + rng.Below(12),
                    1 + rng.Below(28));
      rows.push_back({kind, 1000000 + j, Text(rng, 6), Text(rng, 30), unit,
                      std::string_view(kind) == "incident" ? "restricted" : "public", "", date,
                      "/x/" + std::to_string(j), 0});
    }
    const Status s = conn.ExecuteMany(
        "INSERT INTO search_doc (kind, ref_id, title, body, unit_id, visibility, themes, "
        "doc_date, link, co_design) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows);
    if (!s.ok()) {
      std::fprintf(stderr, "fill: %s\n", s.ToString().c_str());
      return 1;
    }
    std::fprintf(stderr, "\rfilled %lld", static_cast<long long>(std::min(docs, i + kBatch)));
  }
  // As autovacuum leaves a table at rest: hint bits set, statistics current.
  if (conn.dialect() == db::Dialect::kPostgres) (void)conn.Execute("VACUUM ANALYZE search_doc");
  if (conn.dialect() == db::Dialect::kSqlite) {
    (void)conn.Execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')");
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("filled %lld documents in %.1f s (%.0f docs/s)\n", static_cast<long long>(docs), s,
              docs / s);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string url;
  int64_t docs = 1000000;
  int clients = 4;
  double seconds = 20;
  bool skip_fill = false;
  bool uniform = false;  // --queries uniform: topic words drawn uniformly from the vocabulary
  int show_slow = 0;     // --show-slow K: print the K slowest queries
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--db")
      url = next();
    else if (a == "--docs")
      docs = std::stoll(next());
    else if (a == "--clients")
      clients = std::stoi(next());
    else if (a == "--seconds")
      seconds = std::stod(next());
    else if (a == "--skip-fill")
      skip_fill = true;
    else if (a == "--queries")
      uniform = next() == "uniform";
    else if (a == "--show-slow")
      show_slow = std::stoi(next());
  }
  if (url.empty()) {
    std::fprintf(stderr,
                 "usage: search_load --db URL [--docs N] [--clients C] [--seconds D] "
                 "[--skip-fill]\n");
    return 2;
  }
  if (!skip_fill) {
    auto conn = db::Open(url);
    if (!conn.ok()) {
      std::fprintf(stderr, "%s\n", conn.status().ToString().c_str());
      return 1;
    }
    if (Fill(**conn, docs) != 0) return 1;
  }
  std::atomic<bool> stop{false};
  std::vector<std::vector<double>> lat(clients);
  struct Slow {
    double ms;
    std::string q, kind;
  };
  std::vector<std::vector<Slow>> slow(clients);
  std::vector<int64_t> hits(clients, 0);
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      auto conn = db::Open(url);
      if (!conn.ok()) {
        ++errors;
        return;
      }
      Rng rng(100 + c);
      access::Scope scope;
      scope.unit_ids = {static_cast<int64_t>(1 + c)};
      while (!stop) {
        // What people type: one or two topic words drawn like the text itself but past its 20
        // most common words (nobody searches for "patient" alone), sometimes a kind filter.
        learning::SearchQuery q;
        auto topic = [&] {
          return Word(20 + (uniform ? rng.Below(kVocabulary - 20) : rng.Zipf(kVocabulary - 20)));
        };
        q.q = topic();
        if (rng.Uniform() < 0.4) q.q += " " + topic();
        if (rng.Uniform() < 0.3) q.kind = kKinds[rng.Below(3)];
        const auto t0 = std::chrono::steady_clock::now();
        auto r = learning::Search(**conn, scope, q);
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count();
        if (!r.ok()) {
          if (errors++ < 3) std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
          continue;
        }
        hits[c] += static_cast<int64_t>(r->size());
        lat[c].push_back(ms);
        if (ms > 25) slow[c].push_back({ms, q.q, q.kind});
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  std::vector<double> all;
  int64_t total_hits = 0;
  for (int c = 0; c < clients; ++c) {
    all.insert(all.end(), lat[c].begin(), lat[c].end());
    total_hits += hits[c];
  }
  if (all.empty()) {
    std::fprintf(stderr, "no queries answered\n");
    return 1;
  }
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) {
    return all[std::min(all.size() - 1, static_cast<size_t>(p * all.size()))];
  };
  std::printf(
      "%s (%s queries): %zu queries in %.0f s by %d clients (%.0f/s), %.1f results each; errors "
      "%d\n",
      url.substr(0, url.find(':')).c_str(), uniform ? "uniform" : "zipf", all.size(), seconds,
      clients, all.size() / seconds, static_cast<double>(total_hits) / all.size(), errors.load());
  std::printf("latency ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n", pct(0.5), pct(0.9), pct(0.99),
              all.back());
  // The slowest queries, to see what the tail is made of.
  std::vector<Slow> worst;
  for (auto& v : slow) worst.insert(worst.end(), v.begin(), v.end());
  std::sort(worst.begin(), worst.end(), [](const Slow& a, const Slow& b) { return a.ms > b.ms; });
  if (worst.size() > static_cast<size_t>(show_slow)) worst.resize(show_slow);
  for (const Slow& w : worst) {
    std::printf("  slow %8.1f ms  q=\"%s\"%s%s\n", w.ms, w.q.c_str(),
                w.kind.empty() ? "" : " kind=", w.kind.c_str());
  }
  return 0;
}
