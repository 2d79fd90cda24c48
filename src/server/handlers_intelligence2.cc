// Handlers of intelligence's "acting on it" (intelligence/follow_up.h): each parses the path,
// calls one service with the caller's scope and who is acting, and returns its JSON.
#include "http/json.h"
#include "intelligence/follow_up.h"
#include "server/internal/attachment.h"
#include "server/internal/handlers_intelligence2.h"

namespace shewhart::server::handlers {
namespace {

http::Response Raw(std::string body, int status = 200) {
  http::Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

Result<int64_t> Id(RequestContext& ctx, const std::string& name = "id") {
  return http::ParseIntParam(name, ctx.req.Param(name), 1, INT64_MAX);
}

std::string Me(RequestContext& ctx) { return ctx.principal->account.email; }

bool MayWrite(RequestContext& ctx) {
  const access::Role r = ctx.principal->account.role;
  return r == access::Role::kAdministrator || r == access::Role::kSystemQualityLead ||
         r == access::Role::kOrganisationQualityLead;
}

std::string Today(RequestContext& ctx) { return ctx.now.substr(0, 10); }

Result<intelligence::ReportOptions> ReportOptionsOf(RequestContext& ctx) {
  intelligence::ReportOptions o;
  o.place = ctx.req.Query("place").value_or("");
  o.from = ctx.req.Query("from").value_or("");
  o.to = ctx.req.Query("to").value_or("");
  o.generated_at = ctx.now;
  return o;
}

}  // namespace

Result<http::Response> ListConcerns(RequestContext& ctx) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  intelligence::ConcernFilter f{.organisation = ctx.req.Query("organisation").value_or(""),
                                .status = ctx.req.Query("status").value_or(""),
                                .owner = ctx.req.Query("owner").value_or("")};
  ASSIGN_OR_RETURN(std::string out, intelligence::ListConcerns(ctx.conn, scope, f));
  return Raw(std::move(out));
}

Result<http::Response> CreateConcern(RequestContext& ctx) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(std::string out,
                   intelligence::CreateConcern(ctx.conn, ctx.Acting(), scope, ctx.req.body));
  return Raw(std::move(out), 201);
}

Result<http::Response> GetConcern(RequestContext& ctx) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(int64_t id, Id(ctx));
  ASSIGN_OR_RETURN(std::string out, intelligence::GetConcern(ctx.conn, scope, id));
  return Raw(std::move(out));
}

Result<http::Response> MoveConcern(RequestContext& ctx) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(int64_t id, Id(ctx));
  ASSIGN_OR_RETURN(std::string out,
                   intelligence::MoveConcern(ctx.conn, ctx.Acting(), scope, id, ctx.req.body));
  return Raw(std::move(out));
}

Result<http::Response> AddFollowUp(RequestContext& ctx) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(int64_t id, Id(ctx));
  ASSIGN_OR_RETURN(std::string out,
                   intelligence::AddFollowUp(ctx.conn, ctx.Acting(), scope, id, ctx.req.body));
  return Raw(std::move(out), 201);
}

Result<http::Response> AddConcernAction(RequestContext& ctx) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(int64_t id, Id(ctx));
  ASSIGN_OR_RETURN(std::string out, intelligence::AddConcernAction(ctx.conn, ctx.Acting(), scope,
                                                                   id, ctx.req.body));
  return Raw(std::move(out), 201);
}

Result<http::Response> ListActions(RequestContext& ctx) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  intelligence::ActionFilter f{.owner = ctx.req.Query("owner").value_or(""),
                               .status = ctx.req.Query("status").value_or(""),
                               .overdue_only = ctx.req.Query("overdue").value_or("") == "true",
                               .today = Today(ctx)};
  ASSIGN_OR_RETURN(std::string out, intelligence::ListActions(ctx.conn, scope, f));
  return Raw(std::move(out));
}

Result<http::Response> UpdateAction(RequestContext& ctx) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(int64_t id, Id(ctx));
  ASSIGN_OR_RETURN(std::string out,
                   intelligence::UpdateAction(ctx.conn, ctx.Acting(), scope, MayWrite(ctx),
                                              Me(ctx), id, ctx.req.body));
  return Raw(std::move(out));
}

Result<http::Response> ListOrgEscalations(RequestContext& ctx) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(std::string out,
                   intelligence::OrganisationEscalations(ctx.conn, scope, ctx.req.Param("org")));
  return Raw(std::move(out));
}

Result<http::Response> CreateOrgEscalation(RequestContext& ctx) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(std::string out, intelligence::Escalate(ctx.conn, ctx.Acting(), scope,
                                                           ctx.req.Param("org"), ctx.req.body));
  return Raw(std::move(out), 201);
}

Result<http::Response> ListEscalations(RequestContext& ctx) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(std::string out,
                   intelligence::CurrentEscalations(ctx.conn, scope,
                                                    ctx.req.Query("from").value_or(""),
                                                    ctx.req.Query("to").value_or("")));
  return Raw(std::move(out));
}

Result<http::Response> ListEscalationLevels(RequestContext& ctx) {
  ASSIGN_OR_RETURN(std::string out, intelligence::EscalationLevels(ctx.conn));
  return Raw(std::move(out));
}

