// Small pure helpers over SQL and URL text, shared by the drivers (and unit-tested directly).
#ifndef SHEWHART_DB_INTERNAL_SQL_TEXT_H_
#define SHEWHART_DB_INTERNAL_SQL_TEXT_H_

#include <span>
#include <string>
#include <string_view>

namespace shewhart::db::internal {

// `?` placeholders -> `$1..$n` (PostgreSQL). A `?` inside a '...' literal (with '' escapes), a
// "..." identifier, a -- comment or a /* */ comment is copied unchanged. `*count` receives n.
std::string NumberPlaceholders(std::string_view sql, int* count);

// True for a plain SQL identifier: [A-Za-z_][A-Za-z0-9_]*.
bool IsPlainIdentifier(std::string_view name);

// "INSERT INTO table (a, b) VALUES (?, ?)", or InvalidArgument for names that are not plain
// identifiers or an empty column list. Returns "" and sets *error in that case.
std::string InsertStatement(std::string_view table, std::span<const std::string_view> columns,
                            std::string* error);

// The URL with any password replaced by "***" (postgresql://u:secret@h -> postgresql://u:***@h,
// and password=... query parameters), for error messages.
std::string RedactUrl(std::string_view url);

}  // namespace shewhart::db::internal

#endif  // SHEWHART_DB_INTERNAL_SQL_TEXT_H_
