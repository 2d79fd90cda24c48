// access: who may do what — accounts with argon2id password hashes, sessions, CSRF tokens, roles,
// organisation scope, login throttling. Start here for access; the audit log is in audit.h.
//
// Roles (DESIGN.md "Access"), as written in files and on the command line:
//   administrator              manages accounts, reads the audit log; sees everything
//   system_quality_lead        agrees and retires definitions; sees every organisation
//   organisation_quality_lead  leads quality for the organisations in scope
//   qi_practitioner            QI practitioner or coach; proposes definitions
//   data_submitter             uploads data for the organisations in scope; cannot agree
//   viewer                     reads (e.g. a board member)
// Scope: published metrics are visible to everyone signed in. Restricted data (intelligence)
// is visible to administrators and system quality leads everywhere, and to anyone else only for
// their organisation and the units below it (a place's lead sees the place's organisations).
//
// Sessions: SignIn returns a random 256-bit session token (sent to the browser in an HttpOnly,
// SameSite=Strict cookie) and a CSRF token (returned in the JSON answer, sent back by the front
// end in X-CSRF-Token on every write). The database keeps only SHA-256 hashes of both, so a copy
// of the database cannot be used to sign in. Sessions end at sign-out or after kSessionSeconds.
//
// Throttling: after kMaxFailuresPerAccount failed sign-ins for one e-mail address, or
// kMaxFailuresPerAddress from one IP address, within kThrottleWindowSeconds, further attempts
// are refused (ResourceExhausted) until the window has passed or an administrator unlocks the
// account — even with the right password. Counted in the database (see LoginThrottle), so all
// processes share it and a restart keeps it. Failed sign-ins ("session.failed") and lock-outs
// ("session.lockout") are audited with the client's address.
//
// Thread-safety: functions taking a Connection are thread-compatible; LoginThrottle is
// stateless (thread-safe).
//
// Example:
//   RETURN_IF_ERROR(access::CreateAccount(*conn, {.email = "ana@nhs.net",
//                   .role = access::Role::kAdministrator}, "correct horse battery", "cli", now));
//   ASSIGN_OR_RETURN(access::SignInResult s, access::SignIn(*conn, throttle, "ana@nhs.net",
//                    "correct horse battery", "127.0.0.1", now_seconds, now));
//   ASSIGN_OR_RETURN(std::optional<access::Principal> who,
//                    access::Authenticate(*conn, s.session_token, now_seconds));
#ifndef SHEWHART_ACCESS_ACCESS_H_
#define SHEWHART_ACCESS_ACCESS_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "access/audit.h"
#include "base/status.h"
#include "db/db.h"
#include "db/migrate.h"

namespace shewhart::access {

enum class Role {
  kAdministrator,
  kSystemQualityLead,
  kOrganisationQualityLead,
  kQiPractitioner,
  kDataSubmitter,
  kViewer,
};
inline constexpr Role kAllRoles[] = {Role::kAdministrator,           Role::kSystemQualityLead,
                                     Role::kOrganisationQualityLead, Role::kQiPractitioner,
                                     Role::kDataSubmitter,           Role::kViewer};
std::string_view RoleName(Role role);                  // "system_quality_lead"
std::optional<Role> ParseRole(std::string_view name);  // nullopt when unknown

// A set of roles, for route tables: RoleSet{Role::kAdministrator, Role::kViewer}.
class RoleSet {
 public:
  constexpr RoleSet() = default;
  constexpr RoleSet(std::initializer_list<Role> roles) {
    for (Role r : roles) bits_ |= Bit(r);
  }
  static constexpr RoleSet All() {
    RoleSet s;
    for (Role r : kAllRoles) s.bits_ |= Bit(r);
    return s;
  }
  constexpr bool Contains(Role r) const { return (bits_ & Bit(r)) != 0; }
  constexpr bool IsAll() const { return bits_ == All().bits_; }

