// The one place where access is enforced: route matching, session, role, CSRF, scope and body
// limits, then the handler; every Status becomes an HTTP answer through http::ErrorResponse.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>

#include "access/access.h"
#include "base/identifiers.h"
#include "base/time.h"
#include "dictionary/dictionary.h"
#include "directory/directory.h"
#include "http/json.h"
#include "oversight/spc_store.h"
#include "schema/schema.h"
#include "access/audit.h"
#include "server/doc_cache.h"
#include "server/internal/context.h"
#include "server/routes.h"
#include "server/server.h"

namespace shewhart::server {
namespace {

// Multi-line messages (an import's problems, one per line) also come as a list in "details".
std::string DetailsOf(const Status& status) {
  const std::string& m = status.message();
  if (m.find('\n') == std::string::npos) return "null";
  std::string out = "[";
  size_t start = 0;
  bool first = true;
  while (start <= m.size()) {
    size_t end = m.find('\n', start);
    if (end == std::string::npos) end = m.size();
    if (end > start) {
      if (!first) out += ",";
      out += http::JsonQuote(m.substr(start, end - start));
      first = false;
    }
    start = end + 1;
  }
  return out + "]";
}

bool IsWrite(http::Method m) { return m != http::Method::kGet; }

// Read-mostly documents kept by the document cache: their answers depend only on the request,
// who may see what, the day and the data.
bool IsDocument(std::string_view action) {
  return action == "board.read" || action == "board.report" || action == "funnel.read" ||
         action == "standing.read" || action == "benchmark.read" || action == "series.read" ||
         action == "trend.read" || action == "organisation.list";
}

// Set on every successful write when there are read replicas: the writer's reads go to the
// primary while it lasts (ApiOptions::read_own_writes_s).
constexpr std::string_view kWroteCookie = "shewhart_wrote";

// What of a document the caller may see: the role and, below system scope, the organisation.
std::string VisibilityKey(const access::Principal* p) {
  if (p == nullptr) return "-";
  std::string key(access::RoleName(p->account.role));
  key += ':';
  key += access::HasSystemScope(p->account.role)
             ? std::string("*")
             : std::to_string(p->account.org_unit_id.value_or(0));
  return key;
}

// "application/json", optionally with parameters ("; charset=utf-8"), in any case.
bool IsJsonContentType(std::string_view value) {
  const size_t semi = value.find(';');
  std::string_view type = value.substr(0, semi);
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  if (type.size() != 16) return false;
  for (size_t i = 0; i < type.size(); ++i) {
    char c = type[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != "application/json"[i]) return false;
  }
  return true;
}

// Fields that are secrets, not text to keep: never screened (a password may hold any digits).
bool IsSecretField(std::string_view key) { return key == "password" || key.ends_with("_password"); }

// The ONE identifier screen (base/identifiers.h) over every string of a JSON document.
Status ScreenJson(const nlohmann::json& value, const std::string& field, int depth = 0) {
  if (depth > 32) return InvalidArgumentError("the JSON body is nested too deeply");
  if (value.is_string()) return ScreenFreeText(field, value.get_ref<const std::string&>());
  if (value.is_object()) {
    for (const auto& [k, v] : value.items()) {
      RETURN_IF_ERROR(ScreenFreeText("a field name", k));
      if (IsSecretField(k)) continue;
      RETURN_IF_ERROR(ScreenJson(v, "\"" + k + "\"", depth + 1));
    }
  } else if (value.is_array()) {
    for (const auto& v : value) RETURN_IF_ERROR(ScreenJson(v, field, depth + 1));
  }
  return Status::Ok();
}

// Every free text a request carries: query and path parameters, and each string of a JSON body.
// Upload bodies are screened cell by cell by the imports.
Status ScreenRequest(const http::Request& req, BodyKind body) {
  for (const auto& [k, v] : req.query) RETURN_IF_ERROR(ScreenFreeText("\"" + k + "\"", v));
  for (const auto& [k, v] : req.path_params) RETURN_IF_ERROR(ScreenFreeText("{" + k + "}", v));
  if (body != BodyKind::kJson || req.body.empty()) return Status::Ok();
  const nlohmann::json doc = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::Ok();  // the handler reports malformed JSON
  return ScreenJson(doc, "the body");
}

}  // namespace

std::string ClientAddress(const http::Request& req, const std::vector<std::string>& trusted) {
  auto is_trusted = [&](std::string_view a) {
    return std::find(trusted.begin(), trusted.end(), a) != trusted.end();
  };
  if (trusted.empty() || !is_trusted(req.remote_addr)) return req.remote_addr;
  std::string address = req.remote_addr;
  const auto [first, last] = req.headers.equal_range("x-forwarded-for");
  std::vector<std::string> hops;
  for (auto it = first; it != last; ++it) {
    std::string_view v = it->second;
    while (!v.empty()) {
      const size_t comma = v.find(',');
      std::string_view hop = v.substr(0, comma);
      while (!hop.empty() && hop.front() == ' ') hop.remove_prefix(1);
      while (!hop.empty() && hop.back() == ' ') hop.remove_suffix(1);
      if (!hop.empty()) hops.emplace_back(hop);
      v = comma == std::string_view::npos ? std::string_view() : v.substr(comma + 1);
    }
  }
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    address = *it;
    if (!is_trusted(*it)) break;
  }
  if (address.size() > 64) address.resize(64);
  return address;
}


