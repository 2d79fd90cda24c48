#include "chart/xmr_chart.h"

#include <cairo-pdf.h>
#include <cairo.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>

#include "chart/internal/cairo_painter.h"
#include "chart/internal/layout.h"
#include "chart/internal/svg_writer.h"

namespace shewhart::chart {
namespace {

// A4 landscape in PDF points.
constexpr double kPageWidth = internal::kPdfPageWidth;
constexpr double kPageHeight = internal::kPdfPageHeight;

}  // namespace

std::string RenderXmrSvg(const XmrChartInput& input) {
  const internal::Scene scene = internal::LayoutXmrChart(input, input.width, input.height);
  std::string svg;
  internal::WriteSvg(scene, &svg);
  return svg;
}

Result<std::string> RenderXmrPng(const XmrChartInput& input, double scale) {
  if (!(scale > 0 && scale <= 8)) return InvalidArgumentError("PNG scale must be in (0, 8]");
  return internal::PaintPng(internal::LayoutXmrChart(input, input.width, input.height), scale);
}

struct PdfBoardPack::Impl {
  std::string path;
  FILE* file = nullptr;
  cairo_surface_t* surface = nullptr;
  int pages = 0;
  bool finished = false;
  int write_errno = 0;  // first errno of a failed write

  static cairo_status_t Write(void* closure, const unsigned char* data, unsigned int length) {
    auto* impl = static_cast<Impl*>(closure);
    if (std::fwrite(data, 1, length, impl->file) != length) {
      if (impl->write_errno == 0) impl->write_errno = errno != 0 ? errno : EIO;
      return CAIRO_STATUS_WRITE_ERROR;
    }
    return CAIRO_STATUS_SUCCESS;
  }

  Status Error(const char* what) const {
    std::string message = "cannot " + std::string(what) + " the board pack '" + path + "'";
    if (write_errno != 0) {
      message += ": " + std::string(std::strerror(write_errno));
    } else if (surface != nullptr && cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
      message += ": " + std::string(cairo_status_to_string(cairo_surface_status(surface)));
    }
    return IoError(std::move(message));
  }

  ~Impl() {
    if (surface != nullptr) cairo_surface_destroy(surface);
    if (file != nullptr) std::fclose(file);
  }
};

PdfBoardPack::PdfBoardPack(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

PdfBoardPack::~PdfBoardPack() {
  if (impl_ != nullptr && !impl_->finished) (void)Finish();
}

Result<std::unique_ptr<PdfBoardPack>> PdfBoardPack::Create(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->file = std::fopen(path.c_str(), "wb");
  if (impl->file == nullptr) {
    return IoError("cannot create the board pack '" + path + "': " + std::strerror(errno));
  }
  impl->surface =
      cairo_pdf_surface_create_for_stream(&Impl::Write, impl.get(), kPageWidth, kPageHeight);
  if (cairo_surface_status(impl->surface) != CAIRO_STATUS_SUCCESS) return impl->Error("start");
  cairo_pdf_surface_set_metadata(impl->surface, CAIRO_PDF_METADATA_TITLE,
                                 "Making Data Count board pack");
  cairo_pdf_surface_set_metadata(impl->surface, CAIRO_PDF_METADATA_CREATOR, "Shewhart");
  return std::unique_ptr<PdfBoardPack>(new PdfBoardPack(std::move(impl)));
}

Status PdfBoardPack::AddPage(const XmrChartInput& input) {
  return AddLaidOutPage(internal::LayoutXmrChart(input, kPageWidth, kPageHeight));
}

Status PdfBoardPack::AddLaidOutPage(const internal::Scene& scene) {
  Impl& impl = *impl_;
  if (impl.finished) return FailedPreconditionError("the board pack is already finished");
  cairo_t* cr = cairo_create(impl.surface);
  internal::PaintScene(scene, cr);
  cairo_show_page(cr);
  const cairo_status_t status = cairo_status(cr);
  cairo_destroy(cr);
  ++impl.pages;
  // A bookmark per page, so a board member can jump to a chart from the PDF outline.
  const std::string link = "page=" + std::to_string(impl.pages);
  cairo_pdf_surface_add_outline(impl.surface, CAIRO_PDF_OUTLINE_ROOT, scene.title.c_str(),
                                link.c_str(), static_cast<cairo_pdf_outline_flags_t>(0));
  if (status != CAIRO_STATUS_SUCCESS || impl.write_errno != 0 ||
      cairo_surface_status(impl.surface) != CAIRO_STATUS_SUCCESS) {
    return impl.Error("write a page of");
  }
  return Status::Ok();
}

Status PdfBoardPack::Finish() {
  Impl& impl = *impl_;
  if (impl.finished) return FailedPreconditionError("the board pack is already finished");
  impl.finished = true;
  cairo_surface_finish(impl.surface);
  const bool drawn = cairo_surface_status(impl.surface) == CAIRO_STATUS_SUCCESS;
  Status status = drawn && impl.write_errno == 0 ? Status::Ok() : impl.Error("write");
  cairo_surface_destroy(impl.surface);
  impl.surface = nullptr;
  const int closed = std::fclose(impl.file);
  impl.file = nullptr;
  if (closed != 0 && status.ok()) {
    status = IoError("cannot close the board pack '" + impl.path + "': " + std::strerror(errno));
  }
  return status;
}

}  // namespace shewhart::chart
