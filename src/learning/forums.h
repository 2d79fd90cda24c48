// learning/forums: cross-organisation learning forums such as WYAAT's Learning from Incidents —
// members from several organisations, meetings with the cases discussed, thematic reviews that
// group incidents and lessons from many organisations under one theme with agreed learning
// points, the actions each organisation took, and sharing events (offered as iCalendar files).
//
// A thematic review gathers, besides the items put in it by hand, every lesson shared across the
// system (named or anonymised) whose themes hold the review's theme — so a lesson shared
// anonymised appears there at once, still without its organisation for people out of its scope.
// Incidents in a review are shown by the summary the forum wrote for sharing; the incident's own
// record stays restricted.
//
// Writes are audited ("forum.create", "forum.meeting", "review.create", "review.action",
// "sharing_event.create") and screened for NHS numbers, the field named.
//
// Example:
//   ASSIGN_OR_RETURN(int64_t f, learning::CreateForum(conn, who, {.name = "Learning from
//       Incidents", .members = {"RAA", "RBB"}}));
#ifndef SHEWHART_LEARNING_FORUMS_H_
#define SHEWHART_LEARNING_FORUMS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "access/access.h"
#include "base/status.h"
#include "db/db.h"
#include "learning/lessons.h"

namespace shewhart::learning {

struct NewForum {
  std::string name;                  // required, unique, <= 200 bytes
  std::string description;           // <= 2000 bytes
  std::vector<std::string> members;  // organisation codes, >= 2
};
Result<int64_t> CreateForum(db::Connection& conn, const access::Acting& who, const NewForum& f);

struct NewCase {
  std::string kind;  // "incident", "lesson" or "other"
  std::optional<int64_t> id;
  std::string organisation;  // code, optional
  std::string summary;       // written for sharing, <= 1000 bytes
};
struct NewMeeting {
  std::string held_on;  // YYYY-MM-DD
  std::string title;    // required
  std::string notes;
  std::vector<NewCase> cases;
};
Result<int64_t> AddMeeting(db::Connection& conn, const access::Acting& who, int64_t forum_id,
                           const NewMeeting& m);

struct NewReview {
  std::string theme;  // required; normalised as lessons' themes
  std::string title;  // required
  std::string summary;
  std::vector<std::string> learning_points;  // the agreed learning points
  std::vector<NewCase> items;                // incidents (and lessons) put in by hand
};
Result<int64_t> CreateReview(db::Connection& conn, const access::Acting& who, int64_t forum_id,
                             const NewReview& r);

struct NewAction {
  std::string organisation;  // in the author's scope
  std::string action;        // required, <= 500 bytes
  std::string status;        // planned, in_progress, done
  std::string due;           // YYYY-MM-DD or ""
};
Result<int64_t> AddAction(db::Connection& conn, const access::Acting& who,
                          const access::Scope& scope, int64_t review_id, const NewAction& a);

struct NewEvent {
  std::optional<int64_t> forum_id;
  std::string title, description, location;
  std::string starts_at, ends_at;  // YYYY-MM-DDTHH:MM (UTC)
};
Result<int64_t> CreateEvent(db::Connection& conn, const access::Acting& who, const NewEvent& e);

struct Member {
  std::string organisation, organisation_name, role;
};
struct Case {
  std::string kind;
  std::optional<int64_t> id;
  std::string organisation;  // "" when none or hidden
  std::string summary;
};
struct Meeting {
  int64_t id = 0;
  std::string held_on, title, notes;
  std::vector<Case> cases;
};
struct Action {
  int64_t id = 0;
  std::string organisation, organisation_name, action, status, due;
};
struct Review {
  int64_t id = 0;
  int64_t forum_id = 0;
  std::string forum;
  std::string theme, title, summary;
  std::vector<std::string> learning_points;
  std::vector<Case> items;      // by hand
  std::vector<Lesson> lessons;  // every shared lesson of the theme, as the reader may see it
  std::vector<Action> actions;
  int organisations = 0;  // how many organisations the review spans (items + lessons)
};
struct Event {
  int64_t id = 0;
  std::optional<int64_t> forum_id;
  std::string title, description, location, starts_at, ends_at;
};
struct Forum {
  int64_t id = 0;
  std::string name, description;
  std::vector<Member> members;
  std::vector<Meeting> meetings;  // newest first
  std::vector<Review> reviews;    // headers only (no lessons/items)
  std::vector<Event> events;
};

Result<std::vector<Forum>> ListForums(db::Connection& conn);  // headers and members
Result<Forum> GetForum(db::Connection& conn, int64_t id);     // NotFound
Result<Review> GetReview(db::Connection& conn, const access::Scope& scope, int64_t id);
// Events starting on or after `from` (YYYY-MM-DD), soonest first.
Result<std::vector<Event>> ListEvents(db::Connection& conn, std::string_view from);
Result<Event> GetEvent(db::Connection& conn, int64_t id);
// RFC 5545 text of `events` (CRLF lines, UTC times, escaped text). `stamp` = DTSTAMP (ISO UTC).
std::string ICalendar(const std::vector<Event>& events, std::string_view stamp);

}  // namespace shewhart::learning

#endif  // SHEWHART_LEARNING_FORUMS_H_
