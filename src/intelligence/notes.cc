#include "intelligence/notes.h"

#include "base/date.h"
#include "base/text_checks.h"
#include "directory/directory.h"

namespace shewhart::intelligence {
namespace {

#define SHEWHART_NOTES_SCHEMA(PK, FK) \
  "CREATE TABLE soft_note (\n"        \
  "  id " PK                          \
  ",\n"                               \
  "  unit_id " FK                     \
  " NOT NULL,\n"                      \
  "  text TEXT NOT NULL,\n"           \
  "  author TEXT NOT NULL,\n"         \
  "  noted_on TEXT NOT NULL,\n"       \
  "  created_at TEXT NOT NULL\n"      \
  ");\n"                              \
  "CREATE INDEX soft_note_unit ON soft_note(unit_id);\n"

// Version 701 shipped (as 51) without a foreign key from unit_id to unit; 702 adds it (SQLite:
// by rebuilding the table, which nothing references).
constexpr db::Migration kMigrations[] = {
    {701, "intelligence: soft-intelligence notes",
     SHEWHART_NOTES_SCHEMA("INTEGER PRIMARY KEY", "INTEGER"),
     SHEWHART_NOTES_SCHEMA("BIGSERIAL PRIMARY KEY", "BIGINT")},
    {702, "intelligence: notes belong to units",
     "CREATE TABLE soft_note_new (\n"
     "  id INTEGER PRIMARY KEY,\n"
     "  unit_id INTEGER NOT NULL REFERENCES unit(id),\n"
     "  text TEXT NOT NULL,\n"
     "  author TEXT NOT NULL,\n"
     "  noted_on TEXT NOT NULL,\n"
     "  created_at TEXT NOT NULL\n"
     ");\n"
     "INSERT INTO soft_note_new SELECT id, unit_id, text, author, noted_on, created_at "
     "FROM soft_note;\n"
     "DROP TABLE soft_note;\n"
     "ALTER TABLE soft_note_new RENAME TO soft_note;\n"
     "CREATE INDEX soft_note_unit ON soft_note(unit_id);\n",
     "ALTER TABLE soft_note ADD CONSTRAINT soft_note_unit_fk FOREIGN KEY (unit_id) "
     "REFERENCES unit(id);\n"},
};

constexpr std::string_view kInsert =
    "INSERT INTO soft_note (unit_id, text, author, noted_on, created_at) VALUES (?, ?, ?, ?, ?) "
    "RETURNING id";
constexpr std::string_view kSelectAll =
    "SELECT n.id, n.unit_id, u.code, n.text, n.author, n.noted_on, n.created_at "
    "FROM soft_note n JOIN unit u ON u.id = n.unit_id ORDER BY n.id DESC";
constexpr std::string_view kSelectForUnit =
    "SELECT n.id, n.unit_id, u.code, n.text, n.author, n.noted_on, n.created_at "
    "FROM soft_note n JOIN unit u ON u.id = n.unit_id WHERE u.code = ? ORDER BY n.id DESC";

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (int k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += static_cast<size_t>(len);
  }
  return true;
}

}  // namespace

std::span<const db::Migration> NoteMigrations() { return kMigrations; }

Result<int64_t> AddNote(db::Connection& conn, const Note& note, std::string_view at) {
  if (note.text.empty()) return InvalidArgumentError("the note is empty");
  if (note.text.size() > kMaxNoteBytes) {
    return InvalidArgumentError("the note is longer than " + std::to_string(kMaxNoteBytes) +
                                " bytes");
  }
  if (!ValidUtf8(note.text)) return InvalidArgumentError("the note is not valid UTF-8 text");
  if (ContainsNhsNumber(note.text)) {
    return InvalidArgumentError("the note " + std::string(kNhsNumberMessage));
  }
  if (!ParseIsoDate(note.noted_on)) {
    return InvalidArgumentError("\"noted_on\" must be a date written YYYY-MM-DD");
  }
  ASSIGN_OR_RETURN(std::optional<int64_t> unit, directory::FindUnitId(conn, note.unit_code));
  if (!unit) return InvalidArgumentError("there is no organisation \"" + note.unit_code + "\"");
  return conn.ExecuteReturningId(kInsert, {*unit, note.text, note.author, note.noted_on, at});
}

Result<std::vector<Note>> ListNotes(db::Connection& conn, const access::Scope& scope,
                                    std::optional<std::string> unit_code) {
  std::vector<Note> out;
  auto on_row = [&](const db::Row& r) {
    if (scope.Contains(r.Int(1))) {
      out.push_back({r.Int(0), r.Int(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5), r.Text(6)});
    }
    return db::Flow::kContinue;
  };
  if (unit_code) {
    RETURN_IF_ERROR(conn.Query(kSelectForUnit, {*unit_code}, on_row));
  } else {
    RETURN_IF_ERROR(conn.Query(kSelectAll, {}, on_row));
  }
  return out;
}

}  // namespace shewhart::intelligence
