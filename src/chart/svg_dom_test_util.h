// Test support for the chart tests: the SVG parsed with expat into a flat list of elements, each
// with its attributes, its text and the classes of the <g> groups around it.
//
// Test-only (header-only, no error handling beyond `well_formed`).
//
// Example:
//   Document doc = ParseSvg(RenderFunnelSvg(input));
//   ASSERT_TRUE(doc.well_formed) << doc.error;
//   doc.Find("circle", "units").size();   // one per unit
#ifndef SHEWHART_CHART_SVG_DOM_TEST_UTIL_H_
#define SHEWHART_CHART_SVG_DOM_TEST_UTIL_H_

#include <expat.h>

#include <map>
#include <string>
#include <vector>

namespace shewhart::chart::testing {

// ---- A tiny DOM over expat: every element with its attributes, text and enclosing <g> classes.

struct Element {
  std::string name;
  std::map<std::string, std::string> attrs;
  std::string text;    // character data directly inside (e.g. a <text> or <title>)
  std::string groups;  // space-joined classes of the enclosing <g> elements, outermost first
  int parent = -1;     // index of the parent element
};

struct Document {
  bool well_formed = false;
  std::string error;
  std::vector<Element> elements;

  // Elements named `name` inside a <g> whose class contains `group` ("" = anywhere).
  std::vector<const Element*> Find(const std::string& name, const std::string& group = "") const {
    std::vector<const Element*> out;
    for (const Element& e : elements) {
      if (e.name == name &&
          (group.empty() || (" " + e.groups + " ").find(" " + group + " ") != std::string::npos)) {
        out.push_back(&e);
      }
    }
    return out;
  }
  bool HasGroup(const std::string& css_class) const {
    for (const Element& e : elements) {
      if (e.name == "g" && e.attrs.count("class") && e.attrs.at("class") == css_class) return true;
    }
    return false;
  }
  bool HasGroupStartingWith(const std::string& prefix) const {
    for (const Element& e : elements) {
      if (e.name == "g" && e.attrs.count("class") && e.attrs.at("class").rfind(prefix, 0) == 0) {
        return true;
      }
    }
    return false;
  }
  // The words of the <text> elements inside <g class="css_class">, joined by spaces (wrapped
  // captions read as one sentence).
  std::string GroupText(const std::string& css_class) const {
    std::string out;
    for (const Element* e : Find("text", css_class)) out += (out.empty() ? "" : " ") + e->text;
    return out;
  }
  std::string AllText() const {
    std::string out;
    for (const Element& e : elements) {
      if (e.name == "text") out += e.text + "\n";
    }
    return out;
  }
};

struct ParseState {
  Document* doc;
  std::vector<int> stack;
};

inline void OnStart(void* data, const XML_Char* name, const XML_Char** attrs) {
  auto* st = static_cast<ParseState*>(data);
  Element e;
  e.name = name;
  for (int i = 0; attrs[i] != nullptr; i += 2) e.attrs[attrs[i]] = attrs[i + 1];
  if (!st->stack.empty()) {
    e.parent = st->stack.back();
    const Element& p = st->doc->elements[e.parent];
    e.groups = p.groups;
    if (p.name == "g" && p.attrs.count("class")) {
      e.groups += (e.groups.empty() ? "" : " ") + p.attrs.at("class");
    }
  }
  st->doc->elements.push_back(std::move(e));
  st->stack.push_back(static_cast<int>(st->doc->elements.size()) - 1);
}

inline void OnEnd(void* data, const XML_Char*) { static_cast<ParseState*>(data)->stack.pop_back(); }

inline void OnText(void* data, const XML_Char* s, int len) {
  auto* st = static_cast<ParseState*>(data);
  if (!st->stack.empty()) st->doc->elements[st->stack.back()].text.append(s, len);
}

inline Document ParseSvg(const std::string& svg) {
  Document doc;
  ParseState state{&doc, {}};
  XML_Parser parser = XML_ParserCreate("UTF-8");
  XML_SetUserData(parser, &state);
  XML_SetElementHandler(parser, OnStart, OnEnd);
  XML_SetCharacterDataHandler(parser, OnText);
  doc.well_formed =
      XML_Parse(parser, svg.data(), static_cast<int>(svg.size()), /*isFinal=*/1) == XML_STATUS_OK;
  if (!doc.well_formed) {
    doc.error = std::string(XML_ErrorString(XML_GetErrorCode(parser))) + " at line " +
                std::to_string(XML_GetCurrentLineNumber(parser));
  }
  XML_ParserFree(parser);
  return doc;
}

}  // namespace shewhart::chart::testing

#endif  // SHEWHART_CHART_SVG_DOM_TEST_UTIL_H_
