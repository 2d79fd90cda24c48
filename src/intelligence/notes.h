// intelligence: restricted data — for now the smallest honest kind, soft-intelligence notes (what
// a quality lead heard or saw about an organisation: org, text, author, date). Notes are visible
// only to administrators, system quality leads and people whose scope includes the organisation
// (access::Scope); nothing patient-identifiable is kept: a text containing an NHS number is
// refused.
//
// Thread-compatible.
//
// Example:
//   ASSIGN_OR_RETURN(int64_t id, intelligence::AddNote(*conn, {.unit_code = "RJZ",
//                    .text = "Staff report long waits at night", .author = "ana@nhs.net",
//                    .noted_on = "2024-05-01"}, now));
//   ASSIGN_OR_RETURN(auto notes, intelligence::ListNotes(*conn, scope, "RJZ"));
#ifndef SHEWHART_INTELLIGENCE_NOTES_H_
#define SHEWHART_INTELLIGENCE_NOTES_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "access/access.h"
#include "base/status.h"
#include "db/db.h"
#include "db/migrate.h"

namespace shewhart::intelligence {

// The notes' migrations (701, 702); the part's whole list is intelligence::Migrations() (part.h).
std::span<const db::Migration> NoteMigrations();

inline constexpr size_t kMaxNoteBytes = 10000;

struct Note {
  int64_t id = 0;
  int64_t unit_id = 0;    // set when read
  std::string unit_code;  // the organisation (or unit) the note is about
  std::string text;
  std::string author;
  std::string noted_on;  // YYYY-MM-DD
  std::string created_at;
};

// Adds a note. InvalidArgument for an unknown unit, empty or over-long text, invalid UTF-8, a
// malformed date or an NHS number in the text. Returns the new id.
Result<int64_t> AddNote(db::Connection& conn, const Note& note, std::string_view at);

// Notes visible within `scope`, newest first; only those about `unit_code` when given.
Result<std::vector<Note>> ListNotes(db::Connection& conn, const access::Scope& scope,
                                    std::optional<std::string> unit_code);

}  // namespace shewhart::intelligence

#endif  // SHEWHART_INTELLIGENCE_NOTES_H_
