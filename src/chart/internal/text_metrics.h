// Text measurement and clean-up for chart layout, without a font engine.
//
// The layout must decide line breaks and label spacing the same way for SVG (measured later by a
// browser) and PDF (measured by cairo). We measure with DejaVu Sans' advance widths, embedded
// here for ASCII, and a generous average for other characters, so decisions are deterministic
// and identical for both backends. DejaVu Sans is wider than Arial or Helvetica, so text laid
// out this way also fits when a viewer substitutes one of those.
//
// Example:
//   std::string clean = SanitizeUtf8(user_title);          // valid UTF-8, no control characters
//   double w = TextWidth(clean, 12, /*bold=*/true);        // in the units of `size`
//   std::vector<std::string> lines = WrapText(clean, 10, false, 140, 3);
#ifndef SHEWHART_CHART_INTERNAL_TEXT_METRICS_H_
#define SHEWHART_CHART_INTERNAL_TEXT_METRICS_H_

#include <string>
#include <string_view>
#include <vector>

namespace shewhart::chart::internal {

// `text` with every invalid UTF-8 sequence replaced by U+FFFD and every control character
// (including newlines and tabs) replaced by a space, so it can go into XML and cairo safely.
std::string SanitizeUtf8(std::string_view text);

// Advance width of valid UTF-8 `text` at font size `size` (same unit as the result).
double TextWidth(std::string_view text, double size, bool bold);

// `text` cut at a character boundary and ended with "…" so that it fits in `max_width`;
// `text` itself when it fits. Empty if not even "…" fits.
std::string Ellipsize(std::string_view text, double size, bool bold, double max_width);

// Breaks `text` at spaces into at most `max_lines` lines each no wider than `max_width`; a word
// longer than a line, or text left over after the last line, is ellipsized. No lines for text
// that is empty or all spaces.
std::vector<std::string> WrapText(std::string_view text, double size, bool bold, double max_width,
                                  int max_lines);

}  // namespace shewhart::chart::internal

#endif  // SHEWHART_CHART_INTERNAL_TEXT_METRICS_H_
