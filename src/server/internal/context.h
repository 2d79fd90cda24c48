// What a handler sees: the request, a database connection for its duration, who is asking, and
// the time. Handlers report expected failures as Status; Api::Handle maps them to HTTP.
//
// Example:
//   Result<http::Response> GetThing(RequestContext& ctx) {
//     ASSIGN_OR_RETURN(auto thing, things::Load(ctx.conn, ctx.req.Param("code")));
//     return http::JsonResponse(ToJson(thing));
//   }
#ifndef SHEWHART_SERVER_INTERNAL_CONTEXT_H_
#define SHEWHART_SERVER_INTERNAL_CONTEXT_H_

#include <cstdint>
#include <optional>
#include <string>

#include "access/access.h"
#include "access/audit.h"
#include "base/status.h"
#include "db/db.h"
#include "http/http.h"
#include "server/server.h"

namespace shewhart::server {

struct RequestContext {
  const http::Request& req;
  db::Connection& conn;
  const access::Principal* principal;  // nullptr on public routes without a session
  int64_t now_s = 0;
  std::string now;  // ISO 8601 UTC
  const ApiOptions& options;
  access::LoginThrottle& throttle;

  // "user:ana@nhs.net" (REQUIRES principal).
  std::string Actor() const { return "user:" + principal->account.email; }
  // The principal's scope for restricted data (loaded once per request).
  Result<access::Scope> Scope();
  // Who is acting, for the write services (REQUIRES principal): actor, time, client address.
  access::Acting Acting() const { return {.actor = Actor(), .at = now, .remote = req.remote_addr}; }
  // An audit entry for a write by this request.
  Status Audit(std::string action, std::string target, std::string before, std::string after);

  std::optional<access::Scope> scope_cache;
};

}  // namespace shewhart::server

#endif  // SHEWHART_SERVER_INTERNAL_CONTEXT_H_
