// Storage tests of the imports, run on SQLite and PostgreSQL (see testing/storage_fixture.h).
#include "imports/imports.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "dictionary/dictionary.h"
#include "directory/directory.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "imports/testing/storage_fixture.h"
#include "observations/observations.h"

namespace shewhart::imports {
namespace {

namespace fs = std::filesystem;
using ::shewhart::testing::ReadText;
using ::shewhart::testing::ValueOrDie;
using ::shewhart::testing::WriteText;
using ::testing::HasSubstr;

class ImportsTest : public ::shewhart::testing::StorageTest {
 protected:
  fs::path Write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    WriteText(p, text);
    return p;
  }
};

TEST_P(ImportsTest, BaseFilesLandWithProvenance) {
  LoadBase();
  EXPECT_EQ(Count("unit"), 8);
  EXPECT_EQ(Count("metric"), 3);
  EXPECT_EQ(Count("observation"), 8);
  // Three batches (organisations, metrics, observations), each attributed and hashed.
  auto rows = ValueOrDie(
      conn_->QueryAll("SELECT kind, actor, sha256, rows_added FROM import_batch ORDER BY id"));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[2].Text(0), "observations");
  EXPECT_EQ(rows[2].Text(1), "test:analyst");
  EXPECT_EQ(rows[2].Text(2), Sha256Hex(ReadText(Cases() / "base" / "observations.csv")));
  EXPECT_EQ(rows[2].Int(3), 8);
  // A ratio's value is multiplier x numerator / denominator.
  auto v = ValueOrDie(
      conn_->QueryRow("SELECT o.value FROM observation o JOIN metric m ON m.id = o.metric_id "
                      "JOIN unit u ON u.id = o.unit_id WHERE m.code = 'FFT' AND u.code = 'RAA'"));
  ASSERT_TRUE(v.has_value());
  EXPECT_DOUBLE_EQ(v->Double(0), 100.0 * 1310 / 1400);
}

TEST_P(ImportsTest, Sha256MatchesKnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// Every case in tests/cases/imports/bad_observations: the import fails with every expected
// problem named by row and column, and the database is exactly as before.
TEST_P(ImportsTest, BadObservationFilesChangeNothing) {
  LoadBase();
  const std::string before = Dump();
  int cases = 0;
  for (const auto& entry : fs::directory_iterator(Cases() / "bad_observations")) {
    if (entry.path().extension() != ".csv") continue;
    ++cases;
    SCOPED_TRACE(entry.path().filename().string());
    Result<ImportReport> r = ImportObservationsFile(*conn_, entry.path().string(), Options());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    fs::path expected = entry.path();
    expected.replace_extension(".expected");
    std::istringstream lines(ReadText(expected));
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty()) {
        EXPECT_THAT(r.status().message(), HasSubstr(line));
      }
    }
    EXPECT_EQ(Dump(), before);
  }
  EXPECT_GE(cases, 7);
}

TEST_P(ImportsTest, ProblemListIsCappedWithACount) {
  LoadBase();
  std::string text = "metric,unit,period,value\n";
  for (int i = 0; i < 150; ++i) {
    char period[16];
    std::snprintf(period, sizeof(period), "%04d-%02d-01", 2000 + i / 12, i % 12 + 1);
    text += std::string("CDIFF,RAA,") + period + ",x" + std::to_string(i) + "\n";
  }
  Result<ImportReport> r =
      ImportObservationsFile(*conn_, Write("many.csv", text).string(), Options());
  ASSERT_FALSE(r.ok());
  // 150 bad numbers (rows that fail are not checked for duplicates): 100 listed, 50 counted.
  EXPECT_THAT(r.status().message(), HasSubstr("150 problems"));
  EXPECT_THAT(r.status().message(), HasSubstr("... and 50 more problems"));
}

