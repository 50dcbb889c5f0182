#include <gtest/gtest.h>

#include "core/visibility.h"

using lf::parse_visibility;

TEST(Visibility, UnsetShowsAllDevices) {
  auto v = parse_visibility(std::nullopt, 3);
  EXPECT_EQ(v.physical, (std::vector<int>{0, 1, 2}));
  EXPECT_FALSE(v.from_variable);
}

TEST(Visibility, ListedIdsRenumberedInListOrder) {
  EXPECT_EQ(parse_visibility("0,1", 8).physical, (std::vector<int>{0, 1}));
  EXPECT_EQ(parse_visibility("1", 8).physical, (std::vector<int>{1}));
  auto v = parse_visibility("3,1", 8);
  EXPECT_EQ(v.physical, (std::vector<int>{3, 1}));  // visible 0 = physical 3
  EXPECT_TRUE(v.from_variable);
  EXPECT_EQ(v.ignored, "");
}

TEST(Visibility, EmptyHidesEverything) {
  auto v = parse_visibility("", 8);
  EXPECT_TRUE(v.physical.empty());
  EXPECT_TRUE(v.from_variable);
}

TEST(Visibility, ParsingStopsAtTheFirstInvalidEntry) {
  auto spaces = parse_visibility("1, 2,3", 8);
  EXPECT_EQ(spaces.physical, (std::vector<int>{1}));
  EXPECT_EQ(spaces.ignored, " 2,3");
  EXPECT_TRUE(parse_visibility("a,1", 8).physical.empty());
  EXPECT_EQ(parse_visibility("0,9,1", 4).physical, (std::vector<int>{0}));  // 9 does not exist
  EXPECT_EQ(parse_visibility("2,2", 4).physical, (std::vector<int>{2}));    // duplicate
  EXPECT_EQ(parse_visibility("-1", 4).physical, (std::vector<int>{}));
}
