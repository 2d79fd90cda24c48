#include "capability/programme.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "base/date.h"
#include "base/text_checks.h"
#include "capability/people.h"

namespace shewhart::capability {
namespace {

using nlohmann::json;

#define SHEWHART_CAPABILITY_PROGRAMME_SCHEMA(PK, ID, REAL)                                     \
  "CREATE TABLE capability_event (\n"                                                          \
  "  id " PK ",\n"                                                                             \
  "  course_id " ID " NOT NULL REFERENCES capability_course(id),\n"                            \
  "  held_on TEXT NOT NULL,\n"                                                                 \
  "  title TEXT NOT NULL DEFAULT '',\n"                                                        \
  "  place TEXT NOT NULL DEFAULT '',\n"                                                        \
  "  online INTEGER NOT NULL DEFAULT 0,\n"                                                     \
  "  capacity INTEGER NOT NULL,\n"                                                             \
  "  wave TEXT NOT NULL DEFAULT '',\n"                                                         \
  "  cohort TEXT NOT NULL DEFAULT '',\n"                                                       \
  "  created_by TEXT NOT NULL,\n"                                                              \
  "  created_at TEXT NOT NULL,\n"                                                              \
  "  UNIQUE (course_id, held_on)\n"                                                            \
  ");\n"                                                                                       \
  "CREATE TABLE capability_event_trainer (\n"                                                  \
  "  id " PK ",\n"                                                                             \
  "  event_id " ID " NOT NULL REFERENCES capability_event(id),\n"                              \
  "  person_id " ID " REFERENCES capability_person(id),\n"                                     \
  "  external_name TEXT NOT NULL DEFAULT ''\n"                                                 \
  ");\n"                                                                                       \
  "CREATE INDEX capability_event_trainer_event ON capability_event_trainer(event_id);\n"       \
  "CREATE TABLE capability_coaching_session (\n"                                               \
  "  id " PK ",\n"                                                                             \
  "  coaching_id " ID " NOT NULL REFERENCES capability_coaching(id),\n"                        \
  "  held_on TEXT NOT NULL,\n"                                                                 \
  "  minutes INTEGER NOT NULL,\n"                                                              \
  "  note TEXT NOT NULL DEFAULT '',\n"                                                         \
  "  recorded_by TEXT NOT NULL,\n"                                                             \
  "  recorded_at TEXT NOT NULL,\n"                                                             \
  "  UNIQUE (coaching_id, held_on)\n"                                                          \
  ");\n"                                                                                       \
  "CREATE TABLE capability_community (\n"                                                      \
  "  id " PK ",\n"                                                                             \
  "  code TEXT NOT NULL UNIQUE,\n"                                                             \
  "  title TEXT NOT NULL,\n"                                                                   \
  "  purpose TEXT NOT NULL DEFAULT '',\n"                                                      \
  "  lead_person_id " ID " REFERENCES capability_person(id),\n"                                \
  "  launched TEXT NOT NULL,\n"                                                                \
  "  created_by TEXT NOT NULL,\n"                                                              \
  "  created_at TEXT NOT NULL\n"                                                               \
  ");\n"                                                                                       \
  "CREATE TABLE capability_community_member (\n"                                               \
  "  id " PK ",\n"                                                                             \
  "  community_id " ID " NOT NULL REFERENCES capability_community(id),\n"                      \
  "  person_id " ID " NOT NULL REFERENCES capability_person(id),\n"                            \
  "  joined TEXT NOT NULL,\n"                                                                  \
  "  UNIQUE (community_id, person_id)\n"                                                       \
  ");\n"                                                                                       \
  "CREATE TABLE capability_community_meeting (\n"                                              \
  "  id " PK ",\n"                                                                             \
  "  community_id " ID " NOT NULL REFERENCES capability_community(id),\n"                      \
  "  held_on TEXT NOT NULL,\n"                                                                 \
  "  kind TEXT NOT NULL,\n"                                                                    \
  "  title TEXT NOT NULL,\n"                                                                   \
  "  agenda TEXT NOT NULL DEFAULT '',\n"                                                       \
  "  shared TEXT NOT NULL DEFAULT '',\n"                                                       \
  "  created_by TEXT NOT NULL,\n"                                                              \
  "  created_at TEXT NOT NULL\n"                                                               \
  ");\n"                                                                                       \
  "CREATE TABLE capability_community_attendance (\n"                                           \
  "  meeting_id " ID " NOT NULL REFERENCES capability_community_meeting(id),\n"                \
  "  person_id " ID " NOT NULL REFERENCES capability_person(id),\n"                            \
  "  PRIMARY KEY (meeting_id, person_id)\n"                                                    \
  ");\n"                                                                                       \
  "CREATE TABLE capability_community_project (\n"                                              \
  "  id " PK ",\n"                                                                             \
  "  community_id " ID " NOT NULL REFERENCES capability_community(id),\n"                      \
  "  title TEXT NOT NULL,\n"                                                                   \
  "  lead_person_id " ID " NOT NULL REFERENCES capability_person(id),\n"                       \
  "  started TEXT NOT NULL,\n"                                                                 \
  "  status TEXT NOT NULL,\n"                                                                  \
  "  project_id " ID ",\n"                                                                     \
  "  created_by TEXT NOT NULL,\n"                                                              \
  "  created_at TEXT NOT NULL\n"                                                               \
  ");\n"                                                                                       \
  "CREATE TABLE capability_milestone (\n"                                                      \
  "  id " PK ",\n"                                                                             \
  "  position INTEGER NOT NULL,\n"                                                             \
  "  stage TEXT NOT NULL,\n"                                                                   \
  "  title TEXT NOT NULL,\n"                                                                   \
  "  due TEXT NOT NULL,\n"                                                                     \
  "  owner TEXT NOT NULL,\n"                                                                   \
  "  status TEXT NOT NULL,\n"                                                                  \
  "  done_on TEXT NOT NULL DEFAULT '',\n"                                                      \
  "  updated_by TEXT NOT NULL,\n"                                                              \
  "  updated_at TEXT NOT NULL\n"                                                               \
  ");\n"                                                                                       \
  "CREATE TABLE capability_questionnaire (\n"                                                  \
  "  id " PK ",\n"                                                                             \
  "  code TEXT NOT NULL,\n"                                                                    \
  "  version INTEGER NOT NULL,\n"                                                              \
  "  title TEXT NOT NULL,\n"                                                                   \
  "  purpose TEXT NOT NULL,\n"                                                                 \
  "  source TEXT NOT NULL DEFAULT '',\n"                                                       \
  "  created_by TEXT NOT NULL,\n"                                                              \
  "  created_at TEXT NOT NULL,\n"                                                              \
  "  UNIQUE (code, version)\n"                                                                 \
  ");\n"                                                                                       \
  "CREATE TABLE capability_question (\n"                                                       \
  "  id " PK ",\n"                                                                             \
  "  questionnaire_id " ID " NOT NULL REFERENCES capability_questionnaire(id),\n"              \
  "  position INTEGER NOT NULL,\n"                                                             \
  "  code TEXT NOT NULL,\n"                                                                    \
  "  component TEXT NOT NULL DEFAULT '',\n"                                                    \
  "  title TEXT NOT NULL,\n"                                                                   \
  "  kind TEXT NOT NULL,\n"                                                                    \
  "  scale_min INTEGER,\n"                                                                     \
  "  scale_max INTEGER,\n"                                                                     \
  "  labels TEXT NOT NULL DEFAULT '',\n"                                                       \
  "  required INTEGER NOT NULL DEFAULT 1,\n"                                                   \
  "  UNIQUE (questionnaire_id, code)\n"                                                        \
  ");\n"                                                                                       \
  "CREATE TABLE capability_response (\n"                                                       \
  "  id " PK ",\n"                                                                             \
  "  questionnaire_id " ID " NOT NULL REFERENCES capability_questionnaire(id),\n"              \
  "  unit_id " ID " NOT NULL REFERENCES unit(id),\n"                                           \
  "  round TEXT NOT NULL,\n"                                                                   \
  "  event_id " ID " REFERENCES capability_event(id),\n"                                       \
  "  person_id " ID " REFERENCES capability_person(id),\n"                                     \
  "  submitted_by TEXT NOT NULL,\n"                                                            \
  "  submitted_at TEXT NOT NULL\n"                                                             \
  ");\n"                                                                                       \
  "CREATE INDEX capability_response_round ON capability_response(questionnaire_id, round);\n"  \
  "CREATE TABLE capability_answer (\n"                                                         \
  "  id " PK ",\n"                                                                             \
  "  response_id " ID " NOT NULL REFERENCES capability_response(id),\n"                        \
  "  question_id " ID " NOT NULL REFERENCES capability_question(id),\n"                        \
  "  number " REAL ",\n"                                                                       \
  "  text TEXT NOT NULL DEFAULT '',\n"                                                         \
  "  UNIQUE (response_id, question_id)\n"                                                      \
  ");\n"

constexpr db::Migration kMigrations[] = {
    {902,
     "capability: events, coaching sessions, communities of practice, programme plan, "
     "questionnaires",
     SHEWHART_CAPABILITY_PROGRAMME_SCHEMA("INTEGER PRIMARY KEY", "INTEGER", "REAL"),
     SHEWHART_CAPABILITY_PROGRAMME_SCHEMA("BIGSERIAL PRIMARY KEY", "BIGINT", "DOUBLE PRECISION")},
};

constexpr std::string_view kStages[] = {"convene", "launch_cop", "design_learn", "recruit",
                                        "run",     "celebrate",  "evaluate"};
constexpr std::string_view kMilestoneStatuses[] = {"not_started", "in_progress", "done",
                                                   "at_risk"};
constexpr std::string_view kMeetingKinds[] = {"meeting", "sharing"};
constexpr std::string_view kProjectStatuses[] = {"active", "completed", "abandoned"};

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string Trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

bool OneOf(std::string_view w, std::span<const std::string_view> list) {
  return std::find(list.begin(), list.end(), w) != list.end();
}

std::string Listed(std::span<const std::string_view> list) {
  std::string out;
  for (size_t i = 0; i < list.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == list.size() ? " or " : ", ") + std::string(list[i]);
  }
  return out;
}

// Text checks: required, at most `max` bytes, no NHS number. The field is named in the error.
Status CheckText(std::string_view field, std::string_view value, bool required, size_t max) {
  if (value.empty()) {
    return required ? InvalidArgumentError(std::string(field) + " is required") : Status::Ok();
  }
  if (value.size() > max) {
    return InvalidArgumentError(std::string(field) + " is longer than " + std::to_string(max) +
                                " bytes");
  }
  if (ContainsNhsNumber(value)) {
    return InvalidArgumentError(std::string(field) + " " + std::string(kNhsNumberMessage));
  }
  return Status::Ok();
}

// A date YYYY-MM-DD, normalised; not after `today` unless today is "".
Result<std::string> CheckDay(std::string_view field, std::string_view value,
                             std::string_view today) {
  const std::optional<Date> d = ParseIsoDate(Trimmed(value));
  if (!d) {
    return InvalidArgumentError(std::string(field) + " " + Quote(value) +
                                " is not a date; write it like 2024-03-31");
  }
  const std::string iso = FormatIsoDate(*d);
  if (!today.empty() && iso > today) {
    return InvalidArgumentError(std::string(field) + " " + iso + " is in the future (today is " +
                                std::string(today) + ")");
  }
  return iso;
}

std::string Today(const access::Acting& who) { return who.at.substr(0, 10); }

Result<int64_t> PersonId(db::Connection& conn, std::string_view field, std::string_view email) {
  const std::string e = AsciiLower(Trimmed(email));
  if (e.empty()) return InvalidArgumentError(std::string(field) + " is required");
  ASSIGN_OR_RETURN(std::optional<db::Row> r,
                   conn.QueryRow("SELECT id FROM capability_person WHERE email = ?", {e}));
  if (!r) return NotFoundError(std::string(field) + ": there is no person " + Quote(e));
  return r->Int(0);
}

Result<int64_t> CommunityId(db::Connection& conn, std::string_view code) {
  ASSIGN_OR_RETURN(std::optional<db::Row> r,
                   conn.QueryRow("SELECT id FROM capability_community WHERE code = ?",
                                 {AsciiLower(Trimmed(code))}));
  if (!r) return NotFoundError("there is no community of practice " + Quote(code));
  return r->Int(0);
}

// Attendee rows (booked or attended) of the course on the day.
Result<int64_t> PlacesTaken(db::Connection& conn, int64_t course_id, std::string_view date) {
  ASSIGN_OR_RETURN(std::optional<db::Row> r,
                   conn.QueryRow("SELECT COUNT(*) FROM capability_attendance WHERE course_id = ? "
                                 "AND held_on = ? AND role = 'attendee'",
                                 {course_id, std::string(date)}));
  return r ? r->Int(0) : 0;
}

struct EventRow {
  int64_t id = 0, course_id = 0, capacity = 0;
  std::string course, date;
};
Result<EventRow> LoadEventRow(db::Connection& conn, int64_t id) {
  ASSIGN_OR_RETURN(std::optional<db::Row> r,
                   conn.QueryRow("SELECT e.id, e.course_id, e.capacity, c.code, e.held_on FROM "
                                 "capability_event e JOIN capability_course c ON c.id = "
                                 "e.course_id WHERE e.id = ?",
                                 {id}));
  if (!r) return NotFoundError("there is no event " + std::to_string(id));
  return EventRow{r->Int(0), r->Int(1), r->Int(2), r->Text(3), r->Text(4)};
}

}  // namespace

