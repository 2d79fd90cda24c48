// The lifecycle of a definition: draft -> agreed -> retired, and nothing else. SQLite and
// PostgreSQL.
#include "dictionary/dictionary.h"
#include "gtest/gtest.h"
#include "imports/testing/storage_fixture.h"

namespace shewhart::dictionary {
namespace {

using ::shewhart::testing::ValueOrDie;

class LifecycleTest : public ::shewhart::testing::StorageTest {
 protected:
  // Adds version `n` of FALLS as a draft.
  void Draft(int32_t n) {
    auto dict = ValueOrDie(Dictionary::Load(*conn_));
    int64_t id = 0;
    if (const Metric* m = dict.FindByCode("FALLS")) {
      id = m->id;
    } else {
      id = ValueOrDie(InsertMetric(*conn_, "FALLS", "test", "2024-01-01T00:00:00Z"));
    }
    MetricVersion v;
    v.version = n;
    if (n > 1) v.applies_from = DaysFromCivil(2024, n, 1);
    v.name = "Falls";
    v.definition = "Falls per 1,000 bed days";
    v.domain = "safe";
    v.created_by = "test";
    v.created_at = "2024-01-01T00:00:00Z";
    ValueOrDie(InsertVersion(*conn_, id, v));
  }
  const MetricVersion& Stored(int32_t n) {
    dict_ = ValueOrDie(Dictionary::Load(*conn_));
    for (const MetricVersion& v : dict_.FindByCode("FALLS")->versions) {
      if (v.version == n) return v;
    }
    ADD_FAILURE() << "no version " << n;
    return dict_.FindByCode("FALLS")->versions.front();
  }
  Dictionary dict_;
};

TEST_P(LifecycleTest, DraftAgreedRetiredInOrderOnly) {
  Draft(1);
  // Retiring a draft is refused and changes nothing.
  Result<MetricVersion> early = RetireVersion(*conn_, "FALLS", 1, access::Acting{"cli", "2024-04-01T00:00:00Z", ""});
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Stored(1).status, "draft");

  MetricVersion before = ValueOrDie(AgreeVersion(*conn_, "FALLS", 1, access::Acting{"user:lead@nhs.net", "2024-02-01", ""}));
  EXPECT_EQ(before.status, "draft");
  EXPECT_EQ(Stored(1).status, "agreed");
  EXPECT_EQ(Stored(1).agreed_by, "lead@nhs.net");
  EXPECT_EQ(Stored(1).agreed_at, "2024-02-01");
  // Agreeing twice is refused.
  EXPECT_EQ(AgreeVersion(*conn_, "FALLS", 1, access::Acting{"user:x", "y", ""}).status().code(),
            StatusCode::kFailedPrecondition);

  // Retiring keeps who agreed it.
  EXPECT_EQ(ValueOrDie(RetireVersion(*conn_, "FALLS", 1, access::Acting{"cli", "2024-04-01T00:00:00Z", ""})).status, "agreed");
  EXPECT_EQ(Stored(1).status, "retired");
  EXPECT_EQ(Stored(1).agreed_by, "lead@nhs.net");
  EXPECT_EQ(Stored(1).agreed_at, "2024-02-01");
  EXPECT_EQ(AgreeVersion(*conn_, "FALLS", 1, access::Acting{"user:x", "y", ""}).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST_P(LifecycleTest, UnknownMetricOrVersionIsNotFound) {
  Draft(1);
  Draft(2);
  EXPECT_EQ(AgreeVersion(*conn_, "NOPE", 1, access::Acting{"user:x", "y", ""}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(AgreeVersion(*conn_, "FALLS", 3, access::Acting{"user:x", "y", ""}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(RetireVersion(*conn_, "FALLS", 0, access::Acting{"cli", "2024-04-01T00:00:00Z", ""}).status().code(), StatusCode::kNotFound);
  // Each version has its own lifecycle.
  ValueOrDie(AgreeVersion(*conn_, "FALLS", 2, access::Acting{"user:lead@nhs.net", "2024-03-01", ""}));
  EXPECT_EQ(Stored(1).status, "draft");
  EXPECT_EQ(Stored(2).status, "agreed");
}

INSTANTIATE_STORAGE_TEST(LifecycleTest);

}  // namespace
}  // namespace shewhart::dictionary
