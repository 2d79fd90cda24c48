// Handlers: imports (upload -> preview (dry run) -> commit), through the same import services
// as `shewhart import`.

#include <cstdio>
#include <nlohmann/json.hpp>

#include "base/hash.h"
#include "directory/directory.h"
#include "http/json.h"
#include "imports/imports.h"
#include "imports/table.h"
#include "server/internal/handlers.h"
#include "imports/uploads.h"
#include "schema/schema.h"

namespace shewhart::server::handlers {
namespace {

using nlohmann::json;
using imports::LoadUpload;
using imports::Upload;

bool IsXlsx(const std::string& name, const std::string& content) {
  return content.starts_with("PK\x03\x04") ||
         (name.size() > 5 && name.substr(name.size() - 5) == ".xlsx");
}

// Uploads are parsed from memory: no temporary file to leak or to be read by others.
Result<imports::Table> TableOf(const Upload& u) {
  if (!IsXlsx(u.file_name, u.content)) return imports::ParseCsvTable(u.file_name, u.content);
  return imports::ParseXlsxTable(u.file_name, u.content);
}

json ReportJson(const imports::ImportReport& r) {
  json changes = json::array();
  for (const auto& c : r.changes) {
    changes.push_back({{"row", c.row}, {"key", c.key}, {"before", c.before}, {"after", c.after}});
  }
  return {{"file", r.file},
          {"rows", r.rows},
          {"added", r.added},
          {"changed", r.changed},
          {"unchanged", r.unchanged},
          {"changes", changes},
          {"written", r.written},
          {"batch_id", r.batch_id},
          {"series_recomputed", r.series_recomputed},
          {"aggregates_recomputed", r.aggregates_recomputed},
          {"summary", r.Summary()}};
}

// Only administrators and system quality leads change the directory or the dictionary by file;
// others may import the rows of the organisations in their scope only — decided by the import
// service on the units it resolved (ImportOptions::unit_in_scope), never on the raw cells.
Status CheckMayImport(RequestContext& ctx, const imports::Importer& importer, const Upload& u,
                      imports::ImportOptions* options) {
  const access::Role role = ctx.principal->account.role;
  if (importer.scope_column.empty()) {
    if (!access::HasSystemScope(role)) {
      return Status(StatusCode::kPermissionDenied,
                    "only administrators and system quality leads import " + u.kind);
    }
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  if (scope.all) return Status::Ok();
  options->unit_in_scope = [scope = std::move(scope)](int64_t unit_id) {
    return scope.Contains(unit_id);
  };
  return Status::Ok();
}

Result<imports::ImportReport> Run(RequestContext& ctx, const Upload& u, bool dry_run) {
  ASSIGN_OR_RETURN(const imports::Importer importer, schema::FindImporter(u.kind));
  ASSIGN_OR_RETURN(imports::Table table, TableOf(u));
  imports::ImportOptions o{
      .actor = ctx.Actor(), .now = ctx.now, .remote = ctx.req.remote_addr, .dry_run = dry_run};
  RETURN_IF_ERROR(CheckMayImport(ctx, importer, u, &o));
  return importer.import_table(ctx.conn, table, u.sha256, o);
}

// An upload is seen (metadata, preview, commit) by the person who uploaded it and by the
// system roles; to anyone else it does not exist.
Result<Upload> LoadFromPath(RequestContext& ctx) {
  ASSIGN_OR_RETURN(int64_t id, http::ParseIntParam("id", ctx.req.Param("id"), 1, INT64_MAX));
  ASSIGN_OR_RETURN(Upload u, LoadUpload(ctx.conn, id));
  if (!access::HasSystemScope(ctx.principal->account.role) &&
      u.uploaded_by != ctx.principal->account.email) {
    return NotFoundError("there is no upload " + std::to_string(id));
  }
  return u;
}

}  // namespace

Result<http::Response> UploadImport(RequestContext& ctx) {
  Upload u;
  u.kind = ctx.req.Query("kind").value_or("observations");
  if (Result<imports::Importer> importer = schema::FindImporter(u.kind); !importer.ok()) {
    return InvalidArgumentError("\"kind\": " + importer.status().message());
  }
  u.file_name = ctx.req.Query("file_name").value_or("upload.csv");
  if (!ctx.req.body.empty() && !IsXlsx(u.file_name, ctx.req.body) &&
      !http::IsValidUtf8(ctx.req.body)) {
    return InvalidArgumentError("a CSV upload must be UTF-8 text");
  }
  u.content = ctx.req.body;
  ASSIGN_OR_RETURN(const int64_t id, imports::StageUpload(ctx.conn, u, ctx.Acting()));
  return http::JsonResponse({{"id", id}, {"sha256", Sha256Hex(u.content)}, {"state", u.state}},
                            201);
}

Result<http::Response> GetImport(RequestContext& ctx) {
  ASSIGN_OR_RETURN(Upload u, LoadFromPath(ctx));
  return http::JsonResponse({{"id", u.id},
                             {"kind", u.kind},
                             {"file_name", u.file_name},
                             {"sha256", u.sha256},
                             {"bytes", u.content.size()},
                             {"uploaded_by", u.uploaded_by},
                             {"uploaded_at", u.uploaded_at},
                             {"state", u.state},
                             {"batch_id", u.batch_id ? json(*u.batch_id) : json(nullptr)}});
}

Result<http::Response> PreviewImport(RequestContext& ctx) {
  ASSIGN_OR_RETURN(Upload u, LoadFromPath(ctx));
  ASSIGN_OR_RETURN(imports::ImportReport r, Run(ctx, u, /*dry_run=*/true));
  return http::JsonResponse(ReportJson(r));
}

Result<http::Response> CommitImport(RequestContext& ctx) {
  ASSIGN_OR_RETURN(Upload u, LoadFromPath(ctx));
  if (u.state == "committed") {
    return FailedPreconditionError("upload " + std::to_string(u.id) + " was imported already");
  }
  // One transaction: the import joins it, so the rows, the upload's state and the audit entry
  // land together or not at all.
  ASSIGN_OR_RETURN(db::Transaction tx, db::Transaction::Begin(ctx.conn));
  ASSIGN_OR_RETURN(imports::ImportReport r, Run(ctx, u, /*dry_run=*/false));
  RETURN_IF_ERROR(imports::CommitUpload(ctx.conn, u, r, ctx.Acting()));
  RETURN_IF_ERROR(tx.Commit());
  return http::JsonResponse(ReportJson(r));
}

}  // namespace shewhart::server::handlers
