// Uploaded files waiting to be previewed and imported (upload -> preview -> commit). The bytes
// are kept in the database (base64 for binary .xlsx) so any server process can pick them up.
//
// Example:
//   ASSIGN_OR_RETURN(int64_t id, InsertUpload(conn, {.kind = "observations", ...}));
#ifndef SHEWHART_IMPORTS_UPLOADS_H_
#define SHEWHART_IMPORTS_UPLOADS_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "access/audit.h"
#include "base/status.h"
#include "db/db.h"
#include "db/migrate.h"
#include "imports/imports.h"

namespace shewhart::imports {

// The upload table (version 501).
std::span<const db::Migration> UploadMigrations();

struct Upload {
  int64_t id = 0;
  std::string kind;       // observations, organisations, metrics
  std::string file_name;  // as given
  std::string sha256;
  std::string content;  // the file's bytes
  std::string uploaded_by;
  std::string uploaded_at;
  std::string state = "uploaded";  // uploaded, committed
  std::optional<int64_t> batch_id;
};

Result<int64_t> InsertUpload(db::Connection& conn, const Upload& upload);
// Stages an upload (its kind already checked by the caller against the registry of import
// kinds): a plain file name, a non-empty body; sets sha256, uploaded_by, uploaded_at; audited
// as "import.upload" ("upload N"; after: kind, file name, SHA-256, bytes) by `who`, in its own
// transaction. Returns the new id.
Result<int64_t> StageUpload(db::Connection& conn, Upload upload, const access::Acting& who);
// Marks a previewed upload committed with the batch its import wrote, audited as
// "import.commit" (state before -> committed, with the counts). REQUIRES: inside the import's
// transaction, so that rows, state and audit land together. FailedPrecondition as MarkCommitted.
Status CommitUpload(db::Connection& conn, const Upload& upload, const ImportReport& report,
                    const access::Acting& who);
// NotFound when absent.
Result<Upload> LoadUpload(db::Connection& conn, int64_t id);
// Marks the upload committed with its batch — only if it was not already: FailedPrecondition
// otherwise, so that of two simultaneous commits (each in its own transaction, which this
// statement joins) exactly one succeeds and the other's import is rolled back with it.
Status MarkCommitted(db::Connection& conn, int64_t id, int64_t batch_id);

}  // namespace shewhart::imports

#endif  // SHEWHART_IMPORTS_UPLOADS_H_
