// Text for HTML and XML (SVG, Atom, the digest's page): & < > " ' written as entities, so that no
// stored text — a lesson's title, a tooltip, a unit's name — can open a tag or leave an
// attribute. The apostrophe is &#39; (valid in HTML 4, HTML5 and XML alike).
//
// Example:
//   std::string html = "<td>" + MarkupEscaped(name) + "</td>";
//   AppendMarkupEscaped(title, &svg);
#ifndef SHEWHART_BASE_MARKUP_H_
#define SHEWHART_BASE_MARKUP_H_

#include <string>
#include <string_view>

namespace shewhart {

void AppendMarkupEscaped(std::string_view text, std::string* out);
std::string MarkupEscaped(std::string_view text);

}  // namespace shewhart

#endif  // SHEWHART_BASE_MARKUP_H_
