// server: the JSON API of `shewhart serve` — every route, who may call it, and the handlers over
// the data platform's and the engine's services. The route table (routes.h) is the whole API
// surface in one file; the OpenAPI document is generated from it (openapi.h).
//
// One place enforces access (Api::Handle): for each request it matches the route, then
//   1. a route that needs a session answers 401 without a live one (cookie shewhart_session);
//   2. a role not in the route's RoleSet -> 403;
//   3. a write (POST/PUT/DELETE) from a session without the right X-CSRF-Token -> 403;
//   4. a route scoped to the organisation in its path ({org}) -> 404 "not visible" when the
//      organisation is outside the person's scope (so its existence is not revealed);
//   5. a body over the route's limit -> 413;
// and only then calls the handler. Handlers are thin: parse, call one service, encode. Every
// write records an audit entry in the same transaction.
//
// Migrations: Api::Create applies schema::MigrateAll (schema/schema.h), the one list of every
// part's schema changes that every command uses.
//
// Database connections: a pool of `pool_size` connections opened from `db_url` (and as many to
// each read replica in `read_db_urls`); a request holds one for its duration. Thread-safe.
//
// Documents (board, the board's report, funnel, standing, benchmark, series, trend, the list of
// organisations) are answered from the document cache (doc_cache.h) while the database's data
// version (access::DataVersion) is unchanged, with ETag / If-None-Match and precompressed gzip.
//
// Example:
//   ASSIGN_OR_RETURN(std::unique_ptr<server::Api> api, server::Api::Create({.db_url = url}));
//   http::Server s(options, [&](const http::Request& r) { return api->Handle(r); });
#ifndef SHEWHART_SERVER_SERVER_H_
#define SHEWHART_SERVER_SERVER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "db/db.h"
#include "http/http.h"

namespace shewhart::server {

struct ApiOptions {
  std::string db_url;  // the primary: every write, and every read that must see its own write
  // Streaming replicas of the primary (PostgreSQL): a GET is served from one of them (in turn)
  // unless the caller wrote within `read_own_writes_s` seconds — every successful write answers
  // with a cookie (shewhart_wrote) that lasts that long, and a request carrying it goes to the
  // primary. A session a replica does not know yet (lag after sign-in) is looked up on the
  // primary, and the request stays there. Empty: everything on the primary.
  std::vector<std::string> read_db_urls;
  int read_own_writes_s = 10;
  size_t doc_cache_bytes = 256u << 20;  // the document cache (doc_cache.h); 0 turns it off
  int pool_size = 8;  // connections to the primary, and to each replica
  size_t max_json_body_bytes = 64u << 10;  // JSON bodies; uploads have max_upload_bytes
  size_t max_upload_bytes = 16u << 20;
  bool secure_cookies = false;  // add "Secure" to the session cookie (behind HTTPS)
  // Addresses of reverse proxies (nginx) whose X-Forwarded-For is believed: a request from one
  // of them is attributed (throttling, audit) to the right-most address in X-Forwarded-For that
  // is not itself a trusted proxy. From anyone else, X-Forwarded-For is ignored.
  std::vector<std::string> trusted_proxies;
  std::function<int64_t()> clock;  // Unix seconds; nullptr = the system clock (tests inject)
};

// The client's address for throttling and the audit log: the socket peer, or — when the peer is
// one of `trusted_proxies` — the right-most X-Forwarded-For entry that is not itself a trusted
// proxy (entries to its left are the client's own claims and can be forged).
std::string ClientAddress(const http::Request& req,
                          const std::vector<std::string>& trusted_proxies);

class Api {
 public:
  // Opens the pool and migrates the database.
  static Result<std::unique_ptr<Api>> Create(ApiOptions options);
  ~Api();

  // Answers one /api/ request (thread-safe).
  http::Response Handle(const http::Request& request);

 private:
  struct State;
  explicit Api(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace shewhart::server

#endif  // SHEWHART_SERVER_SERVER_H_
