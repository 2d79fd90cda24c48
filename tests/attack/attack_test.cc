// The attack tests of issue 17, against a live `shewhart serve` process: every attack that once
// succeeded is repeated and must fail — padded unit codes, unbounded and chunked bodies, header
// floods, slow clients, .xlsx bombs, throttling races, formula cells, every spelling of an NHS
// number, a second server on the same port, login CSRF, export floods. The server's memory is
// read from /proc: its peak (VmHWM) must stay within kMemoryBoundMb of its idle size, and
// /api/health must answer within a second while 50 slow clients are connected. Every attack has
// a time bound; the whole suite takes well under a minute.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "access/access.h"
#include "db/db.h"
#include "http/test_harness.h"
#include "imports/imports.h"
#include "imports/table.h"
#include "imports/testing/xlsx_bombs.h"
#include "schema/schema.h"
#include "server/server.h"

namespace shewhart {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

// The documented bound (README.md "The HTTP layer", docs/deployment.md): under every attack
// below, the server's peak memory stays within this of its idle size.
constexpr long kMemoryBoundMb = 256;
constexpr std::string_view kPassword = "correct horse battery staple";

double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

long ProcStatusKb(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
  }
  return -1;
}

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// A raw TCP connection.
class Raw {
 public:
  explicit Raw(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~Raw() { close(fd_); }
  bool connected() const { return connected_; }
  bool Send(std::string_view bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }
  // The status of the first answer (0 if none within `timeout_ms`).
  int Status(int timeout_ms = 5000) {
    std::string out;
    char buf[4096];
    while (out.find("\r\n") == std::string::npos) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, timeout_ms) <= 0) break;
      const ssize_t n = recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    if (!out.starts_with("HTTP/1.1 ")) return 0;
    return std::atoi(out.c_str() + 9);
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

// The binary under attack: SHEWHART_ATTACK_BINARY overrides the one built beside this test (to
// show that an older build fails these tests).
std::string Binary() {
  const char* over = std::getenv("SHEWHART_ATTACK_BINARY");
  return over != nullptr && *over != '\0' ? over : SHEWHART_BINARY;
}

// `shewhart serve` as a child process.
class ServerProcess {
 public:
  ServerProcess(const std::string& db, int port, std::vector<std::string> extra = {}) {
    log_ = fs::temp_directory_path() /
           ("shewhart_attack_" + std::to_string(getpid()) + "_" + std::to_string(port) + ".log");
    std::vector<std::string> args = {
        Binary(), "serve", "--db", db, "--listen", "127.0.0.1:" + std::to_string(port), "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = fork();
    if (pid_ == 0) {
      const int fd = open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      dup2(fd, 1);
      dup2(fd, 2);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
  }
  ~ServerProcess() { Stop(); }
  // Waits until /api/health answers; false if the process exited first.
  bool WaitReady(int port) {
    for (int i = 0; i < 300; ++i) {
      if (Exited()) return false;
      http::TestClient c(port);
      if (c.Send("GET", "/api/health").status == 200) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  // True (and the exit status in *status) once the process has ended.
  bool Exited(int* status = nullptr) {
    if (pid_ <= 0) return true;
    int st = 0;
    if (waitpid(pid_, &st, WNOHANG) == pid_) {
      exit_status_ = st;
      pid_ = -1;
    }
    if (status != nullptr) *status = exit_status_;
    return pid_ <= 0;
  }
  void Stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int st = 0;
      waitpid(pid_, &st, 0);
      pid_ = -1;
    }
  }
  pid_t pid() const { return pid_; }
  std::string Log() const {
    std::ifstream in(log_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  pid_t pid_ = -1;
  int exit_status_ = 0;
  fs::path log_;
};

struct Browser {
  std::unique_ptr<http::TestClient> client;
  std::string csrf;
  http::TestResponse Send(const std::string& method, const std::string& target,
                          const std::string& body = "",
                          const std::string& type = "application/json") {
    std::vector<std::pair<std::string, std::string>> h;
    if (!csrf.empty()) h.emplace_back("X-CSRF-Token", csrf);
    return client->Send(method, target, body, h, type);
  }
};

class AttackTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    access::UseFastPasswordHashingForTests();
    dir_ =
        new fs::path(fs::temp_directory_path() / ("shewhart_attack_" + std::to_string(getpid())));
    fs::remove_all(*dir_);
    fs::create_directories(*dir_);
    db_ = new std::string("sqlite:" + (*dir_ / "attack.db").string());
    auto conn = db::Open(*db_);
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE(schema::MigrateAll(**conn).ok());
    imports::ImportOptions o{.actor = "test", .now = "2024-05-02T10:00:00Z"};
    const std::string orgs =
        "code,name,kind,parent,opened,closed,successor,member_of\nQHL,Test ICS,system,,,,,\n"
        "RJZ,King's,acute trust,QHL,,,,\nRYJ,Imperial,acute trust,QHL,,,,\n"
        "RXX,\"=HYPERLINK(\"\"http://evil.example\"\")\",acute trust,QHL,,,,\n";
    ASSERT_TRUE(
        imports::ImportOrganisations(**conn, *imports::ParseCsvTable("o.csv", orgs), "x", o).ok());
    const std::string metrics =
        "code,applies_from,name,definition,unit,measure,multiplier,improvement_direction,"
        "chart_type,frequency,domain,status\n"
        "AE4H,,A&E 4 hours,Share seen in 4 hours,%,value,1,increase,xmr,monthly,responsive,"
        "agreed\n";
    auto m = imports::ImportMetrics(**conn, *imports::ParseCsvTable("m.csv", metrics), "y", o);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    std::string obs = "metric,unit,period,value\n";
    for (const char* u : {"RJZ", "RYJ"}) {
      for (int i = 1; i <= 12; ++i) {
        char p[16];
        std::snprintf(p, sizeof(p), "2023-%02d-01", i);
        obs += std::string("AE4H,") + u + "," + p + "," + std::to_string(80 + i % 5) + "\n";
      }
    }
    auto ob = imports::ImportObservations(**conn, *imports::ParseCsvTable("ob.csv", obs), "z", o);
    ASSERT_TRUE(ob.ok()) << ob.status().ToString();
    for (const auto& [email, role, org] :
         {std::tuple{"admin@nhs.net", access::Role::kAdministrator, ""},
          std::tuple{"submitter@nhs.net", access::Role::kDataSubmitter, "RJZ"},
          std::tuple{"viewer@nhs.net", access::Role::kViewer, "RJZ"},
          std::tuple{"victim@nhs.net", access::Role::kViewer, "RJZ"}}) {
      ASSERT_TRUE(
          access::CreateAccount(**conn, {email, role, org}, kPassword, "t", "2024-05-02T10:00:00Z")
              .ok());
    }
    conn->reset();
    port_ = FreePort();
    server_ = new ServerProcess(*db_, port_, ServerArgs());
    ASSERT_TRUE(server_->WaitReady(port_)) << server_->Log();
    // Idle size: after a few ordinary requests.
    Browser b = SignIn("viewer@nhs.net");
    for (int i = 0; i < 20; ++i) b.Send("GET", "/api/board");
    idle_kb_ = ProcStatusKb(server_->pid(), "VmRSS");
  }

  static void TearDownTestSuite() {
    if (server_ != nullptr) {
      const long hwm = ProcStatusKb(server_->pid(), "VmHWM");
      std::printf("server memory: idle %ld KiB, peak %ld KiB over the whole attack suite\n",
                  idle_kb_, hwm);
    }
    delete server_;
    server_ = nullptr;
    if (dir_ != nullptr) fs::remove_all(*dir_);
    delete dir_;
    delete db_;
  }

  void TearDown() override {
    // After every attack: still serving, and the peak within the bound.
    ASSERT_FALSE(server_->Exited()) << server_->Log();
    const long hwm = ProcStatusKb(server_->pid(), "VmHWM");
    std::printf("server memory: idle %ld KiB, peak %ld KiB\n", idle_kb_, hwm);
    EXPECT_LT(hwm - idle_kb_, kMemoryBoundMb * 1024)
        << "peak " << hwm << " KiB, idle " << idle_kb_ << " KiB";
    http::TestClient c(port_);
    EXPECT_EQ(c.Send("GET", "/api/health").status, 200);
  }

  // As behind nginx on the same machine: 127.0.0.1 is the trusted proxy, so the race below can
  // come from many client addresses (X-Forwarded-For) without locking out the test's own.
  static std::vector<std::string> ServerArgs() { return {"--trusted-proxy", "127.0.0.1"}; }

  static Browser SignIn(const std::string& email) {
    Browser b{std::make_unique<http::TestClient>(port_), ""};
    json body = {{"email", email}, {"password", kPassword}};
    http::TestResponse r = b.client->Send("POST", "/api/session", body.dump());
    EXPECT_EQ(r.status, 200) << email << " " << r.body;
    b.csrf = json::parse(r.body, nullptr, false).value("csrf_token", "");
    return b;
  }

  static inline fs::path* dir_ = nullptr;
  static inline std::string* db_ = nullptr;
  static inline int port_ = 0;
  static inline ServerProcess* server_ = nullptr;
  static inline long idle_kb_ = 0;
};

// Finding 1: " RYJ" in the unit cell (CSV and .xlsx) wrote another trust's observations.
TEST_F(AttackTest, PaddedUnitCodesStayOutOfScope) {
  Browser submitter = SignIn("submitter@nhs.net");
  Browser viewer = SignIn("viewer@nhs.net");
  const std::string before = viewer.Send("GET", "/api/observations/AE4H/RYJ").body;
  std::vector<std::pair<std::string, std::string>> files;
  for (const char* unit : {" RYJ", "RYJ ", "\tRYJ", "RYJ\t"}) {
    files.emplace_back("csv",
                       std::string("metric,unit,period,value\nAE4H,") + unit + ",2023-01-01,1\n");
  }
  files.emplace_back(
      "xlsx", testing::XlsxWithSheet(
                  "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>metric</t></is></c>"
                  "<c r=\"B1\" t=\"inlineStr\"><is><t>unit</t></is></c>"
                  "<c r=\"C1\" t=\"inlineStr\"><is><t>period</t></is></c>"
                  "<c r=\"D1\" t=\"inlineStr\"><is><t>value</t></is></c></row>"
                  "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>AE4H</t></is></c>"
                  "<c r=\"B2\" t=\"inlineStr\"><is><t xml:space=\"preserve\"> RYJ </t></is></c>"
                  "<c r=\"C2\" t=\"inlineStr\"><is><t>2023-01-01</t></is></c>"
                  "<c r=\"D2\"><v>1</v></c></row>"));
  for (const auto& [kind, content] : files) {
    http::TestResponse up =
        submitter.Send("POST", "/api/imports?kind=observations&file_name=f." + kind, content,
                       kind == "csv" ? "text/csv" : "application/octet-stream");
    ASSERT_EQ(up.status, 201) << up.body;
    const std::string id = std::to_string(json::parse(up.body)["id"].get<int64_t>());
    EXPECT_EQ(submitter.Send("POST", "/api/imports/" + id + "/commit").status, 403) << kind;
  }
  EXPECT_EQ(viewer.Send("GET", "/api/observations/AE4H/RYJ").body, before);
}

// Finding 2: a body without Content-Length, or chunked, was buffered without limit.
TEST_F(AttackTest, UnboundedAndChunkedBodiesAreRefused) {
  const long rss_before = ProcStatusKb(server_->pid(), "VmRSS");
  const std::string mib(1 << 20, 'a');
  const auto start = Clock::now();
  {
    // No length: no body; the stream that follows is a malformed next request.
    Raw c(port_);
    ASSERT_TRUE(c.Send("POST /api/imports HTTP/1.1\r\nHost: x\r\n\r\n"));
    for (int i = 0; i < 64 && c.Send(mib); ++i) {
    }
    EXPECT_NE(c.Status(), 0);
  }
  // Chunked: refused once past the largest body (16 MiB); eight at once stay within the budget.
  std::vector<std::thread> threads;
  std::atomic<int> refused{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      Raw c(port_);
      c.Send("POST /api/imports HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
      const std::string chunk = "100000\r\n" + mib + "\r\n";
      for (int i = 0; i < 64 && c.Send(chunk); ++i) {
      }
      const int st = c.Status();
      if (st == 413 || st == 503) ++refused;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(refused.load(), 8);
  EXPECT_LT(SecondsSince(start), 30.0);
  EXPECT_LT(ProcStatusKb(server_->pid(), "VmRSS") - rss_before, 128 * 1024);
}

// Finding 2: a million request headers added 320 MB.
TEST_F(AttackTest, HeaderFloodsAreRefused) {
  Raw c(port_);
  c.Send("GET /api/health HTTP/1.1\r\n");
  std::string batch;
  for (int i = 0; i < 10000; ++i) batch += "X-" + std::to_string(i) + ": flood\r\n";
  bool open = true;
  for (int i = 0; i < 100 && open; ++i) open = c.Send(batch);  // a million headers
  EXPECT_EQ(c.Status(), 431);
}

// Finding 4: eight slow connections stopped the server; a POST without body held a thread.
TEST_F(AttackTest, FiftySlowClientsAndBodilessPostsHoldNoThread) {
  std::vector<std::unique_ptr<Raw>> slow;
  for (int i = 0; i < 50; ++i) {
    slow.push_back(std::make_unique<Raw>(port_));
    ASSERT_TRUE(slow.back()->connected());
    slow.back()->Send(i % 2 ? "GET /api/board HTTP/1.1\r\nX-Slow: "
                            : "POST /api/session HTTP/1.1\r\nContent-Length: 100\r\n\r\n{");
  }
  std::vector<std::unique_ptr<Raw>> bodiless;
  for (int i = 0; i < 8; ++i) {
    bodiless.push_back(std::make_unique<Raw>(port_));
    bodiless.back()->Send("POST /api/session HTTP/1.1\r\nHost: x\r\n\r\n");
  }
  for (int round = 0; round < 5; ++round) {
    for (auto& c : slow) c->Send("a");  // dribble
    const auto start = Clock::now();
    http::TestClient client(port_);
    EXPECT_EQ(client.Send("GET", "/api/health").status, 200);
    EXPECT_LT(SecondsSince(start), 1.0) << "round " << round;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  for (auto& c : bodiless) EXPECT_NE(c->Status(1000), 0);  // answered, not left waiting
}

// Finding 3: .xlsx bombs took the server to 3.1 GB, threw bad_alloc and left world-readable
// copies in /tmp.
TEST_F(AttackTest, XlsxBombsAreRefusedWithinTheBound) {
  Browser submitter = SignIn("submitter@nhs.net");
  auto tmp_files = [] {
    std::set<std::string> names;
    for (const auto& e : fs::directory_iterator(fs::temp_directory_path())) {
      const std::string n = e.path().filename().string();
      if (n.starts_with("shewhart_upload")) names.insert(n);
    }
    return names;
  };
  const std::set<std::string> before = tmp_files();
  for (const auto& [name, bytes] : testing::XlsxBombs()) {
    const auto start = Clock::now();
    http::TestResponse up =
        submitter.Send("POST", "/api/imports?kind=observations&file_name=b.xlsx", bytes,
                       "application/octet-stream");
    ASSERT_EQ(up.status, 201) << name << up.body;
    const std::string id = std::to_string(json::parse(up.body)["id"].get<int64_t>());
    http::TestResponse preview = submitter.Send("POST", "/api/imports/" + id + "/preview");
    EXPECT_EQ(preview.status, 400) << name << ": " << preview.body;
    EXPECT_LT(SecondsSince(start), 10.0) << name;
  }
  EXPECT_EQ(tmp_files(), before);
}

// Finding 5: 40 concurrent guesses got 12 checked (limit 5); state lost on restart.
TEST_F(AttackTest, ThrottlingHoldsUnderRacesAndRestarts) {
  std::atomic<int> checked{0}, throttled{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 40; ++i) {
    threads.emplace_back([&, i] {
      http::TestClient c(port_);
      json body = {{"email", "victim@nhs.net"}, {"password", "guess number " + std::to_string(i)}};
      const int st = c.Send("POST", "/api/session", body.dump(),
                            {{"X-Forwarded-For", "10.0.1." + std::to_string(i)}})
                         .status;
      if (st == 401) ++checked;
      if (st == 429) ++throttled;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(checked.load(), access::LoginThrottle::kMaxFailuresPerAccount);
  EXPECT_EQ(checked.load() + throttled.load(), 40);
  // A restart keeps the lock-out (it is in the database).
  server_->Stop();
  delete server_;
  server_ = new ServerProcess(*db_, port_, ServerArgs());
  ASSERT_TRUE(server_->WaitReady(port_)) << server_->Log();
  http::TestClient c(port_);
  json right = {{"email", "victim@nhs.net"}, {"password", kPassword}};
  EXPECT_EQ(c.Send("POST", "/api/session", right.dump()).status, 429);
  // The guessers' addresses were each counted, not the proxy's: others still sign in.
  SignIn("viewer@nhs.net");
  idle_kb_ = ProcStatusKb(server_->pid(), "VmRSS");  // a new process: a new idle size
}

// Finding 6: every spelling of an NHS number, and control characters, in free text.
TEST_F(AttackTest, IdentifierSpellingsAreRefused) {
  Browser admin = SignIn("admin@nhs.net");
  const std::string full_width =
      "\xEF\xBC\x99\xEF\xBC\x94\xEF\xBC\x93\xEF\xBC\x94\xEF\xBC\x97\xEF\xBC\x96\xEF\xBC\x95"
      "\xEF\xBC\x99\xEF\xBC\x91\xEF\xBC\x99";
  for (const std::string& bad : {std::string("943.476.5919"), std::string("943  476  5919"),
                                 std::string("943/476/5919"), std::string("943\t476\t5919"),
                                 std::string("943\xC2\xA0"
                                             "476\xC2\xA0"
                                             "5919"),
                                 full_width, std::string("a\0b", 3)}) {
    json note = {{"text", "patient " + bad}};
    EXPECT_EQ(admin.Send("POST", "/api/organisations/RJZ/notes", note.dump()).status, 400) << bad;
    json term = {{"definition", "seen " + bad}};
    EXPECT_EQ(admin.Send("PUT", "/api/glossary/Term", term.dump()).status, 400) << bad;
  }
  EXPECT_EQ(
      admin.Send("POST", "/api/imports?file_name=943.476.5919.csv", "a\n1\n", "text/csv").status,
      400);
}

// Finding 6: CSV exports wrote formula cells unchanged.
TEST_F(AttackTest, CsvExportsNeutraliseFormulas) {
  const fs::path out = *dir_ / "orgs.csv";
  const std::string cmd =
      Binary() + " export organisations -o " + out.string() + " --db " + *db_ + " > /dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::ifstream in(out);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_NE(ss.str().find("\"'=HYPERLINK"), std::string::npos) << ss.str();
  EXPECT_EQ(ss.str().find(",\"=HYPERLINK"), std::string::npos) << ss.str();
}

// Finding 6: a second server on the same port started silently and split the traffic.
TEST_F(AttackTest, ASecondServerOnTheSamePortRefusesToStart) {
  ServerProcess second(*db_, port_);
  int status = 0;
  const auto start = Clock::now();
  while (!second.Exited(&status) && SecondsSince(start) < 10) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(second.Exited(&status)) << "a second server is running on the same port";
  EXPECT_NE(WEXITSTATUS(status), 0);
  EXPECT_NE(second.Log().find("in use"), std::string::npos) << second.Log();
}

// Finding 6: the session cookie could never be Secure; sign-in accepted text/plain (login CSRF).
TEST_F(AttackTest, SecureCookiesAndJsonOnlySignIn) {
  http::TestClient c(port_);
  json right = {{"email", "viewer@nhs.net"}, {"password", kPassword}};
  EXPECT_EQ(c.Send("POST", "/api/session", right.dump(), {}, "text/plain").status, 415);
  http::TestResponse loopback = c.Send("POST", "/api/session", right.dump());
  EXPECT_EQ(loopback.Header("Set-Cookie").find("Secure"), std::string::npos);  // plain HTTP here
  const int port = FreePort();
  ServerProcess secure(*db_, port, {"--secure-cookies"});
  ASSERT_TRUE(secure.WaitReady(port)) << secure.Log();
  http::TestClient s(port);
  http::TestResponse r = s.Send("POST", "/api/session", right.dump());
  EXPECT_NE(r.Header("Set-Cookie").find("; Secure"), std::string::npos) << r.Header("Set-Cookie");
}

// Finding 6: eight viewers downloading the whole board took 3.8 GB.
TEST_F(AttackTest, BoardExportsHaveACostCap) {
  std::vector<Browser> viewers;
  for (int i = 0; i < 8; ++i) viewers.push_back(SignIn("viewer@nhs.net"));
  std::atomic<int> ok{0}, busy{0};
  std::vector<std::thread> threads;
  for (auto& v : viewers) {
    threads.emplace_back([&] {
      for (const char* path : {"/api/board/export.xlsx", "/api/board/pack.pdf"}) {
        const int st = v.Send("GET", path).status;
        if (st == 200) ++ok;
        if (st == 429) ++busy;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load() + busy.load(), 16);
  EXPECT_GE(ok.load(), 2);
}

}  // namespace
}  // namespace shewhart
