#include "data/template.h"

#include <set>

#include "core/error.h"
#include "data/tool_format.h"

namespace lf::data {
namespace {

void replace_first(std::string* s, const std::string& key, const std::string& value) {
  const auto pos = s->find(key);
  if (pos != std::string::npos) s->replace(pos, key.size(), value);
}

std::string strip(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\n\r\f\v");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\n\r\f\v") - b + 1);
}

void append(std::vector<int32_t>* out, const std::vector<int32_t>& more) {
  out->insert(out->end(), more.begin(), more.end());
}

}  // namespace

Slots apply_slots(const Slots& slots, const std::string& content, const std::string& idx) {
  Slots out = slots;
  for (auto& slot : out) {
    if (slot.kind != Slot::Kind::text) continue;
    replace_first(&slot.text, "{{content}}", content);
    replace_first(&slot.text, "{{idx}}", idx);
  }
  return out;
}

ChatTemplate::ChatTemplate(const TemplateSpec& spec, const Vocab& vocab, TemplateOptions options)
    : spec_(spec), vocab_(&vocab), options_(std::move(options)) {
  if (spec_.replace_eos) {
    LF_CHECK(!spec_.stop_words.empty(), "Template ", spec_.name, ": stop words are required to replace the EOS token");
    eos_id_ = vocab.token_to_id(spec_.stop_words.front());
    LF_CHECK(eos_id_ >= 0, "Template \"", spec_.name, "\" makes ", spec_.stop_words.front(),
             " the EOS token, but the tokenizer has no such token; this template does not fit the model "
             "(pick the template of the model's family)");
  } else if (auto eos = vocab.eos_id()) {
    eos_id_ = *eos;
  } else {
    eos_id_ = vocab.token_to_id("<|endoftext|>");
    LF_CHECK(eos_id_ >= 0, "The tokenizer defines no EOS token and has no <|endoftext|> token to use instead");
  }
  pad_id_ = vocab.pad_id().value_or(eos_id_);
  bos_id_ = vocab.bos_id();
  tool_format_ = options_.tool_format.value_or(spec_.tool_format);
  check_tool_format(tool_format_);
  if (options_.tool_format) {
    function_slots_ = spec_.efficient_eos ? Slots{{Slot::Kind::text, "{{content}}"}}
                                          : Slots{{Slot::Kind::text, "{{content}}"}, {Slot::Kind::eos, ""}};
  } else {
    function_slots_ = spec_.function;
  }
}

std::string ChatTemplate::pretrain_eos_text() const {
  if (spec_.name == "llama3") return "<|end_of_text|>";
  if (spec_.replace_eos) return spec_.stop_words.front();
  return vocab_->eos_id() ? vocab_->eos_token().value_or("") : "<|endoftext|>";
}

std::vector<int32_t> ChatTemplate::stop_token_ids() const {
  std::set<int32_t> ids{eos_id_};
  for (const auto& word : spec_.stop_words) {
    const int32_t id = vocab_->token_to_id(word);
    if (id >= 0) ids.insert(id);
  }
  return {ids.begin(), ids.end()};
}

std::vector<int32_t> ChatTemplate::slots_to_ids(const Slots& slots) const {
  std::vector<int32_t> ids;
  for (const auto& slot : slots) {
    switch (slot.kind) {
      case Slot::Kind::text:
        if (!slot.text.empty()) append(&ids, vocab_->encode(slot.text));
        break;
      case Slot::Kind::token: {
        const int32_t id = vocab_->token_to_id(slot.text);
        LF_CHECK(id >= 0, "Template \"", spec_.name, "\" needs the token ", slot.text, ", which the tokenizer lacks");
        ids.push_back(id);
        break;
      }
      case Slot::Kind::bos:
        if (bos_id_) ids.push_back(*bos_id_);
        break;
      case Slot::Kind::eos:
        ids.push_back(eos_id_);
        break;
    }
  }
  return ids;
}

// LLaMA-Factory's Template._encode (and Llama2Template._encode): message 0
// carries the prefix and the system text; each message is its role's slots.
std::vector<std::vector<int32_t>> ChatTemplate::encode_messages(const std::vector<Message>& messages,
                                                                const std::string& system_in,
                                                                const std::string& tools) const {
  const std::string& system =
      !system_in.empty() ? system_in : options_.default_system ? *options_.default_system : spec_.default_system;
  const bool fuse_system = spec_.template_class == TemplateClass::llama2;
  std::vector<std::vector<int32_t>> encoded;
  encoded.reserve(messages.size());
  for (size_t i = 0; i < messages.size(); ++i) {
    const Message& m = messages[i];
    Slots elements;
    std::string system_text;
    if (i == 0) {
      elements = spec_.prefix;
      // A tools column, even an empty list, emits the system slot.
      if (!system.empty() || !tools.empty()) {
        const std::string tool_text = tools.empty() ? "" : format_tools(tool_format_, tools);
        Slots sys = apply_slots(spec_.system, system + tool_text);
        if (fuse_system) {
          LF_CHECK(sys.front().kind == Slot::Kind::text, "Template ", spec_.name, ": the system slot must be text");
          system_text = sys.front().text;
        } else {
          elements.insert(elements.end(), sys.begin(), sys.end());
        }
      }
    }
    Slots body;
    switch (m.role) {
      case Role::user:
        body = apply_slots(spec_.user, system_text + m.content, std::to_string(i / 2));
        break;
      case Role::assistant:
        body = apply_slots(spec_.assistant, m.content);
        break;
      case Role::observation:
        body = apply_slots(spec_.observation, m.content);
        break;
      case Role::function:
        body = apply_slots(function_slots_, function_text(m.content, !fuse_system));
        break;
      case Role::system:
        fail("A system message can only be the first message of a conversation");
    }
    elements.insert(elements.end(), body.begin(), body.end());
    encoded.push_back(slots_to_ids(elements));
  }
  return encoded;
}

