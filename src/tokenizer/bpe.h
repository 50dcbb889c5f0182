// The BPE model of tokenizer.json ("model": {"type": "BPE"}): vocabulary,
// ranked merges, byte fallback and unknown-token handling, plus a cache of
// encoded words (real text repeats its words constantly).
#pragma once
#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace lf::tok {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using TokenMap = std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>>;

class Bpe {
 public:
  explicit Bpe(const nlohmann::json& model);
  Bpe(const Bpe&) = delete;
  Bpe& operator=(const Bpe&) = delete;

  // Appends the ids of one pre-tokenised word.
  void encode_word(std::string_view word, std::vector<int32_t>& out) const;
  // The same for a word of raw bytes that a ByteLevel pre-tokenizer would
  // have mapped to characters first; skips building that string. Requires
  // has_byte_level_alphabet().
  void encode_raw_bytes(std::string_view bytes, std::vector<int32_t>& out) const;
  bool has_byte_level_alphabet() const { return byte_char_ids_[0] >= 0; }

  const TokenMap& vocab() const { return vocab_; }
  std::optional<int32_t> unk_id() const { return unk_id_; }

 private:
  void merge(std::vector<int32_t>& ids) const;
  int32_t lookup(std::string_view s) const;
  void initial_symbols(std::string_view word, std::vector<int32_t>& ids) const;
  void initial_byte_symbols(std::string_view bytes, std::vector<int32_t>& ids) const;
  // Looks `key` up in the cache, else computes it with `fill` and caches it.
  template <typename Fill>
  void cached(std::string_view key, std::vector<int32_t>& out, Fill fill) const;

  TokenMap vocab_;
  // (left id << 32 | right id) -> (rank, merged id)
  std::unordered_map<uint64_t, std::pair<int32_t, int32_t>> merges_;
  std::optional<int32_t> unk_id_;
  bool fuse_unk_ = false;
  bool byte_fallback_ = false;
  bool ignore_merges_ = false;
  std::array<int32_t, 256> byte_ids_{};       // id of "<0xXX>", -1 when absent
  std::array<int32_t, 256> byte_char_ids_{};  // id of byte b's ByteLevel character;
                                              // all -1 unless every byte has one

  struct CacheShard {
    std::mutex mu;
    std::unordered_map<std::string, std::vector<int32_t>, StringHash, std::equal_to<>> map;
  };
  static constexpr size_t kShards = 16;
  static constexpr size_t kShardCapacity = 8192;
  static constexpr size_t kMaxCachedWord = 128;  // bytes; longer words are rare
  static constexpr int kLinearMergeMax = 12;      // symbols; measured faster than the heap
  mutable std::array<CacheShard, kShards> cache_;
};

}  // namespace lf::tok
