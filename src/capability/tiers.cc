#include "capability/tiers.h"

#include <algorithm>

#include "base/text_checks.h"

namespace shewhart::capability {

std::string_view TierWord(Tier tier) {
  switch (tier) {
    case Tier::kLearn:
      return "learn";
    case Tier::kLive:
      return "live";
    case Tier::kLead:
      return "lead";
    case Tier::kNone:
      break;
  }
  return "none";
}

std::optional<Tier> ParseTier(std::string_view word) {
  const std::string w = AsciiLower(word);
  for (Tier t : {Tier::kNone, Tier::kLearn, Tier::kLive, Tier::kLead}) {
    if (w == TierWord(t)) return t;
  }
  return std::nullopt;
}

namespace {
constexpr Activity kActivities[] = {Activity::kAttended, Activity::kTaught, Activity::kCoaches,
                                    Activity::kCoached, Activity::kProjectMember,
                                    Activity::kProjectCoach};
}  // namespace

std::string_view ActivityWord(Activity activity) {
  switch (activity) {
    case Activity::kAttended:
      return "attended";
    case Activity::kTaught:
      return "taught";
    case Activity::kCoaches:
      return "coaches";
    case Activity::kCoached:
      return "coached";
    case Activity::kProjectMember:
      return "project";
    case Activity::kProjectCoach:
      return "project_coach";
  }
  return "";
}

std::optional<Activity> ParseActivity(std::string_view word) {
  for (Activity a : kActivities) {
    if (word == ActivityWord(a)) return a;
  }
  return std::nullopt;
}

Evidence MakeEvidence(Activity activity, std::string date, Tier course_tier, std::string what) {
  Tier gives = Tier::kNone;
  switch (activity) {
    case Activity::kAttended:
      gives = course_tier;
      break;
    case Activity::kCoached:
    case Activity::kProjectMember:
      gives = Tier::kLive;
      break;
    case Activity::kTaught:
    case Activity::kCoaches:
    case Activity::kProjectCoach:
      gives = Tier::kLead;
      break;
  }
  return {std::move(date), activity, gives, std::move(what)};
}

bool InactiveProjectStatus(std::string_view status) {
  const std::string s = AsciiLower(status);
  return s == "completed" || s == "abandoned" || s == "closed";
}

std::optional<Evidence> ProjectEvidence(const ProjectRole& p) {
  const std::string role = AsciiLower(p.role);
  if (role == "coach") {
    if (p.started.empty()) return std::nullopt;
    return MakeEvidence(Activity::kProjectCoach, p.started, Tier::kNone,
                        "coaches the project \"" + p.project + "\"");
  }
  if (role != "lead" && role != "member") return std::nullopt;
  if (InactiveProjectStatus(p.status) || p.first_pdsa.empty()) return std::nullopt;
  return MakeEvidence(Activity::kProjectMember, p.first_pdsa, Tier::kNone,
                      (role == "lead" ? "leads" : "is a member of") + std::string(" the project \"") +
                          p.project + "\" (first PDSA cycle)");
}

TierDecision DecideTier(std::span<const Evidence> evidence, std::span<const Override> overrides,
                        std::string_view as_of) {
  std::vector<const Evidence*> known;
  for (const Evidence& e : evidence) {
    if (e.date <= as_of && e.tier != Tier::kNone) known.push_back(&e);
  }
  std::stable_sort(known.begin(), known.end(),
                   [](const Evidence* a, const Evidence* b) { return a->date < b->date; });
  // The latest override in force (ties: the one given last).
  const Override* in_force = nullptr;
  for (const Override& o : overrides) {
    if (o.date <= as_of && (in_force == nullptr || o.date >= in_force->date)) in_force = &o;
  }
  TierDecision d;
  std::string after;  // evidence must be later than this to count ("" = all)
  if (in_force != nullptr) {
    d.tier = in_force->tier;
    d.since = in_force->date;
    d.source = "override";
    d.reason = in_force->reason;
    after = in_force->date;
  }
  for (const Evidence* e : known) {
    if (in_force != nullptr && e->date <= after) continue;
    if (e->tier > d.tier) {  // oldest first: `since` is when the tier was first reached
      d.tier = e->tier;
      d.since = e->date;
      d.source = "evidence";
      d.reason.clear();
    }
  }
  if (d.source.empty()) d.source = "none";
  // The basis: every piece of evidence (in force) giving the decided tier.
  for (const Evidence* e : known) {
    if (in_force != nullptr && d.source == "evidence" && e->date <= after) continue;
    if (e->tier == d.tier) d.basis.push_back(*e);
  }
  return d;
}

}  // namespace shewhart::capability
