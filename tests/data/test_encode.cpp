// Supervised truncation and masking, and pre-training blocks.
#include <gtest/gtest.h>

#include "core/error.h"
#include "data/encode.h"
#include "fake_vocab.h"

namespace lf::data {
namespace {
using testing::FakeVocab;

TEST(InferSeqlen, ShortTargetKeptWhole) {
  // target*2 < cutoff: the target stays, the source gets the rest.
  EXPECT_EQ(infer_seqlen(100, 10, 50), (std::pair<int64_t, int64_t>{40, 10}));
  EXPECT_EQ(infer_seqlen(10, 10, 50), (std::pair<int64_t, int64_t>{10, 10}));
}

TEST(InferSeqlen, ShortSourceKeptWhole) {
  // target long, source*2 < cutoff: the source stays, the target is cut.
  EXPECT_EQ(infer_seqlen(10, 100, 50), (std::pair<int64_t, int64_t>{10, 40}));
}

TEST(InferSeqlen, BothLongSharedInProportion) {
  // int(50 * 60/100) = 30 for the target, 20 for the source.
  EXPECT_EQ(infer_seqlen(40, 60, 50), (std::pair<int64_t, int64_t>{20, 30}));
  // int(7 * 5/9) = 3 (truncated, not rounded).
  EXPECT_EQ(infer_seqlen(4, 5, 7), (std::pair<int64_t, int64_t>{4, 3}));
  EXPECT_EQ(infer_seqlen(5, 5, 0), (std::pair<int64_t, int64_t>{0, 0}));
}

Example single(const std::string& q, const std::string& a) { return testing::example_of({{Role::user, q}, {Role::assistant, a}}); }

TEST(EncodeSupervised, LongPromptIsCutFromTheTail) {
  FakeVocab vocab = testing::llama2_vocab();
  ChatTemplate tmpl(find_template("empty"), vocab);
  // source "abcdefghij" (10), target "xy" (2), cutoff 6: target kept, source head 4.
  const auto ex = encode_supervised(tmpl, single("abcdefghij", "xy"), {6, false, false});
  EXPECT_EQ(vocab.render(ex.input_ids), "abcdxy");
  EXPECT_EQ(vocab.render_labels(ex.labels), "…xy");
}

TEST(EncodeSupervised, LongAnswerIsCut) {
  FakeVocab vocab = testing::llama2_vocab();
  ChatTemplate tmpl(find_template("empty"), vocab);
  // source 2, target 20, cutoff 10: source kept, target head 8.
  const auto ex = encode_supervised(tmpl, single("ab", "0123456789abcdefghij"), {10, false, false});
  EXPECT_EQ(vocab.render(ex.input_ids), "ab01234567");
  EXPECT_EQ(vocab.render_labels(ex.labels), "…01234567");
}

TEST(EncodeSupervised, BothLong) {
  FakeVocab vocab = testing::llama2_vocab();
  ChatTemplate tmpl(find_template("empty"), vocab);
  // source 12, target 8, cutoff 10: target int(10*8/20)=4, source 6.
  const auto ex = encode_supervised(tmpl, single("ABCDEFGHIJKL", "abcdefgh"), {10, false, false});
  EXPECT_EQ(vocab.render(ex.input_ids), "ABCDEFabcd");
  EXPECT_EQ(ex.input_ids.size(), 10u);
}

TEST(EncodeSupervised, LaterTurnsDroppedOnceFull) {
  FakeVocab vocab = testing::llama2_vocab();
  ChatTemplate tmpl(find_template("empty"), vocab);
  // Turn 1 "HiHello!" = 8 tokens of cutoff 8: turn 2 does not start.
  const auto ex = encode_supervised(tmpl, testing::example_of(testing::two_turns()), {8, false, false});
  EXPECT_EQ(vocab.render(ex.input_ids), "HiHello!");
  // With 11, turn 2 gets 3 tokens: source "2+2?" (4) and target "4" (1) -> (2, 1).
  const auto ex2 = encode_supervised(tmpl, testing::example_of(testing::two_turns()), {11, false, false});
  EXPECT_EQ(vocab.render(ex2.input_ids), "HiHello!2+4");
}

TEST(EncodeSupervised, TrainOnPrompt) {
  FakeVocab vocab = testing::qwen_vocab();
  ChatTemplate tmpl(find_template("qwen3_nothink"), vocab);
  const auto ex = encode_supervised(tmpl, testing::example_of(testing::two_turns()), {2048, true, false});
  EXPECT_EQ(ex.labels, ex.input_ids);
}

TEST(EncodeSupervised, MaskHistoryTrainsTheLastTurnOnly) {
  FakeVocab vocab = testing::qwen_vocab();
  ChatTemplate tmpl(find_template("qwen3_nothink"), vocab);
  const auto ex = encode_supervised(tmpl, testing::example_of(testing::two_turns()), {2048, false, true});
  EXPECT_EQ(vocab.render_labels(ex.labels), "…4<|im_end|>\n");
  // Same tokens as without mask_history, in the same order.
  const auto plain = encode_supervised(tmpl, testing::example_of(testing::two_turns()), {2048, false, false});
  EXPECT_EQ(ex.input_ids, plain.input_ids);
}

TEST(EncodeSupervised, MaskHistoryGivesTheLastTurnPriority) {
  FakeVocab vocab = testing::llama2_vocab();
  ChatTemplate tmpl(find_template("empty"), vocab);
  // cutoff 5: the last turn ("2+2?" + "4") fits whole; the first is dropped.
  const auto ex = encode_supervised(tmpl, testing::example_of(testing::two_turns()), {5, false, true});
  EXPECT_EQ(vocab.render(ex.input_ids), "2+2?4");
  EXPECT_EQ(vocab.render_labels(ex.labels), "…4");
}

TEST(EncodeSupervised, EfficientEosCountsTheFinalEosInTheCutoff) {
  FakeVocab vocab = testing::glm4_vocab();
  ChatTemplate tmpl(find_template("glm4"), vocab);
  const auto ex = encode_supervised(tmpl, single("Hi", "Hello!"), {12, false, false});
  // [gMASK]<sop><|user|>\nHi<|assistant|> = 7 tokens, "\nHello!" = 7; cutoff 12 - 1 (eos) = 11:
  // target 7*2 >= 11, source 7*2 >= 11 -> target int(11*7/14) = 5, source 6 (<|assistant|> cut).
  EXPECT_EQ(ex.input_ids.size(), 12u);
  EXPECT_EQ(vocab.render(ex.input_ids), "[gMASK]<sop><|user|>\nHi\nHell<|endoftext|>");
}

TEST(EncodeSupervised, InvalidExamplesAreRejected) {
  Example ex;
  ex.prompt = {{Role::user, "a"}, {Role::assistant, "b"}};
  ex.response = {{Role::assistant, "c"}};
  EXPECT_NE(supervised_invalid_reason(ex), "");
  ex.prompt.pop_back();
  EXPECT_EQ(supervised_invalid_reason(ex), "");
  ex.response.clear();
  EXPECT_EQ(supervised_invalid_reason(ex), "no response");
  FakeVocab vocab = testing::qwen_vocab();
  ChatTemplate tmpl(find_template("qwen"), vocab);
  EXPECT_THROW(encode_supervised(tmpl, ex, {}), Error);
}

TEST(EncodePretrain, TruncatesWithoutPacking) {
  FakeVocab vocab = testing::llama2_vocab();  // adds <s>
  ChatTemplate tmpl(find_template("default"), vocab);
  const auto out = encode_pretrain(tmpl, {"abc", "abcdefgh"}, 6, false);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(vocab.render(out[0].input_ids), "<s>abc</s>");
  EXPECT_EQ(vocab.render(out[1].input_ids), "<s>abcde");
  EXPECT_EQ(out[1].labels, out[1].input_ids);
}

TEST(EncodePretrain, PacksIntoFullBlocksWithBos) {
  FakeVocab vocab = testing::llama3_vocab();
  ChatTemplate tmpl(find_template("llama3"), vocab);
  // "abc<|end_of_text|>defg<|end_of_text|>" = 9 tokens -> two blocks of 4, 1 dropped.
  const auto out = encode_pretrain(tmpl, {"abc", "defg"}, 4, true);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(vocab.render(out[0].input_ids), "<|begin_of_text|>bc<|end_of_text|>");
  EXPECT_EQ(vocab.render(out[1].input_ids), "<|begin_of_text|>efg");
  for (const auto& b : out) EXPECT_TRUE(b.position_ids.empty());
}

TEST(EncodePretrain, QwenUsesTheReplacedEos) {
  FakeVocab vocab = testing::qwen_vocab();
  ChatTemplate tmpl(find_template("qwen"), vocab);
  const auto out = encode_pretrain(tmpl, {"hi"}, 100, false);
  EXPECT_EQ(vocab.render(out[0].input_ids), "hi<|im_end|>");
}

}  // namespace
}  // namespace lf::data
