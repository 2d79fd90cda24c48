// Handlers: health, OpenAPI, sessions, accounts, audit log.
#include <nlohmann/json.hpp>

#include "access/access.h"
#include "access/audit.h"
#include "http/json.h"
#include "server/internal/handlers.h"
#include "server/routes.h"

namespace shewhart::server::handlers {
namespace {

using nlohmann::json;

json AccountJson(const access::Account& a) {
  return {{"id", a.id},
          {"email", a.email},
          {"role", access::RoleName(a.role)},
          {"organisation", a.org_code.empty() ? json(nullptr) : json(a.org_code)},
          {"disabled", a.disabled},
          {"created_at", a.created_at}};
}

// What the signed-in person may do, from the route table: the actions they may call and whether
// their scope is the whole system (every organisation's restricted data, imports of any kind).
void AddPermissions(json& out, access::Role role) {
  json actions = json::array();
  for (std::string_view a : PermittedActions(role)) actions.push_back(std::string(a));
  out["actions"] = std::move(actions);
  out["system_scope"] = access::HasSystemScope(role);
}

std::string SessionCookie(const RequestContext& ctx, const std::string& value, int64_t max_age) {
  std::string c = std::string(access::kSessionCookie) + "=" + value +
                  "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age);
  if (ctx.options.secure_cookies) c += "; Secure";
  return c;
}

// A hint for the front end's first script, which cannot see the HttpOnly session cookie: "someone
// signed in here", so the board may be fetched before the app starts. It holds no secret; a
// signed-out page (no hint) fetches nothing it would be refused.
std::string SignedInHint(const RequestContext& ctx, int64_t max_age) {
  std::string c = std::string("shewhart_signed_in=") + (max_age > 0 ? "1" : "") +
                  "; Path=/; SameSite=Strict; Max-Age=" + std::to_string(max_age);
  if (ctx.options.secure_cookies) c += "; Secure";
  return c;
}

}  // namespace

Result<http::Response> Health(RequestContext& ctx) {
  RETURN_IF_ERROR(ctx.conn.Execute("SELECT 1"));
  return http::JsonResponse({{"status", "ok"}, {"database", db::DialectName(ctx.conn.dialect())}});
}

Result<http::Response> OpenApi(RequestContext&) {
  static const std::string doc = OpenApiDocument();
  http::Response r;
  r.body = doc;
  return r;
}

Result<http::Response> SignIn(RequestContext& ctx) {
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  ASSIGN_OR_RETURN(std::string email, http::RequiredString(body, "email", 254));
  ASSIGN_OR_RETURN(std::string password,
                   http::RequiredString(body, "password", access::kMaxPasswordLength));
  Result<access::SignInResult> s = access::SignIn(ctx.conn, ctx.throttle, email, password,
                                                  ctx.req.remote_addr, ctx.now_s, ctx.now);
  if (!s.ok() && s.status().code() == StatusCode::kPermissionDenied) {
    return http::ProtocolError(401, s.status().message());
  }
  if (!s.ok()) return s.status();
  json out = {{"csrf_token", s->csrf_token},
              {"account", AccountJson(s->account)},
              {"expires_at_s", s->expires_at_s}};
  AddPermissions(out, s->account.role);
  http::Response r = http::JsonResponse(out);
  r.headers.emplace_back("Set-Cookie",
                         SessionCookie(ctx, s->session_token, access::kSessionSeconds));
  r.headers.emplace_back("Set-Cookie", SignedInHint(ctx, access::kSessionSeconds));
  return r;
}

Result<http::Response> SignOut(RequestContext& ctx) {
  RETURN_IF_ERROR(access::SignOut(ctx.conn, *ctx.principal, ctx.Acting()));
  http::Response r = http::JsonResponse({{"signed_out", true}});
  r.headers.emplace_back("Set-Cookie", SessionCookie(ctx, "", 0));
  r.headers.emplace_back("Set-Cookie", SignedInHint(ctx, 0));
  return r;
}

Result<http::Response> WhoAmI(RequestContext& ctx) {
  json out = {{"account", AccountJson(ctx.principal->account)}};
  AddPermissions(out, ctx.principal->account.role);
  return http::JsonResponse(out);
}

Result<http::Response> ListUsers(RequestContext& ctx) {
  ASSIGN_OR_RETURN(std::vector<access::Account> accounts, access::ListAccounts(ctx.conn));
  json out = json::array();
  for (const auto& a : accounts) out.push_back(AccountJson(a));
  return http::JsonResponse({{"users", out}});
}

Result<http::Response> CreateUser(RequestContext& ctx) {
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  access::NewAccount a;
  ASSIGN_OR_RETURN(a.email, http::RequiredString(body, "email", 254));
  ASSIGN_OR_RETURN(std::string role_name, http::RequiredString(body, "role", 64));
  std::optional<access::Role> role = access::ParseRole(role_name);
  if (!role) return InvalidArgumentError("\"role\" must be one of the six roles");
  a.role = *role;
  ASSIGN_OR_RETURN(std::optional<std::string> org, http::OptionalString(body, "organisation", 64));
  a.org_code = org.value_or("");
  ASSIGN_OR_RETURN(std::string password,
                   http::RequiredString(body, "password", access::kMaxPasswordLength));
  ASSIGN_OR_RETURN(int64_t id, access::CreateAccount(ctx.conn, a, password, ctx.Actor(), ctx.now,
                                                     ctx.req.remote_addr));
  return http::JsonResponse({{"id", id}}, 201);
}

// An administrator lifts a sign-in lock-out at once (it also lifts itself after the window).
Result<http::Response> UnlockUser(RequestContext& ctx) {
  ASSIGN_OR_RETURN(int64_t id, http::ParseIntParam("id", ctx.req.Param("id"), 1, INT64_MAX));
  ASSIGN_OR_RETURN(std::vector<access::Account> accounts, access::ListAccounts(ctx.conn));
  const access::Account* found = nullptr;
  for (const auto& a : accounts) {
    if (a.id == id) found = &a;
  }
  if (found == nullptr) return NotFoundError("there is no account " + std::to_string(id));
  RETURN_IF_ERROR(access::UnlockAccount(ctx.conn, found->email, ctx.Acting()));
  return http::JsonResponse({{"id", id}, {"unlocked", true}});
}

Result<http::Response> ListAudit(RequestContext& ctx) {
  int64_t limit = 100;
  std::optional<int64_t> before;
  if (auto l = ctx.req.Query("limit")) {
    ASSIGN_OR_RETURN(limit, http::ParseIntParam("limit", *l, 1, 1000));
  }
  if (auto b = ctx.req.Query("before")) {
    ASSIGN_OR_RETURN(int64_t v, http::ParseIntParam("before", *b, 1, INT64_MAX));
    before = v;
  }
  ASSIGN_OR_RETURN(std::vector<access::AuditEntry> entries,
                   access::ListAudit(ctx.conn, limit, before));
  json out = json::array();
  for (const auto& e : entries) {
    out.push_back(
        {{"id", e.id},
         {"at", e.at},
         {"actor", e.actor},
         {"action", e.action},
         {"target", e.target},
         {"before", e.before.empty() ? json(nullptr) : json::parse(e.before, nullptr, false)},
         {"after", e.after.empty() ? json(nullptr) : json::parse(e.after, nullptr, false)},
         {"remote", e.remote}});
  }
  return http::JsonResponse({{"entries", out}});
}

}  // namespace shewhart::server::handlers
