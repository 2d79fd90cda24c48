// The handlers of the intelligence part (handlers_intelligence.cc): the strands of evidence per
// organisation (incidents, complaints, audits, ratings, horizon items), the metric's evidence,
// signals, the time line and the system view. Thin: parse, call one service, encode.
#ifndef SHEWHART_SERVER_INTERNAL_HANDLERS_INTELLIGENCE_H_
#define SHEWHART_SERVER_INTERNAL_HANDLERS_INTELLIGENCE_H_

#include "server/internal/context.h"

namespace shewhart::server::handlers {

// GET /api/organisations/{org}/incidents (restricted: the route's scope is kOrgInPath).
Result<http::Response> ListOrgIncidents(RequestContext& ctx);
// POST /api/organisations/{org}/incidents: one incident entered on a screen.
Result<http::Response> CreateOrgIncident(RequestContext& ctx);
// The same pair for complaints (restricted), audits and ratings (published; writes in scope).
Result<http::Response> ListOrgComplaints(RequestContext& ctx);
Result<http::Response> CreateOrgComplaint(RequestContext& ctx);
Result<http::Response> ListOrgAudits(RequestContext& ctx);
Result<http::Response> CreateOrgAudit(RequestContext& ctx);
Result<http::Response> ListOrgRatings(RequestContext& ctx);
Result<http::Response> CreateOrgRating(RequestContext& ctx);
// GET /api/horizon, POST /api/horizon: horizon-scanning items (system-wide).
Result<http::Response> ListHorizon(RequestContext& ctx);
Result<http::Response> CreateHorizon(RequestContext& ctx);
// GET /api/organisations/{org}/signals: ranked signals, restricted ones only in scope.
Result<http::Response> OrgSignals(RequestContext& ctx);
// GET /api/organisations/{org}/timeline?from=&to=: every strand in date order.
Result<http::Response> OrgTimeline(RequestContext& ctx);
// GET /api/signals: the system view, organisations by the weight of their signals.
Result<http::Response> SystemSignals(RequestContext& ctx);
// GET /api/metrics/{code}/evidence: incidents, complaints and audits bearing on a metric.
Result<http::Response> MetricEvidence(RequestContext& ctx);

}  // namespace shewhart::server::handlers

#endif  // SHEWHART_SERVER_INTERNAL_HANDLERS_INTELLIGENCE_H_
