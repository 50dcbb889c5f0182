#include "tokenizer/bpe.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <queue>

#include "core/error.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/utf8.h"

namespace lf::tok {
namespace {

using nlohmann::json;

uint64_t pair_key(int32_t a, int32_t b) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
}

bool empty_or_null(const json& model, const char* key) {
  return !model.contains(key) || model[key].is_null() || model[key].get<std::string>().empty();
}

}  // namespace

Bpe::Bpe(const json& model) {
  const std::string type = model.value("type", std::string("BPE"));
  LF_CHECK(type == "BPE", "tokenizer.json: model type \"", type,
           "\" is not supported (only BPE: byte-level like GPT-2/Llama 3/Qwen, or sentencepiece-style like Llama 2/Mistral)");
  LF_CHECK(model.contains("vocab") && model["vocab"].is_object(), "tokenizer.json: model.vocab must be an object");
  LF_CHECK(model.contains("merges") && model["merges"].is_array(), "tokenizer.json: model.merges must be an array");
  LF_CHECK(empty_or_null(model, "continuing_subword_prefix") && empty_or_null(model, "end_of_word_suffix"),
           "tokenizer.json: BPE continuing_subword_prefix / end_of_word_suffix are not supported");
  LF_CHECK(!model.contains("dropout") || model["dropout"].is_null() || model["dropout"].get<double>() == 0.0,
           "tokenizer.json: BPE dropout is a training-time option and not supported; set it to null");

  vocab_.reserve(model["vocab"].size());
  for (const auto& [tok, id] : model["vocab"].items()) {
    LF_CHECK(id.is_number_integer() && id.get<int64_t>() >= 0 && id.get<int64_t>() < INT32_MAX,
             "tokenizer.json: vocab entry \"", tok, "\" has a bad id ", id.dump());
    vocab_.emplace(tok, id.get<int32_t>());
  }

  const auto& merges = model["merges"];
  merges_.reserve(merges.size());
  std::string joined;
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const json& m = merges[rank];
    std::string a, b;
    if (m.is_string()) {
      // Legacy form "a b": exactly one space separates the two tokens.
      const std::string s = m.get<std::string>();
      const size_t sp = s.find(' ');
      LF_CHECK(sp != std::string::npos && s.find(' ', sp + 1) == std::string::npos,
               "tokenizer.json: merge #", rank, " \"", s, "\" is not two tokens separated by one space");
      a = s.substr(0, sp);
      b = s.substr(sp + 1);
    } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
      a = m[0].get<std::string>();
      b = m[1].get<std::string>();
    } else {
      fail("tokenizer.json: merge #", rank, " must be \"a b\" or [\"a\", \"b\"], got ", m.dump());
    }
    joined = a + b;
    const int32_t ia = lookup(a), ib = lookup(b), ij = lookup(joined);
    LF_CHECK(ia >= 0 && ib >= 0 && ij >= 0, "tokenizer.json: merge #", rank, " (\"", a, "\", \"", b,
             "\") uses a token missing from model.vocab");
    // The first occurrence of a pair wins, as in the Hugging Face loader.
    merges_.emplace(pair_key(ia, ib), std::make_pair(static_cast<int32_t>(rank), ij));
  }

  if (model.contains("unk_token") && model["unk_token"].is_string()) {
    const std::string unk = model["unk_token"].get<std::string>();
    const int32_t id = lookup(unk);
    LF_CHECK(id >= 0, "tokenizer.json: model.unk_token \"", unk, "\" is not in model.vocab");
    unk_id_ = id;
  }
  fuse_unk_ = model.value("fuse_unk", false);
  byte_fallback_ = model.value("byte_fallback", false);
  ignore_merges_ = model.value("ignore_merges", false);
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    byte_ids_[b] = lookup(name);
  }
  byte_char_ids_.fill(-1);
  std::array<int32_t, 256> chars{};
  bool complete = true;
  for (int b = 0; b < 256; ++b) {
    const char byte = static_cast<char>(b);
    std::string ch;
    bytes_to_chars(std::string_view(&byte, 1), ch);
    chars[b] = lookup(ch);
    complete = complete && chars[b] >= 0;
  }
  if (complete) byte_char_ids_ = chars;
}

int32_t Bpe::lookup(std::string_view s) const {
  const auto it = vocab_.find(s);
  return it == vocab_.end() ? -1 : it->second;
}

