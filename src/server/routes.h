// The route table: method, path, summary, who may call it (roles), whether it needs a session,
// its scope rule, and its handler — the whole API surface and its access rules, in routes.cc.
//
// Example:
//   for (const server::Route& r : server::Routes()) Print(http::MethodName(r.method), r.path);
#ifndef SHEWHART_SERVER_ROUTES_H_
#define SHEWHART_SERVER_ROUTES_H_

#include <cstddef>
#include <span>
#include <string_view>

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

// The OpenAPI 3.0 document generated from Routes(), as JSON text.
std::string OpenApiDocument();

}  // namespace shewhart::server

#endif  // SHEWHART_SERVER_ROUTES_H_
