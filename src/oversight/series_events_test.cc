// Series events: a recalculation with its reason rebases the stored result (and stays through
// later imports), annotations are kept in period order, and bad input changes nothing. Runs on
// SQLite and PostgreSQL (a private schema per test, StorageTest).
#include "oversight/series_events.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "dictionary/dictionary.h"
#include "directory/directory.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "imports/imports.h"
#include "imports/testing/storage_fixture.h"

namespace shewhart::oversight {
namespace {

using nlohmann::json;
using ::shewhart::testing::ValueOrDie;
using ::shewhart::testing::WriteText;
using ::testing::HasSubstr;

constexpr std::string_view kAtText = "2024-06-01T09:00:00Z";
const access::Acting kAt{.actor = "user:lead@nhs.net", .at = std::string(kAtText), .remote = ""};

class SeriesEventsTest : public ::shewhart::testing::StorageTest {
 protected:
  // The base organisations and metrics, and a year of C. difficile counts: RAA steps up from
  // 4,5,4,5,4,5 (mean 4.5) to 8,9,8,9,8,9 (mean 8.5) in July 2022; RBB stays at 2.
  void SetUp() override {
    StorageTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    LoadBase(/*with_observations=*/false);
    std::string csv = "metric,unit,period,value\n";
    for (int m = 1; m <= 12; ++m) {
      char line[64];
      std::snprintf(line, sizeof(line), "CDIFF,RAA,2022-%02d-01,%d\nCDIFF,RBB,2022-%02d-01,2\n", m,
                    (m <= 6 ? 4 : 8) + (m + 1) % 2, m);
      csv += line;
    }
    WriteText(dir_ / "cdiff.csv", csv);
    ValueOrDie(imports::ImportObservationsFile(*conn_, (dir_ / "cdiff.csv").string(), Options()));
  }

  SeriesKey Key(const std::string& unit, bool aggregate = false) {
    return ValueOrDie(FindSeries(*conn_, "CDIFF", unit, aggregate));
  }
  json Groups(const SeriesKey& key) {
    std::optional<StoredSpcResult> r = ValueOrDie(LoadSpcResult(*conn_, key));
    EXPECT_TRUE(r.has_value());
    return json::parse(r ? GroupsJson(r->groups) : "[]");
  }
  NewSeriesEvent Event(const SeriesKey& key, std::string period, std::string text) {
    return {.series = key,
            .period = std::move(period),
            .text = std::move(text),
            .created_by = "ana@nhs.net"};
  }
};

TEST_P(SeriesEventsTest, RecalculationRebasesTheStoredSeriesWithItsReason) {
  const SeriesKey raa = Key("RAA");
  ASSERT_EQ(Groups(raa).size(), 1u);
  RecalculationOutcome r =
      ValueOrDie(AddRecalculation(*conn_, Event(raa, "2022-07-01", "  New triage model\n"), kAt));
  EXPECT_EQ(r.event.kind, SeriesEventKind::kRecalculation);
  EXPECT_EQ(r.event.text, "New triage model");  // trimmed
  EXPECT_EQ(r.event.created_by, "ana@nhs.net");
  EXPECT_EQ(json::parse(r.groups_before).size(), 1u);
  EXPECT_EQ(json::parse(r.groups_after), Groups(raa));

  const json groups = Groups(raa);
  ASSERT_EQ(groups.size(), 2u) << groups.dump();
  EXPECT_EQ(groups[0]["begin"], 0);
  EXPECT_EQ(groups[0]["end"], 6);
  EXPECT_FALSE(groups[0].contains("reason"));
  EXPECT_EQ(groups[1]["begin"], 6);
  EXPECT_EQ(groups[1]["reason"], "New triage model");
  // Each group's mean and limits are its own: mean +/- 2.66 x mean moving range (1 in both).
  EXPECT_DOUBLE_EQ(groups[0]["mean"].get<double>(), 4.5);
  EXPECT_DOUBLE_EQ(groups[1]["mean"].get<double>(), 8.5);
  EXPECT_NEAR(groups[1]["upl"].get<double>(), 8.5 + 2.66, 1e-9);
  EXPECT_NEAR(groups[1]["lpl"].get<double>(), 8.5 - 2.66, 1e-9);
  std::optional<StoredSpcResult> stored = ValueOrDie(LoadSpcResult(*conn_, raa));
  EXPECT_DOUBLE_EQ(stored->mean, 8.5);
  EXPECT_EQ(stored->computed_at, kAtText);
  // Another organisation and the system aggregate keep one group.
  EXPECT_EQ(Groups(Key("RBB")).size(), 1u);
  EXPECT_EQ(Groups(Key("SYS", true)).size(), 1u);

  std::vector<SeriesEvent> events = ValueOrDie(ListEvents(*conn_, raa));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].id, r.event.id);
  EXPECT_EQ(events[0].period, "2022-07-01");
  EXPECT_EQ(events[0].created_at, kAtText);
}