Result<access::Scope> RequestContext::Scope() {
  if (!scope_cache) {
    if (principal == nullptr) return access::Scope{};
    ASSIGN_OR_RETURN(access::Scope s, access::ScopeOf(conn, principal->account));
    scope_cache = std::move(s);
  }
  return *scope_cache;
}

Status RequestContext::Audit(std::string action, std::string target, std::string before,
                             std::string after) {
  return access::RecordAudit(conn, {.at = now,
                                    .actor = principal ? Actor() : "anonymous",
                                    .action = std::move(action),
                                    .target = std::move(target),
                                    .before = std::move(before),
                                    .after = std::move(after),
                                    .remote = req.remote_addr});
}

// Connections to one database.
struct Pool {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::unique_ptr<db::Connection>> idle;

  std::unique_ptr<db::Connection> Acquire() {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return !idle.empty(); });
    std::unique_ptr<db::Connection> c = std::move(idle.back());
    idle.pop_back();
    return c;
  }
  void Release(std::unique_ptr<db::Connection> c) {
    {
      std::lock_guard<std::mutex> lock(mu);
      idle.push_back(std::move(c));
    }
    cv.notify_one();
  }
};

struct Api::State {
  ApiOptions options;
  access::LoginThrottle throttle;
  Pool primary;
  std::vector<std::unique_ptr<Pool>> replicas;
  std::atomic<size_t> next_replica{0};
  std::unique_ptr<DocCache> docs;

  Pool& NextReplica() { return *replicas[next_replica.fetch_add(1) % replicas.size()]; }
  int64_t Now() const {
    if (options.clock) return options.clock();
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

Api::Api(std::unique_ptr<State> state) : state_(std::move(state)) {}
Api::~Api() = default;

Result<std::unique_ptr<Api>> Api::Create(ApiOptions options) {
  auto state = std::make_unique<State>();
  state->options = std::move(options);
  const int n = std::max(1, state->options.pool_size);
  for (int i = 0; i < n; ++i) {
    ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> conn, db::Open(state->options.db_url));
    if (i == 0) RETURN_IF_ERROR(schema::MigrateAll(*conn));
    state->primary.idle.push_back(std::move(conn));
  }
  for (const std::string& url : state->options.read_db_urls) {
    auto pool = std::make_unique<Pool>();
    for (int i = 0; i < n; ++i) {
      ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> conn, db::Open(url));
      pool->idle.push_back(std::move(conn));
    }
    state->replicas.push_back(std::move(pool));
  }
  if (state->options.doc_cache_bytes > 0) {
    state->docs = std::make_unique<DocCache>(state->options.doc_cache_bytes);
  }
  return std::unique_ptr<Api>(new Api(std::move(state)));
}