std::span<const db::Migration> ProgrammeMigrations() { return kMigrations; }
std::span<const std::string_view> Stages() { return kStages; }
std::span<const std::string_view> MilestoneStatuses() { return kMilestoneStatuses; }

// ---- events ----

Result<int64_t> CreateEvent(db::Connection& conn, const access::Acting& who, const EventInput& in) {
  ASSIGN_OR_RETURN(std::string date, CheckDay("date", in.date, ""));
  const std::string place = Trimmed(in.place);
  RETURN_IF_ERROR(CheckText("place", place, false, 200));
  if (place.empty() && !in.online) {
    return InvalidArgumentError("place is required unless the event is online");
  }
  if (in.capacity < 1 || in.capacity > 1000) {
    return InvalidArgumentError("capacity must be a whole number from 1 to 1000");
  }
  RETURN_IF_ERROR(CheckText("wave", Trimmed(in.wave), false, 100));
  RETURN_IF_ERROR(CheckText("cohort", Trimmed(in.cohort), false, 100));
  for (const std::string& x : in.external) {
    RETURN_IF_ERROR(CheckText("external trainer", Trimmed(x), true, 200));
  }
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(std::optional<db::Row> course,
                   conn.QueryRow("SELECT id, title FROM capability_course WHERE LOWER(code) = ?",
                                 {AsciiLower(Trimmed(in.course))}));
  if (!course) {
    return InvalidArgumentError("course: there is no course " + Quote(in.course));
  }
  std::vector<int64_t> trainers;
  for (const std::string& t : in.trainers) {
    Result<int64_t> id = PersonId(conn, "trainers", t);
    if (!id.ok()) return InvalidArgumentError(id.status().message());
    trainers.push_back(*id);
  }
  ASSIGN_OR_RETURN(std::optional<db::Row> dup,
                   conn.QueryRow("SELECT id FROM capability_event WHERE course_id = ? AND "
                                 "held_on = ?",
                                 {course->Int(0), date}));
  if (dup) {
    return InvalidArgumentError("date: there is already an event of " + Quote(in.course) +
                                " on " + date);
  }
  ASSIGN_OR_RETURN(
      int64_t id,
      conn.ExecuteReturningId(
          "INSERT INTO capability_event (course_id, held_on, title, place, online, capacity, "
          "wave, cohort, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
          "RETURNING id",
          {course->Int(0), date, course->Text(1), place, in.online ? 1 : 0, in.capacity,
           Trimmed(in.wave), Trimmed(in.cohort), who.actor, who.at}));
  for (int64_t t : trainers) {
    RETURN_IF_ERROR(conn.Execute(
        "INSERT INTO capability_event_trainer (event_id, person_id) VALUES (?, ?)", {id, t}));
  }
  for (const std::string& x : in.external) {
    RETURN_IF_ERROR(conn.Execute(
        "INSERT INTO capability_event_trainer (event_id, external_name) VALUES (?, ?)",
        {id, Trimmed(x)}));
  }
  // Trainers from the register taught the session: a trainer attendance row when held.
  if (date <= Today(who)) {
    for (int64_t t : trainers) {
      RETURN_IF_ERROR(conn.Execute(
          "INSERT INTO capability_attendance (person_id, course_id, held_on, attended, role, "
          "created_at, updated_at) VALUES (?, ?, ?, 'yes', 'trainer', ?, ?) "
          "ON CONFLICT (person_id, course_id, held_on) DO NOTHING",
          {t, course->Int(0), date, who.at, who.at}));
    }
  }
  RETURN_IF_ERROR(access::RecordAudit(
      conn, who, "event.create", in.course + " " + date, "",
      json{{"course", in.course}, {"date", date}, {"capacity", in.capacity}, {"online", in.online},
           {"place", place}, {"wave", in.wave}, {"cohort", in.cohort}}
          .dump()));
  RETURN_IF_ERROR(RefreshPeopleTiers(conn, trainers, who.actor, who.at));
  RETURN_IF_ERROR(tx.Commit());
  return id;
}

