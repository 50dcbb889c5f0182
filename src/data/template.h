// Chat templates: LLaMA-Factory's registry (exact strings) and the encoding
// of a conversation into token ids, for training and for generation.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "data/example.h"
#include "data/vocab.h"

namespace lf::data {

// One element of a formatter: text with {{content}} / {{idx}} placeholders
// (tokenised without added specials), one special token by name (converted
// with token_to_id), or the tokenizer's bos / eos.
struct Slot {
  enum class Kind { text, token, bos, eos };
  Kind kind = Kind::text;
  std::string text;
};
using Slots = std::vector<Slot>;

enum class TemplateClass {
  plain,      // LLaMA-Factory's Template
  llama2,     // Llama2Template: the system text is fused into the first user message
  reasoning,  // ReasoningTemplate: <think> handling
};

struct TemplateSpec {
  std::string name;
  Slots user, assistant, system, function, observation, prefix;
  std::string default_system;
  std::vector<std::string> stop_words;
  std::pair<std::string, std::string> thought_words{"<think>\n", "\n</think>\n\n"};
  std::string tool_format = "default";  // see tool_format.h
  bool efficient_eos = false;
  bool replace_eos = false;
  bool replace_jinja_template = false;
  TemplateClass template_class = TemplateClass::plain;
};

// The registered template `name`; an unknown name is an lf::Error listing the
// known ones.
const TemplateSpec& find_template(const std::string& name);
std::vector<std::string> template_names();  // sorted

struct TemplateOptions {
  std::optional<std::string> default_system{};  // overrides the template's
  // tool_format: overrides the template's; the function slot then becomes
  // "{{content}}" (+ eos unless efficient_eos), as in LLaMA-Factory.
  std::optional<std::string> tool_format{};
  bool enable_thinking = true;
  bool preserve_thinking = false;
};

// A template bound to a vocabulary: special tokens resolved the way
// LLaMA-Factory's fix_special_tokens leaves the tokenizer (replace_eos makes
// the first stop word the EOS; a missing EOS becomes <|endoftext|>; a missing
// PAD becomes the EOS).
class ChatTemplate {
 public:
  // `spec` and `vocab` are borrowed and must outlive the ChatTemplate
  // (registry specs live for the whole program).
  ChatTemplate(const TemplateSpec& spec, const Vocab& vocab, TemplateOptions options = {});

  const TemplateSpec& spec() const { return spec_; }
  const Vocab& vocab() const { return *vocab_; }
  int32_t eos_id() const { return eos_id_; }
  int32_t pad_id() const { return pad_id_; }
  // The eos text appended by pre-training (<|end_of_text|> for llama3).
  std::string pretrain_eos_text() const;
  // {eos} ∪ stop words present in the vocabulary, ascending.
  std::vector<int32_t> stop_token_ids() const;

  // One (source, target) id pair per turn. `messages` alternates
  // user/observation and assistant/function and has even length.
  std::vector<std::pair<std::vector<int32_t>, std::vector<int32_t>>> encode_multiturn(
      const std::vector<Message>& messages, const std::string& system, const std::string& tools,
      bool discard_history_thoughts = false) const;
  // (prompt, response): everything before the last message, and the last message.
  std::pair<std::vector<int32_t>, std::vector<int32_t>> encode_oneturn(
      const std::vector<Message>& messages, const std::string& system, const std::string& tools) const;
  // The prompt a chat engine feeds the model for the next assistant turn;
  // `messages` ends with a user (or observation) message.
  std::vector<int32_t> encode_generation_prompt(const std::vector<Message>& messages,
                                                const std::string& system = "",
                                                const std::string& tools = "") const;

  // Ids of slots whose placeholders are already replaced.
  std::vector<int32_t> slots_to_ids(const Slots& slots) const;

 private:
  std::vector<std::vector<int32_t>> encode_messages(const std::vector<Message>& messages,
                                                    const std::string& system, const std::string& tools) const;
  std::string function_text(const std::string& content, bool keep_thought) const;
  std::string add_thought(const std::string& content) const;
  std::string remove_thought(const std::string& content) const;
  bool has_thought(const std::string& content) const;

  const TemplateSpec& spec_;
  const Vocab* vocab_;
  TemplateOptions options_;
  std::string tool_format_;
  Slots function_slots_;
  int32_t eos_id_ = -1;
  int32_t pad_id_ = -1;
  std::optional<int32_t> bos_id_;
};

// Replaces the first "{{name}}" in each text slot, as LLaMA-Factory's
// StringFormatter does: first {{content}}, then {{idx}}.
Slots apply_slots(const Slots& slots, const std::string& content, const std::string& idx = "");

}  // namespace lf::data
