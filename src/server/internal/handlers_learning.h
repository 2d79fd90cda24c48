// The handlers of the learning part (handlers_learning.cc): search over everything, lessons with
// their responses and spread, themes, forums with meetings, thematic reviews and actions, sharing
// events as iCalendar, and the learning digest as HTML, PDF, Atom and e-mail. Thin: parse, call
// one service, encode. Scope is applied by the services (restricted rows filtered, writes for
// organisations in scope only).
#ifndef SHEWHART_SERVER_INTERNAL_HANDLERS_LEARNING_H_
#define SHEWHART_SERVER_INTERNAL_HANDLERS_LEARNING_H_

#include "server/internal/context.h"

namespace shewhart::server::handlers {

// GET /api/search?q=&kind=&organisation=&theme=&from=&to=&co_design=&limit=
Result<http::Response> SearchAll(RequestContext& ctx);
// GET /api/search/kinds: every kind search knows and whether its table is here.
Result<http::Response> SearchKinds(RequestContext& ctx);
// GET /api/lessons?theme=&organisation=&from=&to=&co_design=
Result<http::Response> ListLessons(RequestContext& ctx);
// POST /api/lessons {title, summary, organisation, themes, share, source?, ...} -> 201 {id}
Result<http::Response> CreateLesson(RequestContext& ctx);
// GET /api/lessons/{id}
Result<http::Response> GetLesson(RequestContext& ctx);
// POST /api/lessons/{id}/responses {organisation, response, date?, project?, action?, note?}
Result<http::Response> RespondToLesson(RequestContext& ctx);
// GET /api/lessons/{id}/spread
Result<http::Response> LessonSpread(RequestContext& ctx);
// GET /api/themes
Result<http::Response> ListThemes(RequestContext& ctx);
// GET /api/forums, POST /api/forums, GET /api/forums/{id}
Result<http::Response> ListForums(RequestContext& ctx);
Result<http::Response> CreateForum(RequestContext& ctx);
Result<http::Response> GetForum(RequestContext& ctx);
// POST /api/forums/{id}/meetings, POST /api/forums/{id}/reviews
Result<http::Response> AddForumMeeting(RequestContext& ctx);
Result<http::Response> CreateReview(RequestContext& ctx);
// GET /api/reviews/{id}, POST /api/reviews/{id}/actions
Result<http::Response> GetReview(RequestContext& ctx);
Result<http::Response> AddReviewAction(RequestContext& ctx);
// GET /api/events, POST /api/events, GET /api/events.ics, GET /api/events/{id}/event.ics
Result<http::Response> ListSharingEvents(RequestContext& ctx);
Result<http::Response> CreateSharingEvent(RequestContext& ctx);
Result<http::Response> EventsCalendar(RequestContext& ctx);
Result<http::Response> EventCalendar(RequestContext& ctx);
// GET /api/digest (HTML), /api/digest.pdf, /api/digest.atom; POST /api/digest/email {to: [...]}
Result<http::Response> DigestPage(RequestContext& ctx);
Result<http::Response> DigestPdf(RequestContext& ctx);
Result<http::Response> DigestAtom(RequestContext& ctx);
Result<http::Response> EmailDigest(RequestContext& ctx);

}  // namespace shewhart::server::handlers

#endif  // SHEWHART_SERVER_INTERNAL_HANDLERS_LEARNING_H_
