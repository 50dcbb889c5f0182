// The added_tokens of tokenizer.json: tokens matched in the raw text before
// normalisation and pre-tokenisation (chat markers such as <|im_start|>), with
// the lstrip / rstrip / single_word / normalized options of Hugging Face.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lf::tok {

class Normalizer;

struct AddedToken {
  int32_t id = -1;
  std::string content;
  bool single_word = false, lstrip = false, rstrip = false, normalized = false, special = false;
};

struct Segment {
  size_t begin = 0, end = 0;  // byte range in the text that was split
  int32_t id = -1;            // the added token, or -1 for ordinary text
};

class AddedVocab {
 public:
  // `normalizer` (may be null) is applied to the content of normalized tokens,
  // which are looked for in normalised text.
  AddedVocab(std::vector<AddedToken> tokens, const Normalizer* normalizer);

  // Splits `text` into ordinary stretches and added tokens, leftmost-longest.
  // `normalized_pass` selects which tokens are looked for: those with
  // normalized=false (raw text) or =true (normalised text). With
  // `split_special` the special tokens are not recognised.
  std::vector<Segment> split(std::string_view text, bool normalized_pass, bool split_special) const;

  bool has_normalized() const { return !pass_[1].empty(); }

 private:
  struct Pass {
    std::vector<std::string> patterns;           // parallel to token index
    std::vector<size_t> token;                   // index into tokens_
    std::array<std::vector<size_t>, 256> first;  // first byte -> entries, longest first
    bool empty() const { return patterns.empty(); }
  };
  std::vector<AddedToken> tokens_;
  std::array<Pass, 2> pass_;
};

}  // namespace lf::tok
