// The handlers of the improvement part (handlers_improvement.cc): projects, their driver
// diagrams, measures, PDSA cycles, progress and impact; programmes with their logic models,
// milestones and portfolio impact; roll-outs. Thin: parse, call one service, encode.
#ifndef SHEWHART_SERVER_INTERNAL_HANDLERS_IMPROVEMENT_H_
#define SHEWHART_SERVER_INTERNAL_HANDLERS_IMPROVEMENT_H_

#include "server/internal/context.h"

namespace shewhart::server::handlers {

Result<http::Response> ListProjects(RequestContext& ctx);
Result<http::Response> CreateProject(RequestContext& ctx);
Result<http::Response> GetProject(RequestContext& ctx);
Result<http::Response> AddProjectMeasure(RequestContext& ctx);
Result<http::Response> AddProjectPdsa(RequestContext& ctx);
Result<http::Response> UpdateProjectPdsa(RequestContext& ctx);
Result<http::Response> AddProjectDriver(RequestContext& ctx);
Result<http::Response> RenameProjectDriver(RequestContext& ctx);
Result<http::Response> DeleteProjectDriver(RequestContext& ctx);
Result<http::Response> ProjectImpact(RequestContext& ctx);
Result<http::Response> ProjectProgress(RequestContext& ctx);
Result<http::Response> SetProjectScore(RequestContext& ctx);
Result<http::Response> AddProjectInvolvement(RequestContext& ctx);
Result<http::Response> ListProgrammes(RequestContext& ctx);
Result<http::Response> CreateProgramme(RequestContext& ctx);
Result<http::Response> GetProgramme(RequestContext& ctx);
Result<http::Response> AddProgrammeLogic(RequestContext& ctx);
Result<http::Response> AddProgrammeMilestone(RequestContext& ctx);
Result<http::Response> ProgrammeImpact(RequestContext& ctx);
Result<http::Response> ProgrammeReportPdf(RequestContext& ctx);
Result<http::Response> PortfolioImpact(RequestContext& ctx);
Result<http::Response> PortfolioReach(RequestContext& ctx);
Result<http::Response> ListRollouts(RequestContext& ctx);
Result<http::Response> CreateRollout(RequestContext& ctx);
Result<http::Response> GetRollout(RequestContext& ctx);
Result<http::Response> SetRolloutStage(RequestContext& ctx);

}  // namespace shewhart::server::handlers

#endif  // SHEWHART_SERVER_INTERNAL_HANDLERS_IMPROVEMENT_H_
