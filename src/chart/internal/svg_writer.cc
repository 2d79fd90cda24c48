#include "chart/internal/svg_writer.h"

#include <charconv>
#include <cmath>
#include <type_traits>
#include <variant>

#include "base/markup.h"

namespace shewhart::chart::internal {
namespace {

// A coordinate with at most two decimals ("12.5", "3", "-0.25").
void AppendNumber(double v, std::string* out) {
  if (!std::isfinite(v)) v = 0;
  v = std::round(v * 100) / 100;
  if (v == 0) v = 0;  // no "-0"
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed, 2);
  if (ec != std::errc()) {
    out->push_back('0');
    return;
  }
  while (end[-1] == '0') --end;
  if (end[-1] == '.') --end;
  out->append(buf, end);
}

void AppendAttr(std::string_view name, double v, std::string* out) {
  out->push_back(' ');
  out->append(name);
  out->append("=\"");
  AppendNumber(v, out);
  out->push_back('"');
}

void AppendColor(Rgb c, std::string* out) {
  constexpr char kHex[] = "0123456789abcdef";
  out->push_back('#');
  for (uint8_t v : {c.r, c.g, c.b}) {
    out->push_back(kHex[v >> 4]);
    out->push_back(kHex[v & 15]);
  }
}

void AppendFill(const std::optional<Rgb>& fill, std::string* out) {
  out->append(" fill=\"");
  if (fill) {
    AppendColor(*fill, out);
  } else {
    out->append("none");
  }
  out->push_back('"');
}

void AppendStroke(const std::optional<Stroke>& stroke, std::string* out) {
  if (!stroke) return;
  out->append(" stroke=\"");
  AppendColor(stroke->color, out);
  out->push_back('"');
  AppendAttr("stroke-width", stroke->width, out);
  if (stroke->dash > 0) {
    out->append(" stroke-dasharray=\"");
    AppendNumber(stroke->dash, out);
    out->push_back(' ');
    AppendNumber(stroke->gap, out);
    out->push_back('"');
  }
  if (stroke->opacity < 1) AppendAttr("stroke-opacity", stroke->opacity, out);
}

void AppendPoint(Point p, std::string* out) {
  AppendNumber(p.x, out);
  out->push_back(',');
  AppendNumber(p.y, out);
}

struct ItemWriter {
  std::string* out;

  void operator()(const Line& l) const {
    out->append("<line");
    AppendAttr("x1", l.from.x, out);
    AppendAttr("y1", l.from.y, out);
    AppendAttr("x2", l.to.x, out);
    AppendAttr("y2", l.to.y, out);
    AppendStroke(l.stroke, out);
    out->append("/>\n");
  }
  void operator()(const Polyline& p) const {
    out->append("<polyline points=\"");
    for (size_t i = 0; i < p.points.size(); ++i) {
      if (i > 0) out->push_back(' ');
      AppendPoint(p.points[i], out);
    }
    out->append("\" fill=\"none\" stroke-linejoin=\"round\"");
    AppendStroke(p.stroke, out);
    out->append("/>\n");
  }
  void operator()(const Circle& c) const {
    out->append("<circle");
    AppendAttr("cx", c.centre.x, out);
    AppendAttr("cy", c.centre.y, out);
    AppendAttr("r", c.radius, out);
    AppendFill(c.fill, out);
    AppendStroke(c.stroke, out);
    if (c.tooltip.empty()) {
      out->append("/>\n");
      return;
    }
    out->append("><title>");
    AppendMarkupEscaped(c.tooltip, out);
    out->append("</title></circle>\n");
  }
  void operator()(const Rect& r) const {
    out->append("<rect");
    AppendAttr("x", r.x, out);
    AppendAttr("y", r.y, out);
    AppendAttr("width", r.width, out);
    AppendAttr("height", r.height, out);
    AppendFill(r.fill, out);
    AppendStroke(r.stroke, out);
    out->append("/>\n");
  }
  void operator()(const Text& t) const {
    out->append("<text");
    AppendAttr("x", t.at.x, out);
    AppendAttr("y", t.at.y, out);
    AppendAttr("font-size", t.size, out);
    if (t.bold) out->append(" font-weight=\"bold\"");
    if (t.anchor == Anchor::kMiddle) out->append(" text-anchor=\"middle\"");
    if (t.anchor == Anchor::kEnd) out->append(" text-anchor=\"end\"");
    out->append(" fill=\"");
    AppendColor(t.color, out);
    out->push_back('"');
    if (t.rotate != 0) {
      out->append(" transform=\"rotate(");
      AppendNumber(t.rotate, out);
      out->push_back(' ');
      AppendPoint(t.at, out);
      out->append(")\"");
    }
    out->push_back('>');
    AppendMarkupEscaped(t.text, out);
    out->append("</text>\n");
  }
  void operator()(const GroupBegin& g) const {
    out->append("<g class=\"");
    out->append(g.css_class);
    out->append("\">\n");
  }
  void operator()(const GroupEnd&) const { out->append("</g>\n"); }
};

}  // namespace


void WriteSvg(const Scene& scene, std::string* out) {
  out->reserve(out->size() + 200 + scene.items.size() * 110);
  out->append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  out->append("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\"");
  AppendAttr("width", scene.width, out);
  AppendAttr("height", scene.height, out);
  out->append(" viewBox=\"0 0 ");
  AppendNumber(scene.width, out);
  out->push_back(' ');
  AppendNumber(scene.height, out);
  out->append("\" role=\"img\" aria-labelledby=\"chart-title chart-desc\" font-family=\"");
  AppendMarkupEscaped(kCssFontFamily, out);
  out->append("\">\n<title id=\"chart-title\">");
  AppendMarkupEscaped(scene.title, out);
  out->append("</title>\n<desc id=\"chart-desc\">");
  AppendMarkupEscaped(scene.description, out);
  out->append("</desc>\n");
  const ItemWriter writer{out};
  for (const Item& item : scene.items) std::visit(writer, item);
  out->append("</svg>\n");
}

}  // namespace shewhart::chart::internal
