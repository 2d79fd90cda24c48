#include "intelligence/part.h"

#include <algorithm>
#include <vector>

#include "intelligence/follow_up.h"
#include "intelligence/incidents.h"
#include "intelligence/notes.h"
#include "intelligence/sources.h"

namespace shewhart::intelligence {
namespace {

// One importer function per kind (imports::ImportTableFn is a plain function pointer).
template <const Kind& (*kKind)()>
Result<imports::ImportReport> ImportKind(db::Connection& conn, const imports::Table& table,
                                         std::string_view sha256,
                                         const imports::ImportOptions& options) {
  return ImportRecords(conn, kKind(), table, sha256, options);
}

// People without system scope may import the rows of their organisations for the kinds with a
// unit; horizon items (national, naming many organisations) only administrators and system
// quality leads.
const imports::Importer kImporters[] = {
    {"incidents", IncidentKind().summary, ImportKind<IncidentKind>, "organisation"},
    {"complaints", ComplaintKind().summary, ImportKind<ComplaintKind>, "organisation"},
    {"audits", AuditKind().summary, ImportKind<AuditKind>, "organisation"},
    {"ratings", RatingKind().summary, ImportKind<RatingKind>, "organisation"},
    {"notes", NoteKind().summary, ImportKind<NoteKind>, "organisation"},
    {"horizon", HorizonKind().summary, ImportKind<HorizonKind>, ""},
};

const Kind* const kKinds[] = {&IncidentKind(), &ComplaintKind(), &AuditKind(),
                              &RatingKind(),   &NoteKind(),      &HorizonKind()};

std::vector<db::Migration> CollectMigrations() {
  std::vector<db::Migration> all;
  for (auto list : {NoteMigrations(), IncidentMigrations(), SourceMigrations(),
                    FollowUpMigrations()}) {
    all.insert(all.end(), list.begin(), list.end());
  }
  std::sort(all.begin(), all.end(),
            [](const db::Migration& a, const db::Migration& b) { return a.version < b.version; });
  return all;
}

}  // namespace

std::span<const db::Migration> Migrations() {
  static const std::vector<db::Migration> kAll = CollectMigrations();
  return kAll;
}

std::span<const imports::Importer> Importers() { return kImporters; }

std::span<const Kind* const> Kinds() { return kKinds; }

const Kind* FindKind(std::string_view word) {
  for (const Kind* k : kKinds) {
    if (k->name == word || k->singular == word) return k;
  }
  return nullptr;
}


}  // namespace shewhart::intelligence
