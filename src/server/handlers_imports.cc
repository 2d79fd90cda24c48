// Handlers: imports (upload -> preview (dry run) -> commit), through the same import services
// as `shewhart import`.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
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
using imports::InsertUpload;
using imports::LoadUpload;
using imports::MarkCommitted;
using imports::Upload;

bool IsXlsx(const std::string& name, const std::string& content) {
  return content.starts_with("PK\x03\x04") ||
         (name.size() > 5 && name.substr(name.size() - 5) == ".xlsx");
}

Result<imports::Table> TableOf(const Upload& u) {
  if (!IsXlsx(u.file_name, u.content)) return imports::ParseCsvTable(u.file_name, u.content);
  // The .xlsx reader works on files: a private temporary copy, removed at once.
  const std::filesystem::path tmp =
      std::filesystem::temp_directory_path() /
      ("shewhart_upload_" + std::to_string(getpid()) + "_" + std::to_string(u.id) + "_" +
       std::to_string(reinterpret_cast<uintptr_t>(&u)) + ".xlsx");
  {
    std::ofstream out(tmp, std::ios::binary);
    out.write(u.content.data(), static_cast<std::streamsize>(u.content.size()));
    if (!out) return IoError("cannot write a temporary file for the upload");
  }
  Result<imports::Table> t = imports::ReadXlsxTable(tmp.string());
  std::error_code ec;
  std::filesystem::remove(tmp, ec);
  if (t.ok()) t->name = u.file_name;
  return t;
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
// others may import observations for the units in their scope only.
Status CheckMayImport(RequestContext& ctx, const imports::Importer& importer, const Upload& u,
                      const imports::Table& table) {
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
  const std::optional<size_t> col = table.Column(importer.scope_column);
  if (!col) return Status::Ok();  // the import itself reports the missing column
  ASSIGN_OR_RETURN(directory::Directory dir, directory::Directory::Load(ctx.conn));
  std::set<std::string> outside;
  for (const auto& row : table.rows) {
    const std::string& code = row.cells[*col];
    const directory::Unit* unit = dir.FindByCode(code);
    if (unit != nullptr && !scope.Contains(unit->id)) outside.insert(code);
  }
  if (outside.empty()) return Status::Ok();
  std::string list;
  for (const auto& c : outside) list += (list.empty() ? "" : ", ") + c;
  return Status(StatusCode::kPermissionDenied,
                "the file has rows for organisations outside your scope: " + list);
}

Result<imports::ImportReport> Run(RequestContext& ctx, const Upload& u, bool dry_run) {
  ASSIGN_OR_RETURN(const imports::Importer importer, schema::FindImporter(u.kind));
  ASSIGN_OR_RETURN(imports::Table table, TableOf(u));
  RETURN_IF_ERROR(CheckMayImport(ctx, importer, u, table));
  imports::ImportOptions o{
      .actor = ctx.Actor(), .now = ctx.now, .remote = ctx.req.remote_addr, .dry_run = dry_run};
  return importer.import_table(ctx.conn, table, u.sha256, o);
}

Result<Upload> LoadFromPath(RequestContext& ctx) {
  ASSIGN_OR_RETURN(int64_t id, http::ParseIntParam("id", ctx.req.Param("id"), 1, INT64_MAX));
  ASSIGN_OR_RETURN(Upload u, LoadUpload(ctx.conn, id));
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
  if (u.file_name.size() > 255 || u.file_name.find('/') != std::string::npos ||
      u.file_name.find('\\') != std::string::npos) {
    return InvalidArgumentError("\"file_name\" must be a plain file name (no folders)");
  }
  if (ctx.req.body.empty()) return InvalidArgumentError("the upload is empty");
  if (!IsXlsx(u.file_name, ctx.req.body) && !http::IsValidUtf8(ctx.req.body)) {
    return InvalidArgumentError("a CSV upload must be UTF-8 text");
  }
  u.content = ctx.req.body;
  u.sha256 = Sha256Hex(u.content);
  u.uploaded_by = ctx.principal->account.email;
  u.uploaded_at = ctx.now;
  ASSIGN_OR_RETURN(db::Transaction tx, db::Transaction::Begin(ctx.conn));
  ASSIGN_OR_RETURN(int64_t id, InsertUpload(ctx.conn, u));
  RETURN_IF_ERROR(ctx.Audit("import.upload", "upload " + std::to_string(id), "",
                            http::DumpJson({{"kind", u.kind},
                                            {"file_name", u.file_name},
                                            {"sha256", u.sha256},
                                            {"bytes", u.content.size()}})));
  RETURN_IF_ERROR(tx.Commit());
  return http::JsonResponse({{"id", id}, {"sha256", u.sha256}, {"state", u.state}}, 201);
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
  RETURN_IF_ERROR(MarkCommitted(ctx.conn, u.id, r.batch_id));
  RETURN_IF_ERROR(ctx.Audit("import.commit", "upload " + std::to_string(u.id),
                            http::DumpJson({{"state", u.state}}),
                            http::DumpJson({{"state", "committed"},
                                            {"batch_id", r.batch_id},
                                            {"added", r.added},
                                            {"changed", r.changed},
                                            {"unchanged", r.unchanged}})));
  RETURN_IF_ERROR(tx.Commit());
  return http::JsonResponse(ReportJson(r));
}

}  // namespace shewhart::server::handlers