Result<std::vector<Event>> ListEvents(db::Connection& conn, std::string_view from,
                                      std::string_view to) {
  std::vector<Event> out;
  std::map<int64_t, size_t> index;
  RETURN_IF_ERROR(conn.Query(
      "SELECT e.id, c.code, c.title, c.tier, e.held_on, e.place, e.online, e.capacity, e.wave, "
      "e.cohort, "
      "(SELECT COUNT(*) FROM capability_attendance a WHERE a.course_id = e.course_id AND "
      "a.held_on = e.held_on AND a.role = 'attendee'), "
      "(SELECT COUNT(*) FROM capability_attendance a WHERE a.course_id = e.course_id AND "
      "a.held_on = e.held_on AND a.role = 'attendee' AND a.attended = 'yes') "
      "FROM capability_event e JOIN capability_course c ON c.id = e.course_id "
      "WHERE (? = '' OR e.held_on >= ?) AND (? = '' OR e.held_on <= ?) "
      "ORDER BY e.held_on, c.code",
      {std::string(from), std::string(from), std::string(to), std::string(to)},
      [&](const db::Row& r) {
        Event e;
        e.id = r.Int(0);
        e.course = r.Text(1);
        e.course_title = r.Text(2);
        e.course_tier = r.Text(3);
        e.date = r.Text(4);
        e.place = r.Text(5);
        e.online = r.Int(6) != 0;
        e.capacity = r.Int(7);
        e.wave = r.Text(8);
        e.cohort = r.Text(9);
        e.booked = r.Int(10);
        e.attended = r.Int(11);
        index[e.id] = out.size();
        out.push_back(std::move(e));
        return db::Flow::kContinue;
      }));
  RETURN_IF_ERROR(conn.Query(
      "SELECT t.event_id, COALESCE(p.email, ''), COALESCE(p.name, t.external_name) FROM "
      "capability_event_trainer t LEFT JOIN capability_person p ON p.id = t.person_id ORDER BY "
      "t.id",
      {}, [&](const db::Row& r) {
        auto it = index.find(r.Int(0));
        if (it != index.end()) {
          out[it->second].trainers.push_back({r.Text(1), r.Text(2), r.Text(1).empty()});
        }
        return db::Flow::kContinue;
      }));
  return out;
}

