#include "base/identifiers.h"

#include <gtest/gtest.h>

#include <string>

namespace shewhart {
namespace {

// 943 476 5919 is a valid NHS number (the NHS's own example).
TEST(IdentifiersTest, EverySpellingOfAnNhsNumberIsFound) {
  for (const char* text :
       {"9434765919", "943 476 5919", "943-476-5919", "943.476.5919", "943  476  5919",
        "943/476/5919", "943\t476\t5919",
        "943\xC2\xA0"
        "476\xC2\xA0"
        "5919",
        "943\xE2\x80\xAF"
        "476 5919",
        "9434 765 919", "94 34 765 919", "943_476_5919",
        // full-width digits
        "\xEF\xBC\x99\xEF\xBC\x94\xEF\xBC\x93\xEF\xBC\x94\xEF\xBC\x97\xEF\xBC\x96\xEF\xBC\x95"
        "\xEF\xBC\x99\xEF\xBC\x91\xEF\xBC\x99",
        "seen 943 476 5919 today", "id:9434765919.", "tel 020 7946 then 943 476 5919"}) {
    EXPECT_TRUE(ContainsNhsNumber(text)) << text;
    EXPECT_FALSE(ScreenFreeText("text", text).ok()) << text;
  }
}

TEST(IdentifiersTest, OrdinaryTextIsNotAnNhsNumber) {
  for (const char* text : {"94347659190", "943 476 5918", "ward 10, bed 12", "1 2 3 4 5 6 7 8 9 0",
                           "A&E 4 hours: 95% within 4 hours", "2019-04-01 to 2020-03-31", "",
                           "Night staffing concerns raised"}) {
    EXPECT_FALSE(ContainsNhsNumber(text)) << text;
  }
  EXPECT_TRUE(ScreenFreeText("text", "Night staffing\tconcerns\r\n raised").ok());
}

TEST(IdentifiersTest, ControlCharactersAreRefused) {
  for (const std::string& text : {std::string("a\0b", 3), std::string("bell\x07"),
                                  std::string("del\x7F"), std::string("c1 \xC2\x85")}) {
    EXPECT_TRUE(ContainsControlCharacter(text));
    Status s = ScreenFreeText("name", text);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find("name"), std::string::npos);
  }
}

TEST(IdentifiersTest, CheckDigit) {
  EXPECT_TRUE(IsValidNhsNumber("9434765919"));
  EXPECT_FALSE(IsValidNhsNumber("9434765918"));
  EXPECT_FALSE(IsValidNhsNumber("1234567890"));
}

}  // namespace
}  // namespace shewhart
