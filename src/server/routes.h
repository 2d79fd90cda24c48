// The route table: method, path, action name, summary, who may call it (roles), whether it needs a
// session, its scope rule, and its handler — the whole API surface and its access rules, in
// routes.cc. Everything that describes the API to others is generated from it: the OpenAPI
// document, the route section of docs/api.md and the permitted actions of GET /api/session.
//
// Example:
//   for (const server::Route& r : server::Routes()) Print(http::MethodName(r.method), r.path);
//   if (Contains(server::PermittedActions(access::Role::kViewer), "metric.agree")) ...
#ifndef SHEWHART_SERVER_ROUTES_H_
#define SHEWHART_SERVER_ROUTES_H_

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "access/access.h"
#include "base/status.h"
#include "http/http.h"

namespace shewhart::server {

struct RequestContext;  // server/internal/context.h
using RouteHandler = Result<http::Response> (*)(RequestContext& ctx);

enum class Auth {
  kPublic,   // no session needed (health, OpenAPI, sign-in)
  kSession,  // 401 without a live session
};

enum class ScopeRule {
  kPublished,  // visible to everyone signed in (published metrics, the directory)
  kOrgInPath,  // restricted: the {org} in the path must be in the person's scope
  kFiltered,   // restricted rows, filtered by the handler to the person's scope
};

enum class BodyKind {
  kNone,    // no body expected (bodies up to the JSON limit are ignored)
  kJson,    // a JSON object up to ApiOptions::max_json_body_bytes
  kUpload,  // a file up to ApiOptions::max_upload_bytes
};

struct Route {
  http::Method method;
  std::string_view path;  // with {placeholders}
  // The route's stable name, `thing.verb`, unique in the table: what the front end asks about
  // (GET /api/session lists the caller's). Reads are `.read` (one) or `.list` (many); a write is
  // named as the audit entry it writes (`metric.propose`, `series.recalculate`, `import.commit`).
  std::string_view action;
  std::string_view summary;
  Auth auth;
  access::RoleSet roles;  // ignored for kPublic
  ScopeRule scope;
  BodyKind body;
  RouteHandler handler;
  std::string_view query_params = "";  // comma-separated names, for the OpenAPI document
};

// Every route of the API, in the order of docs/api.md.
std::span<const Route> Routes();

// The actions (Route::action) that a person with `role` may call, in route-table order: every
// public route's and every session route's whose roles contain `role`. Scope still applies to
// restricted routes (kOrgInPath, kFiltered): the action is permitted, the rows are the person's.
std::vector<std::string_view> PermittedActions(access::Role role);

// The OpenAPI 3.0 document generated from Routes(), as JSON text.
std::string OpenApiDocument();

// The route section of docs/api.md generated from Routes(): a Markdown table (method, path with
// its query parameters, action, who may call it, summary), one row per route in table order,
// ending with a newline. server_test fails when docs/api.md's section differs (see
// CONTRIBUTING.md for the command that rewrites it).
std::string RoutesMarkdown();

}  // namespace shewhart::server

#endif  // SHEWHART_SERVER_ROUTES_H_
