#include "app/server_commands.h"

#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "access/access.h"
#include "access/audit.h"
#include "base/status.h"
#include "base/time.h"
#include "db/db.h"
#include "http/server.h"
#include "schema/schema.h"
#include "server/server.h"

namespace shewhart::app {
namespace {

constexpr const char* kServeDescription =
    R"(Serve Shewhart: the JSON API under /api/ and the web front end.

Opens the database (creating and migrating it as needed) and listens until stopped with Ctrl-C.
Sign in with an account made by `shewhart user add`. The API is described at
/api/openapi.json; errors always come as {"error":{"code","message","details"}}.

Example:
  shewhart demo --db sqlite:demo.db
  printf '%s\n' 'a long passphrase' | shewhart user add --db sqlite:demo.db \
      --email admin@example.nhs.uk --role administrator --password-stdin
  shewhart serve --db sqlite:demo.db --listen 127.0.0.1:8080)";

constexpr const char* kUserAddDescription = R"(Create an account.

The password is read from the first line of standard input (never from the command line, where
other users of the machine could see it); at least 12 characters. Roles: administrator,
system_quality_lead, organisation_quality_lead, qi_practitioner, data_submitter, viewer.
organisation_quality_lead and data_submitter need --org (the ODS code of their organisation).)";

struct ServeOptions {
  std::string db = "sqlite:shewhart.db";
  std::string listen = "127.0.0.1:8080";
  std::string static_dir;
  int threads = 8;
  bool quiet = false;
  std::optional<bool> secure_cookies;  // default: on unless listening on loopback
  std::vector<std::string> trusted_proxies;
  std::vector<std::string> read_dbs;  // streaming replicas of --db (PostgreSQL)
  int read_own_writes_s = 10;
  int drain_s = 30;
};

// 127.0.0.0/8, ::1 and "localhost": a browser reaches these over plain HTTP.
bool IsLoopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.starts_with("127.");
}

Status Serve(const ServeOptions& o) {
  const size_t colon = o.listen.rfind(':');
  int port = -1;
  if (colon != std::string::npos) {
    const char* begin = o.listen.data() + colon + 1;
    const char* end = o.listen.data() + o.listen.size();
    auto [ptr, ec] = std::from_chars(begin, end, port);
    if (ec != std::errc() || ptr != end) port = -1;
  }
  if (colon == std::string::npos || colon == 0 || port < 0 || port > 65535) {
    return InvalidArgumentError("--listen " + o.listen +
                                ": expected HOST:PORT, e.g. 127.0.0.1:8080");
  }
  const std::string host = o.listen.substr(0, colon);
  // Signals are taken by one thread (sigwait) so that Ctrl-C stops the server cleanly.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const bool secure = o.secure_cookies.value_or(!IsLoopback(host));
  ASSIGN_OR_RETURN(std::unique_ptr<server::Api> api,
                   server::Api::Create({.db_url = o.db,
                                        .read_db_urls = o.read_dbs,
                                        .read_own_writes_s = o.read_own_writes_s,
                                        .pool_size = o.threads,
                                        .secure_cookies = secure,
                                        .trusted_proxies = o.trusted_proxies}));
  http::ServerOptions so;
  so.host = host;
  so.port = port;
  so.static_dir = o.static_dir;
  so.threads = o.threads;
  if (o.quiet) so.access_log = [](std::string_view) {};
  http::Server srv(so, [&api](const http::Request& r) { return api->Handle(r); });
  ASSIGN_OR_RETURN(int bound, srv.Bind());
  std::cout << "Shewhart is serving http://" << host << ":" << bound << "/ (database " << o.db
            << ")\n"
            << "Sign in at http://" << host << ":" << bound
            << "/ or with POST /api/session {\"email\",\"password\"} using an account made by\n"
            << "  shewhart user add --db " << o.db
            << " --email you@example.nhs.uk --role administrator --password-stdin\n"
            << "The API is described at http://" << host << ":" << bound
            << "/api/openapi.json. Stop with Ctrl-C.\n";
  if (!o.read_dbs.empty()) {
    std::cout << "Reads are served from " << o.read_dbs.size() << " replica(s); writes, and "
              << "each writer's reads for " << o.read_own_writes_s << " s, from the primary.\n";
  }
  std::cout << std::flush;
  // SIGTERM or Ctrl-C: stop accepting, finish every request in flight, then exit (a load
  // balancer sends new requests to the other servers meanwhile).
  std::thread stopper([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    srv.Drain(std::chrono::seconds(o.drain_s));
  });
  Status status = srv.Listen();
  // Wake the signal thread if the server ended on its own.
  pthread_kill(stopper.native_handle(), SIGTERM);
  stopper.join();
  return status;
}

