// The ASCII matcher gives exactly Oniguruma's matches for the Llama 3 and
// Qwen2 patterns, on the corpus and on many random ASCII strings.
#include <gtest/gtest.h>

#include <random>

#include "reference.h"
#include "tokenizer/ascii_split.h"
#include "tokenizer/regex.h"

namespace lf::tok {
namespace {

const char* kPatterns[] = {
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)",
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)"};

TEST(AsciiSplit, KnowsOnlyItsPatterns) {
  for (const char* p : kPatterns) EXPECT_NE(AsciiSplitter::for_pattern(p), nullptr);
  EXPECT_EQ(AsciiSplitter::for_pattern(R"(\s+|\S+)"), nullptr);
}

TEST(AsciiSplit, MatchesOnigurumaOnRandomAscii) {
  // Characters that exercise every alternative: letters of the contractions
  // in both cases, digits, each \s character, punctuation, controls.
  const std::string alphabet = "sStTrReEvVmMlLdDaZ09 \t\n\r\v\f'.,!?-_()\"\x01\x7f";
  std::mt19937 rng(1234);
  for (const char* p : kPatterns) {
    const Regex onig(p, "test");
    const auto fast = AsciiSplitter::for_pattern(p);
    std::vector<std::string> texts;
    for (const std::string& t : test::corpus()) {
      bool ascii = true;
      for (unsigned char c : t) ascii = ascii && c < 0x80;
      if (ascii) texts.push_back(t);
    }
    for (int k = 0; k < 20000; ++k) {
      std::string t(rng() % 24, ' ');
      for (char& c : t) c = alphabet[rng() % alphabet.size()];
      texts.push_back(t);
    }
    for (const std::string& t : texts) ASSERT_EQ(fast->find_all(t), onig.find_all(t)) << "text: [" << t << "]";
  }
}

}  // namespace
}  // namespace lf::tok
