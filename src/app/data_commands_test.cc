// The data commands end to end, each run in a child process (they exit with their status):
// exit statuses 0 / 2 / 1, nothing written on invalid input, export -> import round trip.
#include "app/data_commands.h"

#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "app/testing/run_command.h"
#include "db/db.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace shewhart::app {
namespace {

namespace fs = std::filesystem;

// Runs `shewhart ARGS...` with only the data commands; returns the exit status.
int RunShewhart(std::vector<std::string> args) {
  return testing::RunCommand(std::move(args), AddDataCommands);
}

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class DataCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("shewhart-cli-test-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    db_ = "sqlite:" + (dir_ / "s.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path Base(const char* name) {
    return fs::path(SHEWHART_TEST_DATA_DIR) / "cases" / "imports" / "base" / name;
  }
  fs::path dir_;
  std::string db_;
};

TEST_F(DataCommandsTest, ImportExportRoundTripAndExitStatuses) {
  EXPECT_EQ(RunShewhart({"init", "--db", db_}), 0);
  EXPECT_EQ(RunShewhart({"import", "organisations", Base("organisations.csv"), "--db", db_}), 0);
  EXPECT_EQ(
      RunShewhart({"import", "metrics", Base("metrics.csv"), "--db", db_, "--as", "a@nhs.net"}), 0);
  EXPECT_EQ(
      RunShewhart({"import", "observations", Base("observations.csv"), "--db", db_, "--dry-run"}),
      0);
  EXPECT_EQ(RunShewhart({"export", "observations", "-o", (dir_ / "dry.csv").string(), "--db", db_}),
            0);
  EXPECT_EQ(Read(dir_ / "dry.csv"), "metric,unit,period,value\n");  // the dry run wrote nothing
  EXPECT_EQ(RunShewhart({"import", "observations", Base("observations.csv"), "--db", db_}), 0);
  EXPECT_EQ(RunShewhart({"export", "observations", "-o", (dir_ / "a.csv").string(), "--db", db_}),
            0);
  EXPECT_EQ(RunShewhart({"import", "observations", (dir_ / "a.csv").string(), "--db", db_}), 0);
  EXPECT_EQ(RunShewhart({"export", "observations", "-o", (dir_ / "b.csv").string(), "--db", db_}),
            0);
  EXPECT_EQ(Read(dir_ / "a.csv"), Read(dir_ / "b.csv"));
  EXPECT_EQ(Read(dir_ / "a.csv"), Read(Base("observations.csv")));  // same sorted format
  // Invalid input: 2, nothing written.
  const fs::path bad = fs::path(SHEWHART_TEST_DATA_DIR) / "cases" / "imports" / "bad_observations" /
                       "duplicates.csv";
  EXPECT_EQ(RunShewhart({"import", "observations", bad.string(), "--db", db_}), 2);
  EXPECT_EQ(RunShewhart({"export", "observations", "-o", (dir_ / "c.csv").string(), "--db", db_}),
            0);
  EXPECT_EQ(Read(dir_ / "c.csv"), Read(dir_ / "a.csv"));
  EXPECT_EQ(RunShewhart({"import", "widgets", bad.string(), "--db", db_}), 2);
  // Other failures: 1 (a file that does not exist, a database that cannot be opened).
  EXPECT_EQ(RunShewhart({"import", "observations", (dir_ / "missing.csv").string(), "--db", db_}),
            1);
  EXPECT_EQ(RunShewhart({"init", "--db", "sqlite:/nonexistent-dir-shewhart/x.db"}), 1);
}

// The import service writes its own audit entry, so the command line is audited exactly as the
// server's upload commit is (server_test: ImportCommitIsAuditedByTheImportService).
TEST_F(DataCommandsTest, ImportWritesTheSameAuditEntryAsAnUploadCommit) {
  ASSERT_EQ(RunShewhart({"import", "organisations", Base("organisations.csv"), "--db", db_}), 0);
  ASSERT_EQ(RunShewhart({"import", "metrics", Base("metrics.csv"), "--db", db_}), 0);
  ASSERT_EQ(RunShewhart({"import", "observations", Base("observations.csv"), "--db", db_, "--as",
                         "ana@nhs.net"}),
            0);
  ASSERT_EQ(RunShewhart({"import", "observations", Base("observations.csv"), "--db", db_,
                         "--dry-run"}),
            0);  // a dry run writes nothing, and so no entry
  auto conn = db::Open(db_);
  ASSERT_TRUE(conn.ok());
  std::vector<std::vector<std::string>> entries;
  ASSERT_TRUE((*conn)
                  ->Query("SELECT actor, action, target, after_json, remote FROM audit_log "
                          "WHERE action LIKE 'import.%' ORDER BY id",
                          {},
                          [&](const db::Row& r) {
                            entries.push_back(
                                {r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4)});
                            return db::Flow::kContinue;
                          })
                  .ok());
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0][1], "import.organisations");
  EXPECT_EQ(entries[1][1], "import.metrics");
  EXPECT_EQ(entries[2][0], "ana@nhs.net");
  EXPECT_EQ(entries[2][1], "import.observations");
  EXPECT_TRUE(entries[2][2].starts_with("batch ")) << entries[2][2];
  EXPECT_EQ(entries[2][4], "");  // no client address on the command line
  const nlohmann::json after = nlohmann::json::parse(entries[2][3]);
  EXPECT_EQ(after["file"], Base("observations.csv").string());
  EXPECT_EQ(after["sha256"].get<std::string>().size(), 64u);
  EXPECT_GT(after["added"].get<int64_t>(), 0);
  EXPECT_EQ(after["changed"], 0);
  EXPECT_EQ(after["rows"].get<int64_t>(),
            after["added"].get<int64_t>() + after["unchanged"].get<int64_t>());
}

TEST_F(DataCommandsTest, DemoFillsAnEmptyDatabaseOnce) {
  EXPECT_EQ(RunShewhart({"demo", "--db", db_}), 0);
  EXPECT_EQ(RunShewhart({"demo", "--db", db_}), 1);  // not empty any more
  EXPECT_EQ(RunShewhart({"export", "organisations", "-o", (dir_ / "o.csv").string(), "--db", db_}),
            0);
  EXPECT_NE(Read(dir_ / "o.csv").find("N99040,"), std::string::npos);
}

}  // namespace
}  // namespace shewhart::app
