#include "access/audit.h"

namespace shewhart::access {
namespace {

constexpr std::string_view kInsert =
    "INSERT INTO audit_log (at, actor, action, target, before_json, after_json, remote) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)";
constexpr std::string_view kSelect =
    "SELECT id, at, actor, action, target, before_json, after_json, remote FROM audit_log "
    "WHERE id < ? ORDER BY id DESC LIMIT ?";

constexpr std::string_view kSelectVersion = "SELECT version FROM data_version WHERE id = 1";
constexpr std::string_view kBumpVersion =
    "UPDATE data_version SET version = version + 1 WHERE id = 1";

}  // namespace

Status RecordAudit(db::Connection& conn, const Acting& who, std::string_view action,
                   std::string_view target, std::string_view before, std::string_view after) {
  return RecordAudit(conn, {.at = who.at,
                            .actor = who.actor,
                            .action = std::string(action),
                            .target = std::string(target),
                            .before = std::string(before),
                            .after = std::string(after),
                            .remote = who.remote});
}

Status RecordAudit(db::Connection& conn, const AuditEntry& e) {
  RETURN_IF_ERROR(
      conn.Execute(kInsert, {e.at, e.actor, e.action, e.target, e.before, e.after, e.remote}));
  if (e.action.starts_with("session.") || e.action.starts_with("account.")) return Status::Ok();
  return BumpDataVersion(conn);
}

Result<int64_t> DataVersion(db::Connection& conn) {
  ASSIGN_OR_RETURN(std::optional<db::Row> r, conn.QueryRow(kSelectVersion));
  if (!r) return int64_t{0};
  return r->Int(0);
}

Status BumpDataVersion(db::Connection& conn) { return conn.Execute(kBumpVersion); }

Result<std::vector<AuditEntry>> ListAudit(db::Connection& conn, int64_t limit,
                                          std::optional<int64_t> before_id) {
  std::vector<AuditEntry> out;
  RETURN_IF_ERROR(
      conn.Query(kSelect, {before_id.value_or(INT64_MAX), limit}, [&](const db::Row& r) {
        out.push_back({r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5), r.Text(6),
                       r.Text(7)});
        return db::Flow::kContinue;
      }));
  return out;
}

}  // namespace shewhart::access
