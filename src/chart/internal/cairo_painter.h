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

#include "chart/internal/scene.h"

typedef struct _cairo cairo_t;  // NOLINT: cairo's own declaration, to keep cairo.h out

namespace shewhart::chart::internal {

// Paints every item of `scene` onto `cr` in scene units (apply any scale to `cr` first). Errors
// are left in cr's status (cairo_status), as cairo does.
void PaintScene(const Scene& scene, cairo_t* cr);

}  // namespace shewhart::chart::internal

#endif  // SHEWHART_CHART_INTERNAL_CAIRO_PAINTER_H_
