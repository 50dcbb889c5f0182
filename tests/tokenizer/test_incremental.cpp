// IncrementalDecoder: streamed pieces add up to the full decode and never
// contain half a UTF-8 character.
#include <gtest/gtest.h>

#include "reference.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"

namespace lf::tok {
namespace {

class Streaming : public ::testing::TestWithParam<std::string> {};

TEST_P(Streaming, PiecesAddUpToTheDecodeAndAreWholeCharacters) {
  const Tokenizer tok = Tokenizer::load(test::tokenizer_dir(GetParam()));
  for (const std::string& text : test::corpus()) {
    const auto ids = tok.encode(text);
    // Invalid input text holds real U+FFFD characters; elsewhere one in a
    // piece would be half a character.
    const bool has_replacement = sanitize_utf8(text).find("\xEF\xBF\xBD") != std::string::npos;
    IncrementalDecoder dec(tok, false);
    std::string streamed;
    for (int32_t id : ids) {
      const std::string piece = dec.push(id);
      EXPECT_TRUE(is_valid_utf8(piece));
      if (!has_replacement) {
        EXPECT_EQ(piece.find("\xEF\xBF\xBD"), std::string::npos) << "half a character";
      }
      streamed += piece;
    }
    streamed += dec.flush();
    EXPECT_EQ(streamed, tok.decode(ids)) << sanitize_utf8(text);
  }
}

INSTANTIATE_TEST_SUITE_P(Tokenizers, Streaming, ::testing::Values("qwen3", "llama2", "demo"));

TEST(Streaming, HoldsBytesUntilTheCharacterIsComplete) {
  const Tokenizer tok = Tokenizer::load(test::tokenizer_dir("demo"));
  const std::string rare = "\xF0\xA0\x80\x80";  // U+20000, surely spelt byte by byte
  const auto ids = tok.encode(rare);
  ASSERT_EQ(ids.size(), 4u);
  IncrementalDecoder dec(tok);
  EXPECT_EQ(dec.push(ids[0]), "");
  EXPECT_EQ(dec.push(ids[1]), "");
  EXPECT_EQ(dec.push(ids[2]), "");
  EXPECT_EQ(dec.push(ids[3]), rare);
  EXPECT_EQ(dec.flush(), "");
}

TEST(Streaming, FlushReplacesAnUnfinishedCharacter) {
  const Tokenizer tok = Tokenizer::load(test::tokenizer_dir("demo"));
  const auto ids = tok.encode("\xF0\xA0\x80\x80");
  IncrementalDecoder dec(tok);
  EXPECT_EQ(dec.push(tok.encode("ok")[0]), "ok");
  EXPECT_EQ(dec.push(ids[0]), "");
  EXPECT_EQ(dec.flush(), "\xEF\xBF\xBD");
}

TEST(Streaming, SkipsSpecialTokensByDefault) {
  const Tokenizer tok = Tokenizer::load(test::tokenizer_dir("demo"));
  IncrementalDecoder skip(tok), keep(tok, false);
  const int32_t end = tok.token_to_id("<|im_end|>");
  EXPECT_EQ(skip.push(end), "");
  EXPECT_EQ(keep.push(end), "<|im_end|>");
}

}  // namespace
}  // namespace lf::tok
