// Every registered template on a two-turn conversation, with and without a
// system prompt: the exact rendered input and the trained label tokens,
// written by hand from LLaMA-Factory's template strings.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <set>

#include "core/error.h"
#include "data/encode.h"
#include "data/template.h"
#include "fake_vocab.h"

namespace lf::data {
namespace {
using testing::FakeVocab;

struct Case {
  std::string template_name;
  std::function<FakeVocab()> vocab;
  std::string system;
  std::string input;
  std::string labels;
};

const std::string kQwenSys = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.";
const std::string kAlpacaSys =
    "Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n";
const std::string kVicunaSys =
    "A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, detailed, "
    "and polite answers to the user's questions.";
const std::string kThought = "<think>\n\n</think>\n\n";

std::string chatml_body(const std::string& system, const std::string& a1 = "Hello!", const std::string& a2 = "4") {
  std::string s = system.empty() ? "" : "<|im_start|>system\n" + system + "<|im_end|>\n";
  return s + "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n" + a1 +
         "<|im_end|>\n<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n" + a2 + "<|im_end|>\n";
}

std::vector<Case> cases() {
  const std::string llama3_turns =
      "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"
      "Hello!<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n2+2?<|eot_id|>"
      "<|start_header_id|>assistant<|end_header_id|>\n\n4<|eot_id|>";
  const std::string gemma_tail =
      "Hi<end_of_turn>\n<start_of_turn>model\nHello!<end_of_turn>\n<start_of_turn>user\n2+2?<end_of_turn>\n"
      "<start_of_turn>model\n4<end_of_turn>\n";
  return {
      {"qwen", testing::qwen_vocab, "Be brief.", chatml_body("Be brief."), "…Hello!<|im_end|>\n…4<|im_end|>\n"},
      {"qwen", testing::qwen_vocab, "", chatml_body(kQwenSys), "…Hello!<|im_end|>\n…4<|im_end|>\n"},
      {"qwen3_nothink", testing::qwen_vocab, "", chatml_body(""), "…Hello!<|im_end|>\n…4<|im_end|>\n"},
      {"qwen3_nothink", testing::qwen_vocab, "Be brief.", chatml_body("Be brief."), "…Hello!<|im_end|>\n…4<|im_end|>\n"},
      // Reasoning template, enable_thinking on: the empty thought is part of each answer.
      {"qwen3", testing::qwen_vocab, "", chatml_body("", kThought + "Hello!", kThought + "4"),
       "…" + kThought + "Hello!<|im_end|>\n…" + kThought + "4<|im_end|>\n"},
      {"qwen3", testing::qwen_vocab, "Be brief.", chatml_body("Be brief.", kThought + "Hello!", kThought + "4"),
       "…" + kThought + "Hello!<|im_end|>\n…" + kThought + "4<|im_end|>\n"},
      {"chatml", testing::qwen_vocab, "", chatml_body(""), "…Hello!<|im_end|>\n…4<|im_end|>\n"},
      {"chatml", testing::qwen_vocab, "Be brief.", chatml_body("Be brief."), "…Hello!<|im_end|>\n…4<|im_end|>\n"},
      {"llama3", testing::llama3_vocab, "", "<|begin_of_text|>" + llama3_turns, "…Hello!<|eot_id|>…4<|eot_id|>"},
      {"llama3", testing::llama3_vocab, "Be brief.",
       "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>" + llama3_turns,
       "…Hello!<|eot_id|>…4<|eot_id|>"},
      {"llama2", testing::llama2_vocab, "", "<s>[INST] Hi [/INST]Hello!</s><s>[INST] 2+2? [/INST]4</s>",
       "…Hello!</s>…4</s>"},
      {"llama2", testing::llama2_vocab, "Be brief.",
       "<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST]Hello!</s><s>[INST] 2+2? [/INST]4</s>",
       "…Hello!</s>…4</s>"},
      {"llama2_zh", testing::llama2_vocab, "",
       "<s>[INST] <<SYS>>\nYou are a helpful assistant. 你是一个乐于助人的助手。\n<</SYS>>\n\nHi [/INST]Hello!</s>"
       "<s>[INST] 2+2? [/INST]4</s>",
       "…Hello!</s>…4</s>"},
      {"mistral", testing::llama2_vocab, "", "<s>[INST] Hi[/INST] Hello!</s>[INST] 2+2?[/INST] 4</s>",
       "… Hello!</s>… 4</s>"},
      {"mistral", testing::llama2_vocab, "Be brief.",
       "<s>[INST] Be brief.\n\nHi[/INST] Hello!</s>[INST] 2+2?[/INST] 4</s>", "… Hello!</s>… 4</s>"},
      {"gemma", testing::gemma_vocab, "", "<bos><start_of_turn>user\n" + gemma_tail,
       "…Hello!<end_of_turn>\n…4<end_of_turn>\n"},
      {"gemma", testing::gemma_vocab, "Be brief.", "<bos><start_of_turn>user\nBe brief.\n\n" + gemma_tail,
       "…Hello!<end_of_turn>\n…4<end_of_turn>\n"},
      // efficient_eos: no eos in the answers; the next turn's first label is
      // the eos, and one eos closes the sequence.
      {"glm4", testing::glm4_vocab, "",
       "[gMASK]<sop><|user|>\nHi<|assistant|>\nHello!<|user|>\n2+2?<|assistant|>\n4<|endoftext|>",
       "…\nHello!<|endoftext|>…\n4<|endoftext|>"},
      {"glm4", testing::glm4_vocab, "Be brief.",
       "[gMASK]<sop><|system|>\nBe brief.<|user|>\nHi<|assistant|>\nHello!<|user|>\n2+2?<|assistant|>\n4<|endoftext|>",
       "…\nHello!<|endoftext|>…\n4<|endoftext|>"},
      {"default", testing::llama2_vocab, "",
       "Human: Hi</s>\nAssistant:Hello!</s>\nHuman: 2+2?</s>\nAssistant:4</s>\n", "…Hello!</s>\n…4</s>\n"},
      {"default", testing::llama2_vocab, "Be brief.",
       "System: Be brief.</s>\nHuman: Hi</s>\nAssistant:Hello!</s>\nHuman: 2+2?</s>\nAssistant:4</s>\n",
       "…Hello!</s>\n…4</s>\n"},
      {"empty", testing::llama2_vocab, "", "HiHello!2+2?4", "…Hello!…4"},
      {"empty", testing::llama2_vocab, "Be brief.", "Be brief.HiHello!2+2?4", "…Hello!…4"},
      {"alpaca", testing::llama2_vocab, "",
       kAlpacaSys + "### Instruction:\nHi\n\n### Response:\nHello!</s>\n\n### Instruction:\n2+2?\n\n### Response:\n4</s>\n\n",
       "…Hello!</s>\n\n…4</s>\n\n"},
      {"alpaca", testing::llama2_vocab, "Be brief.",
       "Be brief.### Instruction:\nHi\n\n### Response:\nHello!</s>\n\n### Instruction:\n2+2?\n\n### Response:\n4</s>\n\n",
       "…Hello!</s>\n\n…4</s>\n\n"},
      {"vicuna", testing::llama2_vocab, "", kVicunaSys + "USER: Hi ASSISTANT:Hello!</s>USER: 2+2? ASSISTANT:4</s>",
       "…Hello!</s>…4</s>"},
      {"vicuna", testing::llama2_vocab, "Be brief.", "Be brief.USER: Hi ASSISTANT:Hello!</s>USER: 2+2? ASSISTANT:4</s>",
       "…Hello!</s>…4</s>"},
  };
}

TEST(Templates, EveryTemplateRendersExactInputAndLabels) {
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.template_name + " system=\"" + c.system + "\"");
    FakeVocab vocab = c.vocab();
    ChatTemplate tmpl(find_template(c.template_name), vocab);
    const auto ex = encode_supervised(tmpl, testing::example_of(testing::two_turns(), c.system), {});
    ASSERT_EQ(ex.labels.size(), ex.input_ids.size());
    EXPECT_EQ(vocab.render(ex.input_ids), c.input);
    EXPECT_EQ(vocab.render_labels(ex.labels), c.labels);
    // Trained labels sit on the very tokens they name (efficient_eos moves
    // the eos label onto the next turn's first token instead).
    if (!tmpl.spec().efficient_eos) {
      for (size_t i = 0; i < ex.labels.size(); ++i) {
        if (ex.labels[i] != kIgnoreIndex) {
          ASSERT_EQ(ex.labels[i], ex.input_ids[i]) << "position " << i;
        }
      }
    }
  }
}