TEST_P(ImportsTest, ReimportingTheSameFileChangesNothing) {
  LoadBase();
  const std::string before = Dump();
  ImportReport r = ValueOrDie(ImportObservationsFile(
      *conn_, (Cases() / "base" / "observations.csv").string(), Options("2024-06-01T00:00:00Z")));
  EXPECT_EQ(r.added, 0);
  EXPECT_EQ(r.changed, 0);
  EXPECT_EQ(r.unchanged, 8);
  EXPECT_FALSE(r.written);
  EXPECT_THAT(r.Summary(), HasSubstr("0 added, 0 changed, 8 unchanged"));
  EXPECT_EQ(Dump(), before);
  // Organisations and metrics too.
  ImportReport o = ValueOrDie(ImportOrganisationsFile(
      *conn_, (Cases() / "base" / "organisations.csv").string(), Options()));
  ImportReport m =
      ValueOrDie(ImportMetricsFile(*conn_, (Cases() / "base" / "metrics.csv").string(), Options()));
  EXPECT_EQ(o.added + o.changed + m.added + m.changed, 0);
  EXPECT_EQ(Dump(), before);
}

TEST_P(ImportsTest, DifferingValueIsACorrectionWithHistory) {
  LoadBase();
  const fs::path p = Write("fix.csv",
                           "metric,unit,period,value,numerator,denominator\n"
                           "CDIFF,RAA,2023-02-01,5,,\n"
                           "CDIFF,RAA,2023-03-01,1,,\n"
                           "FALLS,RAA,2023-01-01,,71,24000\n");
  ImportReport dry =
      ValueOrDie(ImportObservationsFile(*conn_, p.string(), Options("2024-06-01T00:00:00Z", true)));
  EXPECT_EQ(dry.added, 1);
  EXPECT_EQ(dry.changed, 1);
  EXPECT_EQ(dry.unchanged, 1);
  EXPECT_FALSE(dry.written);
  ASSERT_EQ(dry.changes.size(), 1u);
  EXPECT_EQ(dry.changes[0].key, "CDIFF RAA 2023-02-01");
  EXPECT_EQ(dry.changes[0].before, "3");
  EXPECT_EQ(dry.changes[0].after, "5");
  EXPECT_THAT(dry.Summary(), HasSubstr("changed (row 2) CDIFF RAA 2023-02-01: 3 -> 5"));
  EXPECT_EQ(Count("observation_history"), 0);

  ImportReport r =
      ValueOrDie(ImportObservationsFile(*conn_, p.string(), Options("2024-06-01T00:00:00Z")));
  EXPECT_TRUE(r.written);
  auto dir = ValueOrDie(directory::Directory::Load(*conn_));
  auto dict = ValueOrDie(dictionary::Dictionary::Load(*conn_));
  auto history = ValueOrDie(observations::HistoryOf(
      *conn_, dict.FindByCode("CDIFF")->id, dir.FindByCode("RAA")->id, DaysFromCivil(2023, 2, 1)));
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].value, 3.0);
  EXPECT_EQ(history[0].replaced_by, "test:analyst");
  EXPECT_EQ(history[0].replaced_at, "2024-06-01T00:00:00Z");
  EXPECT_EQ(history[0].replaced_by_batch, r.batch_id);
  EXPECT_NE(history[0].batch_id, r.batch_id);
}

