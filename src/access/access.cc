#include "access/access.h"

#include <sodium.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cstdlib>

#include "access/audit.h"
#include "base/hash.h"
#include "directory/directory.h"

namespace shewhart::access {
namespace {

#define SHEWHART_ACCESS_SCHEMA(PK, FK)                     \
  "CREATE TABLE account (\n"                               \
  "  id " PK                                               \
  ",\n"                                                    \
  "  email TEXT NOT NULL UNIQUE,\n"                        \
  "  password_hash TEXT NOT NULL,\n"                       \
  "  role TEXT NOT NULL,\n"                                \
  "  org_unit_id " FK                                      \
  ",\n"                                                    \
  "  disabled INTEGER NOT NULL DEFAULT 0,\n"               \
  "  created_by TEXT NOT NULL,\n"                          \
  "  created_at TEXT NOT NULL\n"                           \
  ");\n"                                                   \
  "CREATE TABLE session (\n"                               \
  "  token_hash TEXT PRIMARY KEY,\n"                       \
  "  csrf_hash TEXT NOT NULL,\n"                           \
  "  account_id " FK                                       \
  " NOT NULL REFERENCES account(id),\n"                    \
  "  created_at TEXT NOT NULL,\n"                          \
  "  expires_at_s " FK                                     \
  " NOT NULL\n"                                            \
  ");\n"                                                   \
  "CREATE INDEX session_account ON session(account_id);\n" \
  "CREATE TABLE audit_log (\n"                             \
  "  id " PK                                               \
  ",\n"                                                    \
  "  at TEXT NOT NULL,\n"                                  \
  "  actor TEXT NOT NULL,\n"                               \
  "  action TEXT NOT NULL,\n"                              \
  "  target TEXT NOT NULL,\n"                              \
  "  before_json TEXT NOT NULL,\n"                         \
  "  after_json TEXT NOT NULL,\n"                          \
  "  remote TEXT NOT NULL\n"                               \
  ");\n"

// Version 601 shipped (as 11) without a foreign key from org_unit_id to unit, when the access
// schema was migrated apart from the directory's; 602 adds it. SQLite cannot add a constraint to a
// table, so it rebuilds `account` (and `session`, which references it) and moves the rows; the
// renames keep `session`'s reference pointing at the new `account` (SQLite >= 3.26 rewrites
// references on RENAME).
constexpr db::Migration kMigrations[] = {
    {601, "access: accounts, sessions, audit log",
     SHEWHART_ACCESS_SCHEMA("INTEGER PRIMARY KEY", "INTEGER"),
     SHEWHART_ACCESS_SCHEMA("BIGSERIAL PRIMARY KEY", "BIGINT")},
    {602, "access: accounts belong to units",
     "CREATE TABLE account_new (\n"
     "  id INTEGER PRIMARY KEY,\n"
     "  email TEXT NOT NULL UNIQUE,\n"
     "  password_hash TEXT NOT NULL,\n"
     "  role TEXT NOT NULL,\n"
     "  org_unit_id INTEGER REFERENCES unit(id),\n"
     "  disabled INTEGER NOT NULL DEFAULT 0,\n"
     "  created_by TEXT NOT NULL,\n"
     "  created_at TEXT NOT NULL\n"
     ");\n"
     "INSERT INTO account_new SELECT id, email, password_hash, role, org_unit_id, disabled, "
     "created_by, created_at FROM account;\n"
     "CREATE TABLE session_new (\n"
     "  token_hash TEXT PRIMARY KEY,\n"
     "  csrf_hash TEXT NOT NULL,\n"
     "  account_id INTEGER NOT NULL REFERENCES account_new(id),\n"
     "  created_at TEXT NOT NULL,\n"
     "  expires_at_s INTEGER NOT NULL\n"
     ");\n"
     "INSERT INTO session_new SELECT token_hash, csrf_hash, account_id, created_at, expires_at_s "
     "FROM session;\n"
     "DROP TABLE session;\n"
     "DROP TABLE account;\n"
     "ALTER TABLE account_new RENAME TO account;\n"
     "ALTER TABLE session_new RENAME TO session;\n"
     "CREATE INDEX session_account ON session(account_id);\n"
     "CREATE INDEX account_unit ON account(org_unit_id);\n",
     "ALTER TABLE account ADD CONSTRAINT account_org_unit_fk FOREIGN KEY (org_unit_id) "
     "REFERENCES unit(id);\n"
     "CREATE INDEX account_unit ON account(org_unit_id);\n"},
    {603, "access: sign-in throttling in the database, shared by processes",
     "CREATE TABLE login_throttle (\n"
     "  kind TEXT NOT NULL,\n"
     "  key TEXT NOT NULL,\n"
     "  window_start BIGINT NOT NULL,\n"
     "  attempts INTEGER NOT NULL,\n"
     "  PRIMARY KEY (kind, key)\n"
     ");\n",
     "CREATE TABLE login_throttle (\n"
     "  kind TEXT NOT NULL,\n"
     "  key TEXT NOT NULL,\n"
     "  window_start BIGINT NOT NULL,\n"
     "  attempts INTEGER NOT NULL,\n"
     "  PRIMARY KEY (kind, key)\n"
     ");\n"},
    // One number that every commit changing data raises (audit.h, DataVersion): what caches of
    // derived documents in every server process compare against.
    {604, "access: the data version, shared by every process",
     "CREATE TABLE data_version (id INTEGER PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL);\n"
     "INSERT INTO data_version (id, version) VALUES (1, 1);\n",
     "CREATE TABLE data_version (id INTEGER PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL);\n"
     "INSERT INTO data_version (id, version) VALUES (1, 1);\n"},
};

// One attempt reserved atomically: a window older than the throttle window starts again at 1.
// Every SET expression sees the row as it was, on SQLite and PostgreSQL alike.
constexpr std::string_view kReserveAttempt =
    "INSERT INTO login_throttle (kind, key, window_start, attempts) VALUES (?, ?, ?, 1) "
    "ON CONFLICT (kind, key) DO UPDATE SET "
    "attempts = CASE WHEN login_throttle.window_start <= ? THEN 1 "
    "ELSE login_throttle.attempts + 1 END, "
    "window_start = CASE WHEN login_throttle.window_start <= ? THEN excluded.window_start "
    "ELSE login_throttle.window_start END "
    "RETURNING attempts";
constexpr std::string_view kSelectAttempts =
    "SELECT attempts FROM login_throttle WHERE kind = ? AND key = ? AND window_start > ?";
constexpr std::string_view kGiveBackAttempt =
    "UPDATE login_throttle SET attempts = attempts - 1 WHERE kind = ? AND key = ? AND "
    "attempts > 0";
constexpr std::string_view kClearAttempts = "DELETE FROM login_throttle WHERE kind = ? AND key = ?";

constexpr std::string_view kInsertAccount =
    "INSERT INTO account (email, password_hash, role, org_unit_id, created_by, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?) RETURNING id";
constexpr std::string_view kSelectAccounts =
    "SELECT a.id, a.email, a.role, a.org_unit_id, COALESCE(u.code, ''), a.disabled, "
    "a.created_at, a.password_hash FROM account a LEFT JOIN unit u ON u.id = a.org_unit_id "
    "ORDER BY a.email";
constexpr std::string_view kSelectAccountByEmail =
    "SELECT a.id, a.email, a.role, a.org_unit_id, COALESCE(u.code, ''), a.disabled, "
    "a.created_at, a.password_hash FROM account a LEFT JOIN unit u ON u.id = a.org_unit_id "
    "WHERE a.email = ?";
constexpr std::string_view kSelectSession =
    "SELECT a.id, a.email, a.role, a.org_unit_id, COALESCE(u.code, ''), a.disabled, "
    "a.created_at, a.password_hash, s.csrf_hash, s.expires_at_s FROM session s "
    "JOIN account a ON a.id = s.account_id LEFT JOIN unit u ON u.id = a.org_unit_id "
    "WHERE s.token_hash = ?";
constexpr std::string_view kInsertSession =
    "INSERT INTO session (token_hash, csrf_hash, account_id, created_at, expires_at_s) "
    "VALUES (?, ?, ?, ?, ?)";
constexpr std::string_view kDeleteSession = "DELETE FROM session WHERE token_hash = ?";
constexpr std::string_view kDeleteExpired = "DELETE FROM session WHERE expires_at_s < ?";
constexpr std::string_view kSelectBelow =
    "WITH RECURSIVE below(id) AS (SELECT CAST(? AS BIGINT) UNION "
    "SELECT u.id FROM unit u JOIN below b ON u.parent_id = b.id) SELECT id FROM below";

std::atomic<bool> fast_hashing{false};

void InitSodium() {
  static const int ok = sodium_init();
  if (ok < 0) std::abort();  // libsodium could not initialise: no safe randomness
}

std::string RandomToken() {
  InitSodium();
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof(bytes));
  char out[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(out, sizeof(out), bytes, sizeof(bytes),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool PlausibleEmail(std::string_view e) {
  if (e.size() < 3 || e.size() > 254) return false;
  const size_t at = e.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= e.size()) return false;
  if (e.find('@', at + 1) != std::string_view::npos) return false;
  for (const char c : e) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F || c == '"' || c == '\'' || c == ';' ||
        c == '<' || c == '>' || c == '\\') {
      return false;
    }
  }
  return e.find('.', at) != std::string_view::npos;
}

Account AccountOf(const db::Row& row) {
  Account a;
  a.id = row.Int(0);
  a.email = row.Text(1);
  a.role = ParseRole(row.Text(2)).value_or(Role::kViewer);
  a.org_unit_id = row.OptionalInt(3);
  a.org_code = row.Text(4);
  a.disabled = row.Int(5) != 0;
  a.created_at = row.Text(6);
  return a;
}

bool VerifyPassword(const std::string& hash, std::string_view password) {
  InitSodium();
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

// A hash to verify against when the account does not exist, so that an unknown e-mail address
// takes as long as a wrong password (no account enumeration by timing).
const std::string& DummyHash() {
  static const std::string hash = [] {
    InitSodium();
    char out[crypto_pwhash_STRBYTES];
    const std::string pw = RandomToken();
    if (crypto_pwhash_str(out, pw.data(), pw.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
      return std::string();
    }
    return std::string(out);
  }();
  return hash;
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAdministrator:
      return "administrator";
    case Role::kSystemQualityLead:
      return "system_quality_lead";
    case Role::kOrganisationQualityLead:
      return "organisation_quality_lead";
    case Role::kQiPractitioner:
      return "qi_practitioner";
    case Role::kDataSubmitter:
      return "data_submitter";
    case Role::kViewer:
      return "viewer";
  }
  return "viewer";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (Role r : kAllRoles) {
    if (RoleName(r) == name) return r;
  }
  return std::nullopt;
}

std::span<const db::Migration> Migrations() { return kMigrations; }

void UseFastPasswordHashingForTests() { fast_hashing = true; }

Result<int64_t> CreateAccount(db::Connection& conn, const NewAccount& account,
                              std::string_view password, std::string_view actor,
                              std::string_view at, std::string_view remote) {
  InitSodium();
  const std::string email = Lower(account.email);
  if (!PlausibleEmail(email)) {
    return InvalidArgumentError("\"" + account.email + "\" is not an e-mail address");
  }
  if (password.size() < kMinPasswordLength) {
    return InvalidArgumentError("the password must be at least " +
                                std::to_string(kMinPasswordLength) + " characters long");
  }
  if (password.size() > kMaxPasswordLength) {
    return InvalidArgumentError("the password is longer than " +
                                std::to_string(kMaxPasswordLength) + " characters");
  }
  std::optional<int64_t> org_unit_id;
  if (!account.org_code.empty()) {
    ASSIGN_OR_RETURN(std::optional<int64_t> unit, directory::FindUnitId(conn, account.org_code));
    if (!unit) {
      return InvalidArgumentError("there is no organisation with the code \"" + account.org_code +
                                  "\"");
    }
    org_unit_id = *unit;
  } else if (account.role == Role::kOrganisationQualityLead ||
             account.role == Role::kDataSubmitter) {
    return InvalidArgumentError("a " + std::string(RoleName(account.role)) +
                                " needs an organisation (--org ODS code)");
  }
  char hash[crypto_pwhash_STRBYTES];
  const bool fast = fast_hashing.load();
  if (crypto_pwhash_str(hash, password.data(), password.size(),
                        fast ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        fast ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE) !=
      0) {
    return ResourceExhaustedError("not enough memory to hash the password");
  }
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  Result<int64_t> id = conn.ExecuteReturningId(
      kInsertAccount, {email, std::string(hash), RoleName(account.role), org_unit_id, actor, at});
  if (!id.ok() && id.status().code() == StatusCode::kAlreadyExists) {
    return Status(StatusCode::kAlreadyExists, "an account for " + email + " exists already");
  }
  if (!id.ok()) return id.status();
  const nlohmann::json after = {
      {"email", email}, {"role", RoleName(account.role)}, {"organisation", account.org_code}};
  RETURN_IF_ERROR(RecordAudit(
      conn, Acting{.actor = std::string(actor), .at = std::string(at), .remote = std::string(remote)},
      "account.create", "account " + std::to_string(*id), "",
      after.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
  RETURN_IF_ERROR(tx.Commit());
  return id;
}

Result<std::vector<Account>> ListAccounts(db::Connection& conn) {
  std::vector<Account> out;
  RETURN_IF_ERROR(conn.Query(kSelectAccounts, {}, [&](const db::Row& row) {
    out.push_back(AccountOf(row));
    return db::Flow::kContinue;
  }));
  return out;
}

Result<std::optional<Account>> FindAccount(db::Connection& conn, std::string_view email) {
  ASSIGN_OR_RETURN(std::optional<db::Row> row,
                   conn.QueryRow(kSelectAccountByEmail, {Lower(email)}));
  if (!row) return std::optional<Account>();
  return std::optional<Account>(AccountOf(*row));
}

Result<Scope> ScopeOf(db::Connection& conn, const Account& account) {
  Scope scope;
  if (HasSystemScope(account.role)) {
    scope.all = true;
    return scope;
  }
  if (!account.org_unit_id) return scope;
  RETURN_IF_ERROR(conn.Query(kSelectBelow, {*account.org_unit_id}, [&](const db::Row& row) {
    scope.unit_ids.insert(row.Int(0));
    return db::Flow::kContinue;
  }));
  return scope;
}

namespace {

constexpr std::string_view kAccountKind = "account";
constexpr std::string_view kAddressKind = "address";
const char* const kThrottledMessage =
    "too many failed sign-ins; please wait 15 minutes before trying again, or ask an "
    "administrator to unlock the account";

}  // namespace

Result<LoginThrottle::Reservation> LoginThrottle::Reserve(db::Connection& conn,
                                                          std::string_view email,
                                                          std::string_view address, int64_t now_s) {
  const int64_t expired = now_s - kThrottleWindowSeconds;
  Reservation r;
  ASSIGN_OR_RETURN(std::optional<db::Row> a,
                   conn.QueryRow(kReserveAttempt, {std::string(kAccountKind), Lower(email), now_s,
                                                   expired, expired}));
  ASSIGN_OR_RETURN(std::optional<db::Row> b,
                   conn.QueryRow(kReserveAttempt, {std::string(kAddressKind), std::string(address),
                                                   now_s, expired, expired}));
  r.account_attempts = a ? a->Int(0) : 0;
  r.address_attempts = b ? b->Int(0) : 0;
  r.allowed =
      r.account_attempts <= kMaxFailuresPerAccount && r.address_attempts <= kMaxFailuresPerAddress;
  r.account_locked_now = r.account_attempts == kMaxFailuresPerAccount + 1;
  r.address_locked_now = r.address_attempts == kMaxFailuresPerAddress + 1;
  return r;
}

Status LoginThrottle::Check(db::Connection& conn, std::string_view email, std::string_view address,
                            int64_t now_s) {
  const int64_t expired = now_s - kThrottleWindowSeconds;
  ASSIGN_OR_RETURN(
      std::optional<db::Row> a,
      conn.QueryRow(kSelectAttempts, {std::string(kAccountKind), Lower(email), expired}));
  ASSIGN_OR_RETURN(
      std::optional<db::Row> b,
      conn.QueryRow(kSelectAttempts, {std::string(kAddressKind), std::string(address), expired}));
  if ((a && a->Int(0) >= kMaxFailuresPerAccount) || (b && b->Int(0) >= kMaxFailuresPerAddress)) {
    return ResourceExhaustedError(kThrottledMessage);
  }
  return Status::Ok();
}

Status LoginThrottle::RecordFailure(db::Connection& conn, std::string_view email,
                                    std::string_view address, int64_t now_s) {
  return Reserve(conn, email, address, now_s).status();
}

Status LoginThrottle::RecordSuccess(db::Connection& conn, std::string_view email,
                                    std::string_view address) {
  RETURN_IF_ERROR(conn.Execute(kClearAttempts, {std::string(kAccountKind), Lower(email)}));
  return conn.Execute(kGiveBackAttempt, {std::string(kAddressKind), std::string(address)});
}

Status UnlockAccount(db::Connection& conn, std::string_view email, const Acting& who) {
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(std::optional<Account> account, FindAccount(conn, email));
  if (!account) return NotFoundError("there is no account for " + std::string(email));
  RETURN_IF_ERROR(conn.Execute(kClearAttempts, {std::string(kAccountKind), Lower(email)}));
  RETURN_IF_ERROR(RecordAudit(conn, who, "account.unlock", "account " + std::to_string(account->id),
                              "", nlohmann::json({{"email", account->email}}).dump()));
  return tx.Commit();
}

Result<SignInResult> SignIn(db::Connection& conn, LoginThrottle& throttle, std::string_view email,
                            std::string_view password, std::string_view address, int64_t now_s,
                            std::string_view at) {
  // The attempt is counted BEFORE the password is checked, atomically in the database, so that
  // concurrent guesses (from any number of processes) can never check more than the limit.
  const std::string who = Lower(email.substr(0, std::min<size_t>(email.size(), 254)));
  ASSIGN_OR_RETURN(LoginThrottle::Reservation reservation,
                   throttle.Reserve(conn, who, address, now_s));
  auto audit = [&](std::string action, std::string target) {
    return RecordAudit(conn, {.at = std::string(at),
                              .actor = "anonymous",
                              .action = std::move(action),
                              .target = std::move(target),
                              .remote = std::string(address)});
  };
  if (reservation.account_locked_now) {
    RETURN_IF_ERROR(audit("session.lockout", "account " + who));
  }
  if (reservation.address_locked_now) {
    RETURN_IF_ERROR(audit("session.lockout", "address " + std::string(address)));
  }
  if (!reservation.allowed) return ResourceExhaustedError(kThrottledMessage);
  const Status denied(StatusCode::kPermissionDenied, "wrong e-mail address or password");
  if (email.size() > 254 || password.size() > kMaxPasswordLength) {
    RETURN_IF_ERROR(audit("session.failed", "account " + who));
    return denied;
  }
  ASSIGN_OR_RETURN(std::optional<db::Row> row,
                   conn.QueryRow(kSelectAccountByEmail, {Lower(email)}));
  const std::string& hash = row ? row->Text(7) : DummyHash();
  const bool verified = VerifyPassword(hash, password);
  if (!row || !verified || row->Int(5) != 0) {
    RETURN_IF_ERROR(audit("session.failed", "account " + who));
    return denied;
  }
  RETURN_IF_ERROR(throttle.RecordSuccess(conn, who, address));
  SignInResult out;
  out.account = AccountOf(*row);
  out.session_token = RandomToken();
  out.csrf_token = RandomToken();
  out.expires_at_s = now_s + kSessionSeconds;
  ASSIGN_OR_RETURN(db::Transaction tx, db::Transaction::Begin(conn));
  RETURN_IF_ERROR(conn.Execute(kDeleteExpired, {now_s}));
  RETURN_IF_ERROR(
      conn.Execute(kInsertSession, {Sha256Hex(out.session_token), Sha256Hex(out.csrf_token),
                                    out.account.id, at, out.expires_at_s}));
  RETURN_IF_ERROR(RecordAudit(conn, {.at = std::string(at),
                                     .actor = "user:" + out.account.email,
                                     .action = "session.create",
                                     .target = "account " + std::to_string(out.account.id),
                                     .remote = std::string(address)}));
  RETURN_IF_ERROR(tx.Commit());
  return out;
}

Result<std::optional<Principal>> Authenticate(db::Connection& conn, std::string_view token,
                                              int64_t now_s) {
  if (token.empty() || token.size() > 128) return std::optional<Principal>();
  Principal p;
  p.session_hash = Sha256Hex(token);
  ASSIGN_OR_RETURN(std::optional<db::Row> row, conn.QueryRow(kSelectSession, {p.session_hash}));
  if (!row || row->Int(5) != 0 || row->Int(9) <= now_s) return std::optional<Principal>();
  p.account = AccountOf(*row);
  p.csrf_hash = row->Text(8);
  return std::optional<Principal>(std::move(p));
}

Status SignOut(db::Connection& conn, const Principal& principal, const Acting& who) {
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  RETURN_IF_ERROR(conn.Execute(kDeleteSession, {principal.session_hash}));
  RETURN_IF_ERROR(RecordAudit(conn, who, "session.delete",
                              "account " + std::to_string(principal.account.id), "", ""));
  return tx.Commit();
}

bool CsrfMatches(const Principal& principal, std::string_view csrf_token) {
  if (csrf_token.empty() || csrf_token.size() > 128) return false;
  const std::string hash = Sha256Hex(csrf_token);
  return hash.size() == principal.csrf_hash.size() &&
         sodium_memcmp(hash.data(), principal.csrf_hash.data(), hash.size()) == 0;
}

}  // namespace shewhart::access
