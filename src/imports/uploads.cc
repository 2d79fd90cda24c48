#include "imports/uploads.h"

#include <sodium.h>

#include <nlohmann/json.hpp>

#include "base/hash.h"

namespace shewhart::imports {
namespace {

#define SHEWHART_UPLOAD_SCHEMA(PK)    \
  "CREATE TABLE import_upload (\n"    \
  "  id " PK                          \
  ",\n"                               \
  "  kind TEXT NOT NULL,\n"           \
  "  file_name TEXT NOT NULL,\n"      \
  "  sha256 TEXT NOT NULL,\n"         \
  "  content_base64 TEXT NOT NULL,\n" \
  "  uploaded_by TEXT NOT NULL,\n"    \
  "  uploaded_at TEXT NOT NULL,\n"    \
  "  state TEXT NOT NULL,\n"          \
  "  batch_id BIGINT\n"               \
  ");\n"

constexpr db::Migration kMigrations[] = {
    {501, "server: pending import uploads", SHEWHART_UPLOAD_SCHEMA("INTEGER PRIMARY KEY"),
     SHEWHART_UPLOAD_SCHEMA("BIGSERIAL PRIMARY KEY")},
};

constexpr std::string_view kInsert =
    "INSERT INTO import_upload (kind, file_name, sha256, content_base64, uploaded_by, "
    "uploaded_at, state) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id";
constexpr std::string_view kSelect =
    "SELECT id, kind, file_name, sha256, content_base64, uploaded_by, uploaded_at, state, "
    "batch_id FROM import_upload WHERE id = ?";
constexpr std::string_view kCommit =
    "UPDATE import_upload SET state = 'committed', batch_id = ? WHERE id = ? AND state <> "
    "'committed'";

std::string ToBase64(const std::string& bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

Result<std::string> FromBase64(const std::string& text) {
  std::string out(text.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    return InternalError("a stored upload is not valid base64");
  }
  out.resize(len);
  return out;
}

}  // namespace

std::span<const db::Migration> UploadMigrations() { return kMigrations; }

Result<int64_t> InsertUpload(db::Connection& conn, const Upload& u) {
  if (sodium_init() < 0) return InternalError("libsodium could not initialise");
  return conn.ExecuteReturningId(kInsert, {u.kind, u.file_name, u.sha256, ToBase64(u.content),
                                           u.uploaded_by, u.uploaded_at, u.state});
}

Result<Upload> LoadUpload(db::Connection& conn, int64_t id) {
  ASSIGN_OR_RETURN(std::optional<db::Row> row, conn.QueryRow(kSelect, {id}));
  if (!row) return NotFoundError("there is no upload " + std::to_string(id));
  Upload u;
  u.id = row->Int(0);
  u.kind = row->Text(1);
  u.file_name = row->Text(2);
  u.sha256 = row->Text(3);
  ASSIGN_OR_RETURN(u.content, FromBase64(row->Text(4)));
  u.uploaded_by = row->Text(5);
  u.uploaded_at = row->Text(6);
  u.state = row->Text(7);
  u.batch_id = row->OptionalInt(8);
  return u;
}

Result<int64_t> StageUpload(db::Connection& conn, Upload u, const access::Acting& who) {
  if (u.file_name.empty() || u.file_name.size() > 255 ||
      u.file_name.find_first_of("/\\") != std::string::npos) {
    return InvalidArgumentError("\"file_name\" must be a plain file name (no folders)");
  }
  if (u.content.empty()) return InvalidArgumentError("the upload is empty");
  u.sha256 = Sha256Hex(u.content);
  u.uploaded_by = who.actor.starts_with("user:") ? who.actor.substr(5) : who.actor;
  u.uploaded_at = who.at;
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(const int64_t id, InsertUpload(conn, u));
  const nlohmann::json after = {{"kind", u.kind},
                                {"file_name", u.file_name},
                                {"sha256", u.sha256},
                                {"bytes", u.content.size()}};
  RETURN_IF_ERROR(access::RecordAudit(
      conn, who, "import.upload", "upload " + std::to_string(id), "",
      after.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
  RETURN_IF_ERROR(tx.Commit());
  return id;
}

Status CommitUpload(db::Connection& conn, const Upload& u, const ImportReport& r,
                    const access::Acting& who) {
  RETURN_IF_ERROR(MarkCommitted(conn, u.id, r.batch_id));
  const nlohmann::json after = {{"state", "committed"}, {"batch_id", r.batch_id},
                                {"added", r.added},     {"changed", r.changed},
                                {"unchanged", r.unchanged}};
  return access::RecordAudit(conn, who, "import.commit", "upload " + std::to_string(u.id),
                             nlohmann::json({{"state", u.state}}).dump(), after.dump());
}

Status MarkCommitted(db::Connection& conn, int64_t id, int64_t batch_id) {
  ASSIGN_OR_RETURN(int64_t changed, conn.ExecuteRowCount(kCommit, {batch_id, id}));
  if (changed != 1) {
    return FailedPreconditionError("upload " + std::to_string(id) + " was imported already");
  }
  return Status::Ok();
}

}  // namespace shewhart::imports