// LLaMA-Factory's FunctionFormatter: a leading thought block is kept as is
// (Llama2-style templates pass no thought words), the JSON call is rendered
// in the tool format.
std::string ChatTemplate::function_text(const std::string& content, bool keep_thought) const {
  std::string thought, calls = content;
  if (keep_thought) {
    const auto& [open, close] = spec_.thought_words;
    const size_t b = content.find(open);
    const size_t e = b == std::string::npos ? b : content.find(close, b + open.size());
    if (e != std::string::npos) {
      thought = content.substr(b, e + close.size() - b);
      // Python's str.replace: every occurrence of the block goes.
      for (size_t pos = calls.find(thought); pos != std::string::npos; pos = calls.find(thought, pos)) {
        calls.erase(pos, thought.size());
      }
    }
  }
  return thought + format_function_calls(tool_format_, calls);
}

std::string ChatTemplate::add_thought(const std::string& content) const {
  return spec_.thought_words.first + spec_.thought_words.second + content;
}

// Removes every "<think>\n...\n</think>\n\n" block (shortest match, left to
// right), then leading newlines: Python's re.sub(...).lstrip("\n").
std::string ChatTemplate::remove_thought(const std::string& content) const {
  const auto& [open, close] = spec_.thought_words;
  std::string out = content;
  size_t from = 0;
  while (true) {
    const size_t b = out.find(open, from);
    if (b == std::string::npos) break;
    const size_t e = out.find(close, b + open.size());
    if (e == std::string::npos) break;
    out.erase(b, e + close.size() - b);
    from = b;
  }
  const auto first = out.find_first_not_of('\n');
  return first == std::string::npos ? "" : out.substr(first);
}

bool ChatTemplate::has_thought(const std::string& content) const {
  return content.find(strip(spec_.thought_words.first)) != std::string::npos ||
         content.find(strip(spec_.thought_words.second)) != std::string::npos;
}

std::vector<std::pair<std::vector<int32_t>, std::vector<int32_t>>> ChatTemplate::encode_multiturn(
    const std::vector<Message>& messages_in, const std::string& system, const std::string& tools,
    bool discard_history_thoughts) const {
  LF_CHECK(messages_in.size() % 2 == 0, "encode_multiturn needs (prompt, response) pairs, got ",
           messages_in.size(), " messages");
  const bool reasoning = spec_.template_class == TemplateClass::reasoning;
  std::vector<Message> messages = messages_in;
  const size_t last = messages.size() - 1;
  if (reasoning) {
    for (size_t i = 1; i < messages.size(); i += 2) {
      if (!options_.enable_thinking || (discard_history_thoughts && i != last)) {
        messages[i].content = remove_thought(messages[i].content);
      }
    }
  }
  auto encoded = encode_messages(messages, system, tools);
  if (reasoning) {
    const auto empty_thought = vocab_->encode(add_thought(""));
    for (size_t i = 0; i + 1 < messages.size(); i += 2) {
      // Turns whose thoughts were discarded as history stay without one, as
      // the model's own chat template renders earlier turns.
      if (has_thought(messages[i + 1].content) || (discard_history_thoughts && i + 1 != last)) continue;
      if (!options_.enable_thinking) {
        append(&encoded[i], empty_thought);  // in the prompt: not trained
      } else {
        encoded[i + 1].insert(encoded[i + 1].begin(), empty_thought.begin(), empty_thought.end());
      }
    }
  }
  std::vector<std::pair<std::vector<int32_t>, std::vector<int32_t>>> pairs;
  for (size_t i = 0; i + 1 < encoded.size(); i += 2) pairs.emplace_back(std::move(encoded[i]), std::move(encoded[i + 1]));
  return pairs;
}

std::pair<std::vector<int32_t>, std::vector<int32_t>> ChatTemplate::encode_oneturn(
    const std::vector<Message>& messages_in, const std::string& system, const std::string& tools) const {
  LF_CHECK(!messages_in.empty(), "encode_oneturn needs at least one message");
  const bool reasoning = spec_.template_class == TemplateClass::reasoning;
  std::vector<Message> messages = messages_in;
  if (reasoning) {
    if (!options_.preserve_thinking) {
      for (size_t i = 1; i + 2 < messages.size(); i += 2) messages[i].content = remove_thought(messages[i].content);
    }
    if (!options_.enable_thinking) messages.back().content = remove_thought(messages.back().content);
  }
  auto encoded = encode_messages(messages, system, tools);
  std::pair<std::vector<int32_t>, std::vector<int32_t>> out;
  for (size_t i = 0; i + 1 < encoded.size(); ++i) append(&out.first, encoded[i]);
  out.second = std::move(encoded.back());
  if (reasoning && !has_thought(messages.back().content)) {
    const auto empty_thought = vocab_->encode(add_thought(""));
    if (!options_.enable_thinking) {
      append(&out.first, empty_thought);
    } else {
      out.second.insert(out.second.begin(), empty_thought.begin(), empty_thought.end());
    }
  }
  return out;
}

std::vector<int32_t> ChatTemplate::encode_generation_prompt(const std::vector<Message>& messages,
                                                            const std::string& system,
                                                            const std::string& tools) const {
  LF_CHECK(!messages.empty() && messages.size() % 2 == 1, "A generation prompt needs an odd number of messages ",
           "(user, assistant, ..., user), got ", messages.size());
  std::vector<Message> paired = messages;
  paired.push_back({Role::assistant, ""});
  return encode_oneturn(paired, system, tools).first;
}

}  // namespace lf::data
