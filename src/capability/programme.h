// capability programme: the running of a Learn-Live-Lead programme beside the people register
// (people.h) — training events (a course on a date, a place or online, a capacity, trainers who
// are people in the register or external faculty, a wave and a cohort) with bookings that respect
// the capacity; coaching sessions held within a coaching relationship; communities of practice
// (members, meetings and sharing events with attendance, agenda and what was shared, projects the
// community leads); and the programme plan time line (stages, milestones, owners, status).
//
// Tables (migration 902): capability_event, capability_event_trainer,
// capability_coaching_session, capability_community, capability_community_member,
// capability_community_meeting, capability_community_attendance, capability_community_project,
// capability_milestone. Text columns worth searching are named `title`.
//
// Every write: one db::ServiceTransaction, checks first (InvalidArgument naming the field,
// NotFound for an unknown person / event / community; nothing written), an audit entry, and the
// tiers of the people it touched brought up to date (people.h RefreshTiers).
//
// Thread-compatible.
//
// Example:
//   ASSIGN_OR_RETURN(int64_t id, CreateEvent(*conn, who, {.course = "QI-101",
//                    .date = "2024-06-12", .place = "Online", .online = true, .capacity = 20}));
//   RETURN_IF_ERROR(BookOnEvent(*conn, who, id, "ana@raa.nhs.uk"));
#ifndef SHEWHART_CAPABILITY_PROGRAMME_H_
#define SHEWHART_CAPABILITY_PROGRAMME_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "access/audit.h"
#include "base/status.h"
#include "db/db.h"
#include "db/migrate.h"

namespace shewhart::capability {

// Versions 902-..., ascending (appended to PeopleMigrations by part.cc).
std::span<const db::Migration> ProgrammeMigrations();

// ---- training events ----

struct EventInput {
  std::string course;  // a course code
  std::string date;    // YYYY-MM-DD (may be in the future: events are planned)
  std::string place;   // "Postgraduate centre, Avonford" or "" when online
  bool online = false;
  int64_t capacity = 0;                 // 1-1000
  std::string wave, cohort;             // "Wave 1", "Wave 1 cohort A" (optional)
  std::vector<std::string> trainers;    // emails of people in the register
  std::vector<std::string> external;    // names of external faculty
};
// InvalidArgument naming the field (unknown course, bad date, capacity outside 1-1000, neither
// place nor online, an NHS number in a text, an unknown trainer, the same course and date
// twice). Audits `event.create`. Returns the event's id.
Result<int64_t> CreateEvent(db::Connection& conn, const access::Acting& who, const EventInput& in);

struct EventTrainer {
  std::string email, name;  // email "" for external faculty
  bool external = false;
};
struct Event {
  int64_t id = 0;
  std::string course, course_title, course_tier, date, place, wave, cohort;
  bool online = false;
  int64_t capacity = 0, booked = 0, attended = 0;  // attendee rows; attended = yes
  std::vector<EventTrainer> trainers;
};
// Events from `from` to `to` (inclusive; "" = open), by date then course.
Result<std::vector<Event>> ListEvents(db::Connection& conn, std::string_view from,
                                      std::string_view to);
Result<Event> GetEvent(db::Connection& conn, int64_t id);
// Attendees of an event: email, name, attended ("yes"/"no").
struct EventPlace {
  std::string email, name, attended;
};
Result<std::vector<EventPlace>> EventAttendees(db::Connection& conn, int64_t event_id);

// Books `email` on the event (an attendance row with attended "no"; the date may be in the
// future). FailedPrecondition "the event is full (N places)" when its attendee rows already fill
// the capacity; FailedPrecondition when already booked. Audits `event.book`.
Status BookOnEvent(db::Connection& conn, const access::Acting& who, int64_t event_id,
                   std::string_view email);
// Marks attendance at a held event (not in the future): `attended` "yes" or "no". Books the
// person first when they were not booked (capacity enforced). Audits `event.attendance`;
// recomputes the person's tier.
Status MarkEventAttendance(db::Connection& conn, const access::Acting& who, int64_t event_id,
                           std::string_view email, std::string_view attended);

// ---- coaching sessions ----

struct SessionInput {
  std::string coach, coachee, started;  // identify the relationship
  std::string date;                     // held on, not in the future, not before `started`
  int64_t minutes = 0;                  // 1-600
  std::string note;                     // optional; screened for NHS numbers
};
// Audits `coaching.session`. NotFound for no such relationship.
Status RecordCoachingSession(db::Connection& conn, const access::Acting& who,
                             const SessionInput& in);
struct CoachingSession {
  std::string coach, coachee, date, note;
  int64_t minutes = 0;
};
// Sessions of relationships whose coach or coachee is `email` ("" = all), by date.
Result<std::vector<CoachingSession>> ListCoachingSessions(db::Connection& conn,
                                                          std::string_view email);

// ---- communities of practice ----

struct CommunityInput {
  std::string code, title, purpose, lead, launched;  // lead: an email; launched YYYY-MM-DD
};
Result<int64_t> CreateCommunity(db::Connection& conn, const access::Acting& who,
                                const CommunityInput& in);
Status JoinCommunity(db::Connection& conn, const access::Acting& who, std::string_view community,
                     std::string_view email, std::string_view joined);
struct MeetingInput {
  std::string community;             // its code
  std::string date;                  // not in the future
  std::string kind = "meeting";      // "meeting" or "sharing"
  std::string title, agenda, shared;  // `shared`: what was shared (sharing events)
  std::vector<std::string> attendees;  // emails of people in the register
};
Result<int64_t> RecordMeeting(db::Connection& conn, const access::Acting& who,
                              const MeetingInput& in);
struct CommunityProjectInput {
  std::string community, title, lead, started;  // lead: an email of a member
  std::string status = "active";                // active, completed, abandoned
  std::optional<int64_t> project_id;            // the improvement part's project, when linked
};
Status AddCommunityProject(db::Connection& conn, const access::Acting& who,
                           const CommunityProjectInput& in);

struct Meeting {
  std::string date, kind, title, agenda, shared;
  std::vector<std::string> attendees;  // names
};
struct CommunityProject {
  std::string title, lead, started, status;
  std::optional<int64_t> project_id;
};
struct Community {
  std::string code, title, purpose, lead, lead_name, launched;
  std::vector<std::pair<std::string, std::string>> members;  // email, name
  std::vector<Meeting> meetings;                              // newest first
  std::vector<CommunityProject> projects;
};
Result<std::vector<Community>> ListCommunities(db::Connection& conn);

// Projects the communities of practice lead that are not linked to an improvement project (those
// are counted from the improvement part) and are active on `as_of`, led by people of `units`
// (empty = all).
Result<int64_t> CountCommunityProjects(db::Connection& conn, const std::vector<int64_t>& units,
                                       std::string_view as_of);

// ---- the programme plan ----

// Stages of NWS's plan, in order: convene, launch_cop, design_learn, recruit, run, celebrate,
// evaluate. Statuses: not_started, in_progress, done, at_risk.
struct Milestone {
  int64_t id = 0;
  std::string stage, title, due, owner, status, done_on;
};
Result<std::vector<Milestone>> ListMilestones(db::Connection& conn);
// Adds (id 0) or updates a milestone; InvalidArgument naming the field. Audits `milestone.save`.
Result<int64_t> SaveMilestone(db::Connection& conn, const access::Acting& who, const Milestone& m);

std::span<const std::string_view> Stages();
std::span<const std::string_view> MilestoneStatuses();

}  // namespace shewhart::capability

#endif  // SHEWHART_CAPABILITY_PROGRAMME_H_