 private:
  static constexpr uint32_t Bit(Role r) { return 1u << static_cast<uint32_t>(r); }
  uint32_t bits_ = 0;
};

// True for roles that see every organisation's restricted data.
constexpr bool HasSystemScope(Role role) {
  return role == Role::kAdministrator || role == Role::kSystemQualityLead;
}

// The schema of this part: accounts, sessions, audit log. Versions 600-699 (schema/schema.h);
// accounts reference their organisation in `unit`.
std::span<const db::Migration> Migrations();

struct Account {
  int64_t id = 0;
  std::string email;  // lower case
  Role role = Role::kViewer;
  std::optional<int64_t> org_unit_id;  // the organisation (unit) the person belongs to
  std::string org_code;                // its code, "" when none
  bool disabled = false;
  std::string created_at;
};

struct NewAccount {
  std::string email;
  Role role = Role::kViewer;
  std::string org_code;  // "" = none; REQUIRED for organisation_quality_lead and data_submitter
};

// Minimum password length (NIST SP 800-63B: length, not composition rules).
inline constexpr size_t kMinPasswordLength = 12;
inline constexpr size_t kMaxPasswordLength = 1024;

// Creates an account with an argon2id hash of `password`. InvalidArgument for a malformed
// e-mail, a short password, an unknown organisation code or a missing one where the role needs
// it; AlreadyExists if the e-mail is taken. Returns the new id. Records the audit entry
// "account.create" ("account N"; after: email, role, organisation) in its own transaction (or
// the caller's), by `actor` at `at` from `remote` ("" from the command line).
Result<int64_t> CreateAccount(db::Connection& conn, const NewAccount& account,
                              std::string_view password, std::string_view actor,
                              std::string_view at, std::string_view remote = "");
Result<std::vector<Account>> ListAccounts(db::Connection& conn);
Result<std::optional<Account>> FindAccount(db::Connection& conn, std::string_view email);

// Tests only: cheapest argon2id parameters, so that suites creating many accounts stay fast.
void UseFastPasswordHashingForTests();

// Who is making a request.
struct Principal {
  Account account;
  std::string session_hash;  // hex SHA-256 of the session token
  std::string csrf_hash;     // hex SHA-256 of the CSRF token
};

// The units whose restricted data a principal may see.
struct Scope {
  bool all = false;            // administrators and system quality leads
  std::set<int64_t> unit_ids;  // otherwise: their organisation and every unit below it
  bool Contains(int64_t unit_id) const { return all || unit_ids.contains(unit_id); }
};
Result<Scope> ScopeOf(db::Connection& conn, const Account& account);

// Sign-in throttling, kept in the database (table login_throttle): shared by every server
// process on the database, kept over restarts. Every attempt is counted before its password is
// checked, in one atomic statement, so concurrent guesses cannot outrun the limit; a successful
// sign-in clears its account's count and gives its address's attempt back. Stateless itself.
class LoginThrottle {
 public:
  static constexpr int kMaxFailuresPerAccount = 5;
  static constexpr int kMaxFailuresPerAddress = 20;
  static constexpr int64_t kThrottleWindowSeconds = 15 * 60;

  struct Reservation {
    bool allowed = false;             // both counts within their limits
    bool account_locked_now = false;  // this attempt is the first over the account's limit
    bool address_locked_now = false;  // ... over the address's limit
    int64_t account_attempts = 0;
    int64_t address_attempts = 0;
  };
  // Counts one attempt for `email` (lower-cased) and `address`.
  Result<Reservation> Reserve(db::Connection& conn, std::string_view email,
                              std::string_view address, int64_t now_s);
  // OK, or ResourceExhausted when `email` or `address` has used up its attempts (read only).
  Status Check(db::Connection& conn, std::string_view email, std::string_view address,
               int64_t now_s);
  // Counts a failure (the same as Reserve, for callers that check first).
  Status RecordFailure(db::Connection& conn, std::string_view email, std::string_view address,
                       int64_t now_s);
  Status RecordSuccess(db::Connection& conn, std::string_view email, std::string_view address);
};

// Lifts a lock-out of `email` at once (an administrator's unlock); idempotent. Audited as
// "account.unlock" (target "account N"; after: the e-mail) by `who`.
Status UnlockAccount(db::Connection& conn, std::string_view email, const Acting& who);

inline constexpr int64_t kSessionSeconds = 12 * 60 * 60;
inline constexpr std::string_view kSessionCookie = "shewhart_session";

struct SignInResult {
  std::string session_token;  // for the cookie; never stored
  std::string csrf_token;     // for the client; never stored
  Account account;
  int64_t expires_at_s = 0;
};

// Signs in. PermissionDenied ("wrong e-mail address or password", the same message for both)
// for bad credentials or a disabled account; ResourceExhausted when throttled. `now_s` is Unix
// seconds; `at` the same instant as ISO 8601 UTC.
Result<SignInResult> SignIn(db::Connection& conn, LoginThrottle& throttle, std::string_view email,
                            std::string_view password, std::string_view address, int64_t now_s,
                            std::string_view at);

// The principal of a live session token, or nullopt for an unknown, expired or signed-out one.
Result<std::optional<Principal>> Authenticate(db::Connection& conn, std::string_view token,
                                              int64_t now_s);

// Ends the session (idempotent). Audited as "session.delete" ("account N") by `who`.
Status SignOut(db::Connection& conn, const Principal& principal, const Acting& who);

// True if `csrf_token` is the one issued with the principal's session (constant-time compare).
bool CsrfMatches(const Principal& principal, std::string_view csrf_token);

}  // namespace shewhart::access

#endif  // SHEWHART_ACCESS_ACCESS_H_
