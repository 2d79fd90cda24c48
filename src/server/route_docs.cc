// The route section of docs/api.md, generated from the route table so that it cannot drift from
// it (server_test compares the two).
#include <string>

#include "server/routes.h"

namespace shewhart::server {
namespace {

// Who may call a route, in words: "public", "anyone signed in", or the role names.
std::string Who(const Route& r) {
  if (r.auth == Auth::kPublic) return "public";
  std::string who;
  bool everyone = true;
  for (access::Role role : access::kAllRoles) {
    if (!r.roles.Contains(role)) {
      everyone = false;
      continue;
    }
    if (!who.empty()) who += ", ";
    who += "`" + std::string(access::RoleName(role)) + "`";
  }
  if (everyone) who = "anyone signed in";
  if (r.scope == ScopeRule::kOrgInPath) who += "; the organisation must be in scope";
  if (r.scope == ScopeRule::kFiltered) who += "; filtered to scope";
  return who;
}

// The path with its query parameters: `/api/audit?limit&before`.
std::string PathWithQuery(const Route& r) {
  std::string p(r.path);
  std::string_view q = r.query_params;
  char sep = '?';
  while (!q.empty()) {
    const size_t comma = q.find(',');
    p += sep;
    p += q.substr(0, comma);
    sep = '&';
    q = comma == std::string_view::npos ? std::string_view() : q.substr(comma + 1);
  }
  return p;
}

// Text for a table cell: a '|' would end the cell.
std::string Cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string RoutesMarkdown() {
  std::string md =
      "| method | path | action | who may call it | what |\n"
      "|---|---|---|---|---|\n";
  for (const Route& r : Routes()) {
    md += "| " + std::string(http::MethodName(r.method)) + " | `" + PathWithQuery(r) + "` | `" +
          std::string(r.action) + "` | " + Who(r) + " | " + Cell(r.summary) + " |\n";
  }
  return md;
}

}  // namespace shewhart::server
