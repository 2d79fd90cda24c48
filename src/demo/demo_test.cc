// The demo loads into an empty database (SQLite and PostgreSQL), tells the stories it promises,
// and refuses a database that is not empty.
#include "demo/demo.h"

#include "dictionary/dictionary.h"
#include "directory/directory.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "imports/imports.h"
#include "imports/testing/storage_fixture.h"
#include "observations/observations.h"
#include "oversight/spc_store.h"

namespace shewhart::demo {
namespace {

using ::shewhart::testing::ValueOrDie;

class DemoTest : public ::shewhart::testing::StorageTest {};

TEST_P(DemoTest, FillsAnEmptyDatabase) {
  DemoOptions o;
  o.ae_csv = DefaultAeCsvPath();
  o.actor = "test:demo";
  o.now = "2024-05-01T10:00:00Z";
  DemoReport r = ValueOrDie(LoadDemo(*conn_, o));
  auto dir = ValueOrDie(directory::Directory::Load(*conn_));
  auto dict = ValueOrDie(dictionary::Dictionary::Load(*conn_));
  // 140 type-1 A&E providers (data/README.md) + England; the ICS: system, 4 places, 12 partners,
  // a collaborative, a peer group, 40 GP practices, 6 population segments.
  EXPECT_EQ(r.units, 141 + 1 + 4 + 12 + 2 + 40 + 6);
  EXPECT_EQ(Count("unit WHERE kind = 'gp practice'"), 40);
  EXPECT_EQ(Count("unit WHERE kind = 'segment'"), 6);
  EXPECT_GE(r.metrics, 33);
  // Type-1 rows in the A&E file: 4,932, three metrics each.
  EXPECT_EQ(Count("observation o JOIN metric m ON m.id = o.metric_id WHERE m.code = 'AE4H_T1'"),
            4932);
  EXPECT_GT(r.observations, 3 * 4932 + 12000);
  // Two metrics with a second version of their definition.
  EXPECT_EQ(dict.FindByCode("SICKNESS")->versions.size(), 2u);
  EXPECT_EQ(dict.FindByCode("COMPLAINTS")->versions.size(), 2u);
  // Stored results for the national aggregate and the system aggregate.
  auto england = ValueOrDie(oversight::LoadSpcResult(
      *conn_, {dict.FindByCode("AE4H_T1")->id, dir.FindByCode("ENG")->id, true}));
  ASSERT_TRUE(england.has_value());
  EXPECT_EQ(england->n_points, 36);
  // The falls prevention bundle at RZA from April 2022 shows as improvement.
  auto falls = ValueOrDie(oversight::LoadSpcResult(
      *conn_, {dict.FindByCode("FALLS")->id, dir.FindByCode("RZA")->id, false}));
  ASSERT_TRUE(falls.has_value());
  EXPECT_GT(falls->n_improvement, 0);
  // GP submissions: some practices late, some incomplete, most complete and on time.
  auto subs = ValueOrDie(observations::Submissions(*conn_, DaysFromCivil(2024, 5, 1)));
  ASSERT_EQ(subs.size(), 40u);
  int incomplete = 0, late = 0;
  for (const auto& s : subs) {
    EXPECT_EQ(s.expected, 48 * 3) << s.unit_code;
    incomplete += s.completeness() < 1;
    late += s.timeliness() < 1;
  }
  EXPECT_EQ(incomplete, 3);
  EXPECT_EQ(late, 5);
  // A glossary with a versioned term.
  EXPECT_EQ(ValueOrDie(dictionary::GlossaryHistory(*conn_, "place")).size(), 2u);
  // Not twice.
  Result<DemoReport> again = LoadDemo(*conn_, o);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
}

INSTANTIATE_STORAGE_TEST(DemoTest);

}  // namespace
}  // namespace shewhart::demo
