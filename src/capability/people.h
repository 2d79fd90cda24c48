// capability people: the staff who take part in QI capability building (name, work email,
// organisation, professional group, consent recorded; never patients), the courses they attend,
// the attendance at sessions and the coaching relationships between them; imports of each (all
// or nothing, every problem by row and column), the services a screen calls, and each person's
// tier from that evidence (tiers.h) with its kept history.
//
// Tables (migration 901): capability_person, capability_course, capability_attendance,
// capability_coaching, capability_tier_change. File formats: docs/capability.md.
//
// Every write runs in one db::ServiceTransaction and records its audit entry there: imports
// `import.<kind>`, `attendance.record`, `tier.override`. After a write, the tiers of the people it
// touched are recomputed and a change is appended to capability_tier_change (source "evidence"
// or "override"), so the history of tiers is kept even when the evidence is later corrected.
//
// Thread-compatible.
//
// Example:
//   ASSIGN_OR_RETURN(imports::ImportReport r, ImportAttendance(*conn, table, sha, options));
//   ASSIGN_OR_RETURN(PersonTier t, GetPersonTier(*conn, "ana@trust.nhs.uk", "2024-05-01"));
#ifndef SHEWHART_CAPABILITY_PEOPLE_H_
#define SHEWHART_CAPABILITY_PEOPLE_H_

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "access/audit.h"
#include "base/status.h"
#include "capability/tiers.h"
#include "db/db.h"
#include "db/migrate.h"
#include "imports/imports.h"
#include "imports/table.h"

namespace shewhart::capability {

// Versions 901-..., ascending.
std::span<const db::Migration> PeopleMigrations();

// The four imports (formats in docs/capability.md). Each: InvalidArgument listing every problem
// by row and column (nothing written) — a missing column, an unknown organisation, course or
// person, a date in the future or not YYYY-MM-DD, a word outside its list, an NHS number in any
// text, a personal (not work) email, a duplicate key within the file; otherwise added / changed /
// unchanged against what is stored (key: people email; courses code; attendance email + course +
// date; coaching coach + coachee + started) and one audit entry `import.<kind>`.
Result<imports::ImportReport> ImportPeople(db::Connection& conn, const imports::Table& table,
                                           std::string_view sha256,
                                           const imports::ImportOptions& options);
Result<imports::ImportReport> ImportCourses(db::Connection& conn, const imports::Table& table,
                                            std::string_view sha256,
                                            const imports::ImportOptions& options);
Result<imports::ImportReport> ImportAttendance(db::Connection& conn, const imports::Table& table,
                                               std::string_view sha256,
                                               const imports::ImportOptions& options);
Result<imports::ImportReport> ImportCoaching(db::Connection& conn, const imports::Table& table,
                                             std::string_view sha256,
                                             const imports::ImportOptions& options);

// One attendance row entered on a screen: a booking (attended "no") or attendance ("yes") of
// `email` at `course` on `date` (role "attendee" or "trainer"). Same checks as the import;
// InvalidArgument naming the problem (an unknown course among them), NotFound for an unknown
// person. Writes or updates the row, audits `attendance.record`, recomputes the person's tier.
struct AttendanceEntry {
  std::string email, course, date;
  std::string attended = "yes";
  std::string role = "attendee";
};
Status RecordAttendance(db::Connection& conn, const access::Acting& who,
                        const AttendanceEntry& entry);

// Sets a person's tier by hand from today (who.at). InvalidArgument when `reason` is empty or
// blank ("an override needs a reason") or holds an NHS number, or `tier` is not a tier word;
// NotFound for an unknown person. Audits `tier.override`; the change is kept in the history.
Status OverrideTier(db::Connection& conn, const access::Acting& who, std::string_view email,
                    std::string_view tier, std::string_view reason);

struct Person {
  int64_t id = 0;
  std::string email, name, organisation, organisation_name, profession;
  int64_t unit_id = 0;
  Tier tier = Tier::kNone;  // filled by ListPeople (on its as_of)
};

struct TierChange {
  std::string tier, since, source, reason, recorded_by, recorded_at;
};

struct AttendanceRow {
  std::string course, title, course_tier, date, attended, role;
};
struct CoachingRow {
  std::string coach, coachee, started, ended, project;
};

// One person's page: who, the tier on `as_of` with its evidence, the kept history, training,
// coaching given and received. NotFound for an unknown email.
struct PersonTier {
  Person person;
  TierDecision decision;
  std::vector<Evidence> evidence;   // everything on or before as_of, oldest first
  std::vector<TierChange> history;  // oldest first
  std::vector<AttendanceRow> training;
  std::vector<CoachingRow> coaching_given, coaching_received;
};
Result<PersonTier> GetPersonTier(db::Connection& conn, std::string_view email,
                                 std::string_view as_of);

// People (of `organisation` and the units below it; "" = everyone), by name, each with their tier
// on `as_of` (YYYY-MM-DD). NotFound for an unknown organisation.
Result<std::vector<Person>> ListPeople(db::Connection& conn, std::string_view organisation,
                                       std::string_view as_of);

// Brings the kept tier history of `people` (ids) up to date on today (`now`'s date): appends a
// change for each whose tier from the evidence differs from the last recorded. In the caller's
// transaction.
Status RefreshPeopleTiers(db::Connection& conn, const std::vector<int64_t>& people,
                          std::string_view actor, std::string_view now);

// Courses: code, title, tier, level, format.
struct Course {
  std::string code, title, tier, level, format;
};
Result<std::vector<Course>> ListCourses(db::Connection& conn);

// Everything the dashboard needs, loaded once (dashboard.h).
struct Register {
  std::vector<Person> people;
  std::vector<std::vector<Evidence>> evidence;  // per person, same index
  std::vector<std::vector<Override>> overrides;
  struct Session {      // one attendance row, for counts
    size_t person = 0;  // index into people
    std::string course, date, role;
    bool attended = false;
  };
  std::vector<Session> attendance;
  struct Coaching {
    size_t coach = 0, coachee = 0;
    std::string started, ended;
  };
  std::vector<Coaching> coaching;
  struct SessionHeld {  // a coaching session (programme.h)
    size_t coach = 0, coachee = 0;
    std::string date;
    int64_t minutes = 0;
  };
  std::vector<SessionHeld> sessions;
};
Result<Register> LoadRegister(db::Connection& conn);

// True when `email` would be accepted as a person's work email by the people import (an address,
// not a personal mail domain).
bool IsUsableWorkEmail(std::string_view email);

// True when `table` exists in the database (another part's table, probed before reading it).
Result<bool> TableExists(db::Connection& conn, std::string_view table);
// True when `table` exists with every one of `columns` (lower case).
Result<bool> HasColumns(db::Connection& conn, std::string_view table,
                        std::initializer_list<std::string_view> columns);

// Every place of a person on an improvement project, from the improvement part's tables when
// they exist (empty until then; /work/CROSS-PART.md): email lower-cased.
struct PersonProject {
  std::string email;
  ProjectRole role;
  int64_t project_id = 0, unit_id = 0;
};
Result<std::vector<PersonProject>> LoadProjectRoles(db::Connection& conn);

// The id of the unit and of every unit below it, `unit_id` first.
Result<std::vector<int64_t>> UnitAndBelow(db::Connection& conn, int64_t unit_id);

}  // namespace shewhart::capability

#endif  // SHEWHART_CAPABILITY_PEOPLE_H_
