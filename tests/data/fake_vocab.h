// A byte-level vocabulary for hand-checkable tests: every byte is its own id
// (0..255) and each listed special token is one id from 1000 up, recognised
// inside text as Hugging Face recognises added tokens. render() turns ids
// back into text, so expectations are written as the template strings.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "data/example.h"
#include "data/vocab.h"

namespace lf::data::testing {

struct FakeVocabConfig {
  std::vector<std::string> specials;
  std::optional<std::string> bos, eos, pad;
  bool add_bos = false;
  bool chat_template = false;
};

class FakeVocab final : public Vocab {
 public:
  explicit FakeVocab(FakeVocabConfig cfg) : cfg_(std::move(cfg)) {
    int32_t next = 1000;
    for (const auto& s : cfg_.specials) ids_[s] = next++;
  }
  std::vector<int32_t> encode(const std::string& text) const override {
    std::vector<int32_t> out;
    for (size_t i = 0; i < text.size();) {
      size_t best = 0;
      int32_t best_id = -1;
      for (const auto& [tok, id] : ids_) {
        if (tok.size() > best && text.compare(i, tok.size(), tok) == 0) best = tok.size(), best_id = id;
      }
      if (best_id >= 0) {
        out.push_back(best_id);
        i += best;
      } else {
        out.push_back(static_cast<unsigned char>(text[i++]));
      }
    }
    return out;
  }
  int32_t token_to_id(const std::string& token) const override {
    auto it = ids_.find(token);
    return it == ids_.end() ? -1 : it->second;
  }
  std::optional<int32_t> bos_id() const override { return id_of(cfg_.bos); }
  std::optional<int32_t> eos_id() const override { return id_of(cfg_.eos); }
  std::optional<int32_t> pad_id() const override { return id_of(cfg_.pad); }
  std::optional<std::string> eos_token() const override { return cfg_.eos; }
  bool add_bos_token() const override { return cfg_.add_bos; }
  bool has_chat_template() const override { return cfg_.chat_template; }

  std::string token_text(int32_t id) const {
    if (id >= 0 && id < 256) return std::string(1, static_cast<char>(id));
    for (const auto& [tok, i] : ids_) {
      if (i == id) return tok;
    }
    return "<?" + std::to_string(id) + ">";
  }
  std::string render(const std::vector<int32_t>& ids) const {
    std::string s;
    for (int32_t id : ids) s += token_text(id);
    return s;
  }
  // Trained label tokens as text, each run of -100 shown as "…".
  std::string render_labels(const std::vector<int32_t>& labels) const {
    std::string s;
    bool in_mask = false;
    for (int32_t id : labels) {
      if (id == kIgnoreIndex) {
        if (!in_mask) s += "…";
        in_mask = true;
      } else {
        s += token_text(id);
        in_mask = false;
      }
    }
    return s;
  }

 private:
  std::optional<int32_t> id_of(const std::optional<std::string>& tok) const {
    if (!tok) return std::nullopt;
    return token_to_id(*tok);
  }
  FakeVocabConfig cfg_;
  std::map<std::string, int32_t> ids_;
};

// Vocabularies shaped like the model families' tokenizers.
inline FakeVocab qwen_vocab() {
  return FakeVocab({{"<|endoftext|>", "<|im_start|>", "<|im_end|>"}, std::nullopt, "<|im_end|>", "<|endoftext|>"});
}
inline FakeVocab llama3_vocab() {
  return FakeVocab({{"<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>",
                     "<|eom_id|>"},
                    "<|begin_of_text|>", "<|end_of_text|>", std::nullopt, true});
}
inline FakeVocab llama2_vocab() { return FakeVocab({{"<s>", "</s>", "<unk>"}, "<s>", "</s>", std::nullopt, true}); }
inline FakeVocab gemma_vocab() {
  return FakeVocab({{"<bos>", "<eos>", "<pad>", "<start_of_turn>", "<end_of_turn>"}, "<bos>", "<eos>", "<pad>", true});
}
inline FakeVocab glm4_vocab() {
  return FakeVocab({{"<|endoftext|>", "[gMASK]", "<sop>", "<|system|>", "<|user|>", "<|assistant|>", "<|observation|>"},
                    std::nullopt, "<|endoftext|>", "<|endoftext|>"});
}

inline std::vector<Message> two_turns() {
  return {{Role::user, "Hi"}, {Role::assistant, "Hello!"}, {Role::user, "2+2?"}, {Role::assistant, "4"}};
}

inline Example example_of(std::vector<Message> messages, std::string system = "") {
  Example ex;
  ex.response.push_back(messages.back());
  messages.pop_back();
  ex.prompt = std::move(messages);
  ex.system = std::move(system);
  return ex;
}

}  // namespace lf::data::testing
