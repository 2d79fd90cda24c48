// The handlers of the capability part (handlers_capability.cc): the dashboard, people with their
// tiers, a person's page, overrides, bookings and attendance, courses. Thin: parse, call one
// service, encode. Emails in paths may be percent-encoded (%40 for @).
#ifndef SHEWHART_SERVER_INTERNAL_HANDLERS_CAPABILITY_H_
#define SHEWHART_SERVER_INTERNAL_HANDLERS_CAPABILITY_H_

#include "server/internal/context.h"

namespace shewhart::server::handlers {

// GET /api/capability?organisation=&as_of=: the dashboard (docs/capability.md).
Result<http::Response> Capability(RequestContext& ctx);
// GET /api/people?organisation=&as_of=: people with their tiers.
Result<http::Response> ListPeople(RequestContext& ctx);
// GET /api/people/{email}: the person's page.
Result<http::Response> GetPerson(RequestContext& ctx);
// GET /api/people/{email}/tier?as_of=: the tier and the evidence for it.
Result<http::Response> GetPersonTier(RequestContext& ctx);
// POST /api/people/{email}/tier {tier, reason}: an override (reason required); in scope only.
Result<http::Response> OverridePersonTier(RequestContext& ctx);
// POST /api/people/{email}/attendance {course, date, attended, role}: in scope only.
Result<http::Response> RecordPersonAttendance(RequestContext& ctx);
// GET /api/courses.
Result<http::Response> ListCourses(RequestContext& ctx);

// Training events, coaching sessions, communities of practice, the programme plan, the measures
// as series (capability/programme.h, capability/measures.h).
Result<http::Response> ListEvents(RequestContext& ctx);          // GET ?from=&to=
Result<http::Response> CreateEvent(RequestContext& ctx);         // POST
Result<http::Response> GetEvent(RequestContext& ctx);            // GET {id}
Result<http::Response> BookOnEvent(RequestContext& ctx);         // POST {id}/bookings {email}
Result<http::Response> MarkEventAttendance(RequestContext& ctx); // POST {id}/attendance
Result<http::Response> SubmitEvaluation(RequestContext& ctx);    // POST {id}/evaluations
Result<http::Response> ListCoachingSessions(RequestContext& ctx);   // GET ?email=
Result<http::Response> RecordCoachingSession(RequestContext& ctx);  // POST
Result<http::Response> ListCommunities(RequestContext& ctx);
Result<http::Response> CreateCommunity(RequestContext& ctx);
Result<http::Response> JoinCommunity(RequestContext& ctx);        // POST {code}/members
Result<http::Response> RecordCommunityMeeting(RequestContext& ctx);  // POST {code}/meetings
Result<http::Response> AddCommunityProject(RequestContext& ctx);  // POST {code}/projects
Result<http::Response> ListPlan(RequestContext& ctx);
Result<http::Response> SaveMilestone(RequestContext& ctx);
Result<http::Response> RefreshMeasures(RequestContext& ctx);

// Questionnaires and assessments (capability/questionnaires.h).
Result<http::Response> ListQuestionnaires(RequestContext& ctx);
Result<http::Response> GetQuestionnaire(RequestContext& ctx);     // GET {code}?version=
Result<http::Response> SaveQuestionnaire(RequestContext& ctx);    // POST (a new version)
Result<http::Response> CompareAssessments(RequestContext& ctx);   // GET ?questionnaire=&round=
Result<http::Response> SubmitAssessment(RequestContext& ctx);     // POST org/{org}/assessments

}  // namespace shewhart::server::handlers

#endif  // SHEWHART_SERVER_INTERNAL_HANDLERS_CAPABILITY_H_
