// llamafactory-cli create-model output_dir=DIR arch=llama|mistral|qwen2|qwen3
//   [hidden_size=.. num_hidden_layers=.. num_attention_heads=.. num_key_value_heads=..
//    intermediate_size=.. max_position_embeddings=.. tie_word_embeddings=..]
//   tokenizer=demo|PATH seed=N dtype=bf16|f32 [initializer_range=0.02] [overwrite_output_dir=true]
#include <charconv>
#include <cstdlib>
#include <functional>
#include <map>

#include "cli/command.h"
#include "core/error.h"
#include "models/create_model.h"

namespace {

using lf::models::CreateModelOptions;

int64_t to_int(const std::string& key, const std::string& v) {
  int64_t out = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  LF_CHECK(ec == std::errc() && end == v.data() + v.size(), "create-model: ", key,
           " must be an integer, got '", v, "'");
  return out;
}

bool to_bool(const std::string& key, const std::string& v) {
  if (v == "true" || v == "True" || v == "1") return true;
  if (v == "false" || v == "False" || v == "0") return false;
  lf::fail("create-model: ", key, " must be true or false, got '", v, "'");
}

using Setter = std::function<void(CreateModelOptions&, const std::string& key, const std::string&)>;

const std::map<std::string, Setter>& setters() {
  static const std::map<std::string, Setter> s = {
      {"output_dir", [](auto& o, auto&, auto& v) { o.output_dir = v; }},
      {"arch", [](auto& o, auto&, auto& v) { o.arch = lf::models::parse_arch(v); }},
      {"hidden_size", [](auto& o, auto& k, auto& v) { o.hidden_size = to_int(k, v); }},
      {"num_hidden_layers", [](auto& o, auto& k, auto& v) { o.num_hidden_layers = to_int(k, v); }},
      {"num_attention_heads", [](auto& o, auto& k, auto& v) { o.num_attention_heads = to_int(k, v); }},
      {"num_key_value_heads", [](auto& o, auto& k, auto& v) { o.num_key_value_heads = to_int(k, v); }},
      {"intermediate_size", [](auto& o, auto& k, auto& v) { o.intermediate_size = to_int(k, v); }},
      {"max_position_embeddings",
       [](auto& o, auto& k, auto& v) { o.max_position_embeddings = to_int(k, v); }},
      {"tie_word_embeddings", [](auto& o, auto& k, auto& v) { o.tie_word_embeddings = to_bool(k, v); }},
      {"tokenizer",
       [](auto& o, auto&, auto& v) {
         o.tokenizer = v == "demo" ? lf::models::find_demo_tokenizer() : std::filesystem::path(v);
       }},
      {"seed", [](auto& o, auto& k, auto& v) { o.seed = static_cast<uint64_t>(to_int(k, v)); }},
      {"dtype", [](auto& o, auto&, auto& v) { o.dtype = lf::parse_dtype(v); }},
      {"initializer_range",
       [](auto& o, auto& k, auto& v) {
         char* end = nullptr;
         double d = std::strtod(v.c_str(), &end);
         LF_CHECK(end && *end == '\0' && d > 0 && d < 10, k, "=", v,
                  ": expects a positive number such as 0.02");
         o.initializer_range = d;
       }},
      {"overwrite_output_dir", [](auto& o, auto& k, auto& v) { o.overwrite = to_bool(k, v); }},
  };
  return s;
}

int run_create_model(const std::vector<std::string>& args) {
  CreateModelOptions opt;
  bool have_tokenizer = false;
  for (const std::string& a : args) {
    auto eq = a.find('=');
    std::string key = a.substr(0, eq);
    if (key.starts_with("--")) key = key.substr(2);
    auto it = setters().find(key);
    if (eq == std::string::npos || it == setters().end()) {
      std::string known;
      for (const auto& [k, _] : setters()) known += (known.empty() ? "" : ", ") + k;
      lf::fail("create-model: expected key=value with a key among ", known, "; got '", a, "'");
    }
    it->second(opt, key, a.substr(eq + 1));
    have_tokenizer |= key == "tokenizer";
  }
  if (!have_tokenizer) opt.tokenizer = lf::models::find_demo_tokenizer();
  lf::models::create_model(opt);
  return 0;
}

}  // namespace

LF_REGISTER_COMMAND(create_model, "create-model",
                    "write a small Hugging Face model with random weights (demos, tests)",
                    run_create_model);
