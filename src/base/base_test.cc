// base: wall-clock text, hashes, the text checks every part shares and private temporary files.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "base/hash.h"
#include "base/markup.h"
#include "base/temp_file.h"
#include "base/text_checks.h"
#include "base/time.h"

namespace shewhart {
namespace {

TEST(TimeTest, IsoUtcWritesSecondsAsUtcText) {
  EXPECT_EQ(IsoUtc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(IsoUtc(1700000000), "2023-11-14T22:13:20Z");
  EXPECT_EQ(IsoUtc(951782400), "2000-02-29T00:00:00Z");  // a leap day
}

TEST(TimeTest, NowUtcIsTheCurrentSecond) {
  const int64_t before = NowSeconds();
  const std::string now = NowUtc();
  const int64_t after = NowSeconds();
  EXPECT_TRUE(now == IsoUtc(before) || now == IsoUtc(after)) << now;
}

TEST(HashTest, Sha256MatchesTheFipsVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(TextChecksTest, NumbersParseStrictlyAndFormatShortest) {
  EXPECT_EQ(ParseNumber(" 12.5 "), 12.5);
  EXPECT_EQ(ParseNumber("+3"), 3.0);
  EXPECT_EQ(ParseNumber("-1e3"), -1000.0);
  for (const char* bad : {"", "NA", "12,5", "5%", "inf", "nan", "0x10", "1 000"}) {
    EXPECT_FALSE(ParseNumber(bad).has_value()) << bad;
  }
  EXPECT_EQ(FormatNumber(0.1), "0.1");
  EXPECT_EQ(FormatNumber(-0.0), "0");
  EXPECT_EQ(FormatNumber(12), "12");
}

TEST(TextChecksTest, NhsNumbersAreFoundWithAValidCheckDigitOnly) {
  EXPECT_TRUE(IsValidNhsNumber("9434765919"));
  EXPECT_FALSE(IsValidNhsNumber("9434765918"));
  EXPECT_TRUE(ContainsNhsNumber("seen: 943 476 5919 today"));
  EXPECT_TRUE(ContainsNhsNumber("943-476-5919"));
  EXPECT_FALSE(ContainsNhsNumber("ref 19434765919"));  // part of a longer run of digits
  EXPECT_FALSE(ContainsNhsNumber("943 476 5918"));
}


TEST(TempFileTest, PrivateUniqueReadBackAndRemovedOnEveryWayOut) {
  std::string kept;
  {
    Result<TempFile> a = TempFile::Create("test", ".pdf");
    Result<TempFile> b = TempFile::Create("test", ".pdf");
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_NE(a->path(), b->path());
    EXPECT_TRUE(a->path().ends_with(".pdf"));
    EXPECT_NE(a->path().find("shewhart-test-"), std::string::npos);
    struct stat st{};
    ASSERT_EQ(stat(a->path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);  // nobody else may read a board pack on its way out
    { std::ofstream(a->path(), std::ios::binary) << std::string("%PDF\0bytes", 10); }
    Result<std::string> bytes = a->Read();
    ASSERT_TRUE(bytes.ok());
    EXPECT_EQ(*bytes, std::string("%PDF\0bytes", 10));
    // Moving hands the file over: only the new owner removes it.
    TempFile moved = std::move(*a);
    kept = moved.path();
    EXPECT_TRUE(a->path().empty());
    EXPECT_TRUE(std::filesystem::exists(kept));
    const std::string b_path = b->path();
    *b = std::move(moved);  // b's own file goes at once
    EXPECT_FALSE(std::filesystem::exists(b_path));
    EXPECT_TRUE(std::filesystem::exists(kept));
  }
  EXPECT_FALSE(std::filesystem::exists(kept));
}

TEST(MarkupTest, NoStoredTextCanOpenATagOrLeaveAnAttribute) {
  EXPECT_EQ(MarkupEscaped("Falls & <b>harm</b> \"ward\" O'Neil"),
            "Falls &amp; &lt;b&gt;harm&lt;/b&gt; &quot;ward&quot; O&#39;Neil");
  EXPECT_EQ(MarkupEscaped("plain, £ and é stay"), "plain, £ and é stay");  // UTF-8 untouched
  std::string out = "<t>";
  AppendMarkupEscaped("a<b", &out);
  EXPECT_EQ(out, "<t>a&lt;b");
  EXPECT_EQ(MarkupEscaped(""), "");
}

}  // namespace
}  // namespace shewhart
