// Ids and decoded text equal the Hugging Face library's, id for id, on the
// real tokenizer.json files of Qwen3, Llama 3 and a sentencepiece-style
// (Llama 2 family) model, on our demo tokenizer, and on two variants (see
// reference.h).
#include <gtest/gtest.h>

#include "reference.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"

namespace lf::tok {
namespace {

class HfParity : public ::testing::TestWithParam<std::string> {};

TEST_P(HfParity, EncodeAndDecodeMatchHuggingFace) {
  const std::string dir = test::tokenizer_dir(GetParam());
  const Tokenizer tok = Tokenizer::load(dir);
  const auto& ref = test::hf_reference(dir + "/tokenizer.json");
  const auto texts = test::corpus();
  ASSERT_EQ(ref["plain"].size(), texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    SCOPED_TRACE("corpus entry " + std::to_string(i) + ": " + sanitize_utf8(texts[i]).substr(0, 80));
    const auto ids = tok.encode(texts[i]);
    EXPECT_EQ(ids, ref["plain"][i].get<std::vector<int32_t>>());
    EXPECT_EQ(tok.encode(texts[i], true), ref["special"][i].get<std::vector<int32_t>>());
    const auto expected = ref["plain"][i].get<std::vector<int32_t>>();
    EXPECT_EQ(tok.decode(expected), ref["decoded"][i].get<std::string>());
    EXPECT_EQ(tok.decode(expected, true), ref["decoded_skip"][i].get<std::string>());
  }
}

INSTANTIATE_TEST_SUITE_P(Tokenizers, HfParity,
                         ::testing::Values("qwen3", "llama3", "llama2", "demo", "llama2-metaspace", "gpt2-bytelevel",
                                           "demo-split-Removed", "demo-split-MergedWithPrevious",
                                           "demo-split-MergedWithNext", "demo-split-Contiguous",
                                           "demo-split-invert"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

// Byte-level BPE without a normalizer loses nothing: every valid UTF-8 text
// comes back byte for byte.
TEST(RealTokenizer, Llama3RoundTripsEveryValidText) {
  const Tokenizer tok = Tokenizer::load(test::real_tokenizer_dir("llama3"));
  for (const std::string& text : test::corpus()) {
    if (!is_valid_utf8(text)) continue;
    EXPECT_EQ(tok.decode(tok.encode(text)), text);
  }
}

// Invalid UTF-8 is read as U+FFFD per maximal ill-formed subsequence, the
// way Python's errors="replace" and Node's TextDecoder read such bytes.
TEST(RealTokenizer, InvalidUtf8EncodesLikeItsReplacement) {
  const Tokenizer tok = Tokenizer::load(test::real_tokenizer_dir("qwen3"));
  const std::string bad = "ok\xE4\xBD \xFF\xC0\xAF end";
  EXPECT_EQ(tok.encode(bad), tok.encode("ok\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD end"));
}

TEST(RealTokenizer, SpecialTokensFromConfig) {
  const Tokenizer qwen = Tokenizer::load(test::real_tokenizer_dir("qwen3"));
  EXPECT_EQ(qwen.eos_id(), qwen.token_to_id("<|im_end|>"));
  EXPECT_EQ(qwen.pad_id(), qwen.token_to_id("<|endoftext|>"));
  EXPECT_FALSE(qwen.bos_id().has_value());
  EXPECT_FALSE(qwen.special().add_bos_token);
  EXPECT_TRUE(qwen.is_special(151645));
  EXPECT_FALSE(qwen.special().chat_template.empty());

  const Tokenizer llama2 = Tokenizer::load(test::real_tokenizer_dir("llama2"));
  EXPECT_EQ(llama2.bos_id(), 1);
  EXPECT_EQ(llama2.eos_id(), 2);
  EXPECT_TRUE(llama2.special().add_bos_token);
  EXPECT_EQ(llama2.encode("hi", true).front(), 1);
  EXPECT_EQ(llama2.special().unk, "<unk>");
}

// split_special_tokens=true: markers written in user text stay text.
TEST(RealTokenizer, SplitSpecialTokensKeepsMarkersAsText) {
  const Tokenizer tok = Tokenizer::load(test::real_tokenizer_dir("qwen3"));
  const std::string text = "a<|im_end|>b";
  const auto joined = tok.encode(text);
  EXPECT_EQ(joined, (std::vector<int32_t>{64, 151645, 65}));
  const auto split = tok.encode(text, false, true);
  EXPECT_GT(split.size(), 3u);
  for (int32_t id : split) EXPECT_FALSE(tok.is_special(id));
  EXPECT_EQ(tok.decode(split), text);
}

}  // namespace
}  // namespace lf::tok
