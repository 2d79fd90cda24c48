// Paints a Scene with cairo: the backend behind the PDF board pack and PNG images.
//
// Only this file and its .cc see cairo; callers pass the context as an opaque pointer. Text uses
// DejaVu Sans through cairo's font selection (fontconfig), anchored with cairo's own metrics so
// that labels line up as they do in a browser.
//
// Example:
//   cairo_t* cr = cairo_create(surface);
//   PaintScene(LayoutXmrChart(input, 842, 595), cr);
//   cairo_show_page(cr);
#ifndef SHEWHART_CHART_INTERNAL_CAIRO_PAINTER_H_
#define SHEWHART_CHART_INTERNAL_CAIRO_PAINTER_H_

#include <string>

#include "base/status.h"
#include "chart/internal/scene.h"

typedef struct _cairo cairo_t;  // NOLINT: cairo's own declaration, to keep cairo.h out

namespace shewhart::chart::internal {

// Paints every item of `scene` onto `cr` in scene units (apply any scale to `cr` first). Errors
// are left in cr's status (cairo_status), as cairo does.
void PaintScene(const Scene& scene, cairo_t* cr);

// The scene as a PNG file's bytes, scene.width x scene.height pixels times `scale`.
// InvalidArgument for a scale outside (0, 8] or an image over 16384 pixels a side; Internal if
// cairo fails (out of memory).
Result<std::string> PaintPng(const Scene& scene, double scale);

// An A4 landscape page in PDF points: the size every board-pack page is laid out at.
inline constexpr double kPdfPageWidth = 842;
inline constexpr double kPdfPageHeight = 595;

}  // namespace shewhart::chart::internal

#endif  // SHEWHART_CHART_INTERNAL_CAIRO_PAINTER_H_
