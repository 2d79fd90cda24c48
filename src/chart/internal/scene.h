// The drawing primitives a chart is laid out into, shared by the SVG and the cairo backends.
//
// A Scene is a flat list of items in painting order, in a coordinate system whose origin is the
// top-left corner and whose unit is the SVG pixel or the PDF point. The layout decides every
// position, size, colour and string; a backend only translates items, so the two outputs cannot
// drift apart. Text is already valid UTF-8 (sanitised by the layout) and unescaped.
//
// Example:
//   Scene scene = LayoutXmrChart(input, 960, 540);   // internal/layout.h
//   std::string svg;
//   WriteSvg(scene, &svg);                           // internal/svg_writer.h
#ifndef SHEWHART_CHART_INTERNAL_SCENE_H_
#define SHEWHART_CHART_INTERNAL_SCENE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace shewhart::chart::internal {

struct Rgb {
  uint8_t r = 0;
  uint8_t g = 0;
  uint8_t b = 0;
};

struct Point {
  double x = 0;
  double y = 0;
};

// How a line is stroked. dash = 0: solid; otherwise `dash` on, `gap` off.
struct Stroke {
  Rgb color;
  double width = 1;
  double dash = 0;
  double gap = 0;
  double opacity = 1;
};

struct Line {
  Point from;
  Point to;
  Stroke stroke;
};

struct Polyline {
  std::vector<Point> points;  // at least 2
  Stroke stroke;
};

struct Circle {
  Point centre;
  double radius = 1;
  std::optional<Rgb> fill;
  std::optional<Stroke> stroke;
  std::string tooltip;  // SVG <title> of the shape; empty for none
};

struct Rect {
  double x = 0;
  double y = 0;
  double width = 0;
  double height = 0;
  std::optional<Rgb> fill;
  std::optional<Stroke> stroke;
};

enum class Anchor : uint8_t { kStart, kMiddle, kEnd };

// One line of text; `at` is on the baseline, horizontally placed by `anchor`.
struct Text {
  Point at;
  std::string text;
  double size = 12;
  bool bold = false;
  Anchor anchor = Anchor::kStart;
  Rgb color;
  double rotate = 0;  // degrees, clockwise, about `at` (-90: reads bottom to top)
};

// Brackets a run of items that belong together (<g class="..."> in SVG; ignored by cairo).
// `css_class` must be a valid XML attribute value without escaping (layout uses fixed names).
struct GroupBegin {
  std::string css_class;
};
struct GroupEnd {};

using Item = std::variant<Line, Polyline, Circle, Rect, Text, GroupBegin, GroupEnd>;

struct Scene {
  double width = 0;
  double height = 0;
  std::string title;        // the document title (screen readers, PDF outline)
  std::string description;  // a plain-English summary of what the chart shows
  std::vector<Item> items;  // in painting order
};

// The font every backend uses, first choice first (CSS font-family syntax for SVG; cairo takes
// the first family).
inline constexpr std::string_view kFontFamily = "DejaVu Sans";
inline constexpr std::string_view kCssFontFamily = "'DejaVu Sans', Verdana, Arial, sans-serif";

}  // namespace shewhart::chart::internal

#endif  // SHEWHART_CHART_INTERNAL_SCENE_H_
