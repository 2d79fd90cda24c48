// Definitions drive results: agreeing a version recomputes the metric's stored series at once (a
// new target, the "definition changed" restart), in the same transaction. SQLite and PostgreSQL.
#include "oversight/definitions.h"

#include "dictionary/dictionary.h"
#include "directory/directory.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "imports/imports.h"
#include "imports/testing/storage_fixture.h"

namespace shewhart::oversight {
namespace {

using ::shewhart::testing::ValueOrDie;
using ::shewhart::testing::WriteText;
using ::testing::HasSubstr;

class DefinitionsTest : public ::shewhart::testing::StorageTest {
 protected:
  StoredSpcResult Load(const std::string& metric, const std::string& unit) {
    auto dir = ValueOrDie(directory::Directory::Load(*conn_));
    auto dict = ValueOrDie(dictionary::Dictionary::Load(*conn_));
    std::optional<StoredSpcResult> r = ValueOrDie(
        LoadSpcResult(*conn_, {dict.FindByCode(metric)->id, dir.FindByCode(unit)->id, false}));
    EXPECT_TRUE(r.has_value());
    return r.value_or(StoredSpcResult{});
  }
  // CDIFF for RBB over 2022 and a DRAFT version 2 from July 2022 with a target of 2.
  void LoadHistoryAndDraft() {
    LoadBase();
    std::string text = "metric,unit,period,value\n";
    for (int m = 1; m <= 12; ++m) {
      char line[64];
      std::snprintf(line, sizeof(line), "CDIFF,RBB,2022-%02d-01,%d\n", m, 2 + m % 3);
      text += line;
    }
    WriteText(dir_ / "history.csv", text);
    ValueOrDie(imports::ImportObservationsFile(*conn_, (dir_ / "history.csv").string(), Options()));
    dictionary::MetricVersion v2;
    v2.applies_from = DaysFromCivil(2022, 7, 1);
    v2.name = "C. difficile cases";
    v2.definition = "All onsets";
    v2.unit = "cases";
    v2.measure = "value";
    v2.improvement_direction = "decrease";
    v2.frequency = "monthly";
    v2.domain = "safe";
    v2.target = 2;
    ValueOrDie(dictionary::ProposeVersion(*conn_, "CDIFF", v2, who_));
  }
  const access::Acting who_{.actor = "user:lead@nhs.net", .at = "2024-06-01T09:00:00Z"};
};

TEST_P(DefinitionsTest, ADraftDoesNotGovernTheStoredResults) {
  LoadHistoryAndDraft();
  // Recomputed by a later import: the draft's target and restart do not appear.
  WriteText(dir_ / "one.csv", "metric,unit,period,value\nCDIFF,RBB,2023-01-01,3\n");
  ValueOrDie(imports::ImportObservationsFile(*conn_, (dir_ / "one.csv").string(), Options()));
  StoredSpcResult r = Load("CDIFF", "RBB");
  EXPECT_FALSE(r.target.has_value());
  EXPECT_EQ(r.groups.size(), 1u);
}

TEST_P(DefinitionsTest, AgreeingRecomputesTheTargetAndTheRestartAtOnce) {
  LoadHistoryAndDraft();
  EXPECT_FALSE(Load("CDIFF", "RBB").target.has_value());
  DefinitionOutcome out = ValueOrDie(AgreeDefinition(*conn_, "CDIFF", 2, who_));
  EXPECT_EQ(out.before.status, "draft");
  EXPECT_GE(out.recomputed.series, 2);  // RAA and RBB
  StoredSpcResult r = Load("CDIFF", "RBB");
  ASSERT_TRUE(r.target.has_value());
  EXPECT_EQ(*r.target, 2);
  ASSERT_EQ(r.groups.size(), 2u);
  EXPECT_EQ(r.groups[1].begin, 6);
  EXPECT_THAT(r.groups[1].reason, HasSubstr("definition changed (version 2)"));
  EXPECT_EQ(r.computed_at, who_.at);
  EXPECT_EQ(Count("audit_log WHERE action = 'metric.agree'"), 1);
}

TEST_P(DefinitionsTest, AFailedAgreeWritesNothing) {
  LoadHistoryAndDraft();
  ValueOrDie(AgreeDefinition(*conn_, "CDIFF", 2, who_));
  const std::string before = Dump();
  // Agreed already: refused, and nothing recomputed or audited.
  EXPECT_EQ(AgreeDefinition(*conn_, "CDIFF", 2, who_).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(AgreeDefinition(*conn_, "NOPE", 1, who_).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Dump(), before);
}

INSTANTIATE_STORAGE_TEST(DefinitionsTest);

}  // namespace
}  // namespace shewhart::oversight