TEST_P(SeriesEventsTest, RecalculationStaysThroughLaterImports) {
  const SeriesKey raa = Key("RAA");
  ValueOrDie(AddRecalculation(*conn_, Event(raa, "2022-07-01", "New triage model"), kAt));
  WriteText(dir_ / "jan.csv", "metric,unit,period,value\nCDIFF,RAA,2023-01-01,8\n");
  ValueOrDie(imports::ImportObservationsFile(*conn_, (dir_ / "jan.csv").string(),
                                             Options("2024-07-01T00:00:00Z")));
  const json groups = Groups(raa);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[1]["begin"], 6);
  EXPECT_EQ(groups[1]["end"], 13);
  EXPECT_EQ(groups[1]["reason"], "New triage model");
  // And through recomputing everything.
  auto dir = ValueOrDie(directory::Directory::Load(*conn_));
  auto dict = ValueOrDie(dictionary::Dictionary::Load(*conn_));
  ValueOrDie(RecomputeAllSpc(*conn_, dir, dict, "2024-08-01T00:00:00Z"));
  EXPECT_EQ(Groups(raa)[1]["reason"], "New triage model");
}

TEST_P(SeriesEventsTest, AggregateSeriesRecalculatesOnItsOwn) {
  const SeriesKey sys = Key("SYS", /*aggregate=*/true);
  ValueOrDie(AddRecalculation(*conn_, Event(sys, "2022-07-01", "System-wide IPC campaign"), kAt));
  const json groups = Groups(sys);
  ASSERT_EQ(groups.size(), 2u) << groups.dump();
  EXPECT_EQ(groups[1]["reason"], "System-wide IPC campaign");
  // C. difficile cases aggregate as the system's total of RAA and RBB: 8.5 + 2 after the change.
  EXPECT_DOUBLE_EQ(groups[1]["mean"].get<double>(), 10.5);
  EXPECT_EQ(Groups(Key("RAA")).size(), 1u);
  EXPECT_EQ(ValueOrDie(ListEvents(*conn_, Key("SYS", false))).size(), 0u);
  EXPECT_EQ(ValueOrDie(ListEvents(*conn_, sys)).size(), 1u);
}

