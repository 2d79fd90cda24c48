// Handlers: the board as files — the Excel workbook and the PDF board pack (oversight/exports.h),
// with the same filters as GET /api/board. The writers need a file; each request writes its own
// temporary file (private, mkstemps), reads it back as the body and removes it.
// Cost cap: a board export takes hundreds of MB at full size, so at most kMaxConcurrentExports
// run at once in a process; a request beyond that is answered 429 at once ("try again shortly")
// instead of queueing memory.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <semaphore>
#include <sstream>

#include "oversight/exports.h"
#include "server/internal/handlers.h"

namespace shewhart::server::handlers {
namespace {

// A fresh temporary file name ending in `suffix`; the file is removed with this object.
class TempFile {
 public:
  explicit TempFile(const std::string& suffix) {
    std::string templ =
        (std::filesystem::temp_directory_path() / ("shewhart-export-XXXXXX" + suffix)).string();
    const int fd = mkstemps(templ.data(), static_cast<int>(suffix.size()));
    if (fd >= 0) {
      close(fd);
      path_ = templ;
    }
  }
  ~TempFile() {
    if (!path_.empty()) std::remove(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

constexpr int kMaxConcurrentExports = 2;
std::counting_semaphore<kMaxConcurrentExports> export_slots(kMaxConcurrentExports);

// One of the export slots, or nullopt when all are taken.
class ExportSlot {
 public:
  ExportSlot() : held_(export_slots.try_acquire()) {}
  ~ExportSlot() {
    if (held_) export_slots.release();
  }
  ExportSlot(const ExportSlot&) = delete;
  ExportSlot& operator=(const ExportSlot&) = delete;
  bool held() const { return held_; }

 private:
  bool held_;
};

Status Busy() {
  return ResourceExhaustedError(
      "the server is already preparing other board exports; please try again in a minute");
}

Result<oversight::BoardExportOptions> OptionsOf(const RequestContext& ctx) {
  oversight::BoardExportOptions o;
  o.filter.domain = ctx.req.Query("domain").value_or("");
  o.filter.place = ctx.req.Query("place").value_or("");
  o.filter.kind = ctx.req.Query("kind").value_or("");
  o.filter.metric = ctx.req.Query("metric").value_or("");
  o.filter.scope = ctx.req.Query("scope").value_or("");
  o.filter.limit = 50000;
  o.generated_at = ctx.now;
  return o;
}

Result<std::string> ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError("cannot read the export back");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

http::Response FileResponse(std::string body, std::string content_type, std::string name) {
  http::Response r;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + "\"");
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

}  // namespace

Result<http::Response> BoardWorkbook(RequestContext& ctx) {
  ExportSlot slot;
  if (!slot.held()) return Busy();
  ASSIGN_OR_RETURN(oversight::BoardExportOptions o, OptionsOf(ctx));
  TempFile file(".xlsx");
  if (file.path().empty()) return IoError("cannot create a temporary file for the export");
  ASSIGN_OR_RETURN(oversight::BoardWorkbookReport report,
                   oversight::WriteBoardWorkbook(ctx.conn, o, file.path()));
  (void)report;
  ASSIGN_OR_RETURN(std::string body, ReadAll(file.path()));
  return FileResponse(std::move(body),
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                      "shewhart-board.xlsx");
}

Result<http::Response> BoardPack(RequestContext& ctx) {
  ExportSlot slot;
  if (!slot.held()) return Busy();
  ASSIGN_OR_RETURN(oversight::BoardExportOptions o, OptionsOf(ctx));
  TempFile file(".pdf");
  if (file.path().empty()) return IoError("cannot create a temporary file for the export");
  ASSIGN_OR_RETURN(oversight::BoardPackReport report,
                   oversight::WriteBoardPack(ctx.conn, o, file.path()));
  (void)report;
  ASSIGN_OR_RETURN(std::string body, ReadAll(file.path()));
  return FileResponse(std::move(body), "application/pdf", "shewhart-board-pack.pdf");
}

}  // namespace shewhart::server::handlers
