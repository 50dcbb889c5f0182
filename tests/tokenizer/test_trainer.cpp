// The BPE trainer and the demo tokenizer it made.
#include <gtest/gtest.h>

#include <filesystem>

#include "reference.h"
#include "tokenizer/bpe_trainer.h"
#include "tokenizer/tokenizer.h"

namespace lf::tok {
namespace {

const std::vector<std::string> kTexts = {
    "the cat sat on the mat. the cat ate the rat.", "猫坐在垫子上。猫吃了老鼠。猫很开心。",
    "Fine-tuning a model: the model learns; the model improves.", "数字 12345 and 67890 again 12345"};

TEST(Trainer, IsDeterministicAndSizedAsAsked) {
  BpeTrainerOptions o;
  o.vocab_size = 270;
  const auto a = train_bpe(kTexts, o);
  const auto b = train_bpe(kTexts, o);
  EXPECT_EQ(a.tokenizer_json, b.tokenizer_json);
  EXPECT_EQ(a.tokenizer_config_json, b.tokenizer_config_json);
  EXPECT_EQ(a.vocab_size, 270u);
  const auto tok = Tokenizer::from_json(a.tokenizer_json, a.tokenizer_config_json);
  EXPECT_EQ(tok.vocab_size(), 270);
  EXPECT_EQ(tok.eos_id(), tok.token_to_id("<|im_end|>"));
  EXPECT_EQ(tok.pad_id(), tok.token_to_id("<|endoftext|>"));
  // The merges compress the text; every text survives the round trip.
  size_t tokens = 0, bytes = 0;
  for (const std::string& t : kTexts) {
    EXPECT_EQ(tok.decode(tok.encode(t)), t);
    tokens += tok.encode(t).size();
    bytes += t.size();
  }
  EXPECT_LT(tokens, bytes);  // unmerged, every byte would be a token
}

TEST(Trainer, StopsWhenNoPairRepeats) {
  BpeTrainerOptions o;
  o.vocab_size = 100000;
  const auto t = train_bpe({"abab", "abab"}, o);
  EXPECT_EQ(t.merges, 2u);  // "a b" (seen 4 times), "ab ab" (twice), nothing more
}

TEST(Trainer, RejectsTooSmallVocab) {
  BpeTrainerOptions o;
  o.vocab_size = 100;
  EXPECT_THROW(train_bpe(kTexts, o), Error);
}

TEST(DemoTokenizer, IsSmallAndHasTheQwenChatTokens) {
  const std::string dir = test::tokenizer_dir("demo");
  EXPECT_LT(std::filesystem::file_size(dir + "/tokenizer.json"), 1u << 20);
  const Tokenizer tok = Tokenizer::load(dir);
  EXPECT_GT(tok.vocab_size(), 2000);
  EXPECT_LT(tok.vocab_size(), 8000);
  for (const char* s : {"<|endoftext|>", "<|im_start|>", "<|im_end|>"}) {
    ASSERT_GE(tok.token_to_id(s), 0) << s;
    EXPECT_TRUE(tok.is_special(tok.token_to_id(s)));
  }
  EXPECT_EQ(tok.eos_id(), tok.token_to_id("<|im_end|>"));
  EXPECT_EQ(tok.pad_id(), tok.token_to_id("<|endoftext|>"));
  EXPECT_FALSE(tok.bos_id().has_value());
  EXPECT_FALSE(tok.special().chat_template.empty());
  const std::string chat = "<|im_start|>user\n你好, who are you?<|im_end|>\n<|im_start|>assistant\n";
  EXPECT_EQ(tok.decode(tok.encode(chat)), chat);
}

}  // namespace
}  // namespace lf::tok
