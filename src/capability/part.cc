#include "capability/part.h"

#include <vector>

#include "capability/people.h"
#include "capability/programme.h"
#include "capability/questionnaires.h"

namespace shewhart::capability {
namespace {

// People name their organisation, so an organisation's quality lead may import its people;
// courses, attendance and coaching cross organisations (NWS's cohorts mix 11 partners and 40
// practices): administrators and system quality leads.
const imports::Importer kImporters[] = {
    {"people", "Staff taking part in QI capability building: email, name, organisation",
     ImportPeople, "organisation"},
    {"courses", "QI courses: code, title, tier (learn, live or lead)", ImportCourses, ""},
    {"attendance", "Bookings and attendance: email, course, date, attended (yes or no)",
     ImportAttendance, ""},
    {"coaching", "Coaching and mentoring relationships: coach, coachee, started", ImportCoaching,
     ""},
};

}  // namespace

std::span<const db::Migration> Migrations() {
  static const std::vector<db::Migration> all = [] {
    std::vector<db::Migration> v;
    for (auto list : {PeopleMigrations(), ProgrammeMigrations(), QuestionnaireMigrations()}) {
      v.insert(v.end(), list.begin(), list.end());
    }
    return v;
  }();
  return all;
}

std::span<const imports::Importer> Importers() { return kImporters; }

}  // namespace shewhart::capability