http::Response Api::Handle(const http::Request& request) {
  // 1. The route.
  const Route* route = nullptr;
  bool path_known = false;
  http::Request req = request;
  req.remote_addr = ClientAddress(request, state_->options.trusted_proxies);
  for (const Route& r : Routes()) {
    if (!http::MatchPath(r.path, req.path, &req.path_params)) continue;
    path_known = true;
    if (r.method == req.method) {
      route = &r;
      break;
    }
  }
  if (route == nullptr) {
    return path_known ? http::ProtocolError(405, "this method is not allowed on this path")
                      : http::ProtocolError(404, "no such API route");
  }
  // Body limits before anything touches the database.
  const size_t limit = route->body == BodyKind::kUpload ? state_->options.max_upload_bytes
                                                        : state_->options.max_json_body_bytes;
  if (req.body.size() > limit) {
    return http::ProtocolError(
        413, "the request body is larger than " + std::to_string(limit) + " bytes");
  }
  // JSON routes take application/json only: a cross-site form or a "simple" fetch can send
  // text/plain without a preflight (login CSRF), but not application/json.
  if (route->body == BodyKind::kJson && !req.body.empty() &&
      !IsJsonContentType(req.Header("content-type"))) {
    return http::ProtocolError(415, "send the body as Content-Type: application/json");
  }
  if (Status screened = ScreenRequest(req, route->body); !screened.ok()) {
    return http::ErrorResponse(screened);
  }

  // A read goes to a replica unless the caller has just written (their own write must show).
  const bool on_replica = !state_->replicas.empty() && !IsWrite(route->method) &&
                          req.Cookie(kWroteCookie).empty();
  Pool* pool = on_replica ? &state_->NextReplica() : &state_->primary;
  std::unique_ptr<db::Connection> conn = pool->Acquire();
  struct Return {
    Pool** p;
    std::unique_ptr<db::Connection>* c;
    ~Return() { (*p)->Release(std::move(*c)); }
  } give_back{&pool, &conn};
  // A connection left inside a failed transaction would poison the next request: the handlers
  // use scoped db::Transaction objects, which always end theirs.
  auto to_primary = [&] {
    pool->Release(std::move(conn));
    pool = &state_->primary;
    conn = pool->Acquire();
  };

  const int64_t now_s = state_->Now();
  // 2. Who is asking.
  std::optional<access::Principal> principal;
  if (route->auth == Auth::kSession) {
    Result<std::optional<access::Principal>> who =
        access::Authenticate(*conn, req.Cookie(access::kSessionCookie), now_s);
    if (on_replica && (!who.ok() || !who->has_value())) {
      // The replica has not replayed the sign-in yet, or cannot be reached: the primary answers.
      to_primary();
      who = access::Authenticate(*conn, req.Cookie(access::kSessionCookie), now_s);
    }
    if (!who.ok()) return http::ErrorResponse(who.status());
    if (!who->has_value()) return http::ProtocolError(401, "please sign in");
    principal = std::move(**who);
    // 3. Role.
    if (!route->roles.Contains(principal->account.role)) {
      return http::ProtocolError(403, "your role (" +
                                          std::string(access::RoleName(principal->account.role)) +
                                          ") may not do this");
    }
    // 4. CSRF on every write from a session.
    if (IsWrite(route->method) && !access::CsrfMatches(*principal, req.Header("x-csrf-token"))) {
      return http::ProtocolError(403, "missing or wrong X-CSRF-Token header");
    }
  }
  RequestContext ctx{req,
                     *conn,
                     principal ? &*principal : nullptr,
                     now_s,
                     IsoUtc(now_s),
                     state_->options,
                     state_->throttle};
  // 5. Scope of restricted data named in the path.
  if (route->scope == ScopeRule::kOrgInPath) {
    Result<std::optional<int64_t>> unit = directory::FindUnitId(*conn, req.Param("org"));
    if (!unit.ok()) return http::ErrorResponse(unit.status());
    Result<access::Scope> scope = ctx.Scope();
    if (!scope.ok()) return http::ErrorResponse(scope.status());
    if (!unit->has_value() || !scope->Contains(**unit)) {
      return http::ProtocolError(404, "no such organisation, or not visible to you");
    }
  }
  // 6. A document from the cache, while the data are what they were when it was made.
  if (state_->docs != nullptr && route->method == http::Method::kGet &&
      IsDocument(route->action)) {
    Result<int64_t> version = access::DataVersion(*conn);
    if (!version.ok()) return http::ErrorResponse(version.status());
    const std::string key = DocCache::Key(route->action, req, VisibilityKey(ctx.principal),
                                          ctx.now.substr(0, 10));
    if (std::shared_ptr<const DocCache::Entry> hit = state_->docs->Find(key, *version)) {
      return DocCache::Answer(*hit, req);
    }
    Result<http::Response> made = route->handler(ctx);
    if (!made.ok()) return http::ErrorResponse(made.status(), DetailsOf(made.status()));
    if (made->status != 200) return std::move(*made);
    return DocCache::Answer(*state_->docs->Put(key, *version, std::move(*made)), req);
  }
  Result<http::Response> out = route->handler(ctx);
  if (!out.ok()) return http::ErrorResponse(out.status(), DetailsOf(out.status()));
  if (!state_->replicas.empty() && IsWrite(route->method) && out->status < 400) {
    out->headers.emplace_back(
        "Set-Cookie", std::string(kWroteCookie) + "=1; Max-Age=" +
                          std::to_string(state_->options.read_own_writes_s) +
                          "; Path=/; HttpOnly; SameSite=Strict" +
                          (state_->options.secure_cookies ? "; Secure" : ""));
  }
  return std::move(*out);
}

}  // namespace shewhart::server
