// The handlers of intelligence's "acting on it" (handlers_intelligence2.cc): concerns,
// follow-ups, actions, escalations, risks, quality group meetings, my work and the system quality
// report. Thin: parse the path, call one service of intelligence/follow_up.h, encode.
#ifndef SHEWHART_SERVER_INTERNAL_HANDLERS_INTELLIGENCE2_H_
#define SHEWHART_SERVER_INTERNAL_HANDLERS_INTELLIGENCE2_H_

#include "server/internal/context.h"

namespace shewhart::server::handlers {

Result<http::Response> ListConcerns(RequestContext& ctx);
Result<http::Response> CreateConcern(RequestContext& ctx);
Result<http::Response> GetConcern(RequestContext& ctx);
Result<http::Response> MoveConcern(RequestContext& ctx);
Result<http::Response> AddFollowUp(RequestContext& ctx);
Result<http::Response> AddConcernAction(RequestContext& ctx);
Result<http::Response> ListActions(RequestContext& ctx);
Result<http::Response> UpdateAction(RequestContext& ctx);
Result<http::Response> ListOrgEscalations(RequestContext& ctx);
Result<http::Response> CreateOrgEscalation(RequestContext& ctx);
Result<http::Response> ListEscalations(RequestContext& ctx);
Result<http::Response> ListEscalationLevels(RequestContext& ctx);
Result<http::Response> SetEscalationLevel(RequestContext& ctx);
Result<http::Response> ListRisks(RequestContext& ctx);
Result<http::Response> CreateRisk(RequestContext& ctx);
Result<http::Response> GetRisk(RequestContext& ctx);
Result<http::Response> ReviewRisk(RequestContext& ctx);
Result<http::Response> ListMeetings(RequestContext& ctx);
Result<http::Response> CreateMeeting(RequestContext& ctx);
Result<http::Response> GetMeeting(RequestContext& ctx);
Result<http::Response> GenerateAgenda(RequestContext& ctx);
Result<http::Response> AddAgendaItem(RequestContext& ctx);
Result<http::Response> UpdateAgendaItem(RequestContext& ctx);
Result<http::Response> RemoveAgendaItem(RequestContext& ctx);
Result<http::Response> MeetingPack(RequestContext& ctx);
Result<http::Response> MyWork(RequestContext& ctx);
Result<http::Response> MarkWorkSeen(RequestContext& ctx);
Result<http::Response> SystemQualityPdf(RequestContext& ctx);
Result<http::Response> SystemQualityXlsx(RequestContext& ctx);

}  // namespace shewhart::server::handlers

#endif  // SHEWHART_SERVER_INTERNAL_HANDLERS_INTELLIGENCE2_H_