// The comparison merges the file's rows in key order with the stored rows; files in any order
// compare the same, and a repeated key is found whether the file was in order until then or not.
TEST_P(ImportsTest, RowsInAnyOrderCompareAndRepeatsAreFound) {
  LoadBase();
  const std::string shuffled =
      "metric,unit,period,value,numerator,denominator\n"
      "FALLS,RBB,2023-01-01,,41,15000\n"  // row 2: a correction (40 -> 41)
      "CDIFF,RAA,2023-02-01,3,,\n"        // unchanged
      "FALLS,RAA,2023-01-01,,71,24000\n"  // unchanged, and out of key order
      "CDIFF,RBB,2023-02-01,7,,\n";       // new
  Result<ImportReport> repeated = ImportObservationsFile(
      *conn_, Write("repeat.csv", shuffled + "FALLS,RBB,2023-01-01,,40,15000\n").string(),
      Options());
  ASSERT_FALSE(repeated.ok());
  EXPECT_THAT(repeated.status().message(), HasSubstr("duplicate: rows 2 and 6"));
  Result<ImportReport> adjacent = ImportObservationsFile(
      *conn_,
      Write("adjacent.csv",
            "metric,unit,period,value\nCDIFF,RAA,2023-03-01,1\nCDIFF,RAA,2023-03-01,2\n")
          .string(),
      Options());
  ASSERT_FALSE(adjacent.ok());
  EXPECT_THAT(adjacent.status().message(), HasSubstr("duplicate: rows 2 and 3"));
  const std::string before = Dump();

  ImportReport r = ValueOrDie(
      ImportObservationsFile(*conn_, Write("shuffled.csv", shuffled).string(), Options()));
  EXPECT_EQ(r.added, 1);
  EXPECT_EQ(r.changed, 1);
  EXPECT_EQ(r.unchanged, 2);
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(r.changes[0].row, 2);
  EXPECT_EQ(r.changes[0].key, "FALLS RBB 2023-01-01");
  EXPECT_EQ(r.changes[0].before, "40/15000");
  EXPECT_EQ(r.changes[0].after, "41/15000");
  EXPECT_NE(Dump(), before);
  // Again, in another order: nothing to write.
  ImportReport again = ValueOrDie(ImportObservationsFile(
      *conn_,
      Write("again.csv",
            "metric,unit,period,value,numerator,denominator\nCDIFF,RBB,2023-02-01,7,,\n"
            "FALLS,RAA,2023-01-01,,71,24000\nCDIFF,RAA,2023-02-01,3,,\n"
            "FALLS,RBB,2023-01-01,,41,15000\n")
          .string(),
      Options()));
  EXPECT_EQ(again.added + again.changed, 0);
  EXPECT_EQ(again.unchanged, 4);
}

TEST_P(ImportsTest, ExportImportRoundTripIsByteIdentical) {
  LoadBase();
  const std::string orgs = ValueOrDie(ExportOrganisationsCsv(*conn_));
  const std::string metrics = ValueOrDie(ExportMetricsCsv(*conn_));
  const std::string obs = ValueOrDie(ExportObservationsCsv(*conn_));
  EXPECT_THAT(obs, HasSubstr("metric,unit,period,value,numerator,denominator\n"
                             "CDIFF,RAA,2023-01-01,4,,\n"));
  // Back into the same database: nothing changes.
  EXPECT_EQ(
      ValueOrDie(ImportObservationsFile(*conn_, Write("o.csv", obs).string(), Options())).changed,
      0);
  // Into a fresh database (another file / schema): re-export is byte-identical.
  auto second = OpenSecondDatabase();
  ValueOrDie(ImportOrganisationsFile(*second, Write("orgs.csv", orgs).string(), Options()));
  ValueOrDie(ImportMetricsFile(*second, Write("metrics.csv", metrics).string(), Options()));
  ValueOrDie(ImportObservationsFile(*second, Write("obs.csv", obs).string(), Options()));
  EXPECT_EQ(ValueOrDie(ExportOrganisationsCsv(*second)), orgs);
  EXPECT_EQ(ValueOrDie(ExportMetricsCsv(*second)), metrics);
  EXPECT_EQ(ValueOrDie(ExportObservationsCsv(*second)), obs);
}