Result<Event> GetEvent(db::Connection& conn, int64_t id) {
  ASSIGN_OR_RETURN(EventRow row, LoadEventRow(conn, id));
  ASSIGN_OR_RETURN(std::vector<Event> list, ListEvents(conn, row.date, row.date));
  for (Event& e : list) {
    if (e.id == id) return std::move(e);
  }
  return NotFoundError("there is no event " + std::to_string(id));
}

Result<std::vector<EventPlace>> EventAttendees(db::Connection& conn, int64_t event_id) {
  ASSIGN_OR_RETURN(EventRow row, LoadEventRow(conn, event_id));
  std::vector<EventPlace> out;
  RETURN_IF_ERROR(conn.Query(
      "SELECT p.email, p.name, a.attended FROM capability_attendance a JOIN capability_person p "
      "ON p.id = a.person_id WHERE a.course_id = ? AND a.held_on = ? AND a.role = 'attendee' "
      "ORDER BY p.name, p.email",
      {row.course_id, row.date}, [&](const db::Row& r) {
        out.push_back({r.Text(0), r.Text(1), r.Text(2)});
        return db::Flow::kContinue;
      }));
  return out;
}

namespace {

// Books or marks; `attended` "no" for a booking. Capacity enforced for a new place.
Status PlaceOnEvent(db::Connection& conn, const access::Acting& who, int64_t event_id,
                    std::string_view email, std::string_view attended, bool booking) {
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(EventRow ev, LoadEventRow(conn, event_id));
  ASSIGN_OR_RETURN(int64_t person, PersonId(conn, "email", email));
  if (!booking && ev.date > Today(who)) {
    return InvalidArgumentError("attended: the event on " + ev.date +
                                " is in the future; book the person instead");
  }
  ASSIGN_OR_RETURN(std::optional<db::Row> old,
                   conn.QueryRow("SELECT id, attended, role FROM capability_attendance WHERE "
                                 "person_id = ? AND course_id = ? AND held_on = ?",
                                 {person, ev.course_id, ev.date}));
  std::string before;
  if (old) {
    if (booking) {
      return FailedPreconditionError(AsciiLower(Trimmed(email)) + " is already booked on " +
                                ev.course + " on " + ev.date);
    }
    before = json{{"attended", old->Text(1)}, {"role", old->Text(2)}}.dump();
    RETURN_IF_ERROR(conn.Execute(
        "UPDATE capability_attendance SET attended = ?, updated_at = ? WHERE id = ?",
        {std::string(attended), who.at, old->Int(0)}));
  } else {
    ASSIGN_OR_RETURN(int64_t taken, PlacesTaken(conn, ev.course_id, ev.date));
    if (taken >= ev.capacity) {
      return FailedPreconditionError("the event is full: all " + std::to_string(ev.capacity) +
                                     " places of " + ev.course + " on " + ev.date +
                                     " are taken");
    }
    RETURN_IF_ERROR(conn.Execute(
        "INSERT INTO capability_attendance (person_id, course_id, held_on, attended, role, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, 'attendee', ?, ?)",
        {person, ev.course_id, ev.date, std::string(attended), who.at, who.at}));
  }
  RETURN_IF_ERROR(access::RecordAudit(
      conn, who, booking ? "event.book" : "event.attendance",
      AsciiLower(Trimmed(email)) + " " + ev.course + " " + ev.date, before,
      json{{"event", event_id}, {"attended", attended}}.dump()));
  RETURN_IF_ERROR(RefreshPeopleTiers(conn, {person}, who.actor, who.at));
  return tx.Commit();
}

}  // namespace