struct UserAddOptions {
  std::string db = "sqlite:shewhart.db";
  std::string email;
  std::string role;
  std::string org;
  bool password_stdin = false;
};

Status UserAdd(const UserAddOptions& o) {
  if (!o.password_stdin) {
    return InvalidArgumentError("give the password on standard input with --password-stdin");
  }
  const std::optional<access::Role> role = access::ParseRole(o.role);
  if (!role) {
    return InvalidArgumentError("--role " + o.role +
                                ": expected administrator, system_quality_lead, "
                                "organisation_quality_lead, qi_practitioner, data_submitter or "
                                "viewer");
  }
  std::string password;
  if (!std::getline(std::cin, password) && password.empty()) {
    return InvalidArgumentError("no password on standard input");
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> conn, db::Open(o.db));
  RETURN_IF_ERROR(schema::MigrateAll(*conn));
  const char* user = std::getenv("USER");
  const std::string actor = std::string("cli:") + (user ? user : "unknown");
  const std::string now = NowUtc();
  ASSIGN_OR_RETURN(int64_t id,
                   access::CreateAccount(*conn, {o.email, *role, o.org}, password, actor, now));
  std::cout << "created " << o.role << " " << o.email << " (account " << id << ")\n";
  return Status::Ok();
}

}  // namespace

void AddServerCommands(CLI::App& app, CommandSet& commands) {
  auto serve_options = std::make_shared<ServeOptions>();
  CLI::App* serve = app.add_subcommand("serve", kServeDescription);
  serve->add_option("--db", serve_options->db,
                    "The database: sqlite:PATH (default sqlite:shewhart.db) or postgresql://...");
  serve->add_option("--listen", serve_options->listen,
                    "HOST:PORT to listen on (default 127.0.0.1:8080; 0.0.0.0:8080 for all "
                    "interfaces — put HTTPS in front)");
  serve->add_option("--static", serve_options->static_dir,
                    "A folder of web front-end files to serve at / (e.g. ui/dist)");
  serve
      ->add_option("--threads", serve_options->threads,
                   "Worker threads and database connections (default 8)")
      ->check(CLI::Range(1, 256));
  serve->add_flag("--quiet", serve_options->quiet, "Do not write the access log to stderr");
  serve->add_flag("--secure-cookies,!--no-secure-cookies", serve_options->secure_cookies,
                  "Mark the session cookie Secure (HTTPS only). Default: on, unless --listen is "
                  "a loopback address (127.0.0.1, ::1), where a browser may use plain HTTP");
  serve->add_option("--trusted-proxy", serve_options->trusted_proxies,
                    "The address of a reverse proxy (e.g. 127.0.0.1 for nginx on the same "
                    "machine) whose X-Forwarded-For names the client; repeatable. Without it "
                    "X-Forwarded-For is ignored");
  serve->add_option("--db-read", serve_options->read_dbs,
                    "A streaming replica of --db (postgresql://...) to serve reads from; "
                    "repeatable or comma-separated. Writes, and a writer's own reads for "
                    "--read-own-writes seconds after each write, go to --db")
      ->delimiter(',');
  serve
      ->add_option("--read-own-writes", serve_options->read_own_writes_s,
                   "Seconds after a write during which the writer's reads go to the primary "
                   "(default 10; longer than the replicas' worst lag)")
      ->check(CLI::Range(1, 3600));
  serve
      ->add_option("--drain", serve_options->drain_s,
                   "On SIGTERM or Ctrl-C, seconds to let requests in flight finish before "
                   "exiting (default 30)")
      ->check(CLI::Range(0, 3600));
  commands.Bind(serve, [serve_options](std::string*) { return Serve(*serve_options); });

  CLI::App* user = app.add_subcommand("user", "Manage accounts (see `shewhart user add --help`)");
  user->require_subcommand(1);
  auto add_options = std::make_shared<UserAddOptions>();
  CLI::App* add = user->add_subcommand("add", kUserAddDescription);
  add->add_option("--db", add_options->db,
                  "The database: sqlite:PATH (default sqlite:shewhart.db) or postgresql://...");
  add->add_option("--email", add_options->email, "The person's e-mail address")->required();
  add->add_option("--role", add_options->role, "Their role (see above)")->required();
  add->add_option("--org", add_options->org, "The ODS code of their organisation");
  add->add_flag("--password-stdin", add_options->password_stdin,
                "Read the password from standard input (required)");
  commands.Bind(add, [add_options](std::string*) { return UserAdd(*add_options); });
}

}  // namespace shewhart::app