// Finding 6: CSV exports wrote cells starting with = + - @ unchanged (formula injection when
// opened in Excel). They are neutralised with an apostrophe, and read back to the same text.
TEST_P(ImportsTest, ExportsNeutraliseFormulaCellsAndStillRoundTrip) {
  const std::string orgs =
      "code,name,kind,parent,opened,closed,successor,member_of\n"
      "QHL,\"=HYPERLINK(\"\"http://evil.example\"\")\",system,,,,,\n"
      "RAA,+cmd|' /C calc'!A0,acute trust,QHL,,,,\n"
      "RBB,@SUM(1+1),acute trust,QHL,,,,\n"
      "RCC,-2+3,acute trust,QHL,,,,\n"
      "RDD,Plain name,acute trust,QHL,,,,\n";
  ValueOrDie(ImportOrganisationsFile(*conn_, Write("orgs.csv", orgs).string(), Options()));
  const std::string exported = ValueOrDie(ExportOrganisationsCsv(*conn_));
  for (const char* formula : {"=HYPERLINK", "+cmd", "@SUM", "-2+3"}) {
    EXPECT_THAT(exported, HasSubstr(std::string("'") + formula)) << exported;
  }
  for (const std::string& line : {std::string("\n="), std::string(",="), std::string(",+"),
                                  std::string(",@"), std::string(",-2"), std::string(",\"=")}) {
    EXPECT_EQ(exported.find(line), std::string::npos) << line << " in " << exported;
  }
  // Imported back: the same names, nothing changed; exported again: byte-identical.
  EXPECT_EQ(
      ValueOrDie(ImportOrganisationsFile(*conn_, Write("again.csv", exported).string(), Options()))
          .changed,
      0);
  EXPECT_EQ(ValueOrDie(ExportOrganisationsCsv(*conn_)), exported);
  EXPECT_EQ(NeutraliseFormula("-5"), "-5");  // numbers are not formulas
  EXPECT_EQ(NeutraliseFormula("=1+1"), "'=1+1");
  EXPECT_EQ(RestoreFormula("'=1+1"), "=1+1");
}

TEST_P(ImportsTest, AgreedDefinitionIsNeverOverwrittenButVersioned) {
  LoadBase(false);
  std::string metrics = ReadText(Cases() / "base" / "metrics.csv");
  // Same applies_from, changed definition of an agreed metric: refused.
  std::string changed = metrics;
  const std::string old_definition = "Hospital-onset C. difficile cases.";
  changed.replace(changed.find(old_definition), old_definition.size(),
                  "All C. difficile cases of any onset.");
  Result<ImportReport> bad =
      ImportMetricsFile(*conn_, Write("m1.csv", changed).string(), Options());
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("never overwritten"));
  // As a new version from April 2023: accepted.
  const std::string v2 =
      metrics +
      "CDIFF,2023-04-01,C. difficile cases,\"All C. difficile cases, any onset.\",,,"
      "cases,value,1,decrease,xmr,monthly,safe,,,UKHSA,DIPC,agreed,Quality Group,"
      "2024-02-01\n";
  ImportReport r = ValueOrDie(ImportMetricsFile(*conn_, Write("m2.csv", v2).string(), Options()));
  EXPECT_EQ(r.added, 1);
  EXPECT_EQ(r.unchanged, 3);
  auto dict = ValueOrDie(dictionary::Dictionary::Load(*conn_));
  const dictionary::Metric* m = dict.FindByCode("CDIFF");
  ASSERT_EQ(m->versions.size(), 2u);
  EXPECT_EQ(m->VersionFor(DaysFromCivil(2023, 3, 1)).version, 1);
  EXPECT_EQ(m->VersionFor(DaysFromCivil(2023, 4, 1)).version, 2);
  EXPECT_EQ(m->Latest().definition, "All C. difficile cases, any onset.");
  // Retiring the first version is a status change, not an overwrite.
  std::string retired = v2;
  const size_t pos = retired.find("UKHSA,DIPC,agreed");
  retired.replace(pos, 17, "UKHSA,DIPC,retired");
  ImportReport r2 =
      ValueOrDie(ImportMetricsFile(*conn_, Write("m3.csv", retired).string(), Options()));
  EXPECT_EQ(r2.changed, 1);
}

