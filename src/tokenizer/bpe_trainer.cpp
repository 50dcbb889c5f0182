#include "tokenizer/bpe_trainer.h"

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>

#include "core/error.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/normalizer.h"
#include "tokenizer/regex.h"
#include "tokenizer/utf8.h"

namespace lf::tok {
namespace {

using nlohmann::json;
using ordered_json = nlohmann::ordered_json;

// Qwen2's pre-tokenizer: single digits, contractions, letters with one
// leading non-letter, punctuation runs, newlines, other whitespace.
constexpr const char* kSplitPattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// ChatML, the format of LLaMA-Factory's `qwen` template.
constexpr const char* kChatTemplate =
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

uint64_t key(int32_t a, int32_t b) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
}

struct Word {
  std::vector<int32_t> syms;
  int64_t count;
};

// Pair statistics over all words, kept up to date as merges rewrite words.
class PairStats {
 public:
  void add_word(const Word& w, size_t idx, int sign) {
    for (size_t i = 0; i + 1 < w.syms.size(); ++i) {
      const uint64_t k = key(w.syms[i], w.syms[i + 1]);
      counts_[k] += sign * w.count;
      if (sign > 0) where_[k].insert(idx);
    }
  }
  std::unordered_map<uint64_t, int64_t>& counts() { return counts_; }
  std::set<size_t> words_with(uint64_t k) { return where_[k]; }

 private:
  std::unordered_map<uint64_t, int64_t> counts_;
  std::unordered_map<uint64_t, std::set<size_t>> where_;
};

std::string json_string(const std::string& s) { return json(s).dump(); }

// tokenizer.json laid out one vocabulary entry and one merge per line, so
// the file reads and diffs well in the repository.
std::string write_tokenizer_json(const std::vector<std::string>& tokens,
                                 const std::vector<std::pair<int32_t, int32_t>>& merges,
                                 const std::vector<std::string>& specials) {
  ordered_json added = ordered_json::array();
  for (size_t i = 0; i < specials.size(); ++i)
    added.push_back({{"id", tokens.size() + i}, {"content", specials[i]}, {"single_word", false}, {"lstrip", false},
                     {"rstrip", false}, {"normalized", false}, {"special", true}});
  const ordered_json byte_level = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false},
                                   {"use_regex", false}};
  const ordered_json pre = {
      {"type", "Sequence"},
      {"pretokenizers",
       {{{"type", "Split"}, {"pattern", {{"Regex", kSplitPattern}}}, {"behavior", "Isolated"}, {"invert", false}},
        byte_level}}};
  std::string out = "{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n";
  out += "  \"added_tokens\": " + added.dump() + ",\n";
  out += "  \"normalizer\": {\"type\": \"NFC\"},\n";
  out += "  \"pre_tokenizer\": " + pre.dump() + ",\n";
  out += "  \"post_processor\": " + byte_level.dump() + ",\n";
  out += "  \"decoder\": " + byte_level.dump() + ",\n";
  out +=
      "  \"model\": {\n    \"type\": \"BPE\",\n    \"dropout\": null,\n    \"unk_token\": null,\n"
      "    \"continuing_subword_prefix\": \"\",\n    \"end_of_word_suffix\": \"\",\n    \"fuse_unk\": false,\n"
      "    \"byte_fallback\": false,\n    \"ignore_merges\": false,\n    \"vocab\": {\n";
  for (size_t i = 0; i < tokens.size(); ++i)
    out += "      " + json_string(tokens[i]) + ": " + std::to_string(i) + (i + 1 < tokens.size() ? ",\n" : "\n");
  out += "    },\n    \"merges\": [\n";
  for (size_t i = 0; i < merges.size(); ++i)
    out += "      [" + json_string(tokens[merges[i].first]) + ", " + json_string(tokens[merges[i].second]) + "]" +
           (i + 1 < merges.size() ? ",\n" : "\n");
  out += "    ]\n  }\n}\n";
  return out;
}

std::string write_config(const std::vector<std::string>& specials, size_t first_id, const BpeTrainerOptions& o) {
  ordered_json decoder_map = ordered_json::object();
  for (size_t i = 0; i < specials.size(); ++i)
    decoder_map[std::to_string(first_id + i)] = {{"content", specials[i]}, {"lstrip", false}, {"normalized", false},
                                                 {"rstrip", false}, {"single_word", false}, {"special", true}};
  ordered_json c = {{"add_bos_token", false},
                    {"add_prefix_space", false},
                    {"added_tokens_decoder", decoder_map},
                    {"additional_special_tokens", {"<|im_start|>", "<|im_end|>"}},
                    {"bos_token", nullptr},
                    {"chat_template", kChatTemplate},
                    {"clean_up_tokenization_spaces", false},
                    {"eos_token", o.eos_token},
                    {"errors", "replace"},
                    {"model_max_length", o.model_max_length},
                    {"pad_token", o.pad_token},
                    {"split_special_tokens", false},
                    {"tokenizer_class", "Qwen2Tokenizer"},
                    {"unk_token", nullptr}};
  return c.dump(2) + "\n";
}

}  // namespace

