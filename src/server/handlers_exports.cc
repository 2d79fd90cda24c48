// Handlers: the board as files — the Excel workbook and the PDF board pack (oversight/exports.h),
// with the same filters as GET /api/board. The writers need a file: each request writes its own
// private temporary file (server/internal/attachment.h), read back as the body and removed.
// Cost cap: a board export takes hundreds of MB at full size, so at most kMaxConcurrentExports
// run at once in a process; a request beyond that is answered 429 at once ("try again shortly")
// instead of queueing memory.
#include <semaphore>

#include "oversight/exports.h"
#include "server/internal/attachment.h"
#include "server/internal/handlers.h"

namespace shewhart::server::handlers {
namespace {

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

}  // namespace

Result<http::Response> BoardWorkbook(RequestContext& ctx) {
  ExportSlot slot;
  if (!slot.held()) return Busy();
  ASSIGN_OR_RETURN(oversight::BoardExportOptions o, OptionsOf(ctx));
  return WrittenAttachment(
      ".xlsx",
      [&](const std::string& path) {
        return oversight::WriteBoardWorkbook(ctx.conn, o, path).status();
      },
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "shewhart-board.xlsx");
}

Result<http::Response> BoardPack(RequestContext& ctx) {
  ExportSlot slot;
  if (!slot.held()) return Busy();
  ASSIGN_OR_RETURN(oversight::BoardExportOptions o, OptionsOf(ctx));
  return WrittenAttachment(
      ".pdf",
      [&](const std::string& path) { return oversight::WriteBoardPack(ctx.conn, o, path).status(); },
      "application/pdf", "shewhart-board-pack.pdf");
}

}  // namespace shewhart::server::handlers
