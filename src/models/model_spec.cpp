// config.json -> ModelSpec, with errors that name the file and the key.
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "models/model_spec.h"

namespace lf::models {

using nlohmann::json;

namespace {

struct ArchInfo {
  Arch arch;
  const char* cls;
  const char* model_type;
};
const ArchInfo kArchs[] = {
    {Arch::llama, "LlamaForCausalLM", "llama"},
    {Arch::mistral, "MistralForCausalLM", "mistral"},
    {Arch::qwen2, "Qwen2ForCausalLM", "qwen2"},
    {Arch::qwen3, "Qwen3ForCausalLM", "qwen3"},
};

// Typed access to one JSON object; every error names the file and the key.
class Fields {
 public:
  Fields(const json& obj, std::string where) : obj_(obj), where_(std::move(where)) {}
  bool has(const char* key) const { return obj_.contains(key) && !obj_[key].is_null(); }
  const json& at(const char* key) const {
    LF_CHECK(has(key), where_, ": missing \"", key, "\"");
    return obj_[key];
  }
  int64_t integer(const char* key) const {
    const json& v = at(key);
    LF_CHECK(v.is_number_integer(), where_, ": \"", key, "\" must be an integer, got ", v.dump());
    return v.get<int64_t>();
  }
  int64_t positive(const char* key) const {
    int64_t v = integer(key);
    LF_CHECK(v > 0, where_, ": \"", key, "\" must be positive, got ", v);
    return v;
  }
  int64_t positive_or(const char* key, int64_t fallback) const {
    return has(key) ? positive(key) : fallback;
  }
  double number_or(const char* key, double fallback) const {
    if (!has(key)) return fallback;
    const json& v = obj_[key];
    LF_CHECK(v.is_number(), where_, ": \"", key, "\" must be a number, got ", v.dump());
    return v.get<double>();
  }
  std::optional<double> optional_number(const char* key) const {
    if (!has(key)) return std::nullopt;
    return number_or(key, 0.0);
  }
  bool boolean_or(const char* key, bool fallback) const {
    if (!has(key)) return fallback;
    const json& v = obj_[key];
    LF_CHECK(v.is_boolean(), where_, ": \"", key, "\" must be true or false, got ", v.dump());
    return v.get<bool>();
  }
  std::string string_or(const char* key, const std::string& fallback) const {
    if (!has(key)) return fallback;
    const json& v = obj_[key];
    LF_CHECK(v.is_string(), where_, ": \"", key, "\" must be a string, got ", v.dump());
    return v.get<std::string>();
  }
  const std::string& where() const { return where_; }