TrainedTokenizer train_bpe(const std::vector<std::string>& texts, const BpeTrainerOptions& o) {
  const size_t n_base = 256 + o.special_tokens.size();
  LF_CHECK(o.vocab_size > n_base, "train-tokenizer: vocab_size must exceed ", n_base,
           " (256 byte tokens + the special tokens)");
  for (const std::string& t : {o.eos_token, o.pad_token}) {
    bool found = false;
    for (const std::string& s : o.special_tokens) found = found || s == t;
    LF_CHECK(found, "train-tokenizer: \"", t, "\" must be one of the special tokens");
  }

  // Words of the pre-tokenised, NFC-normalised text, counted.
  const Regex split(kSplitPattern, "train-tokenizer");
  const auto nfc = make_normalizer(json{{"type", "NFC"}});
  std::map<std::string, int64_t> counted;  // ordered: deterministic word ids
  for (const std::string& raw : texts) {
    std::string text = sanitize_utf8(raw);
    nfc->apply(text);
    size_t prev = 0;
    for (auto [b, e] : split.find_all(text)) {
      if (b > prev) ++counted[text.substr(prev, b - prev)];
      if (e > b) ++counted[text.substr(b, e - b)];
      prev = e;
    }
    if (prev < text.size()) ++counted[text.substr(prev)];
  }

  // Tokens 0..255 are the bytes, spelt as ByteLevel characters.
  std::vector<std::string> tokens;
  std::unordered_map<std::string, int32_t> token_ids;
  for (int b = 0; b < 256; ++b) {
    std::string ch;
    append_utf8(ch, byte_to_char(static_cast<unsigned char>(b)));
    token_ids[ch] = b;
    tokens.push_back(ch);
  }
  std::vector<Word> words;
  for (const auto& [w, count] : counted) {
    Word word{{}, count};
    for (unsigned char c : w) word.syms.push_back(c);
    words.push_back(std::move(word));
  }
  PairStats stats;
  for (size_t i = 0; i < words.size(); ++i) stats.add_word(words[i], i, +1);

  std::vector<std::pair<int32_t, int32_t>> merges;
  const size_t target = o.vocab_size - o.special_tokens.size();
  while (tokens.size() < target) {
    // Most frequent pair; ties go to the smaller (left, right) strings.
    uint64_t best = 0;
    int64_t best_count = 0;
    for (const auto& [k, c] : stats.counts()) {
      if (c < o.min_frequency || c < best_count) continue;
      if (c > best_count) {
        best = k, best_count = c;
        continue;
      }
      const auto lhs = std::tie(tokens[k >> 32], tokens[k & 0xFFFFFFFF]);
      const auto rhs = std::tie(tokens[best >> 32], tokens[best & 0xFFFFFFFF]);
      if (lhs < rhs) best = k;
    }
    if (best_count == 0) break;
    const int32_t a = static_cast<int32_t>(best >> 32), b = static_cast<int32_t>(best & 0xFFFFFFFF);
    // Different merges can spell the same token ("ab"+"c", "a"+"bc"): it
    // keeps one id.
    const auto [it, is_new] = token_ids.emplace(tokens[a] + tokens[b], static_cast<int32_t>(tokens.size()));
    const int32_t merged = it->second;
    if (is_new) tokens.push_back(it->first);
    merges.emplace_back(a, b);
    for (size_t wi : stats.words_with(best)) {
      Word& w = words[wi];
      stats.add_word(w, wi, -1);
      std::vector<int32_t> out;
      for (size_t i = 0; i < w.syms.size(); ++i) {
        if (i + 1 < w.syms.size() && w.syms[i] == a && w.syms[i + 1] == b) {
          out.push_back(merged);
          ++i;
        } else {
          out.push_back(w.syms[i]);
        }
      }
      w.syms = std::move(out);
      stats.add_word(w, wi, +1);
    }
    stats.counts().erase(best);
  }

  TrainedTokenizer t;
  t.tokenizer_json = write_tokenizer_json(tokens, merges, o.special_tokens);
  t.tokenizer_config_json = write_config(o.special_tokens, tokens.size(), o);
  t.vocab_size = tokens.size() + o.special_tokens.size();
  t.merges = merges.size();
  return t;
}

}  // namespace lf::tok