TEST(Templates, EveryRegisteredTemplateIsCovered) {
  std::set<std::string> covered;
  for (const auto& c : cases()) covered.insert(c.template_name);
  for (const auto& name : template_names()) EXPECT_TRUE(covered.count(name)) << name << " has no exact-string case";
  for (const char* required : {"llama3", "llama2", "mistral", "qwen", "qwen3", "qwen3_nothink", "chatml", "glm4",
                               "gemma", "default", "empty", "alpaca", "vicuna"}) {
    EXPECT_TRUE(covered.count(required)) << required;
  }
}

TEST(Templates, SpecialTokensAreSingleIds) {
  FakeVocab vocab = testing::qwen_vocab();
  ChatTemplate tmpl(find_template("qwen"), vocab);
  const auto ids = tmpl.slots_to_ids(apply_slots(tmpl.spec().user, "x"));
  // "<|im_start|>user\nx<|im_end|>\n<|im_start|>assistant\n"
  const int32_t start = vocab.token_to_id("<|im_start|>"), end = vocab.token_to_id("<|im_end|>");
  EXPECT_EQ(std::count(ids.begin(), ids.end(), start), 2);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), end), 1);
  EXPECT_EQ(ids.size(), 1u + 5u + 1u + 1u + 1u + 1u + 10u);  // <|im_start|> user\n x <|im_end|> \n <|im_start|> assistant\n
}

