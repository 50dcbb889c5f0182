// The pipeline's parts on small hand-made tokenizer.json files: BPE rules,
// byte fallback, added-token options, config forms, UTF-8 repair.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "reference.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"

namespace lf::tok {
namespace {

using nlohmann::json;
using Ids = std::vector<int32_t>;

json bpe(json vocab, json merges, json extra = json::object()) {
  json model = {{"type", "BPE"}, {"vocab", std::move(vocab)}, {"merges", std::move(merges)}};
  model.update(extra);
  return {{"model", model}};
}

Tokenizer make(const json& j, const json& config = nullptr) {
  return Tokenizer::from_json(j.dump(), config.is_null() ? "" : config.dump());
}

const json kAbc = {{"a", 0}, {"b", 1}, {"c", 2}, {"ab", 3}, {"bc", 4}, {"abc", 5}};

TEST(Bpe, MergesInBothJsonFormsAgree) {
  const auto legacy = make(bpe(kAbc, {"a b", "ab c"}));
  const auto pairs = make(bpe(kAbc, json::array({json::array({"a", "b"}), json::array({"ab", "c"})})));
  for (const std::string text : {"abc", "cab", "abcabc", "cba"}) EXPECT_EQ(legacy.encode(text), pairs.encode(text));
  EXPECT_EQ(pairs.encode("abc"), Ids{5});
  EXPECT_EQ(pairs.encode("cab"), (Ids{2, 3}));
}

TEST(Bpe, LowerRankMergesFirst) {
  EXPECT_EQ(make(bpe(kAbc, {"b c", "a b"})).encode("abc"), (Ids{0, 4}));
  EXPECT_EQ(make(bpe(kAbc, {"a b", "b c"})).encode("abc"), (Ids{3, 2}));
}

TEST(Bpe, IgnoreMergesTakesWholeWordTokens) {
  EXPECT_EQ(make(bpe(kAbc, json::array(), {{"ignore_merges", true}})).encode("abc"), Ids{5});
  EXPECT_EQ(make(bpe(kAbc, json::array(), {{"ignore_merges", false}})).encode("abc"), (Ids{0, 1, 2}));
}

TEST(Bpe, ByteFallbackThenUnknownToken) {
  const json vocab = {{"<unk>", 0}, {"a", 1}, {"<0xC3>", 2}, {"<0xA9>", 3}};
  const json opts = {{"byte_fallback", true}, {"unk_token", "<unk>"}};
  EXPECT_EQ(make(bpe(vocab, json::array(), opts)).encode("a\xC3\xA9"), (Ids{1, 2, 3}));  // aé
  EXPECT_EQ(make(bpe(vocab, json::array(), opts)).special().unk, "<unk>");  // no config: the model's
  // "€€" has no byte tokens: unknown, fused into one with fuse_unk.
  EXPECT_EQ(make(bpe(vocab, json::array(), opts)).encode("\xE2\x82\xAC\xE2\x82\xAC" "a"), (Ids{0, 0, 1}));
  json fused = opts;
  fused["fuse_unk"] = true;
  EXPECT_EQ(make(bpe(vocab, json::array(), fused)).encode("\xE2\x82\xAC\xE2\x82\xAC" "a"), (Ids{0, 1}));
}

// The demo tokenizer with one more added token, to try the added-token options.
Tokenizer demo_with(const json& added) {
  json j = json::parse(test::read_text(test::tokenizer_dir("demo") + "/tokenizer.json"));
  j["added_tokens"].push_back(added);
  return make(j);
}

json mask_token(bool lstrip, bool rstrip, bool single_word = false) {
  return {{"id", 5000}, {"content", "<mask>"}, {"single_word", single_word}, {"lstrip", lstrip},
          {"rstrip", rstrip},   {"normalized", false}, {"special", true}};
}

Ids concat(std::initializer_list<Ids> parts) {
  Ids out;
  for (const Ids& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST(AddedTokens, LstripAndRstripSwallowWhitespace) {
  const auto plain = demo_with(mask_token(false, false));
  const Ids mask{5000};
  EXPECT_EQ(plain.encode("hi  <mask>  you"), concat({plain.encode("hi  "), mask, plain.encode("  you")}));
  const auto l = demo_with(mask_token(true, false));
  EXPECT_EQ(l.encode("hi  <mask>  you"), concat({plain.encode("hi"), mask, plain.encode("  you")}));
  const auto r = demo_with(mask_token(false, true));
  EXPECT_EQ(r.encode("hi  <mask>  you"), concat({plain.encode("hi  "), mask, plain.encode("you")}));
}

TEST(AddedTokens, SingleWordNeedsWordBoundaries) {
  const auto t = demo_with(mask_token(false, false, true));
  EXPECT_EQ(t.encode("a <mask> b"), concat({t.encode("a "), Ids{5000}, t.encode(" b")}));
  const Ids glued = t.encode("x<mask>y");
  EXPECT_EQ(std::count(glued.begin(), glued.end(), 5000), 0);
}

TEST(AddedTokens, LongestMatchWins) {
  json j = json::parse(test::read_text(test::tokenizer_dir("demo") + "/tokenizer.json"));
  j["added_tokens"].push_back({{"id", 5001}, {"content", "<|im"}, {"special", false}});
  const auto t = make(j);
  EXPECT_EQ(t.encode("<|im_end|>"), Ids{t.token_to_id("<|im_end|>")});
  EXPECT_EQ(t.encode("<|im"), Ids{5001});
}

TEST(Config, SpecialTokensAsStringsOrObjects) {
  const json j = json::parse(test::read_text(test::tokenizer_dir("demo") + "/tokenizer.json"));
  const auto t = make(j, {{"bos_token", {{"content", "<|im_start|>"}, {"lstrip", false}}},
                          {"eos_token", "<|im_end|>"},
                          {"add_bos_token", true},
                          {"add_eos_token", true}});
  const int32_t bos = t.token_to_id("<|im_start|>"), eos = t.token_to_id("<|im_end|>");
  EXPECT_EQ(t.bos_id(), bos);
  EXPECT_EQ(t.eos_id(), eos);
  const Ids ids = t.encode("hi", true);
  EXPECT_EQ(ids.front(), bos);
  EXPECT_EQ(ids.back(), eos);
  EXPECT_EQ(ids.size(), t.encode("hi").size() + 2);
}

TEST(Utf8, RepairReplacesEachMaximalSubpart) {
  const std::string r = "\xEF\xBF\xBD";
  EXPECT_EQ(sanitize_utf8("ok"), "ok");
  EXPECT_EQ(sanitize_utf8("\xC0\xAF"), r + r);                  // overlong: two bytes, two
  EXPECT_EQ(sanitize_utf8("\xE4\xBD"), r);                      // truncated 3-byte: one
  EXPECT_EQ(sanitize_utf8("\xF0\x9F\x98" "a"), r + "a");        // truncated 4-byte: one
  EXPECT_EQ(sanitize_utf8("\xED\xA0\x80"), r + r + r);          // surrogate: three
  EXPECT_EQ(sanitize_utf8("\xF4\x90\x80\x80"), r + r + r + r);  // above U+10FFFF: four
  EXPECT_FALSE(is_valid_utf8("\xFF"));
  EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x98\x80"));
}

TEST(Decode, OutOfRangeIdsAreSkipped) {
  const auto t = make(bpe(kAbc, {"a b"}));
  EXPECT_EQ(t.vocab_size(), 6);
  EXPECT_EQ(t.id_to_token(99), "");
  EXPECT_EQ(t.token_to_id("zz"), -1);
  // No decoder: tokens joined by spaces, as the Hugging Face library does.
  EXPECT_EQ(t.decode({3, 99, 2}), "ab c");
}

}  // namespace
}  // namespace lf::tok
