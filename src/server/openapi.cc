// The OpenAPI 3.0 document, generated from the route table so that it cannot drift from it.
#include <nlohmann/json.hpp>

#include "http/json.h"
#include "server/routes.h"

namespace shewhart::server {

std::string OpenApiDocument() {
  using nlohmann::json;
  json paths = json::object();
  for (const Route& r : Routes()) {
    json op;
    op["summary"] = std::string(r.summary);
    std::string method(http::MethodName(r.method));
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    op["operationId"] = method + std::string(r.path);
    op["x-action"] = std::string(r.action);
    json params = json::array();
    std::string_view p = r.path;
    for (size_t open = p.find('{'); open != std::string_view::npos; open = p.find('{', open + 1)) {
      const size_t close = p.find('}', open);
      params.push_back({{"name", std::string(p.substr(open + 1, close - open - 1))},
                        {"in", "path"},
                        {"required", true},
                        {"schema", {{"type", "string"}}}});
    }
    std::string_view q = r.query_params;
    while (!q.empty()) {
      const size_t comma = q.find(',');
      params.push_back({{"name", std::string(q.substr(0, comma))},
                        {"in", "query"},
                        {"required", false},
                        {"schema", {{"type", "string"}}}});
      q = comma == std::string_view::npos ? std::string_view() : q.substr(comma + 1);
    }
    if (!params.empty()) op["parameters"] = params;
    if (r.body == BodyKind::kJson) {
      op["requestBody"] = {{"required", true},
                           {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}};
    } else if (r.body == BodyKind::kUpload) {
      op["requestBody"] = {{"required", true},
                           {"content",
                            {{"text/csv", {{"schema", {{"type", "string"}}}}},
                             {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                              {{"schema", {{"type", "string"}, {"format", "binary"}}}}}}}};
    }
    // What a success carries: files for the export routes (named by their extension), JSON
    // otherwise.
    std::string media = "application/json";
    json schema = {{"type", "object"}};
    if (r.path.ends_with(".xlsx")) {
      media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
      schema = {{"type", "string"}, {"format", "binary"}};
    } else if (r.path.ends_with(".pdf")) {
      media = "application/pdf";
      schema = {{"type", "string"}, {"format", "binary"}};
    }
    json responses = {
        {"200", {{"description", "OK"}, {"content", {{media, {{"schema", schema}}}}}}},
        {"default",
         {{"description", "Error"},
          {"content",
           {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}}}};
    op["responses"] = responses;
    if (r.auth == Auth::kSession) {
      op["security"] = json::array({{{"session", json::array()}}});
      json roles = json::array();
      for (access::Role role : access::kAllRoles) {
        if (r.roles.Contains(role)) roles.push_back(std::string(access::RoleName(role)));
      }
      op["x-roles"] = roles;
      op["x-scope"] = r.scope == ScopeRule::kPublished   ? "published"
                      : r.scope == ScopeRule::kOrgInPath ? "organisation in path"
                                                         : "filtered to scope";
      if (r.method != http::Method::kGet) op["x-csrf"] = true;
    } else {
      op["security"] = json::array();
    }
    paths[std::string(r.path)][method] = op;
  }
  json doc = {
      {"openapi", "3.0.3"},
      {"info",
       {{"title", "Shewhart API"},
        {"version", "0.1.0"},
        {"description",
         "Sign in with POST /api/session; send the returned csrf_token as X-CSRF-Token on every "
         "write."}}},
      {"paths", paths},
      {"components",
       {{"securitySchemes",
         {{"session", {{"type", "apiKey"}, {"in", "cookie"}, {"name", "shewhart_session"}}}}},
        {"schemas",
         {{"Error",
           {{"type", "object"},
            {"properties",
             {{"error",
               {{"type", "object"},
                {"properties",
                 {{"code", {{"type", "string"}}},
                  {"message", {{"type", "string"}}},
                  {"details", json::object()}}}}}}}}}}}}}};
  return http::DumpJson(doc);
}

}  // namespace shewhart::server
