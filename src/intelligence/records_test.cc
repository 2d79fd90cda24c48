// The record engine on SQLite and PostgreSQL: the data-driven import cases of every kind
// (tests/cases/intelligence), scope, versions and history, one record entered on a screen, and
// the counts that become SPC series.
#include <filesystem>
#include <sstream>

#include "access/audit.h"
#include "dictionary/dictionary.h"
#include "directory/directory.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "imports/testing/storage_fixture.h"
#include "intelligence/incidents.h"
#include "intelligence/part.h"
#include "intelligence/records.h"
#include "intelligence/series.h"
#include "oversight/spc_store.h"

namespace shewhart::intelligence {
namespace {

namespace fs = std::filesystem;
using ::shewhart::testing::ReadText;
using ::shewhart::testing::StorageTest;
using ::shewhart::testing::ValueOrDie;
using ::testing::HasSubstr;
using ::testing::Not;

// The stored values of a series as "1,1,0" (from the typed result).
std::string ValuesOf(const oversight::StoredSpcResult& r) {
  std::string out;
  for (const auto& p : r.points) {
    if (!out.empty()) out += ",";
    out += std::to_string(static_cast<int64_t>(p.value));
  }
  return out;
}

fs::path IntelligenceCases() {
  return fs::path(SHEWHART_TEST_DATA_DIR) / "cases" / "intelligence";
}

std::vector<fs::path> Sorted(const fs::path& dir, std::string_view ext) {
  std::vector<fs::path> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ext) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> Lines(const fs::path& p) {
  std::vector<std::string> out;
  std::istringstream in(ReadText(p));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

class RecordsTest : public StorageTest {
 protected:
  void LoadIntelligenceBase() {
    LoadBase(/*with_observations=*/false);
    ValueOrDie(imports::ImportOrganisationsFile(
        *conn_, (IntelligenceCases() / "base" / "units.csv").string(), Options()));
  }
  Result<imports::ImportReport> Import(const Kind& kind, const fs::path& file) {
    const imports::Importer* importer = nullptr;
    for (const imports::Importer& i : Importers()) {
      if (i.kind == kind.name) importer = &i;
    }
    if (importer == nullptr) return NotFoundError("no importer");
    return imports::ImportFile(*conn_, *importer, file.string(), Options());
  }
  Result<imports::ImportReport> ImportText(const Kind& kind, const std::string& name,
                                           const std::string& text) {
    const fs::path p = dir_ / name;
    ::shewhart::testing::WriteText(p, text);
    return Import(kind, p);
  }
};

// Every case folder: good files import in order with the expected summary; bad files are refused
// whole with every expected problem named, and the database is exactly as before.
TEST_P(RecordsTest, ImportCasesOfEveryKind) {
  LoadIntelligenceBase();
  int kinds = 0;
  for (const Kind* kind : Kinds()) {
    const fs::path dir = IntelligenceCases() / kind->name;
    if (!fs::exists(dir)) continue;
    ++kinds;
    SCOPED_TRACE(std::string(kind->name));
    const std::vector<fs::path> good = Sorted(dir / "good", ".csv");
    const std::vector<fs::path> bad = Sorted(dir / "bad", ".csv");
    EXPECT_GE(good.size(), 1u);
    EXPECT_GE(bad.size(), 5u) << "wrong word, unknown organisation, NHS number, future date, "
                                 "duplicate: a bad file each";
    for (const fs::path& file : good) {
      SCOPED_TRACE(file.filename().string());
      Result<imports::ImportReport> r = Import(*kind, file);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      fs::path expected = file;
      expected.replace_extension(".expected");
      for (const std::string& line : Lines(expected)) EXPECT_THAT(r->Summary(), HasSubstr(line));
    }
    const std::string before = Dump();
    for (const fs::path& file : bad) {
      SCOPED_TRACE(file.filename().string());
      Result<imports::ImportReport> r = Import(*kind, file);
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
      fs::path expected = file;
      expected.replace_extension(".expected");
      for (const std::string& line : Lines(expected)) {
        EXPECT_THAT(r.status().message(), HasSubstr(line));
      }
      EXPECT_EQ(Dump(), before);
    }
  }
  EXPECT_EQ(kinds, static_cast<int>(Kinds().size())) << "every kind has a case folder";
}

TEST_P(RecordsTest, AChangedRecordKeepsItsHistoryAndAuditEntry) {
  LoadIntelligenceBase();
  const fs::path dir = IntelligenceCases() / "incidents" / "good";
  ValueOrDie(Import(IncidentKind(), dir / "01_first.csv"));
  ValueOrDie(Import(IncidentKind(), dir / "02_again_changed.csv"));
  const access::Scope all{.all = true};
  std::vector<Record> r = ValueOrDie(ListRecords(*conn_, IncidentKind(), all, {.unit = "RAA"}));
  ASSERT_EQ(r.size(), 2u);  // RAA and its ward
  EXPECT_EQ(r[0].Get("reference"), "INC-2");
  EXPECT_EQ(r[0].unit_code, "RAA-W1");
  EXPECT_EQ(r[0].Get("harm"), "fatal");
  EXPECT_EQ(r[0].version, 2);
  EXPECT_EQ(r[0].metric, "FALLS");
  EXPECT_EQ(Count("intelligence_history"), 1);
  auto audit = ValueOrDie(access::ListAudit(*conn_, 10, std::nullopt));
  ASSERT_GE(audit.size(), 2u);
  EXPECT_EQ(audit[0].action, "import.incidents");
  EXPECT_THAT(audit[0].after, HasSubstr("\"changed\":1"));
}

TEST_P(RecordsTest, RestrictedRecordsAreListedOnlyInScope) {
  LoadIntelligenceBase();
  ValueOrDie(Import(IncidentKind(), IntelligenceCases() / "incidents" / "good" / "01_first.csv"));
  const int64_t raa = ValueOrDie(directory::UnitIdByCode(*conn_, "RAA"));
  const int64_t ward = ValueOrDie(directory::UnitIdByCode(*conn_, "RAA-W1"));
  access::Scope raa_scope;
  raa_scope.unit_ids = {raa, ward};
  std::vector<Record> mine = ValueOrDie(ListRecords(*conn_, IncidentKind(), raa_scope, {}));
  ASSERT_EQ(mine.size(), 2u);
  for (const Record& r : mine) EXPECT_NE(r.unit_code, "RBB");
  const access::Scope nobody;
  EXPECT_TRUE(ValueOrDie(ListRecords(*conn_, IncidentKind(), nobody, {})).empty());
  EXPECT_TRUE(
      ValueOrDie(ListRecords(*conn_, IncidentKind(), nobody, {.metric = "FALLS"})).empty());
}

TEST_P(RecordsTest, CreateRecordValidatesWritesAndAudits) {
  LoadIntelligenceBase();
  const access::Acting who{.actor = "user:lead@nhs.net", .at = "2024-05-01T09:00:00Z"};
  Values v = {{"reference", "S-1"}, {"organisation", "RAA"},  {"occurred", "2024-04-20"},
              {"reported", "2024-04-21"}, {"category", "Falls"}, {"harm", "moderate"},
              {"summary", "Fall in the corridor"}};
  const int64_t id = ValueOrDie(CreateRecord(*conn_, who, IncidentKind(), v));
  EXPECT_GT(id, 0);
  Result<int64_t> again = CreateRecord(*conn_, who, IncidentKind(), v);
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  v["reference"] = "S-2";
  v["summary"] = "Patient 943 476 5919";
  v["harm"] = "awful";
  Result<int64_t> bad = CreateRecord(*conn_, who, IncidentKind(), v);
  ASSERT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("harm"));
  EXPECT_THAT(bad.status().message(), HasSubstr("NHS number"));
  auto audit = ValueOrDie(access::ListAudit(*conn_, 5, std::nullopt));
  ASSERT_FALSE(audit.empty());
  EXPECT_EQ(audit[0].action, "incident.create");
  EXPECT_EQ(audit[0].actor, "user:lead@nhs.net");
  EXPECT_THAT(audit[0].after, Not(HasSubstr("corridor")));  // restricted text stays out
}

TEST_P(RecordsTest, IncidentCountsBecomeStoredSeries) {
  LoadIntelligenceBase();
  ValueOrDie(Import(IncidentKind(), IntelligenceCases() / "incidents" / "good" / "01_first.csv"));
  const int64_t raa = ValueOrDie(directory::UnitIdByCode(*conn_, "RAA"));
  const int64_t all = ValueOrDie(dictionary::MetricIdByCode(*conn_, "PSI_ALL"));
  auto stored = ValueOrDie(oversight::LoadSpcResult(*conn_, {all, raa, false}));
  ASSERT_TRUE(stored.has_value());
  // RAA's first incident is in January; the latest anywhere is RBB's in March: 3 months, the
  // ward's fall counted for the trust.
  EXPECT_EQ(stored->first_period, "2024-01-01");
  EXPECT_EQ(stored->last_period, "2024-03-01");
  EXPECT_EQ(ValuesOf(*stored), "1,1,0");
  const int64_t severe = ValueOrDie(dictionary::MetricIdByCode(*conn_, "PSI_HARM_SEVERE"));
  auto s = ValueOrDie(oversight::LoadSpcResult(*conn_, {severe, raa, false}));
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(ValuesOf(*s), "0,1,0");
  ValueOrDie(dictionary::MetricIdByCode(*conn_, "PSI_CAT_FALLS"));
  ValueOrDie(dictionary::MetricIdByCode(*conn_, "PSI_CAT_MEDICATION"));
  // A re-grading moves the count: severe -> fatal.
  ValueOrDie(
      Import(IncidentKind(), IntelligenceCases() / "incidents" / "good" / "02_again_changed.csv"));
  s = ValueOrDie(oversight::LoadSpcResult(*conn_, {severe, raa, false}));
  EXPECT_EQ(ValuesOf(*s), "0,0,0");
}

TEST(CodeWord, MakesMetricCodeWords) {
  EXPECT_EQ(CodeWord("Falls"), "FALLS");
  EXPECT_EQ(CodeWord("Privacy, dignity and wellbeing"), "PRIVACY_DIGNITY_AND_WELLBEING");
  EXPECT_EQ(CodeWord("  "), "OTHER");
}

INSTANTIATE_STORAGE_TEST(RecordsTest);

}  // namespace
}  // namespace shewhart::intelligence