Status BookOnEvent(db::Connection& conn, const access::Acting& who, int64_t event_id,
                   std::string_view email) {
  return PlaceOnEvent(conn, who, event_id, email, "no", true);
}

Status MarkEventAttendance(db::Connection& conn, const access::Acting& who, int64_t event_id,
                           std::string_view email, std::string_view attended_in) {
  const std::string a = AsciiLower(Trimmed(attended_in));
  if (a != "yes" && a != "no") {
    return InvalidArgumentError("attended " + Quote(attended_in) + " is not yes or no");
  }
  return PlaceOnEvent(conn, who, event_id, email, a, false);
}

// ---- coaching sessions ----

Status RecordCoachingSession(db::Connection& conn, const access::Acting& who,
                             const SessionInput& in) {
  ASSIGN_OR_RETURN(std::string date, CheckDay("date", in.date, Today(who)));
  ASSIGN_OR_RETURN(std::string started, CheckDay("started", in.started, Today(who)));
  if (date < started) {
    return InvalidArgumentError("date " + date + " is before the coaching started (" + started +
                                ")");
  }
  if (in.minutes < 1 || in.minutes > 600) {
    return InvalidArgumentError("minutes must be a whole number from 1 to 600");
  }
  const std::string note = Trimmed(in.note);
  RETURN_IF_ERROR(CheckText("note", note, false, 1000));
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(int64_t coach, PersonId(conn, "coach", in.coach));
  ASSIGN_OR_RETURN(int64_t coachee, PersonId(conn, "coachee", in.coachee));
  ASSIGN_OR_RETURN(std::optional<db::Row> rel,
                   conn.QueryRow("SELECT id, ended FROM capability_coaching WHERE coach_id = ? "
                                 "AND coachee_id = ? AND started = ?",
                                 {coach, coachee, started}));
  if (!rel) {
    return NotFoundError("there is no coaching of " + in.coachee + " by " + in.coach +
                         " started " + started);
  }
  if (!rel->Text(1).empty() && date > rel->Text(1)) {
    return InvalidArgumentError("date " + date + " is after the coaching ended (" + rel->Text(1) +
                                ")");
  }
  RETURN_IF_ERROR(conn.Execute(
      "INSERT INTO capability_coaching_session (coaching_id, held_on, minutes, note, "
      "recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (coaching_id, held_on) "
      "DO UPDATE SET minutes = excluded.minutes, note = excluded.note",
      {rel->Int(0), date, in.minutes, note, who.actor, who.at}));
  RETURN_IF_ERROR(access::RecordAudit(
      conn, who, "coaching.session", in.coach + " " + in.coachee + " " + date, "",
      json{{"minutes", in.minutes}, {"note", note}}.dump()));
  return tx.Commit();
}

