// learning/lessons: the cross-organisation lessons library and the spread of good practice.
//
// A lesson is a short, information-governance-safe statement of what was learned — from an
// incident or learning response, a project, an audit, a complaint, a meeting, or a conversation
// with no record behind it — with the organisation it came from, themes from the shared taxonomy
// (glossary terms: a theme the glossary lacks is added to it as a draft term, so the system
// agrees its words in one place), the metrics it bears on, rapid learning points, and how it is
// shared:
//   named              every organisation sees it and who it came from;
//   anonymised         every organisation sees it; only people whose scope holds the source
//                      organisation see which one it was (and its source record);
//   organisation_only  only people whose scope holds the source organisation see it at all.
// Other organisations record responses — reviewing, adopted, adapted, not_applicable — with a
// date and an optional linked project or action; the spread view shows how far the lesson
// travelled and which organisations have not yet looked.
//
// Every write: validated (free text screened for NHS numbers, the field named), scoped (you write
// for the organisations in your scope: PermissionDenied otherwise), audited
// ("lesson.create", "lesson.respond"), in one transaction with its search index entry.
//
// Example:
//   ASSIGN_OR_RETURN(int64_t id, learning::CreateLesson(conn, who, scope, {
//       .title = "Escalate NEWS2 of 5 within the hour", .summary = "...",
//       .organisation = "RXF", .themes = {"deteriorating patient"}, .share = "anonymised"}));
#ifndef SHEWHART_LEARNING_LESSONS_H_
#define SHEWHART_LEARNING_LESSONS_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "access/access.h"
#include "base/status.h"
#include "db/db.h"
#include "db/migrate.h"

namespace shewhart::learning {

// "named", "anonymised", "organisation_only".
std::span<const std::string_view> ShareWords();
// "adopted", "adapted", "not_applicable", "reviewing".
std::span<const std::string_view> ResponseWords();
// What a lesson may come from: incident, complaint, audit, project, pdsa, meeting,
// learning_response, conversation.
std::span<const std::string_view> SourceKinds();

struct NewLesson {
  std::string title;                 // required, <= 200 bytes
  std::string summary;               // required, <= 4000 bytes
  std::string organisation;          // ODS / unit code, required, in the author's scope
  std::vector<std::string> themes;   // >= 1, each <= 80 bytes
  std::string share;                 // ShareWords()
  std::string source_kind;           // "" = none; else SourceKinds()
  std::optional<int64_t> source_id;  // the record, when the kind has records here
  std::vector<std::string> rapid_learning_points;  // each <= 500 bytes, at most 20
  std::vector<std::string> metrics;                // metric codes that exist
  bool co_design = false;                          // patients and the public were involved
  std::vector<std::string> populations;  // directory segments engaged (codes of kind segment)
  std::string learned_on;                // YYYY-MM-DD; "" = today
};

struct Response {
  int64_t id = 0;
  std::string organisation;
  std::string organisation_name;
  std::string response;
  std::string responded_on;
  std::string project;  // linked project (id or reference), "" when none
  std::string action;   // linked action, "" when none
  std::string note;
  std::string recorded_by;
  std::string recorded_at;
};

struct Lesson {
  int64_t id = 0;
  std::string title;
  std::string summary;
  std::string organisation;  // "" when hidden (anonymised, out of scope)
  std::string organisation_name;
  bool anonymised = false;
  std::string share;
  std::string source_kind;  // "" when none or hidden
  std::optional<int64_t> source_id;
  std::vector<std::string> themes;
  std::vector<std::string> rapid_learning_points;
  std::vector<std::string> metrics;
  bool co_design = false;
  std::vector<std::string> populations;
  std::string learned_on;
  std::string created_by;
  std::string created_at;
  std::vector<Response> responses;  // latest per organisation, newest first
};

// The schema: lessons, responses (and, in forums.h, forums). Versions 1001+.
std::span<const db::Migration> LessonMigrations();

// Creates a lesson; returns its id. InvalidArgument naming the field (title, summary,
// organisation, themes, share, source.kind, source.id, rapid_learning_points, metrics,
// learned_on); PermissionDenied when the organisation is not in `scope`.
Result<int64_t> CreateLesson(db::Connection& conn, const access::Acting& who,
                             const access::Scope& scope, const NewLesson& lesson);

// One lesson as `scope` may see it. NotFound for an unknown id and for an organisation_only
// lesson out of scope (no trace either way).
Result<Lesson> GetLesson(db::Connection& conn, const access::Scope& scope, int64_t id);

struct LessonFilter {
  std::string theme, organisation, from, to;
  bool co_design = false;
};
// Lessons `scope` may see, newest first (an organisation filter never matches an anonymised
// lesson out of scope).
Result<std::vector<Lesson>> ListLessons(db::Connection& conn, const access::Scope& scope,
                                        const LessonFilter& filter);

struct NewResponse {
  std::string organisation;  // the responding organisation, in the author's scope
  std::string response;      // ResponseWords()
  std::string date;          // YYYY-MM-DD; "" = today
  std::string project;       // optional linked project (id or reference, <= 200 bytes)
  std::string action;        // optional linked action (<= 500 bytes)
  std::string note;          // optional (<= 2000 bytes)
};
// Records an organisation's response to a lesson (a later response replaces its earlier one in
// the spread; the audit log keeps both). Returns the response's id. NotFound as GetLesson;
// InvalidArgument naming the field; PermissionDenied when the organisation is not in scope.
Result<int64_t> RecordResponse(db::Connection& conn, const access::Acting& who,
                               const access::Scope& scope, int64_t lesson_id,
                               const NewResponse& response);

struct SpreadRow {
  std::string organisation;
  std::string organisation_name;
  std::string kind;      // the organisation's kind (acute trust...)
  std::string response;  // "" = has not looked
  std::string responded_on;
  std::string project;
  std::string action;
};
struct Spread {
  int64_t lesson_id = 0;
  int reviewed = 0;  // organisations that responded at all
  int adopted = 0, adapted = 0, not_applicable = 0, reviewing = 0;
  int not_yet = 0;
  std::vector<SpreadRow> organisations;  // responded first, then those who have not looked
};
// How far a lesson travelled: every organisation (trusts and other provider organisations of the
// system) with its latest response or none. For an anonymised lesson seen out of scope the
// source organisation is listed like any other (so its absence cannot name it).
Result<Spread> LessonSpread(db::Connection& conn, const access::Scope& scope, int64_t lesson_id);

// Themes of the shared taxonomy: glossary terms used by lessons or reviews, with counts of the
// lessons `scope` may see.
struct Theme {
  std::string term;
  std::string definition;
  int lessons = 0;
};
Result<std::vector<Theme>> ListThemes(db::Connection& conn, const access::Scope& scope);

}  // namespace shewhart::learning

#endif  // SHEWHART_LEARNING_LESSONS_H_
