// The handlers named in the route table (routes.cc). Each parses the request, calls one service
// function of a part, and encodes the answer.
#ifndef SHEWHART_SERVER_INTERNAL_HANDLERS_H_
#define SHEWHART_SERVER_INTERNAL_HANDLERS_H_

#include "server/internal/context.h"

namespace shewhart::server::handlers {

// handlers_access.cc
Result<http::Response> Health(RequestContext& ctx);
Result<http::Response> OpenApi(RequestContext& ctx);
Result<http::Response> SignIn(RequestContext& ctx);
Result<http::Response> SignOut(RequestContext& ctx);
Result<http::Response> WhoAmI(RequestContext& ctx);
Result<http::Response> ListUsers(RequestContext& ctx);
Result<http::Response> CreateUser(RequestContext& ctx);
Result<http::Response> UnlockUser(RequestContext& ctx);
Result<http::Response> ListAudit(RequestContext& ctx);

// handlers_dictionary.cc
Result<http::Response> ListOrganisations(RequestContext& ctx);
Result<http::Response> GetOrganisation(RequestContext& ctx);
Result<http::Response> ListMetrics(RequestContext& ctx);
Result<http::Response> GetMetric(RequestContext& ctx);
Result<http::Response> ProposeMetric(RequestContext& ctx);
Result<http::Response> AgreeVersion(RequestContext& ctx);
Result<http::Response> RetireVersion(RequestContext& ctx);
Result<http::Response> ListGlossary(RequestContext& ctx);
Result<http::Response> GetGlossaryTerm(RequestContext& ctx);
Result<http::Response> SetGlossaryTerm(RequestContext& ctx);

// handlers_oversight.cc
Result<http::Response> Board(RequestContext& ctx);
Result<http::Response> BoardReport(RequestContext& ctx);
Result<http::Response> Series(RequestContext& ctx);
Result<http::Response> Observations(RequestContext& ctx);
Result<http::Response> Funnel(RequestContext& ctx);
Result<http::Response> Standing(RequestContext& ctx);
Result<http::Response> Trend(RequestContext& ctx);
Result<http::Response> Submissions(RequestContext& ctx);

// handlers_benchmark.cc
Result<http::Response> Benchmark(RequestContext& ctx);

// handlers_series_events.cc
Result<http::Response> AddRecalculation(RequestContext& ctx);
Result<http::Response> ListAnnotations(RequestContext& ctx);
Result<http::Response> ListRecalculations(RequestContext& ctx);
Result<http::Response> UndoRecalculation(RequestContext& ctx);
Result<http::Response> AddAnnotation(RequestContext& ctx);

// handlers_exports.cc
Result<http::Response> BoardWorkbook(RequestContext& ctx);
Result<http::Response> BoardPack(RequestContext& ctx);

// handlers_imports.cc
Result<http::Response> UploadImport(RequestContext& ctx);
Result<http::Response> GetImport(RequestContext& ctx);
Result<http::Response> PreviewImport(RequestContext& ctx);
Result<http::Response> CommitImport(RequestContext& ctx);

// handlers_intelligence.cc
Result<http::Response> ListNotes(RequestContext& ctx);
Result<http::Response> ListOrgNotes(RequestContext& ctx);
Result<http::Response> AddOrgNote(RequestContext& ctx);

}  // namespace shewhart::server::handlers

#endif  // SHEWHART_SERVER_INTERNAL_HANDLERS_H_