Result<std::vector<CoachingSession>> ListCoachingSessions(db::Connection& conn,
                                                          std::string_view email) {
  std::vector<CoachingSession> out;
  const std::string e = AsciiLower(Trimmed(email));
  RETURN_IF_ERROR(conn.Query(
      "SELECT a.email, b.email, s.held_on, s.minutes, s.note FROM capability_coaching_session s "
      "JOIN capability_coaching c ON c.id = s.coaching_id "
      "JOIN capability_person a ON a.id = c.coach_id "
      "JOIN capability_person b ON b.id = c.coachee_id "
      "WHERE (? = '' OR a.email = ? OR b.email = ?) ORDER BY s.held_on, a.email, b.email",
      {e, e, e}, [&](const db::Row& r) {
        out.push_back({r.Text(0), r.Text(1), r.Text(2), r.Text(4), r.Int(3)});
        return db::Flow::kContinue;
      }));
  return out;
}

// ---- communities of practice ----

Result<int64_t> CreateCommunity(db::Connection& conn, const access::Acting& who,
                                const CommunityInput& in) {
  const std::string code = AsciiLower(Trimmed(in.code));
  if (code.empty() || code.size() > 40 ||
      code.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos) {
    return InvalidArgumentError("code must be 1-40 letters, digits or hyphens");
  }
  RETURN_IF_ERROR(CheckText("title", Trimmed(in.title), true, 200));
  RETURN_IF_ERROR(CheckText("purpose", Trimmed(in.purpose), false, 2000));
  ASSIGN_OR_RETURN(std::string launched, CheckDay("launched", in.launched, Today(who)));
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  std::optional<int64_t> lead;
  if (!Trimmed(in.lead).empty()) {
    Result<int64_t> id = PersonId(conn, "lead", in.lead);
    if (!id.ok()) return InvalidArgumentError(id.status().message());
    lead = *id;
  }
  ASSIGN_OR_RETURN(std::optional<db::Row> dup,
                   conn.QueryRow("SELECT id FROM capability_community WHERE code = ?", {code}));
  if (dup) return InvalidArgumentError("code: a community " + Quote(code) + " exists already");
  ASSIGN_OR_RETURN(int64_t id,
                   conn.ExecuteReturningId(
                       "INSERT INTO capability_community (code, title, purpose, lead_person_id, "
                       "launched, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                       "RETURNING id",
                       {code, Trimmed(in.title), Trimmed(in.purpose), lead, launched, who.actor,
                        who.at}));
  if (lead) {
    RETURN_IF_ERROR(conn.Execute(
        "INSERT INTO capability_community_member (community_id, person_id, joined) "
        "VALUES (?, ?, ?)",
        {id, *lead, launched}));
  }
  RETURN_IF_ERROR(access::RecordAudit(conn, who, "community.create", code, "",
                                      json{{"title", Trimmed(in.title)}}.dump()));
  RETURN_IF_ERROR(tx.Commit());
  return id;
}

Status JoinCommunity(db::Connection& conn, const access::Acting& who, std::string_view community,
                     std::string_view email, std::string_view joined_in) {
  ASSIGN_OR_RETURN(std::string joined, CheckDay("joined", joined_in, Today(who)));
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(int64_t c, CommunityId(conn, community));
  ASSIGN_OR_RETURN(int64_t person, PersonId(conn, "email", email));
  RETURN_IF_ERROR(conn.Execute(
      "INSERT INTO capability_community_member (community_id, person_id, joined) VALUES (?, ?, "
      "?) ON CONFLICT (community_id, person_id) DO NOTHING",
      {c, person, joined}));
  RETURN_IF_ERROR(access::RecordAudit(conn, who, "community.join",
                                      std::string(community) + " " + std::string(email), "",
                                      json{{"joined", joined}}.dump()));
  return tx.Commit();
}