TEST(Templates, ReplaceEosAndStopWords) {
  FakeVocab llama3 = testing::llama3_vocab();
  ChatTemplate t3(find_template("llama3"), llama3);
  EXPECT_EQ(t3.eos_id(), llama3.token_to_id("<|eot_id|>"));  // first stop word replaces <|end_of_text|>
  EXPECT_EQ(t3.pad_id(), t3.eos_id());                       // no pad: pad = eos
  EXPECT_EQ(t3.stop_token_ids(), (std::vector<int32_t>{llama3.token_to_id("<|eot_id|>"), llama3.token_to_id("<|eom_id|>")}));
  EXPECT_EQ(t3.pretrain_eos_text(), "<|end_of_text|>");

  FakeVocab glm = testing::glm4_vocab();
  ChatTemplate tg(find_template("glm4"), glm);
  EXPECT_EQ(tg.eos_id(), glm.token_to_id("<|endoftext|>"));
  EXPECT_EQ(tg.stop_token_ids(), (std::vector<int32_t>{glm.token_to_id("<|endoftext|>"), glm.token_to_id("<|user|>"),
                                                        glm.token_to_id("<|observation|>")}));

  FakeVocab qwen = testing::qwen_vocab();
  ChatTemplate tq(find_template("qwen3"), qwen);
  EXPECT_EQ(tq.pad_id(), qwen.token_to_id("<|endoftext|>"));  // the tokenizer's own pad is kept
  EXPECT_EQ(tq.pretrain_eos_text(), "<|im_end|>");
}

