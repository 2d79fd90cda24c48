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

}  // namespace shewhart::server::handlers

#endif  // SHEWHART_SERVER_INTERNAL_HANDLERS_CAPABILITY_H_