Result<int64_t> RecordMeeting(db::Connection& conn, const access::Acting& who,
                              const MeetingInput& in) {
  ASSIGN_OR_RETURN(std::string date, CheckDay("date", in.date, Today(who)));
  const std::string kind = AsciiLower(Trimmed(in.kind));
  if (!OneOf(kind, kMeetingKinds)) {
    return InvalidArgumentError("kind " + Quote(in.kind) + " is not one of " +
                                Listed(kMeetingKinds));
  }
  RETURN_IF_ERROR(CheckText("title", Trimmed(in.title), true, 200));
  RETURN_IF_ERROR(CheckText("agenda", Trimmed(in.agenda), false, 4000));
  RETURN_IF_ERROR(CheckText("shared", Trimmed(in.shared), false, 4000));
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(int64_t c, CommunityId(conn, in.community));
  std::set<int64_t> people;
  for (const std::string& e : in.attendees) {
    Result<int64_t> id = PersonId(conn, "attendees", e);
    if (!id.ok()) return InvalidArgumentError(id.status().message());
    people.insert(*id);
  }
  ASSIGN_OR_RETURN(int64_t id,
                   conn.ExecuteReturningId(
                       "INSERT INTO capability_community_meeting (community_id, held_on, kind, "
                       "title, agenda, shared, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, "
                       "?, ?) RETURNING id",
                       {c, date, kind, Trimmed(in.title), Trimmed(in.agenda), Trimmed(in.shared),
                        who.actor, who.at}));
  for (int64_t p : people) {
    RETURN_IF_ERROR(conn.Execute(
        "INSERT INTO capability_community_attendance (meeting_id, person_id) VALUES (?, ?)",
        {id, p}));
  }
  RETURN_IF_ERROR(access::RecordAudit(
      conn, who, "community.meeting", in.community + " " + date, "",
      json{{"kind", kind}, {"title", Trimmed(in.title)}, {"attendees", people.size()}}.dump()));
  RETURN_IF_ERROR(tx.Commit());
  return id;
}

Status AddCommunityProject(db::Connection& conn, const access::Acting& who,
                           const CommunityProjectInput& in) {
  RETURN_IF_ERROR(CheckText("title", Trimmed(in.title), true, 200));
  ASSIGN_OR_RETURN(std::string started, CheckDay("started", in.started, Today(who)));
  const std::string status = AsciiLower(Trimmed(in.status));
  if (!OneOf(status, kProjectStatuses)) {
    return InvalidArgumentError("status " + Quote(in.status) + " is not one of " +
                                Listed(kProjectStatuses));
  }
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(int64_t c, CommunityId(conn, in.community));
  Result<int64_t> lead = PersonId(conn, "lead", in.lead);
  if (!lead.ok()) return InvalidArgumentError(lead.status().message());
  RETURN_IF_ERROR(conn.Execute(
      "INSERT INTO capability_community_project (community_id, title, lead_person_id, started, "
      "status, project_id, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {c, Trimmed(in.title), *lead, started, status, in.project_id, who.actor, who.at}));
  RETURN_IF_ERROR(access::RecordAudit(conn, who, "community.project", in.community, "",
                                      json{{"title", Trimmed(in.title)}, {"status", status}}
                                          .dump()));
  return tx.Commit();
}

Result<std::vector<Community>> ListCommunities(db::Connection& conn) {
  std::vector<Community> out;
  std::map<int64_t, size_t> index;
  RETURN_IF_ERROR(conn.Query(
      "SELECT c.id, c.code, c.title, c.purpose, COALESCE(p.email, ''), COALESCE(p.name, ''), "
      "c.launched FROM capability_community c LEFT JOIN capability_person p ON p.id = "
      "c.lead_person_id ORDER BY c.launched, c.code",
      {}, [&](const db::Row& r) {
        index[r.Int(0)] = out.size();
        out.push_back({r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5), r.Text(6)});
        return db::Flow::kContinue;
      }));
  RETURN_IF_ERROR(conn.Query(
      "SELECT m.community_id, p.email, p.name FROM capability_community_member m JOIN "
      "capability_person p ON p.id = m.person_id ORDER BY p.name, p.email",
      {}, [&](const db::Row& r) {
        out[index.at(r.Int(0))].members.push_back({r.Text(1), r.Text(2)});
        return db::Flow::kContinue;
      }));
  std::map<int64_t, std::pair<size_t, size_t>> meetings;  // meeting -> community, position
  RETURN_IF_ERROR(conn.Query(
      "SELECT id, community_id, held_on, kind, title, agenda, shared FROM "
      "capability_community_meeting ORDER BY held_on DESC, id DESC",
      {}, [&](const db::Row& r) {
        Community& c = out[index.at(r.Int(1))];
        meetings[r.Int(0)] = {index.at(r.Int(1)), c.meetings.size()};
        c.meetings.push_back({r.Text(2), r.Text(3), r.Text(4), r.Text(5), r.Text(6), {}});
        return db::Flow::kContinue;
      }));
  RETURN_IF_ERROR(conn.Query(
      "SELECT a.meeting_id, p.name FROM capability_community_attendance a JOIN capability_person "
      "p ON p.id = a.person_id ORDER BY p.name",
      {}, [&](const db::Row& r) {
        const auto [c, m] = meetings.at(r.Int(0));
        out[c].meetings[m].attendees.push_back(r.Text(1));
        return db::Flow::kContinue;
      }));
  RETURN_IF_ERROR(conn.Query(
      "SELECT x.community_id, x.title, p.email, x.started, x.status, x.project_id FROM "
      "capability_community_project x JOIN capability_person p ON p.id = x.lead_person_id "
      "ORDER BY x.started, x.id",
      {}, [&](const db::Row& r) {
        out[index.at(r.Int(0))].projects.push_back(
            {r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.OptionalInt(5)});
        return db::Flow::kContinue;
      }));
  return out;
}

Result<int64_t> CountCommunityProjects(db::Connection& conn, const std::vector<int64_t>& units,
                                       std::string_view as_of) {
  int64_t n = 0;
  RETURN_IF_ERROR(conn.Query(
      "SELECT p.unit_id FROM capability_community_project x JOIN capability_person p ON p.id = "
      "x.lead_person_id WHERE x.project_id IS NULL AND x.status = 'active' AND x.started <= ?",
      {std::string(as_of)}, [&](const db::Row& r) {
        if (units.empty() || std::find(units.begin(), units.end(), r.Int(0)) != units.end()) ++n;
        return db::Flow::kContinue;
      }));
  return n;
}

// ---- the programme plan ----

Result<std::vector<Milestone>> ListMilestones(db::Connection& conn) {
  std::vector<Milestone> out;
  RETURN_IF_ERROR(conn.Query(
      "SELECT id, stage, title, due, owner, status, done_on FROM capability_milestone "
      "ORDER BY position, due, id",
      {}, [&](const db::Row& r) {
        out.push_back({r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5),
                       r.Text(6)});
        return db::Flow::kContinue;
      }));
  return out;
}

