// capability tiers: the rules that place a person in North West Surrey's Learn / Live / Lead tiers
// from what they did — pure functions, no database (the stored side is people.h).
//
// The rules (docs/capability.md, "Tiers from evidence"), applied to the evidence dated on or
// before the day asked about:
//   - attended a course (attended = yes) -> the course's tier (a Learn course -> Learn, ...);
//   - is coached (a coachee), or is a member of an active improvement project -> Live;
//   - teaches (a trainer at a session) or coaches / mentors someone -> Lead;
//   - nothing -> none.
// A person's tier is the highest their evidence reaches: tiers are reached, not lost (whether
// Lead people stay active is the retention part of the self-sustainability index). A manual
// override (with a reason, REQUIRED) sets the tier from its date; evidence dated after the
// override that reaches higher lifts the person again.
//
// Thread-safe (pure).
//
// Example:
//   std::vector<Evidence> e = {MakeEvidence(Activity::kAttended, "2024-01-10", Tier::kLearn, "")};
//   TierDecision d = DecideTier(e, {}, "2024-05-01");   // d.tier == Tier::kLearn
#ifndef SHEWHART_CAPABILITY_TIERS_H_
#define SHEWHART_CAPABILITY_TIERS_H_

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace shewhart::capability {

enum class Tier { kNone = 0, kLearn = 1, kLive = 2, kLead = 3 };

// "none", "learn", "live", "lead".
std::string_view TierWord(Tier tier);
// The tier named by `word` (any case; "none" included); nullopt otherwise.
std::optional<Tier> ParseTier(std::string_view word);

// What a person did that counts as evidence.
enum class Activity {
  kAttended,       // attended a course of a tier (the tier the evidence gives)
  kTaught,         // a trainer at a session of a course
  kCoaches,        // coach or mentor in a coaching relationship
  kCoached,        // coachee in a coaching relationship
  kProjectMember,  // leads or is a member of an active improvement project (improvement part)
  kProjectCoach,   // a coach on an improvement project (improvement part): coaches others
};
// The activity's word in evidence and test tables: "attended", "taught", "coaches", "coached",
// "project", "project_coach".
std::string_view ActivityWord(Activity activity);
std::optional<Activity> ParseActivity(std::string_view word);

struct Evidence {
  std::string date;  // YYYY-MM-DD
  Activity activity = Activity::kAttended;
  Tier tier = Tier::kNone;  // what it gives (the rules above)
  std::string what;         // for people: "attended QI-101 Introduction to QI"
};

// The evidence `activity` gives; `course_tier` is used only for kAttended.
Evidence MakeEvidence(Activity activity, std::string date, Tier course_tier, std::string what);

struct Override {
  std::string date;  // from when it applies, YYYY-MM-DD
  Tier tier = Tier::kNone;
  std::string reason;  // REQUIRED non-empty (the service refuses an override without one)
  std::string by;      // who set it
};

struct TierDecision {
  Tier tier = Tier::kNone;
  std::string since;   // the date the tier was reached ("" for none)
  std::string source;  // "evidence", "override" or "none"
  std::string reason;  // the override's reason when source == "override"
  // The evidence dated on or before as_of that gives the tier (the reason for it), oldest first.
  std::vector<Evidence> basis;
};

// One person's place on an improvement project (the improvement part's improvement_project,
// improvement_team_member and improvement_pdsa tables; docs/capability.md "Projects").
struct ProjectRole {
  std::string project;      // its title, for the evidence's `what`
  std::string role;         // lead, sponsor, coach, member, patient_partner
  std::string status;       // planning, active, sustaining, completed, abandoned, closed, ...
  std::string started;      // the project's start, YYYY-MM-DD ("" unknown)
  std::string first_pdsa;   // the first PDSA cycle's start ("" none)
};
// True for a project status that is not active: completed, abandoned, closed.
bool InactiveProjectStatus(std::string_view status);
// The evidence a place on a project gives, if any: a lead or member of a project that is not
// inactive and has a PDSA cycle -> Live from the first cycle's start; a coach -> Lead from the
// project's start (whatever its status now: coaching happened). Other roles give nothing.
std::optional<Evidence> ProjectEvidence(const ProjectRole& p);

// The tier on `as_of` (YYYY-MM-DD) from the evidence and overrides (any order).
TierDecision DecideTier(std::span<const Evidence> evidence, std::span<const Override> overrides,
                        std::string_view as_of);

}  // namespace shewhart::capability

#endif  // SHEWHART_CAPABILITY_TIERS_H_