TEST_P(SeriesEventsTest, BadRecalculationsAreRefusedAndChangeNothing) {
  const SeriesKey raa = Key("RAA");
  const std::string before = Dump();
  auto code = [&](std::string period, std::string reason) {
    return AddRecalculation(*conn_, Event(raa, std::move(period), std::move(reason)), kAt)
        .status()
        .code();
  };
  EXPECT_EQ(code("2022-07-01", ""), StatusCode::kInvalidArgument);
  EXPECT_EQ(code("2022-07-01", " \t\n "), StatusCode::kInvalidArgument);
  EXPECT_EQ(code("2022-07-01", std::string(kMaxSeriesEventTextBytes + 1, 'x')),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code("2022-07-01", "after patient 943 476 5919 fell"), StatusCode::kInvalidArgument);
  EXPECT_EQ(code("2022-07", "New model"), StatusCode::kInvalidArgument);
  EXPECT_EQ(code("2022-07-15", "New model"), StatusCode::kInvalidArgument);  // not a period
  EXPECT_EQ(code("2021-07-01", "New model"), StatusCode::kInvalidArgument);
  EXPECT_EQ(code("2022-01-01", "New model"), StatusCode::kInvalidArgument);  // the first
  Result<RecalculationOutcome> none = AddRecalculation(
      *conn_, Event(Key("RCC"), "2022-07-01", "New model"), kAt);  // no observations
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(FindSeries(*conn_, "NOPE", "RAA", false).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(FindSeries(*conn_, "CDIFF", "NOPE", false).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Dump(), before);
  EXPECT_EQ(Count("series_event"), 0);

  // A second recalculation at the same period would lose its reason: refused.
  ValueOrDie(AddRecalculation(*conn_, Event(raa, "2022-07-01", "New model"), kAt));
  Result<RecalculationOutcome> again =
      AddRecalculation(*conn_, Event(raa, "2022-07-01", "Another reason"), kAt);
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(again.status().message(), HasSubstr("New model"));
  EXPECT_EQ(Count("series_event"), 1);
}

TEST_P(SeriesEventsTest, RecalculationWhereTheDefinitionChangedIsRefused) {
  WriteText(dir_ / "v2.csv",
            "code,applies_from,name,definition,unit,measure,improvement_direction,frequency,"
            "domain,status\nCDIFF,2022-07-01,C. difficile cases,All onsets,cases,value,decrease,"
            "monthly,safe,agreed\n");
  ValueOrDie(imports::ImportMetricsFile(*conn_, (dir_ / "v2.csv").string(), Options()));
  auto dir = ValueOrDie(directory::Directory::Load(*conn_));
  auto dict = ValueOrDie(dictionary::Dictionary::Load(*conn_));
  ValueOrDie(RecomputeAllSpc(*conn_, dir, dict, kAtText));
  Result<RecalculationOutcome> r =
      AddRecalculation(*conn_, Event(Key("RAA"), "2022-07-01", "New model"), kAt);
  EXPECT_EQ(r.status().code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(r.status().message(), HasSubstr("definition changed (version 2)"));
}

TEST_P(SeriesEventsTest, RecalculationIsPartOfTheCallersTransaction) {
  const SeriesKey raa = Key("RAA");
  {
    db::Transaction tx = ValueOrDie(db::Transaction::Begin(*conn_));
    ValueOrDie(AddRecalculation(*conn_, Event(raa, "2022-07-01", "New model"), kAt));
    EXPECT_EQ(Groups(raa).size(), 2u);
  }  // rolled back
  EXPECT_EQ(Count("series_event"), 0);
  EXPECT_EQ(Groups(raa).size(), 1u);
}

TEST_P(SeriesEventsTest, AnnotationsInPeriodOrderWithoutRecomputing) {
  const SeriesKey raa = Key("RAA");
  const std::string results_before = GroupsJson(ValueOrDie(LoadSpcResult(*conn_, raa))->groups);
  SeriesEvent late =
      ValueOrDie(AddAnnotation(*conn_, Event(raa, "2022-09-01", " PDSA cycle 2: huddles "), kAt));
  EXPECT_EQ(late.kind, SeriesEventKind::kAnnotation);
  EXPECT_EQ(late.text, "PDSA cycle 2: huddles");
  ValueOrDie(AddAnnotation(*conn_, Event(raa, "2022-01-01", "Ward 3 reopened"), kAt));
  ValueOrDie(AddRecalculation(*conn_, Event(raa, "2022-07-01", "New model"), kAt));
  EXPECT_EQ(AddAnnotation(*conn_, Event(raa, "2022-09-01", ""), kAt).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      AddAnnotation(*conn_, Event(raa, "2022-09-01", "NHS no. 9434765919"), kAt).status().code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(AddAnnotation(*conn_, Event(raa, "2030-01-01", "Future"), kAt).status().code(),
            StatusCode::kInvalidArgument);

  std::vector<SeriesEvent> all = ValueOrDie(ListEvents(*conn_, raa));
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].text, "Ward 3 reopened");
  EXPECT_EQ(all[1].kind, SeriesEventKind::kRecalculation);
  EXPECT_EQ(all[2].text, "PDSA cycle 2: huddles");
  std::vector<SeriesEvent> notes =
      ValueOrDie(ListEvents(*conn_, raa, SeriesEventKind::kAnnotation));
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0].period, "2022-01-01");
  EXPECT_EQ(ValueOrDie(ListEvents(*conn_, Key("RBB"))).size(), 0u);
  // Annotations alone recompute nothing: only the recalculation added a group.
  EXPECT_EQ(json::parse(results_before).size(), 1u);
  EXPECT_EQ(Groups(raa).size(), 2u);
}

INSTANTIATE_STORAGE_TEST(SeriesEventsTest);

}  // namespace
}  // namespace shewhart::oversight
