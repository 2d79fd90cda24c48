#include "chart/internal/cairo_painter.h"

#include <cairo.h>

#include <cmath>
#include <string>
#include <variant>

namespace shewhart::chart::internal {
namespace {

// cairo's image surfaces stop at 32767 pixels a side; stay well inside (and memory sane).
constexpr int kMaxPngSide = 16384;

cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

void SetColor(cairo_t* cr, Rgb c, double opacity = 1) {
  cairo_set_source_rgba(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0, opacity);
}

void ApplyStroke(cairo_t* cr, const Stroke& s) {
  SetColor(cr, s.color, s.opacity);
  cairo_set_line_width(cr, s.width);
  if (s.dash > 0) {
    const double pattern[2] = {s.dash, s.gap};
    cairo_set_dash(cr, pattern, 2, 0);
  } else {
    cairo_set_dash(cr, nullptr, 0, 0);
  }
  cairo_stroke_preserve(cr);
}

// Fills then strokes the current path, and clears it.
void FillAndStroke(cairo_t* cr, const std::optional<Rgb>& fill,
                   const std::optional<Stroke>& stroke) {
  if (fill) {
    SetColor(cr, *fill);
    cairo_fill_preserve(cr);
  }
  if (stroke) ApplyStroke(cr, *stroke);
  cairo_new_path(cr);
}

struct ItemPainter {
  cairo_t* cr;

  void operator()(const Line& l) const {
    cairo_move_to(cr, l.from.x, l.from.y);
    cairo_line_to(cr, l.to.x, l.to.y);
    FillAndStroke(cr, std::nullopt, l.stroke);
  }
  void operator()(const Polyline& p) const {
    if (p.points.empty()) return;
    cairo_move_to(cr, p.points[0].x, p.points[0].y);
    for (size_t i = 1; i < p.points.size(); ++i) cairo_line_to(cr, p.points[i].x, p.points[i].y);
    FillAndStroke(cr, std::nullopt, p.stroke);
  }
  void operator()(const Circle& c) const {
    cairo_new_sub_path(cr);
    cairo_arc(cr, c.centre.x, c.centre.y, c.radius, 0, 2 * M_PI);
    FillAndStroke(cr, c.fill, c.stroke);
  }
  void operator()(const Rect& r) const {
    cairo_rectangle(cr, r.x, r.y, r.width, r.height);
    FillAndStroke(cr, r.fill, r.stroke);
  }
  void operator()(const Text& t) const {
    const std::string family(kFontFamily);
    cairo_select_font_face(cr, family.c_str(), CAIRO_FONT_SLANT_NORMAL,
                           t.bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, t.size);
    double dx = 0;
    if (t.anchor != Anchor::kStart) {
      cairo_text_extents_t extents;
      cairo_text_extents(cr, t.text.c_str(), &extents);
      dx = t.anchor == Anchor::kMiddle ? -extents.x_advance / 2 : -extents.x_advance;
    }
    cairo_save(cr);
    cairo_translate(cr, t.at.x, t.at.y);
    if (t.rotate != 0) cairo_rotate(cr, t.rotate * M_PI / 180);
    cairo_move_to(cr, dx, 0);
    SetColor(cr, t.color);
    cairo_show_text(cr, t.text.c_str());
    cairo_new_path(cr);
    cairo_restore(cr);
  }
  void operator()(const GroupBegin&) const {}
  void operator()(const GroupEnd&) const {}
};

}  // namespace

void PaintScene(const Scene& scene, cairo_t* cr) {
  cairo_save(cr);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
  const ItemPainter painter{cr};
  for (const Item& item : scene.items) std::visit(painter, item);
  cairo_restore(cr);
}

Result<std::string> PaintPng(const Scene& scene, double scale) {
  if (!(scale > 0 && scale <= 8)) return InvalidArgumentError("PNG scale must be in (0, 8]");
  const int pixel_width = static_cast<int>(scene.width * scale + 0.5);
  const int pixel_height = static_cast<int>(scene.height * scale + 0.5);
  if (pixel_width > kMaxPngSide || pixel_height > kMaxPngSide) {
    return InvalidArgumentError("the PNG would be larger than " + std::to_string(kMaxPngSide) +
                                " pixels a side");
  }
  cairo_surface_t* surface =
      cairo_image_surface_create(CAIRO_FORMAT_ARGB32, pixel_width, pixel_height);
  cairo_t* cr = cairo_create(surface);
  cairo_scale(cr, scale, scale);
  PaintScene(scene, cr);
  cairo_status_t status = cairo_status(cr);
  cairo_destroy(cr);
  std::string png;
  if (status == CAIRO_STATUS_SUCCESS) {
    status = cairo_surface_write_to_png_stream(surface, AppendToString, &png);
  }
  cairo_surface_destroy(surface);
  if (status != CAIRO_STATUS_SUCCESS) {
    return InternalError(std::string("cannot draw the PNG chart: ") +
                         cairo_status_to_string(status));
  }
  return png;
}

}  // namespace shewhart::chart::internal