 private:
  const json& obj_;
  std::string where_;
};

Arch arch_from_config(const json& cfg, const std::string& origin) {
  LF_CHECK(cfg.contains("architectures") && cfg["architectures"].is_array() &&
               !cfg["architectures"].empty(),
           origin, ": missing \"architectures\" (supported: ", supported_architectures(), ")");
  std::string seen;
  for (const json& a : cfg["architectures"]) {
    if (!a.is_string()) continue;
    for (const ArchInfo& info : kArchs)
      if (a.get<std::string>() == info.cls) return info.arch;
    seen += (seen.empty() ? "" : ", ") + a.get<std::string>();
  }
  fail(origin, ": architecture ", seen.empty() ? cfg["architectures"].dump() : seen,
       " is not supported (supported: ", supported_architectures(),
       "); no model code is downloaded or executed");
}

RopeScaling parse_rope_scaling(const json& rs, const std::string& origin) {
  const std::string where = origin + ": rope_scaling";
  LF_CHECK(rs.is_object(), where, " must be an object, got ", rs.dump());
  Fields f(rs, where);
  RopeScaling r;
  r.kind = f.has("rope_type") ? f.string_or("rope_type", "") : f.string_or("type", "default");
  if (r.kind == "default") return r;
  LF_CHECK(r.kind == "linear" || r.kind == "dynamic" || r.kind == "llama3" || r.kind == "yarn",
           where, ": rope type \"", r.kind,
           "\" is not supported (supported: default, linear, dynamic, llama3, yarn)");
  r.factor = f.number_or("factor", 0.0);
  LF_CHECK(r.factor >= 1.0, where, ": \"factor\" must be >= 1, got ", r.factor);
  r.original_max_position_embeddings = f.positive_or("original_max_position_embeddings", 0);
  if (r.kind == "llama3") {
    r.low_freq_factor = f.number_or("low_freq_factor", 0.0);
    r.high_freq_factor = f.number_or("high_freq_factor", 0.0);
    LF_CHECK(r.original_max_position_embeddings > 0, where,
             ": llama3 scaling needs \"original_max_position_embeddings\"");
    LF_CHECK(r.low_freq_factor > 0 && r.high_freq_factor > r.low_freq_factor, where,
             ": llama3 scaling needs 0 < low_freq_factor < high_freq_factor");
  }
  if (r.kind == "yarn") {
    r.beta_fast = f.number_or("beta_fast", 32.0);
    r.beta_slow = f.number_or("beta_slow", 1.0);
    r.attention_factor = f.optional_number("attention_factor");
    r.mscale = f.optional_number("mscale");
    r.mscale_all_dim = f.optional_number("mscale_all_dim");
    r.truncate = f.boolean_or("truncate", true);
  }
  return r;
}

std::vector<int64_t> token_ids(const json& cfg, const char* key, const std::string& origin) {
  if (!cfg.contains(key) || cfg[key].is_null()) return {};
  const json& v = cfg[key];
  std::vector<int64_t> out;
  for (const json& id : v.is_array() ? v : json::array({v})) {
    LF_CHECK(id.is_number_integer(), origin, ": \"", key, "\" must be an id or a list of ids");
    out.push_back(id.get<int64_t>());
  }
  return out;
}

}  // namespace

std::string supported_architectures() {
  std::string s;
  for (const ArchInfo& a : kArchs) s += (s.empty() ? "" : ", ") + std::string(a.cls);
  return s;
}

const char* arch_class_name(Arch a) {
  for (const ArchInfo& i : kArchs)
    if (i.arch == a) return i.cls;
  return "?";
}

const char* arch_model_type(Arch a) {
  for (const ArchInfo& i : kArchs)
    if (i.arch == a) return i.model_type;
  return "?";
}

Arch parse_arch(const std::string& model_type) {
  for (const ArchInfo& i : kArchs)
    if (model_type == i.model_type) return i.arch;
  fail("unknown arch \"", model_type, "\" (choose llama, mistral, qwen2 or qwen3)");
}

ModelSpec parse_model_spec(const std::string& config_json, const std::string& origin) {
  json cfg = json::parse(config_json, nullptr, /*allow_exceptions=*/false);
  LF_CHECK(!cfg.is_discarded(), origin, ": not well-formed JSON");
  LF_CHECK(cfg.is_object(), origin, ": must be a JSON object");
  Fields f(cfg, origin);
  ModelSpec s;
  s.arch = arch_from_config(cfg, origin);
  s.vocab_size = f.positive("vocab_size");
  s.hidden_size = f.positive("hidden_size");
  s.intermediate_size = f.positive("intermediate_size");
  s.num_hidden_layers = f.positive("num_hidden_layers");
  s.num_attention_heads = f.positive("num_attention_heads");
  s.num_key_value_heads = f.positive_or("num_key_value_heads", s.num_attention_heads);
  LF_CHECK(s.num_attention_heads % s.num_key_value_heads == 0, origin, ": num_attention_heads (",
           s.num_attention_heads, ") must be a multiple of num_key_value_heads (",
           s.num_key_value_heads, ")");
  if (f.has("head_dim")) {
    s.head_dim = f.positive("head_dim");
  } else {
    LF_CHECK(s.hidden_size % s.num_attention_heads == 0, origin, ": hidden_size (", s.hidden_size,
             ") is not a multiple of num_attention_heads (", s.num_attention_heads,
             ") and no head_dim is given");
    s.head_dim = s.hidden_size / s.num_attention_heads;
  }
  LF_CHECK(s.head_dim % 2 == 0, origin, ": head_dim must be even for rotary embeddings, got ",
           s.head_dim);
  s.max_position_embeddings = f.positive_or("max_position_embeddings", 2048);
  s.rms_norm_eps = f.number_or("rms_norm_eps", 1e-6);
  s.initializer_range = f.number_or("initializer_range", 0.02);
  LF_CHECK(s.rms_norm_eps > 0, origin, ": rms_norm_eps must be positive");

  // transformers 5 moved rope_theta and the scaling into "rope_parameters".
  const json* rope = &cfg;
  if (cfg.contains("rope_parameters") && cfg["rope_parameters"].is_object())
    rope = &cfg["rope_parameters"];
  s.rope_theta = Fields(*rope, origin).number_or("rope_theta", 10000.0);
  LF_CHECK(s.rope_theta > 1.0, origin, ": rope_theta must be > 1, got ", s.rope_theta);
  if (rope != &cfg) s.rope_scaling = parse_rope_scaling(*rope, origin);
  else if (f.has("rope_scaling")) s.rope_scaling = parse_rope_scaling(cfg["rope_scaling"], origin);

  s.tie_word_embeddings = f.boolean_or("tie_word_embeddings", false);
  const std::string act = f.string_or("hidden_act", "silu");
  LF_CHECK(act == "silu", origin, ": hidden_act \"", act, "\" is not supported (only silu)");
  switch (s.arch) {
    case Arch::llama:
      s.qkv_bias = s.o_bias = f.boolean_or("attention_bias", false);
      s.mlp_bias = f.boolean_or("mlp_bias", false);
      break;
    case Arch::mistral:
      break;
    case Arch::qwen2:
      s.qkv_bias = true;
      break;
    case Arch::qwen3:
      s.qkv_bias = s.o_bias = f.boolean_or("attention_bias", false);
      s.qk_norm = true;
      break;
  }
  // Mistral applies sliding_window whenever it is set; Qwen2/3 only with
  // use_sliding_window (their configs carry a window they do not use).
  bool window_on = s.arch == Arch::mistral || f.boolean_or("use_sliding_window", false);
  if (window_on && f.has("sliding_window")) s.sliding_window = f.positive("sliding_window");

  const std::string dtype = f.has("torch_dtype") ? f.string_or("torch_dtype", "float32")
                                                 : f.string_or("dtype", "float32");
  try {
    s.torch_dtype = parse_dtype(dtype);
  } catch (const Error&) {
    fail(origin, ": torch_dtype \"", dtype, "\" is not a float type (float32, bfloat16, float16)");
  }
  LF_CHECK(is_floating(s.torch_dtype), origin, ": torch_dtype \"", dtype, "\" is not a float type");
  auto bos = token_ids(cfg, "bos_token_id", origin);
  if (!bos.empty()) s.bos_token_id = bos[0];
  s.eos_token_ids = token_ids(cfg, "eos_token_id", origin);
  auto pad = token_ids(cfg, "pad_token_id", origin);
  if (!pad.empty()) s.pad_token_id = pad[0];
  return s;
}

ModelSpec load_model_spec(const std::filesystem::path& dir) {
  std::filesystem::path p = dir / "config.json";
  LF_CHECK(std::filesystem::exists(p), "no config.json in ", dir.string(),
           ": model_name_or_path must be a Hugging Face model directory");
  return parse_model_spec(read_file(p), p.string());
}

}  // namespace lf::models