Result<http::Response> SetEscalationLevel(RequestContext& ctx) {
  ASSIGN_OR_RETURN(std::string out, intelligence::SetEscalationLevel(
                                        ctx.conn, ctx.Acting(), ctx.req.Param("level"), ctx.req.body));
  return Raw(std::move(out));
}

Result<http::Response> ListRisks(RequestContext& ctx) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(std::string out,
                   intelligence::ListRisks(ctx.conn, scope, ctx.req.Query("organisation").value_or("")));
  return Raw(std::move(out));
}

Result<http::Response> CreateRisk(RequestContext& ctx) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(std::string out,
                   intelligence::CreateRisk(ctx.conn, ctx.Acting(), scope, ctx.req.body));
  return Raw(std::move(out), 201);
}

Result<http::Response> GetRisk(RequestContext& ctx) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(int64_t id, Id(ctx));
  ASSIGN_OR_RETURN(std::string out, intelligence::GetRisk(ctx.conn, scope, id));
  return Raw(std::move(out));
}

Result<http::Response> ReviewRisk(RequestContext& ctx) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(int64_t id, Id(ctx));
  ASSIGN_OR_RETURN(std::string out,
                   intelligence::ReviewRisk(ctx.conn, ctx.Acting(), scope, id, ctx.req.body));
  return Raw(std::move(out));
}

Result<http::Response> ListMeetings(RequestContext& ctx) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(std::string out,
                   intelligence::ListMeetings(ctx.conn, scope, Me(ctx),
                                              ctx.req.Query("from").value_or("")));
  return Raw(std::move(out));
}

Result<http::Response> CreateMeeting(RequestContext& ctx) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(std::string out,
                   intelligence::CreateMeeting(ctx.conn, ctx.Acting(), scope, ctx.req.body));
  return Raw(std::move(out), 201);
}

Result<http::Response> GetMeeting(RequestContext& ctx) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(int64_t id, Id(ctx));
  ASSIGN_OR_RETURN(std::string out, intelligence::GetMeeting(ctx.conn, scope, Me(ctx), id));
  return Raw(std::move(out));
}

Result<http::Response> GenerateAgenda(RequestContext& ctx) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(int64_t id, Id(ctx));
  ASSIGN_OR_RETURN(std::string out,
                   intelligence::GenerateAgenda(ctx.conn, ctx.Acting(), scope, Me(ctx), id));
  return Raw(std::move(out));
}

Result<http::Response> AddAgendaItem(RequestContext& ctx) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(int64_t id, Id(ctx));
  ASSIGN_OR_RETURN(std::string out, intelligence::AddAgendaItem(ctx.conn, ctx.Acting(), scope,
                                                                Me(ctx), id, ctx.req.body));
  return Raw(std::move(out), 201);
}

Result<http::Response> UpdateAgendaItem(RequestContext& ctx) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(int64_t id, Id(ctx));
  ASSIGN_OR_RETURN(int64_t item, Id(ctx, "item"));
  ASSIGN_OR_RETURN(std::string out,
                   intelligence::UpdateAgendaItem(ctx.conn, ctx.Acting(), scope, Me(ctx), id, item,
                                                  ctx.req.body));
  return Raw(std::move(out));
}

Result<http::Response> RemoveAgendaItem(RequestContext& ctx) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(int64_t id, Id(ctx));
  ASSIGN_OR_RETURN(int64_t item, Id(ctx, "item"));
  ASSIGN_OR_RETURN(std::string out, intelligence::RemoveAgendaItem(ctx.conn, ctx.Acting(), scope,
                                                                   Me(ctx), id, item));
  return Raw(std::move(out));
}

Result<http::Response> MeetingPack(RequestContext& ctx) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(int64_t id, Id(ctx));
  return WrittenAttachment(
      ".pdf",
      [&](const std::string& path) {
        return intelligence::WriteMeetingPack(ctx.conn, scope, Me(ctx), id, ctx.now, path);
      },
      "application/pdf", "meeting-" + std::to_string(id) + "-pack.pdf");
}

Result<http::Response> MyWork(RequestContext& ctx) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(std::string out, intelligence::MyWork(ctx.conn, scope, Me(ctx), Today(ctx)));
  return Raw(std::move(out));
}

Result<http::Response> MarkWorkSeen(RequestContext& ctx) {
  RETURN_IF_ERROR(intelligence::MarkWorkSeen(ctx.conn, Me(ctx), ctx.now));
  return Raw("{\"seen_at\":" + http::JsonQuote(ctx.now) + "}");
}

Result<http::Response> SystemQualityPdf(RequestContext& ctx) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(intelligence::ReportOptions o, ReportOptionsOf(ctx));
  return WrittenAttachment(
      ".pdf",
      [&](const std::string& path) {
        return intelligence::WriteSystemQualityPdf(ctx.conn, scope, o, path).status();
      },
      "application/pdf", "system-quality-report.pdf");
}

Result<http::Response> SystemQualityXlsx(RequestContext& ctx) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(intelligence::ReportOptions o, ReportOptionsOf(ctx));
  return WrittenAttachment(
      ".xlsx",
      [&](const std::string& path) {
        return intelligence::WriteSystemQualityXlsx(ctx.conn, scope, o, path);
      },
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "system-quality-report.xlsx");
}

}  // namespace shewhart::server::handlers
