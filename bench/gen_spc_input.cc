// Writes a long-format `shewhart spc` input of S series x P monthly points to stdout, from a fixed
// seed, so every run of the benchmark reads the same bytes.
//
//   gen_spc_input [SERIES=100000] [POINTS=60] [SEED=20261122] > input.csv
//
// Each series is normal noise around its own level; one in four has a step change after two
// thirds of its length and one in ten a slow drift, so the rules have signals to find.
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "base/date.h"

int main(int argc, char** argv) {
  const long series = argc > 1 ? std::atol(argv[1]) : 100000;
  const long points = argc > 2 ? std::atol(argv[2]) : 60;
  const unsigned long seed = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 20261122UL;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> level(50, 150);
  std::uniform_real_distribution<double> unit(0, 1);
  std::normal_distribution<double> noise(0, 1);

  std::string dates;  // "YYYY-MM-DD" x points, formatted once
  for (long p = 0; p < points; ++p) {
    char d[11];
    shewhart::FormatIsoDate(shewhart::DaysFromCivil(2020 + static_cast<int>((p) / 12),
                                                    static_cast<int>(p % 12) + 1, 1),
                            d);
    dates.append(d, 10);
  }
  std::string out;
  out.reserve(1 << 20);
  out += "series,date,value\n";
  for (long s = 0; s < series; ++s) {
    const double base = level(rng), sd = base * 0.05;
    const bool step = unit(rng) < 0.25, drift = unit(rng) < 0.10;
    char name[16];
    std::snprintf(name, sizeof name, "S%07ld", s);
    for (long p = 0; p < points; ++p) {
      double v = base + sd * noise(rng);
      if (step && p > points * 2 / 3) v += 3 * sd;
      if (drift) v += 0.1 * sd * static_cast<double>(p);
      char line[64];
      const int n = std::snprintf(line, sizeof line, "%s,%.10s,%.3f\n", name,
                                  dates.data() + p * 10, v);
      out.append(line, static_cast<size_t>(n));
    }
    if (out.size() > (1 << 20) - 4096) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}
