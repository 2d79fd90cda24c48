// The audit log: every write anyone makes — who, what, when, before -> after — kept in the same
// transaction as the write itself, so a write without its audit row cannot exist. Readable by
// administrators through the API.
//
// Thread-compatible.
//
// Example:
//   ASSIGN_OR_RETURN(db::Transaction tx, db::Transaction::Begin(*conn));
//   ... the write ...
//   RETURN_IF_ERROR(access::RecordAudit(*conn, {.at = now, .actor = "user:ana@nhs.net",
//       .action = "metric.agree", .target = "AE4H v2", .before = R"({"status":"draft"})",
//       .after = R"({"status":"agreed"})", .remote = "10.0.0.7"}));
//   RETURN_IF_ERROR(tx.Commit());
#ifndef SHEWHART_ACCESS_AUDIT_H_
#define SHEWHART_ACCESS_AUDIT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "db/db.h"

namespace shewhart::access {

struct AuditEntry {
  int64_t id = 0;      // set when read back
  std::string at;      // ISO 8601 UTC
  std::string actor;   // "user:ana@nhs.net", "cli"
  std::string action;  // "session.create", "metric.propose", "import.commit", ...
  std::string target;  // what it was done to ("AE4H v2", "import 12")
  std::string before;  // JSON text, "" when nothing existed
  std::string after;   // JSON text, "" when nothing remains
  std::string remote;  // client address, "" from the command line
};

// Who is acting, as every write service takes it: the service validates, writes, and records its
// audit entry in its own transaction with these — whichever face (command line, HTTP) called it.
struct Acting {
  std::string actor;   // "user:ana@nhs.net", "cli:ana"; REQUIRES non-empty
  std::string at;      // ISO 8601 UTC; REQUIRES non-empty
  std::string remote;  // the client's address; "" from the command line
};

// Appends one entry (inside the caller's transaction when there is one). Every action except
// sign-in and account housekeeping ("session.*", "account.*") changes data, so the entry also
// raises the data version (below) in the same transaction.
Status RecordAudit(db::Connection& conn, const AuditEntry& entry);
// The same, for a write by `who`: action, target, and JSON text before -> after.
Status RecordAudit(db::Connection& conn, const Acting& who, std::string_view action,
                   std::string_view target, std::string_view before, std::string_view after);

// The data version: one number in the database (table data_version), raised by the commit of
// every write that changes data — imports, recalculations, definitions, records — because each
// records its audit entry (RecordAudit). Caches of derived documents compare against it, so they
// stay correct in every server process on the database and on each replica (which reads the
// version it has replayed along with the data). Read it BEFORE reading the data it stamps: then a
// document is never older than its version. On PostgreSQL the raise takes the row's lock until
// the commit, so versions follow commit order.
Result<int64_t> DataVersion(db::Connection& conn);
// Raises the data version (for a write that records no audit entry). Inside the caller's
// transaction when there is one.
Status BumpDataVersion(db::Connection& conn);

// The newest entries first, at most `limit`, with id < `before_id` when given (paging).
Result<std::vector<AuditEntry>> ListAudit(db::Connection& conn, int64_t limit,
                                          std::optional<int64_t> before_id);

}  // namespace shewhart::access

#endif  // SHEWHART_ACCESS_AUDIT_H_
