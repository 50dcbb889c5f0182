// LLaMA-Factory's chat templates (data/template.py at the reference commit),
// the exact slot strings and flags. Defaults follow register_template: user
// and system "{{content}}", assistant "{{content}}" + eos (no eos with
// efficient_eos), function = the assistant slots, observation = the user
// slots, no prefix.
#include <map>

#include "core/error.h"
#include "data/template.h"

namespace lf::data {
namespace {

Slot T(std::string text) { return {Slot::Kind::text, std::move(text)}; }
Slot BOS() { return {Slot::Kind::bos, ""}; }
Slot EOS() { return {Slot::Kind::eos, ""}; }

// Fills the register_template defaults into the slots left empty.
TemplateSpec finish(TemplateSpec t) {
  if (t.user.empty()) t.user = {T("{{content}}")};
  if (t.system.empty()) t.system = {T("{{content}}")};
  if (t.assistant.empty()) {
    t.assistant = t.efficient_eos ? Slots{T("{{content}}")} : Slots{T("{{content}}"), EOS()};
  }
  if (t.function.empty()) t.function = t.assistant;
  if (t.observation.empty()) t.observation = t.user;
  return t;
}

const char* kQwenUser = "<|im_start|>user\n{{content}}<|im_end|>\n<|im_start|>assistant\n";
const char* kQwenAssistant = "{{content}}<|im_end|>\n";
const char* kQwenSystem = "<|im_start|>system\n{{content}}<|im_end|>\n";
const char* kQwenObservation =
    "<|im_start|>user\n<tool_response>\n{{content}}\n</tool_response><|im_end|>\n<|im_start|>assistant\n";

TemplateSpec qwen_like(const char* name, std::string default_system, TemplateClass cls) {
  TemplateSpec t;
  t.name = name;
  t.user = {T(kQwenUser)};
  t.assistant = {T(kQwenAssistant)};
  t.system = {T(kQwenSystem)};
  t.function = {T(kQwenAssistant)};
  t.observation = {T(kQwenObservation)};
  t.default_system = std::move(default_system);
  t.stop_words = {"<|im_end|>"};
  t.replace_eos = true;
  t.tool_format = "qwen";
  t.template_class = cls;
  return finish(t);
}

std::map<std::string, TemplateSpec> build_registry() {
  std::map<std::string, TemplateSpec> r;
  auto add = [&r](TemplateSpec t) {
    std::string name = t.name;  // read before t is moved from
    r.emplace(std::move(name), finish(std::move(t)));
  };

  {
    TemplateSpec t;
    t.name = "alpaca";
    t.user = {T("### Instruction:\n{{content}}\n\n### Response:\n")};
    t.assistant = {T("{{content}}"), EOS(), T("\n\n")};
    t.default_system =
        "Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n";
    t.replace_jinja_template = true;
    add(t);
  }
  {
    TemplateSpec t;
    t.name = "chatml";
    t.user = {T("<|im_start|>user\n{{content}}<|im_end|>\n<|im_start|>assistant\n")};
    t.assistant = {T("{{content}}<|im_end|>\n")};
    t.system = {T("<|im_start|>system\n{{content}}<|im_end|>\n")};
    t.observation = {T("<|im_start|>tool\n{{content}}<|im_end|>\n<|im_start|>assistant\n")};
    t.stop_words = {"<|im_end|>", "<|im_start|>"};
    t.replace_eos = true;
    t.replace_jinja_template = true;
    add(t);
  }
  {
    TemplateSpec t;
    t.name = "default";
    t.user = {T("Human: {{content}}"), EOS(), T("\nAssistant:")};
    t.assistant = {T("{{content}}"), EOS(), T("\n")};
    t.system = {T("System: {{content}}"), EOS(), T("\n")};
    t.replace_jinja_template = true;
    add(t);
  }
  {
    TemplateSpec t;
    t.name = "empty";
    t.assistant = {T("{{content}}")};
    add(t);
  }
  {
    TemplateSpec t;
    t.name = "gemma";
    t.user = {T("<start_of_turn>user\n{{content}}<end_of_turn>\n<start_of_turn>model\n")};
    t.assistant = {T("{{content}}<end_of_turn>\n")};
    t.system = {T("{{content}}\n\n")};
    t.observation = {T("<start_of_turn>tool\n{{content}}<end_of_turn>\n<start_of_turn>model\n")};
    t.prefix = {BOS()};
    t.stop_words = {"<end_of_turn>"};
    t.replace_eos = true;
    t.template_class = TemplateClass::llama2;
    add(t);
  }
  {
    TemplateSpec t;
    t.name = "glm4";
    t.user = {T("<|user|>\n{{content}}<|assistant|>")};
    t.assistant = {T("\n{{content}}")};
    t.system = {T("<|system|>\n{{content}}")};
    t.function = {T("{{content}}")};
    t.tool_format = "glm4";
    t.observation = {T("<|observation|>\n{{content}}<|assistant|>")};
    t.prefix = {T("[gMASK]<sop>")};
    t.stop_words = {"<|user|>", "<|observation|>"};
    t.efficient_eos = true;
    add(t);
  }
  for (const char* name : {"llama2", "llama2_zh"}) {
    TemplateSpec t;
    t.name = name;
    t.user = {BOS(), T("[INST] {{content}} [/INST]")};
    t.system = {T("<<SYS>>\n{{content}}\n<</SYS>>\n\n")};
    if (t.name == "llama2_zh") t.default_system = "You are a helpful assistant. 你是一个乐于助人的助手。";
    t.template_class = TemplateClass::llama2;
    add(t);
  }
  {
    TemplateSpec t;
    t.name = "llama3";
    t.user = {T("<|start_header_id|>user<|end_header_id|>\n\n{{content}}<|eot_id|>"
                "<|start_header_id|>assistant<|end_header_id|>\n\n")};
    t.assistant = {T("{{content}}<|eot_id|>")};
    t.system = {T("<|start_header_id|>system<|end_header_id|>\n\n{{content}}<|eot_id|>")};
    t.function = {T("{{content}}<|eot_id|>")};
    t.tool_format = "llama3";
    t.observation = {T("<|start_header_id|>ipython<|end_header_id|>\n\n{{content}}<|eot_id|>"
                       "<|start_header_id|>assistant<|end_header_id|>\n\n")};
    t.prefix = {BOS()};
    t.stop_words = {"<|eot_id|>", "<|eom_id|>"};
    t.replace_eos = true;
    add(t);
  }
  {
    TemplateSpec t;
    t.name = "mistral";
    t.user = {T("[INST] {{content}}[/INST]")};
    t.assistant = {T(" {{content}}"), EOS()};
    t.system = {T("{{content}}\n\n")};
    t.function = {T("[TOOL_CALLS] {{content}}"), EOS()};
    t.tool_format = "mistral";
    t.observation = {T("[TOOL_RESULTS] {\"content\": {{content}}}[/TOOL_RESULTS]")};
    t.prefix = {BOS()};
    t.template_class = TemplateClass::llama2;
    add(t);
  }
  r.emplace("qwen", qwen_like("qwen", "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.",
                              TemplateClass::plain));
  r.emplace("qwen3", qwen_like("qwen3", "", TemplateClass::reasoning));
  r.emplace("qwen3_nothink", qwen_like("qwen3_nothink", "", TemplateClass::plain));
  {
    TemplateSpec t;
    t.name = "vicuna";
    t.user = {T("USER: {{content}} ASSISTANT:")};
    t.default_system =
        "A chat between a curious user and an artificial intelligence assistant. "
        "The assistant gives helpful, detailed, and polite answers to the user's questions.";
    t.replace_jinja_template = true;
    add(t);
  }
  return r;
}

const std::map<std::string, TemplateSpec>& registry() {
  static const std::map<std::string, TemplateSpec> r = build_registry();
  return r;
}

}  // namespace

std::vector<std::string> template_names() {
  std::vector<std::string> names;
  for (const auto& [name, spec] : registry()) names.push_back(name);
  return names;
}

const TemplateSpec& find_template(const std::string& name) {
  auto it = registry().find(name);
  if (it == registry().end()) {
    std::string known;
    for (const auto& n : template_names()) known += (known.empty() ? "" : ", ") + n;
    fail("Template \"", name, "\" does not exist. Known templates: ", known);
  }
  return it->second;
}

}  // namespace lf::data
