// learning/search: full-text search over everything a person may see — metrics and definitions,
// the glossary, lessons, forums and thematic reviews, clinical audits, horizon items, people and
// courses, projects and PDSA cycles, and (within scope) incidents, complaints, notes, concerns,
// risks and meetings — with each database's own engine behind one interface: SQLite FTS5 (porter
// stemmer) and PostgreSQL tsvector with a GIN index ('english' configuration).
//
// How the index stays current: one table, `search_doc` (kind, ref_id, title, body, the unit it
// belongs to, its visibility, themes, date, link), fed by database TRIGGERS on each source table,
// so a record and its index entry are written in the same transaction whichever part (or import,
// or psql session) writes it, and no other part calls learning. The triggers are installed by
// EnsureSearchIndex() on every table of IndexedKinds() that exists — it runs after the
// migrations on every start (schema::Part::after_migrate), so a part whose tables land later
// (improvement, a new intelligence table) is picked up, its rows indexed, without touching this
// part's migrations. A source whose columns change gets its triggers rebuilt (signature check).
//
// Visibility (no leaks): a document is `public` (anyone signed in), `restricted` (only people
// whose scope holds its unit: incidents, complaints, notes, concerns, risks, meetings,
// organisation_only lessons) or `anonymised` (anyone may read it, but its organisation is shown,
// filtered on or linked only for people whose scope holds it). Restricted documents out of scope
// are excluded inside the query, so neither their titles, snippets nor counts come back.
//
// Example:
//   ASSIGN_OR_RETURN(std::vector<learning::SearchResult> hits,
//                    learning::Search(conn, scope, {.q = "falls", .kind = "lesson"}));
#ifndef SHEWHART_LEARNING_SEARCH_H_
#define SHEWHART_LEARNING_SEARCH_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "access/access.h"
#include "base/status.h"
#include "db/db.h"

namespace shewhart::learning {

// One kind of thing search indexes. `tables` lists the table names it may live in (the first
// that exists is used); kinds whose table is absent are simply not indexed.
struct IndexedKind {
  std::string_view kind;    // "incident": the `kind` of results and of ?kind=
  std::string_view label;   // "Incident", for screens
  std::string_view tables;  // comma-separated candidate tables
  // How its documents may be restricted: "public", "restricted" (by unit) or "lesson" (per
  // lesson: named -> public, anonymised, organisation_only -> restricted).
  std::string_view visibility;
};

// Every kind search knows, whether or not its table exists in this database.
std::span<const IndexedKind> IndexedKinds();
// The kinds whose source table exists (their triggers installed), in IndexedKinds() order.
Result<std::vector<std::string>> ActiveKinds(db::Connection& conn);

// Installs the triggers on every source table present whose triggers are missing or out of
// date and (re)indexes those kinds' rows; drops the documents of kinds whose table went away.
// Idempotent; its own transaction (safe with several processes starting at once).
Status EnsureSearchIndex(db::Connection& conn);
// Re-indexes every row of every present kind (after a bulk load that bypassed nothing: the
// triggers already index every write; this is for repair).
Status RebuildSearchIndex(db::Connection& conn);

struct SearchQuery {
  std::string q;             // words; "" lists the newest documents matching the filters
  std::string kind;          // "" = every kind; else one of IndexedKinds()
  std::string organisation;  // "" = all; else an ODS / unit code
  std::string theme;         // "" = all; else a theme (lessons, reviews)
  std::string from, to;      // YYYY-MM-DD bounds on the document's date ("" = open)
  bool co_design = false;    // only lessons and projects that involved patients and the public
  int limit = 20;            // 1..100
};

struct SearchResult {
  std::string kind;
  int64_t id = 0;  // the record's id in its own table
  std::string title;
  std::string snippet;            // HTML: escaped text with the matched words in <mark>...</mark>
  std::string link;               // the screen's path, e.g. "/lessons/12"
  std::string organisation;       // ODS / unit code; "" when none or hidden (anonymised)
  std::string organisation_name;  // "" likewise
  std::string date;               // YYYY-MM-DD or ""
  std::vector<std::string> themes;
  bool co_design = false;
  bool anonymised = false;
  double score = 0;  // higher is better (comparable within one answer only)
};

// The documents matching `query` that `scope` may see, best first. InvalidArgument naming the
// field for an unknown kind, a malformed date or a limit out of range; NotFound-free: an unknown
// organisation is InvalidArgument ("organisation: ...").
Result<std::vector<SearchResult>> Search(db::Connection& conn, const access::Scope& scope,
                                         const SearchQuery& query);

// A theme as stored and compared: lower case, trimmed ("Deteriorating patient " ->
// "deteriorating patient").
std::string NormaliseTheme(std::string_view theme);

// The FTS5 MATCH expression for what a person typed: each word quoted (so no operator or
// syntax error can come from user text), ANDed. "" when there is no word. Exposed for tests.
std::string Fts5Query(std::string_view typed);

}  // namespace shewhart::learning

#endif  // SHEWHART_LEARNING_SEARCH_H_
