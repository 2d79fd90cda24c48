// Organisations (and every other unit): validate, compare, write with history.
#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>

#include "base/date.h"
#include "directory/directory.h"
#include "imports/imports.h"
#include "imports/internal/common.h"
#include "base/text_checks.h"
#include "observations/observations.h"

namespace shewhart::imports {
namespace {

using internal::Cell;
using internal::Quote;

struct UnitRow {
  int64_t row = 0;
  std::string code, name, kind, parent, opened, closed, successor;
  std::vector<std::string> groups;  // sorted codes
};

bool IsCodeChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

std::vector<std::string> SplitCodes(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(';', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view part = text.substr(start, end - start);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    if (!part.empty()) out.emplace_back(part);
    start = end + 1;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string JoinCodes(const std::vector<std::string>& codes) {
  std::string s;
  for (const std::string& c : codes) s += (s.empty() ? "" : ";") + c;
  return s;
}

}  // namespace

Result<ImportReport> ImportOrganisationsFile(db::Connection& conn, const std::string& path,
                                             const ImportOptions& options) {
  ASSIGN_OR_RETURN(std::string bytes, internal::ReadFileBytes(path));
  ASSIGN_OR_RETURN(Table table, ReadTable(path));
  return ImportOrganisations(conn, table, Sha256Hex(bytes), options);
}

Result<ImportReport> ImportOrganisations(db::Connection& conn, const Table& table,
                                         std::string_view sha256, const ImportOptions& options) {
  ImportReport report;
  report.file = table.name;
  report.rows = static_cast<int64_t>(table.rows.size());
  ASSIGN_OR_RETURN(internal::ImportTransaction tx,
                   internal::ImportTransaction::Begin(conn, options.dry_run));
  ASSIGN_OR_RETURN(directory::Directory dir, directory::Directory::Load(conn));

  Problems problems;
  const auto c_code = table.Column("code"), c_name = table.Column("name"),
             c_kind = table.Column("kind"), c_parent = table.Column("parent"),
             c_opened = table.Column("opened"), c_closed = table.Column("closed"),
             c_successor = table.Column("successor"), c_member = table.Column("member_of");
  for (const auto& [col, name] :
       {std::pair{c_code, "code"}, std::pair{c_name, "name"}, std::pair{c_kind, "kind"}}) {
    if (!col) {
      problems.Add(table.header_row, "",
                   std::string("the header has no column \"") + name +
                       "\"; an organisations file needs code, name and kind (and optionally "
                       "parent, opened, closed, successor, member_of)");
    }
  }
  RETURN_IF_ERROR(problems.ToStatus(table.name));

  std::vector<UnitRow> rows;
  std::unordered_map<std::string, size_t> in_file;  // code -> index in rows
  const std::vector<bool> numeric(table.header.size(), false);
  for (const TableRow& tr : table.rows) {
    internal::CheckNoNhsNumbers(table, tr, numeric, &problems);
    UnitRow u;
    u.row = tr.number;
    u.code = Cell(tr, c_code);
    u.name = Cell(tr, c_name);
    u.kind = AsciiLower(Cell(tr, c_kind));
    u.parent = Cell(tr, c_parent);
    u.opened = Cell(tr, c_opened);
    u.closed = Cell(tr, c_closed);
    u.successor = Cell(tr, c_successor);
    u.groups = SplitCodes(Cell(tr, c_member));
    if (u.code.empty()) {
      problems.Add(tr.number, "code", "empty; write the ODS code (or a local code)");
    } else if (!std::all_of(u.code.begin(), u.code.end(), IsCodeChar)) {
      problems.Add(tr.number, "code",
                   Quote(u.code) + " is not a code; use letters, digits, - _ . and no spaces");
    }
    if (u.name.empty()) problems.Add(tr.number, "name", "empty; every unit needs a name");
    if (!directory::IsKnownKind(u.kind)) {
      std::string kinds;
      for (std::string_view k : directory::Kinds())
        kinds += (kinds.empty() ? "" : ", ") + std::string(k);
      problems.Add(tr.number, "kind", Quote(u.kind) + " is not a known kind; use one of: " + kinds);
    }
    for (const auto& [text, col] :
         {std::pair{&u.opened, "opened"}, std::pair{&u.closed, "closed"}}) {
      if (!text->empty() && !ParseIsoDate(*text)) {
        problems.Add(tr.number, col, Quote(*text) + " is not a date; write YYYY-MM-DD");
      }
    }
    if (!u.successor.empty() && u.closed.empty()) {
      problems.Add(tr.number, "closed",
                   "a successor is given, so the organisation was merged: give the date it "
                   "closed");
    }
    if (!u.code.empty()) {
      const auto [it, inserted] = in_file.emplace(u.code, rows.size());
      if (!inserted) {
        problems.Add(tr.number, "code",
                     "duplicate: rows " + std::to_string(rows[it->second].row) + " and " +
                         std::to_string(tr.number) + " both describe " + u.code + "; keep one");
        continue;
      }
    }
    rows.push_back(std::move(u));
  }
  // References: to a unit in this file or already in the directory.
  auto kind_of = [&](const std::string& code) -> std::optional<std::string> {
    if (auto it = in_file.find(code); it != in_file.end()) return rows[it->second].kind;
    if (const directory::Unit* u = dir.FindByCode(code)) return u->kind;
    return std::nullopt;
  };
  for (const UnitRow& u : rows) {
    if (!u.parent.empty()) {
      if (u.parent == u.code) {
        problems.Add(u.row, "parent", "a unit cannot be its own parent");
      } else if (!kind_of(u.parent)) {
        problems.Add(
            u.row, "parent",
            "unknown unit " + Quote(u.parent) + "; list it in this file or import it first");
      }
    }
    if (!u.successor.empty() && !kind_of(u.successor)) {
      problems.Add(u.row, "successor", "unknown unit " + Quote(u.successor));
    }
    for (const std::string& g : u.groups) {
      const std::optional<std::string> k = kind_of(g);
      if (!k) {
        problems.Add(u.row, "member_of", "unknown group " + Quote(g));
      } else if (!directory::IsGroupKind(*k)) {
        problems.Add(u.row, "member_of", g + " is a " + *k + ", not a collaborative or peer group");
      }
    }
  }
  // Parent cycles among the file's rows.
  for (const UnitRow& u : rows) {
    std::set<std::string> path{u.code};
    std::string p = u.parent;
    while (!p.empty()) {
      if (!path.insert(p).second) {
        problems.Add(u.row, "parent", "the parents form a loop through " + p);
        break;
      }
      if (auto it = in_file.find(p); it != in_file.end()) {
        p = rows[it->second].parent;
      } else {
        break;  // in the directory: its chain was checked when it was imported
      }
    }
  }
  RETURN_IF_ERROR(problems.ToStatus(table.name));

  // Compare.
  std::vector<size_t> new_rows, changed_rows;
  for (size_t i = 0; i < rows.size(); ++i) {
    const UnitRow& u = rows[i];
    const directory::Unit* old = dir.FindByCode(u.code);
    if (old == nullptr) {
      new_rows.push_back(i);
      continue;
    }
    auto code_of = [&](const std::optional<int64_t>& id) {
      const directory::Unit* x = id ? dir.FindById(*id) : nullptr;
      return x ? x->code : std::string();
    };
    std::vector<std::string> old_groups;
    for (const int64_t g : old->group_ids) old_groups.push_back(code_of(g));
    std::sort(old_groups.begin(), old_groups.end());
    std::vector<std::pair<std::string, std::string>> diffs;  // field: before -> after
    auto cmp = [&](const char* field, const std::string& before, const std::string& after) {
      if (before != after)
        diffs.push_back({std::string(field) + " " + Quote(before), Quote(after)});
    };
    cmp("name", old->name, u.name);
    cmp("kind", old->kind, u.kind);
    cmp("parent", code_of(old->parent_id), u.parent);
    cmp("opened", old->opened, u.opened);
    cmp("closed", old->closed, u.closed);
    cmp("successor", code_of(old->successor_id), u.successor);
    cmp("member_of", JoinCodes(old_groups), JoinCodes(u.groups));
    if (diffs.empty()) {
      ++report.unchanged;
      continue;
    }
    changed_rows.push_back(i);
    if (report.changes.size() < ImportReport::kMaxListedChanges) {
      std::string before, after;
      for (const auto& [b, a] : diffs) {
        before += (before.empty() ? "" : ", ") + b;
        after += (after.empty() ? "" : ", ") + a;
      }
      report.changes.push_back({u.row, "unit " + u.code, before, after});
    }
  }
  report.added = static_cast<int64_t>(new_rows.size());
  report.changed = static_cast<int64_t>(changed_rows.size());
  if (options.dry_run || (new_rows.empty() && changed_rows.empty())) return report;

  ASSIGN_OR_RETURN(report.batch_id, observations::InsertBatch(
                                        conn, {"organisations", table.name, std::string(sha256),
                                               options.actor, options.now}));
  // New units in dependency order (parents and successors first), ids remembered by code.
  std::unordered_map<std::string, int64_t> ids;
  for (const directory::Unit& u : dir.units()) ids[u.code] = u.id;
  std::set<size_t> pending(new_rows.begin(), new_rows.end());
  while (!pending.empty()) {
    bool progressed = false;
    for (auto it = pending.begin(); it != pending.end();) {
      const UnitRow& u = rows[*it];
      const bool ready = (u.parent.empty() || ids.count(u.parent)) &&
                         (u.successor.empty() || ids.count(u.successor) || u.successor == u.code);
      if (!ready) {
        ++it;
        continue;
      }
      directory::Unit unit;
      unit.code = u.code;
      unit.name = u.name;
      unit.kind = u.kind;
      if (!u.parent.empty()) unit.parent_id = ids[u.parent];
      unit.opened = u.opened;
      unit.closed = u.closed;
      if (!u.successor.empty()) unit.successor_id = ids[u.successor];
      ASSIGN_OR_RETURN(int64_t id, directory::InsertUnit(conn, unit, options.actor, options.now));
      ids[u.code] = id;
      it = pending.erase(it);
      progressed = true;
    }
    if (!progressed) {
      return InvalidArgumentError(table.name + ": row " +
                                  std::to_string(rows[*pending.begin()].row) +
                                  ": the successors of the new units form a loop");
    }
  }
  for (const size_t i : changed_rows) {
    const UnitRow& u = rows[i];
    const directory::Unit* old = dir.FindByCode(u.code);
    directory::Unit after = *old;
    after.name = u.name;
    after.kind = u.kind;
    after.parent_id = u.parent.empty() ? std::nullopt : std::optional<int64_t>(ids[u.parent]);
    after.opened = u.opened;
    after.closed = u.closed;
    after.successor_id =
        u.successor.empty() ? std::nullopt : std::optional<int64_t>(ids[u.successor]);
    RETURN_IF_ERROR(directory::UpdateUnit(conn, *old, after, options.actor, options.now));
  }
  // Memberships.
  for (const auto& list : {&new_rows, &changed_rows}) {
    const bool is_new = list == &new_rows;
    for (const size_t i : *list) {
      const UnitRow& u = rows[i];
      std::vector<int64_t> new_ids;
      for (const std::string& g : u.groups) new_ids.push_back(ids[g]);
      std::sort(new_ids.begin(), new_ids.end());
      std::vector<int64_t> old_ids;
      std::string old_text;
      if (!is_new) {
        const directory::Unit* old = dir.FindByCode(u.code);
        old_ids = old->group_ids;
        std::vector<std::string> codes;
        for (const int64_t g : old_ids) codes.push_back(dir.FindById(g)->code);
        std::sort(codes.begin(), codes.end());
        old_text = JoinCodes(codes);
      }
      RETURN_IF_ERROR(directory::SetGroups(conn, ids[u.code], old_ids, new_ids, old_text,
                                           JoinCodes(u.groups), is_new, options.actor,
                                           options.now));
    }
  }
  RETURN_IF_ERROR(observations::SetBatchCounts(conn, report.batch_id, report.added, report.changed,
                                               report.unchanged));
  RETURN_IF_ERROR(internal::RecordImportAudit(conn, options, "organisations", sha256, report));
  RETURN_IF_ERROR(tx.Commit());
  report.written = true;
  return report;
}

}  // namespace shewhart::imports