TEST(Templates, ReplaceEosNeedsTheTokenInTheVocabulary) {
  FakeVocab qwen = testing::qwen_vocab();
  try {
    ChatTemplate t(find_template("llama3"), qwen);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("<|eot_id|>"), std::string::npos) << e.what();
  }
}

TEST(Templates, UnknownTemplateListsKnownOnes) {
  try {
    find_template("llama5");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("llama5"), std::string::npos);
    EXPECT_NE(msg.find("qwen3_nothink"), std::string::npos);
    EXPECT_NE(msg.find("vicuna"), std::string::npos);
  }
}

TEST(Templates, Qwen3ThinkingOffPutsEmptyThoughtInThePrompt) {
  FakeVocab vocab = testing::qwen_vocab();
  ChatTemplate tmpl(find_template("qwen3"), vocab, {.enable_thinking = false});
  auto msgs = testing::two_turns();
  msgs[1].content = "<think>\nlet me see\n</think>\n\nHello!";  // removed when thinking is off
  const auto ex = encode_supervised(tmpl, testing::example_of(msgs), {});
  EXPECT_EQ(vocab.render(ex.input_ids), chatml_body("", kThought + "Hello!", kThought + "4"));
  EXPECT_EQ(vocab.render_labels(ex.labels), "…Hello!<|im_end|>\n…4<|im_end|>\n");
}

TEST(Templates, Qwen3KeepsAnAnswersOwnThought) {
  FakeVocab vocab = testing::qwen_vocab();
  ChatTemplate tmpl(find_template("qwen3"), vocab);
  auto msgs = testing::two_turns();
  msgs[3].content = "<think>\nadd\n</think>\n\n4";
  const auto ex = encode_supervised(tmpl, testing::example_of(msgs), {});
  EXPECT_EQ(vocab.render_labels(ex.labels),
            "…" + kThought + "Hello!<|im_end|>\n…<think>\nadd\n</think>\n\n4<|im_end|>\n");
}

TEST(Templates, Qwen3GenerationPromptDropsHistoricalThoughts) {
  FakeVocab vocab = testing::qwen_vocab();
  std::vector<Message> msgs = {{Role::user, "Hi"}, {Role::assistant, "<think>\nhmm\n</think>\n\nHello!"}, {Role::user, "2+2?"}};
  ChatTemplate on(find_template("qwen3"), vocab);
  EXPECT_EQ(vocab.render(on.encode_generation_prompt(msgs)),
            "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n"
            "<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n");
  ChatTemplate off(find_template("qwen3"), vocab, {.enable_thinking = false});
  EXPECT_EQ(vocab.render(off.encode_generation_prompt(msgs)),
            "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n"
            "<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n" + kThought);
  ChatTemplate keep(find_template("qwen3"), vocab, {.preserve_thinking = true});
  EXPECT_NE(vocab.render(keep.encode_generation_prompt(msgs)).find("hmm"), std::string::npos);
}

TEST(Templates, GenerationPromptUsesDefaultSystemOverride) {
  FakeVocab vocab = testing::qwen_vocab();
  ChatTemplate tmpl(find_template("qwen"), vocab, {.default_system = "Be kind."});
  EXPECT_EQ(vocab.render(tmpl.encode_generation_prompt({{Role::user, "Hi"}})),
            "<|im_start|>system\nBe kind.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
}

TEST(Templates, ObservationSlots) {
  FakeVocab vocab = testing::qwen_vocab();
  ChatTemplate tmpl(find_template("qwen"), vocab);
  std::vector<Message> msgs = {{Role::observation, "{\"t\": 21}"}, {Role::assistant, "21 degrees"}};
  const auto pairs = tmpl.encode_multiturn(msgs, "S", "");
  EXPECT_EQ(vocab.render(pairs[0].first),
            "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\n<tool_response>\n{\"t\": 21}\n</tool_response>"
            "<|im_end|>\n<|im_start|>assistant\n");
}

}  // namespace
}  // namespace lf::data
