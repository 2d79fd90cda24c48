#include "chart/internal/text_metrics.h"

#include <cstdint>

namespace shewhart::chart::internal {
namespace {

// DejaVu Sans advance widths for U+0020..U+007E in 1/1000 em, measured with cairo from
// fonts-dejavu-core (DejaVuSans.ttf and DejaVuSans-Bold.ttf).
constexpr uint16_t kRegular[95] = {
    318,  401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337,  //
    636,  636, 636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531,  //
    1000, 684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787,  //
    603,  787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838, 500,  //
    500,  613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612,  //
    635,  635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838};
constexpr uint16_t kBold[95] = {
    348,  456, 521, 838, 696, 1002, 872, 306,  457, 457, 523, 838, 380, 415,  380, 365,  //
    696,  696, 696, 696, 696, 696,  696, 696,  696, 696, 400, 400, 838, 838,  838, 580,  //
    1000, 774, 762, 734, 830, 683,  683, 821,  837, 372, 372, 775, 637, 995,  837, 850,  //
    733,  850, 770, 720, 682, 812,  774, 1103, 771, 724, 725, 457, 365, 457,  838, 500,  //
    500,  675, 716, 593, 716, 678,  435, 716,  712, 343, 343, 665, 343, 1042, 712, 687,  //
    716,  716, 493, 595, 478, 712,  652, 924,  645, 652, 582, 712, 365, 712,  838};

// Width of a non-ASCII code point: a few common punctuation marks exactly, others a generous
// average (accented Latin letters are ~620; CJK would be wider, and is rare in NHS titles).
uint16_t NonAsciiWidth(uint32_t cp, bool bold) {
  switch (cp) {
    case 0x2013:  // en dash
      return 500;
    case 0x2014:  // em dash
    case 0x2026:  // ellipsis
      return 1000;
    case 0x00B7:  // middle dot
    case 0x2019:  // right single quote
      return bold ? 380 : 318;
    case 0x25CF:  // black circle
      return 873;
    default:
      return bold ? 720 : 660;
  }
}

// Decodes the code point starting at text[*i] and advances *i. REQUIRES: valid UTF-8.
uint32_t NextCodePoint(std::string_view text, size_t* i) {
  const auto b0 = static_cast<uint8_t>(text[*i]);
  int len = b0 < 0x80 ? 1 : b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4;
  if (*i + len > text.size()) len = static_cast<int>(text.size() - *i);
  uint32_t cp = len == 1 ? b0 : len == 2 ? (b0 & 0x1F) : len == 3 ? (b0 & 0x0F) : (b0 & 0x07);
  for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<uint8_t>(text[*i + k]) & 0x3F);
  *i += len;
  return cp;
}

double CodePointWidth(uint32_t cp, double size, bool bold) {
  const uint16_t w =
      cp >= 0x20 && cp < 0x7F ? (bold ? kBold : kRegular)[cp - 0x20] : NonAsciiWidth(cp, bold);
  return w * size / 1000.0;
}

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";

}  // namespace

std::string SanitizeUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const auto b0 = static_cast<uint8_t>(text[i]);
    if (b0 < 0x80) {
      out.push_back(b0 < 0x20 || b0 == 0x7F ? ' ' : static_cast<char>(b0));
      ++i;
      continue;
    }
    // Expected length and the minimum code point for that length (to reject overlongs).
    int len = 0;
    uint32_t cp = 0;
    uint32_t min_cp = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      len = 2, cp = b0 & 0x1F, min_cp = 0x80;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      len = 3, cp = b0 & 0x0F, min_cp = 0x800;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      len = 4, cp = b0 & 0x07, min_cp = 0x10000;
    }
    bool valid = len > 0 && i + len <= text.size();
    for (int k = 1; valid && k < len; ++k) {
      const auto b = static_cast<uint8_t>(text[i + k]);
      if ((b & 0xC0) != 0x80) {
        valid = false;
      } else {
        cp = (cp << 6) | (b & 0x3F);
      }
    }
    valid = valid && cp >= min_cp && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF) &&
            !(cp >= 0x80 && cp < 0xA0) && cp != 0xFFFE && cp != 0xFFFF;
    if (valid) {
      out.append(text.substr(i, len));
      i += len;
    } else {
      out.append("\xEF\xBF\xBD");  // U+FFFD, then resynchronise on the next byte
      ++i;
    }
  }
  return out;
}

double TextWidth(std::string_view text, double size, bool bold) {
  double width = 0;
  size_t i = 0;
  while (i < text.size()) width += CodePointWidth(NextCodePoint(text, &i), size, bold);
  return width;
}

std::string Ellipsize(std::string_view text, double size, bool bold, double max_width) {
  if (TextWidth(text, size, bold) <= max_width) return std::string(text);
  const double budget = max_width - TextWidth(kEllipsis, size, bold);
  if (budget < 0) return "";
  double width = 0;
  size_t i = 0;
  size_t cut = 0;
  while (i < text.size()) {
    width += CodePointWidth(NextCodePoint(text, &i), size, bold);
    if (width > budget) break;
    cut = i;
  }
  std::string out(text.substr(0, cut));
  while (!out.empty() && out.back() == ' ') out.pop_back();
  out.append(kEllipsis);
  return out;
}

std::vector<std::string> WrapText(std::string_view text, double size, bool bold, double max_width,
                                  int max_lines) {
  std::vector<std::string> lines;
  if (max_lines <= 0) return lines;
  std::string current;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    if (i >= text.size()) break;
    size_t end = text.find(' ', i);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view word = text.substr(i, end - i);
    std::string candidate = current.empty() ? std::string(word) : current + " " + std::string(word);
    if (current.empty() || TextWidth(candidate, size, bold) <= max_width) {
      current = std::move(candidate);
      i = end;
      continue;
    }
    // The word starts a new line.
    if (static_cast<int>(lines.size()) + 1 == max_lines) {
      // No room for another line: the rest of the text goes into the last one, ellipsized.
      current.append(" ").append(text.substr(i));
      lines.push_back(Ellipsize(current, size, bold, max_width));
      return lines;
    }
    lines.push_back(Ellipsize(current, size, bold, max_width));
    current.clear();
  }
  if (!current.empty() && static_cast<int>(lines.size()) < max_lines) {
    lines.push_back(Ellipsize(current, size, bold, max_width));
  }
  return lines;
}

}  // namespace shewhart::chart::internal
