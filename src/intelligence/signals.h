// intelligence: signals and the time line — triangulation. A signal is any fact that may warrant
// attention, from any strand: special cause of concern (spc), failing or inconsistent assurance
// (assurance), a funnel outlier (funnel), worse than the system benchmark with 95% significance
// (benchmark), incidents of severe harm or death and rises in incidents (incident), rises in
// complaints (complaint), a standard not met (audit), a poor or worsened CQC rating (rating), a
// note marked concerning (note), a horizon item without a response by its due date (horizon).
// Each says why in plain words and links to its evidence. The ranking — one table of tiers, then
// the newest first — is documented and tested in docs/intelligence.md ("Signals").
//
// Restricted strands (incidents, complaints, notes; and the incident and complaint count series)
// give signals only within the person's scope: outside it they are left out, never hinted at.
//
// "Recent" means within kRecentDays before `as_of`; as_of defaults to the latest date of any
// evidence held (observations' periods and records' dates), capped at today, so a database read
// later tells the story as it stood.
//
// Thread-compatible; the caches are thread-safe. One organisation's signals (and the funnels
// they compare with) are kept per data version (access::DataVersion, which lives in the database
// and follows commit order), organisation, as-of date and what of it the scope sees, until the
// next write. The caches are per process and assume one database per process (as `shewhart
// serve` has; its replicas carry the same version with the data they replay).
//
// Example:
//   ASSIGN_OR_RETURN(std::vector<Signal> s, OrganisationSignals(*conn, scope, "RZA", {}));
//   s[0].rank;    // 1
//   s[0].reason;  // "3 patient safety incidents with severe harm in the 12 months to ..."
#ifndef SHEWHART_INTELLIGENCE_SIGNALS_H_
#define SHEWHART_INTELLIGENCE_SIGNALS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "access/access.h"
#include "base/status.h"
#include "db/db.h"

namespace shewhart::intelligence {

inline constexpr int kRecentDays = 365;

struct Signal {
  std::string source;  // spc, assurance, funnel, benchmark, incident, complaint, audit, rating,
                       // note, horizon
  std::string unit;    // the organisation or unit it is about (code)
  std::string metric;  // metric code, "" when none
  std::string period;  // the month (YYYY-MM-01) of series signals, "" otherwise
  std::string date;    // YYYY-MM-DD: the period, or the date of the latest record behind it
  int weight = 0;      // the tier (docs/intelligence.md); higher first
  int rank = 0;        // 1 = first to look at
  std::string reason;  // plain words
  std::string href;    // the evidence in the front end
};

struct SignalOptions {
  std::string as_of;        // YYYY-MM-DD; "" = the data date (see above)
  bool comparisons = true;  // funnel and benchmark signals (one funnel per metric and period)
  std::string place;        // SystemSignals only: the organisations within this unit (a system,
                            // a place: code); "" = every organisation. NotFound when unknown.
};

// The ranked signals of one organisation (its own and those of the units below it).
// NotFound for an unknown organisation.
Result<std::vector<Signal>> OrganisationSignals(db::Connection& conn, const access::Scope& scope,
                                                std::string_view org, const SignalOptions& options);

// Sorts by the documented order and numbers the ranks from 1.
void RankSignals(std::vector<Signal>* signals);

struct OrganisationWeight {
  std::string code, name, kind;
  int weight = 0;        // the sum of its signals' weights
  int signals = 0;       // how many
  Signal top;            // the first to look at
};

// The system view: every organisation with at least one signal (within options.place when
// given), heaviest first (then by name).
Result<std::vector<OrganisationWeight>> SystemSignals(db::Connection& conn,
                                                      const access::Scope& scope,
                                                      const SignalOptions& options);

struct TimelineItem {
  std::string source;  // as Signal::source, plus "spc" for points of concern
  std::string date;    // YYYY-MM-DD
  std::string title;
  std::string detail;
  std::string unit;
  std::string metric;
  std::string href;
};

// Every strand of one organisation (and the units below it) with a date in [from, to] ("" = open),
// in date order (oldest first; on one date: series, then records by source).
Result<std::vector<TimelineItem>> Timeline(db::Connection& conn, const access::Scope& scope,
                                           std::string_view org, std::string_view from,
                                           std::string_view to);

// The date signals are computed as of when none is given (see above). `today` YYYY-MM-DD.
Result<std::string> DataDate(db::Connection& conn, std::string_view today);

}  // namespace shewhart::intelligence

#endif  // SHEWHART_INTELLIGENCE_SIGNALS_H_