Result<int64_t> SaveMilestone(db::Connection& conn, const access::Acting& who,
                              const Milestone& m) {
  const std::string stage = AsciiLower(Trimmed(m.stage));
  const auto it = std::find(std::begin(kStages), std::end(kStages), stage);
  if (it == std::end(kStages)) {
    return InvalidArgumentError("stage " + Quote(m.stage) + " is not one of " + Listed(kStages));
  }
  const std::string status = AsciiLower(Trimmed(m.status));
  if (!OneOf(status, kMilestoneStatuses)) {
    return InvalidArgumentError("status " + Quote(m.status) + " is not one of " +
                                Listed(kMilestoneStatuses));
  }
  RETURN_IF_ERROR(CheckText("title", Trimmed(m.title), true, 200));
  RETURN_IF_ERROR(CheckText("owner", Trimmed(m.owner), true, 200));
  ASSIGN_OR_RETURN(std::string due, CheckDay("due", m.due, ""));
  std::string done_on;
  if (!Trimmed(m.done_on).empty()) {
    ASSIGN_OR_RETURN(done_on, CheckDay("done_on", m.done_on, Today(who)));
  }
  if (status == "done" && done_on.empty()) done_on = Today(who);
  const int64_t position = it - std::begin(kStages);
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  int64_t id = m.id;
  std::string before;
  if (id == 0) {
    ASSIGN_OR_RETURN(id, conn.ExecuteReturningId(
                             "INSERT INTO capability_milestone (position, stage, title, due, "
                             "owner, status, done_on, updated_by, updated_at) VALUES (?, ?, ?, ?, "
                             "?, ?, ?, ?, ?) RETURNING id",
                             {position, stage, Trimmed(m.title), due, Trimmed(m.owner), status,
                              done_on, who.actor, who.at}));
  } else {
    ASSIGN_OR_RETURN(std::optional<db::Row> old,
                     conn.QueryRow("SELECT status FROM capability_milestone WHERE id = ?", {id}));
    if (!old) return NotFoundError("there is no milestone " + std::to_string(id));
    before = json{{"status", old->Text(0)}}.dump();
    RETURN_IF_ERROR(conn.Execute(
        "UPDATE capability_milestone SET position = ?, stage = ?, title = ?, due = ?, owner = ?, "
        "status = ?, done_on = ?, updated_by = ?, updated_at = ? WHERE id = ?",
        {position, stage, Trimmed(m.title), due, Trimmed(m.owner), status, done_on, who.actor,
         who.at, id}));
  }
  RETURN_IF_ERROR(access::RecordAudit(
      conn, who, "milestone.save", "milestone " + std::to_string(id), before,
      json{{"stage", stage}, {"title", Trimmed(m.title)}, {"status", status}, {"due", due}}
          .dump()));
  RETURN_IF_ERROR(tx.Commit());
  return id;
}

}  // namespace shewhart::capability