TEST_P(ImportsTest, RenameAndMergerKeepHistory) {
  LoadBase(false);
  std::string orgs = ReadText(Cases() / "base" / "organisations.csv");
  auto replace = [&](const std::string& from, const std::string& to) {
    const size_t pos = orgs.find(from);
    ASSERT_NE(pos, std::string::npos) << from;
    orgs.replace(pos, from.size(), to);
  };
  replace("Southtown Hospital NHS Trust", "Southtown and District NHS Trust");
  replace("RCC,Town Community Health NHS Trust,community trust,PL1,,,,",
          "RCC,Town Community Health NHS Trust,community trust,PL1,,2024-03-31,RAA,");
  ImportReport r = ValueOrDie(ImportOrganisationsFile(*conn_, Write("o.csv", orgs).string(),
                                                      Options("2024-04-01T00:00:00Z")));
  EXPECT_EQ(r.changed, 2);
  auto dir = ValueOrDie(directory::Directory::Load(*conn_));
  auto h = ValueOrDie(directory::History(*conn_, dir.FindByCode("RBB")->id));
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].field, "name");
  EXPECT_EQ(h[0].old_value, "Southtown Hospital NHS Trust");
  EXPECT_EQ(h[0].new_value, "Southtown and District NHS Trust");
  const directory::Unit* rcc = dir.FindByCode("RCC");
  EXPECT_EQ(rcc->closed, "2024-03-31");
  EXPECT_EQ(rcc->successor_id, dir.FindByCode("RAA")->id);
  EXPECT_EQ(ValueOrDie(directory::History(*conn_, rcc->id)).size(), 2u);  // closed, successor
}

TEST_P(ImportsTest, BadOrganisationsAndMetricsAreRejectedWhole) {
  LoadBase();
  const std::string before = Dump();
  Result<ImportReport> o = ImportOrganisationsFile(
      *conn_,
      Write("o.csv",
            "code,name,kind,parent\nNEW1,New,acute trust,PL1\nNEW2,,hospital,NOWHERE\n"
            "NEW1,Again,acute trust,\nNEW3,Call 943 476 5919,hospice,\n")
          .string(),
      Options());
  ASSERT_FALSE(o.ok());
  EXPECT_THAT(o.status().message(), HasSubstr("row 3, column name: empty"));
  EXPECT_THAT(o.status().message(), HasSubstr("row 3, column kind: \"hospital\" is not a known"));
  EXPECT_THAT(o.status().message(), HasSubstr("row 3, column parent: unknown unit \"NOWHERE\""));
  EXPECT_THAT(o.status().message(), HasSubstr("row 4, column code: duplicate: rows 2 and 4"));
  EXPECT_THAT(o.status().message(), HasSubstr("row 5, column name: looks like an NHS number"));
  Result<ImportReport> m = ImportMetricsFile(
      *conn_,
      Write("m.csv",
            "code,name,definition,unit,improvement_direction,frequency,domain,status,measure\n"
            "X1,X,Def,%,up,monthly,safe,agreed,proportion\n")
          .string(),
      Options());
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.status().message(), HasSubstr("column improvement_direction: \"up\" is not"));
  EXPECT_THAT(m.status().message(), HasSubstr("column numerator_definition: empty"));
  EXPECT_EQ(Dump(), before);
}

// An analyst's workbook: dates formatted as dates, shared strings, a blank row, and one bad cell
// (text in the value column): the import names the sheet row and column; fixed, it lands.
fs::path WriteObservationWorkbook(const fs::path& path, bool with_bad_cell) {
  lxw_workbook* wb = workbook_new(path.c_str());
  lxw_worksheet* ws = workbook_add_worksheet(wb, "March");
  lxw_format* date = workbook_add_format(wb);
  format_set_num_format(date, "d mmm yyyy");
  const char* header[] = {"metric", "unit", "period", "value", "numerator", "denominator"};
  for (int c = 0; c < 6; ++c) worksheet_write_string(ws, 0, c, header[c], nullptr);
  lxw_datetime march = {2023, 3, 1, 0, 0, 0};
  worksheet_write_string(ws, 1, 0, "CDIFF", nullptr);
  worksheet_write_string(ws, 1, 1, "RAA", nullptr);
  worksheet_write_datetime(ws, 1, 2, &march, date);
  worksheet_write_number(ws, 1, 3, 2, nullptr);
  // Row 3 left empty; row 4 a ratio with the value column blank.
  worksheet_write_string(ws, 3, 0, "FFT", nullptr);
  worksheet_write_string(ws, 3, 1, "RAA", nullptr);
  worksheet_write_datetime(ws, 3, 2, &march, date);
  worksheet_write_number(ws, 3, 4, 1300, nullptr);
  worksheet_write_number(ws, 3, 5, 1390, nullptr);
  worksheet_write_string(ws, 4, 0, "CDIFF", nullptr);
  worksheet_write_string(ws, 4, 1, "RBB", nullptr);
  worksheet_write_datetime(ws, 4, 2, &march, date);
  if (with_bad_cell) {
    worksheet_write_string(ws, 4, 3, "two", nullptr);
  } else {
    worksheet_write_number(ws, 4, 3, 2, nullptr);
  }
  workbook_close(wb);
  return path;
}

