#include "tokenizer/post_processor.h"

#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"

namespace lf::tok {
namespace {

using nlohmann::json;

void parse_into(const json& j, SpecialAround& out) {
  if (j.is_null()) return;
  LF_CHECK(j.is_object() && j.contains("type"), "tokenizer.json: post_processor must be an object with a \"type\"");
  const std::string type = j["type"].get<std::string>();
  if (type == "ByteLevel") return;  // only adjusts offsets
  if (type == "Sequence") {
    for (const auto& p : j.at("processors")) parse_into(p, out);
    return;
  }
  if (type == "RobertaProcessing" || type == "BertProcessing") {
    // "cls": ["<s>", 0], "sep": ["</s>", 2]: cls A sep.
    out.prefix.push_back(j.at("cls").at(1).get<int32_t>());
    out.suffix.insert(out.suffix.begin(), j.at("sep").at(1).get<int32_t>());
    return;
  }
  LF_CHECK(type == "TemplateProcessing", "tokenizer.json: post_processor \"", type,
           "\" is not supported (supported: TemplateProcessing, ByteLevel, RobertaProcessing, BertProcessing, Sequence)");
  const json& specials = j.value("special_tokens", json::object());
  bool seen_sequence = false;
  std::vector<int32_t> prefix, suffix;
  for (const json& piece : j.at("single")) {
    if (piece.contains("Sequence")) {
      seen_sequence = true;
      continue;
    }
    LF_CHECK(piece.contains("SpecialToken"), "tokenizer.json: TemplateProcessing piece ", piece.dump(),
             " is neither Sequence nor SpecialToken");
    const std::string name = piece["SpecialToken"].at("id").get<std::string>();
    LF_CHECK(specials.contains(name), "tokenizer.json: TemplateProcessing uses \"", name,
             "\" which is missing from its special_tokens");
    for (const json& id : specials[name].at("ids")) (seen_sequence ? suffix : prefix).push_back(id.get<int32_t>());
  }
  out.prefix.insert(out.prefix.end(), prefix.begin(), prefix.end());
  out.suffix.insert(out.suffix.begin(), suffix.begin(), suffix.end());
}

}  // namespace

SpecialAround parse_post_processor(const json& j) {
  SpecialAround out;
  parse_into(j, out);
  return out;
}

}  // namespace lf::tok