template <typename Fill>
void Bpe::cached(std::string_view key, std::vector<int32_t>& out, Fill fill) const {
  if (key.size() > kMaxCachedWord) {
    std::vector<int32_t> ids;
    fill(ids);
    out.insert(out.end(), ids.begin(), ids.end());
    return;
  }
  CacheShard& shard = cache_[std::hash<std::string_view>{}(key) % kShards];
  {
    std::lock_guard lock(shard.mu);
    const auto it = shard.map.find(key);
    if (it != shard.map.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  std::vector<int32_t> ids;
  fill(ids);
  out.insert(out.end(), ids.begin(), ids.end());
  std::lock_guard lock(shard.mu);
  // Like HF, stop adding once full rather than evicting.
  if (shard.map.size() < kShardCapacity) shard.map.emplace(std::string(key), std::move(ids));
}

void Bpe::encode_word(std::string_view word, std::vector<int32_t>& out) const {
  if (word.empty()) return;
  if (ignore_merges_) {
    // Llama 3: a word that is itself a token is taken whole, merges unused.
    const int32_t id = lookup(word);
    if (id >= 0) {
      out.push_back(id);
      return;
    }
  }
  cached(word, out, [&](std::vector<int32_t>& ids) {
    initial_symbols(word, ids);
    merge(ids);
  });
}

void Bpe::encode_raw_bytes(std::string_view bytes, std::vector<int32_t>& out) const {
  if (bytes.empty()) return;
  cached(bytes, out, [&](std::vector<int32_t>& ids) {
    if (ignore_merges_) {
      std::string chars;
      bytes_to_chars(bytes, chars);
      const int32_t id = lookup(chars);
      if (id >= 0) {
        ids.push_back(id);
        return;
      }
    }
    initial_byte_symbols(bytes, ids);
    merge(ids);
  });
}

void Bpe::initial_byte_symbols(std::string_view bytes, std::vector<int32_t>& ids) const {
  ids.reserve(bytes.size());
  for (unsigned char b : bytes) ids.push_back(byte_char_ids_[b]);
}

// One symbol per character; unknown characters become their "<0xXX>" byte
// tokens (byte_fallback) or the unknown token, consecutive ones fused into one
// when fuse_unk is set.
void Bpe::initial_symbols(std::string_view word, std::vector<int32_t>& ids) const {
  bool pending_unk = false;
  for (size_t i = 0; i < word.size();) {
    const size_t n = std::min(utf8_len(static_cast<unsigned char>(word[i])), word.size() - i);
    const std::string_view ch = word.substr(i, n);
    i += n;
    const int32_t id = lookup(ch);
    if (id >= 0) {
      if (pending_unk) ids.push_back(*unk_id_);
      pending_unk = false;
      ids.push_back(id);
      continue;
    }
    if (byte_fallback_) {
      bool all = true;
      for (unsigned char c : ch) all = all && byte_ids_[c] >= 0;
      if (all) {
        if (pending_unk) ids.push_back(*unk_id_);
        pending_unk = false;
        for (unsigned char c : ch) ids.push_back(byte_ids_[c]);
        continue;
      }
    }
    if (!unk_id_) continue;  // no unknown token: the character is dropped, as in HF
    if (pending_unk && !fuse_unk_) ids.push_back(*unk_id_);
    pending_unk = true;
  }
  if (pending_unk) ids.push_back(*unk_id_);
}

void Bpe::merge(std::vector<int32_t>& ids) const {
  const int n = static_cast<int>(ids.size());
  if (n < 2) return;
  if (n <= kLinearMergeMax) {
    // Short words: rescan for the lowest-rank pair (leftmost among equals)
    // and merge it, until none is left. The same order as the heap below; a
    // pair's entry there is only ever stale because its pair changed.
    for (;;) {
      int32_t best_rank = INT32_MAX, best_id = -1;
      size_t best = 0;
      for (size_t i = 0; i + 1 < ids.size(); ++i) {
        const auto it = merges_.find(pair_key(ids[i], ids[i + 1]));
        if (it != merges_.end() && it->second.first < best_rank) {
          best_rank = it->second.first;
          best_id = it->second.second;
          best = i;
        }
      }
      if (best_id < 0) return;
      ids[best] = best_id;
      ids.erase(ids.begin() + static_cast<std::ptrdiff_t>(best) + 1);
    }
  }
  // Long words: a doubly linked list over the symbols and a heap of candidate merges,
  // lowest rank first and leftmost among equal ranks. An entry is stale when
  // its left symbol was merged away or its pair no longer yields the same
  // token; stale entries are skipped when popped.
  struct Cand {
    int32_t rank, pos, new_id;
    bool operator>(const Cand& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
  };
  std::vector<int32_t> prev(n), next(n);
  std::vector<bool> alive(n, true);
  std::priority_queue<Cand, std::vector<Cand>, std::greater<>> heap;
  const auto consider = [&](int32_t left) {
    const int32_t right = next[left];
    if (right < 0) return;
    const auto it = merges_.find(pair_key(ids[left], ids[right]));
    if (it != merges_.end()) heap.push({it->second.first, left, it->second.second});
  };
  for (int i = 0; i < n; ++i) {
    prev[i] = i - 1;
    next[i] = i + 1 < n ? i + 1 : -1;
  }
  for (int i = 0; i + 1 < n; ++i) consider(i);
  while (!heap.empty()) {
    const Cand c = heap.top();
    heap.pop();
    const int32_t right = next[c.pos];
    if (!alive[c.pos] || right < 0) continue;
    const auto it = merges_.find(pair_key(ids[c.pos], ids[right]));
    if (it == merges_.end() || it->second.second != c.new_id) continue;
    ids[c.pos] = c.new_id;
    alive[right] = false;
    next[c.pos] = next[right];
    if (next[right] >= 0) prev[next[right]] = c.pos;
    if (prev[c.pos] >= 0) consider(prev[c.pos]);
    consider(c.pos);
  }
  size_t w = 0;
  for (int i = 0; i >= 0; i = next[i]) ids[w++] = ids[i];
  ids.resize(w);
}

}  // namespace lf::tok