TEST_P(ImportsTest, ExcelWorkbookImportsLikeCsv) {
  LoadBase();
  const std::string before = Dump();
  Result<ImportReport> bad = ImportObservationsFile(
      *conn_, WriteObservationWorkbook(dir_ / "bad.xlsx", true).string(), Options());
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("1 problem"));
  EXPECT_THAT(bad.status().message(), HasSubstr("row 5, column value: \"two\" is not a number"));
  EXPECT_EQ(Dump(), before);
  ImportReport r = ValueOrDie(ImportObservationsFile(
      *conn_, WriteObservationWorkbook(dir_ / "good.xlsx", false).string(), Options()));
  EXPECT_EQ(r.added, 3);
  EXPECT_THAT(ValueOrDie(ExportObservationsCsv(*conn_)),
              HasSubstr("FFT,RAA,2023-03-01,,1300,1390\n"));
}

// A big observation file for the crash and concurrency tests: `units` GP practices x 3 metrics
// x `months` months, all new.
std::string BigOrganisations(int units) {
  std::string s = "code,name,kind,parent\n";
  for (int u = 0; u < units; ++u) {
    s += "Y9" + std::to_string(10000 + u) + ",Practice " + std::to_string(u) + ",gp practice,PL1\n";
  }
  return s;
}
std::string BigObservations(int units, int months, int value) {
  std::string s = "metric,unit,period,value,numerator,denominator\n";
  for (const char* metric : {"CDIFF", "FALLS", "FFT"}) {
    for (int u = 0; u < units; ++u) {
      const std::string unit = "Y9" + std::to_string(10000 + u);
      for (int m = 0; m < months; ++m) {
        const int total = 2000 * 12 + m;
        char period[16];
        std::snprintf(period, sizeof(period), "%04d-%02d-01", total / 12, total % 12 + 1);
        s += std::string(metric) + "," + unit + "," + period;
        if (std::string_view(metric) == "CDIFF") {
          s += "," + std::to_string(value + (m % 5)) + ",,\n";
        } else {
          s += ",," + std::to_string(value + (m % 7)) + "," + std::to_string(100 + value) + "\n";
        }
      }
    }
  }
  return s;
}

// Runs `fn` in a child process; returns its pid. The child exits 0 on OK, 3 on a clean
// ResourceExhausted (database busy), 4 on any other failure.
template <typename Fn>
pid_t Spawn(Fn fn) {
  const pid_t pid = fork();
  if (pid == 0) {
    const Status s = fn();
    _exit(s.ok() ? 0 : s.code() == StatusCode::kResourceExhausted ? 3 : 4);
  }
  return pid;
}

TEST_P(ImportsTest, SigkillMidImportLeavesNothing) {
  LoadBase();
  ValueOrDie(ImportOrganisationsFile(*conn_, Write("big_orgs.csv", BigOrganisations(400)).string(),
                                     Options()));
  const fs::path big = Write("big.csv", BigObservations(400, 200, 10));  // 240,000 rows
  const std::string before = Dump();
  const std::string url = url_;
  const pid_t child = Spawn([&]() -> Status {
    ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> c, db::Open(url));
    return ImportObservationsFile(*c, big.string(), Options()).status();
  });
  ASSERT_GT(child, 0);
  // Wait until the child is writing (SQLite: the WAL grows; PostgreSQL: its session is inserting
  // observations), then kill it without warning.
  bool killed = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  auto monitor = OpenAnother();
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(child, &status, WNOHANG) == child) break;  // finished: too fast
    bool writing = false;
    if (IsPostgres()) {
      auto row = ValueOrDie(monitor->QueryRow(
          "SELECT COUNT(*) FROM pg_stat_activity WHERE (query LIKE 'INSERT INTO observation %' "
          "OR query LIKE 'COPY observation %' OR query LIKE 'INSERT INTO spc_result %') "
          "AND pid <> pg_backend_pid()"));
      writing = row && row->Int(0) > 0;
    } else {
      std::error_code ec;
      const auto size = fs::file_size(dir_ / "test.db-wal", ec);
      writing = !ec && size > (4u << 20);
    }
    if (writing) {
      ASSERT_EQ(kill(child, SIGKILL), 0);
      int status = 0;
      ASSERT_EQ(waitpid(child, &status, 0), child);
      ASSERT_TRUE(WIFSIGNALED(status));
      killed = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_TRUE(killed) << "the import finished before it could be killed";
  monitor.reset();
  // Reconnect (as after a crash) and compare everything.
  conn_ = ValueOrDie(db::Open(url_));
  if (!IsPostgres()) {
    auto ok = ValueOrDie(conn_->QueryRow("PRAGMA integrity_check"));
    ASSERT_TRUE(ok.has_value());
    EXPECT_EQ(ok->Text(0), "ok");
  }
  EXPECT_EQ(Dump(), before);
  // And the database is usable: the same import now lands whole.
  ImportReport r = ValueOrDie(ImportObservationsFile(*conn_, big.string(), Options()));
  EXPECT_EQ(r.added, 240000);
  EXPECT_EQ(Count("observation"), 8 + 240000);
}

TEST_P(ImportsTest, ConcurrentImportsLandWholeOrNotAtAll) {
  LoadBase();
  ValueOrDie(ImportOrganisationsFile(*conn_, Write("orgs.csv", BigOrganisations(100)).string(),
                                     Options()));
  const fs::path a = Write("a.csv", BigObservations(100, 100, 10));  // 30,000 rows
  const fs::path b = Write("b.csv", BigObservations(100, 100, 20));  // same keys, other values
  const std::string url = url_;
  auto import = [&](fs::path p) {
    return [url, p]() -> Status {
      ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> c, db::Open(url));
      return ImportObservationsFile(*c, p.string(), Options()).status();
    };
  };
  const pid_t pa = Spawn(import(a));
  const pid_t pb = Spawn(import(b));
  int sa = 0, sb = 0;
  ASSERT_EQ(waitpid(pa, &sa, 0), pa);
  ASSERT_EQ(waitpid(pb, &sb, 0), pb);
  ASSERT_TRUE(WIFEXITED(sa) && WIFEXITED(sb));
  const int ea = WEXITSTATUS(sa), eb = WEXITSTATUS(sb);
  // Each either succeeded or failed cleanly because the database was busy.
  EXPECT_TRUE(ea == 0 || ea == 3) << ea;
  EXPECT_TRUE(eb == 0 || eb == 3) << eb;
  EXPECT_TRUE(ea == 0 || eb == 0);
  // Never a mix: every CDIFF value of the practices comes from one file.
  std::set<int64_t> bases;
  ASSERT_TRUE(conn_
                  ->Query("SELECT o.value FROM observation o JOIN unit u ON u.id = o.unit_id "
                          "JOIN metric m ON m.id = o.metric_id WHERE m.code = 'CDIFF' AND "
                          "u.code LIKE 'Y9%'",
                          {},
                          [&](const db::Row& r) {
                            bases.insert(static_cast<int64_t>(r.Double(0)) / 10 * 10);
                            return db::Flow::kContinue;
                          })
                  .ok());
  EXPECT_EQ(bases.size(), 1u);
  EXPECT_EQ(Count("observation"), 8 + 30000);
  const int64_t batches = Count("import_batch WHERE kind = 'observations'");
  EXPECT_EQ(batches, 1 + (ea == 0) + (eb == 0));
}

INSTANTIATE_STORAGE_TEST(ImportsTest);

}  // namespace
}  // namespace shewhart::imports
