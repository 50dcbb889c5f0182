// create-model: spec from options + tokenizer, random weights, HF files.
#include "models/create_model.h"

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/log.h"
#include "models/param_layout.h"
#include "models/safetensors.h"

namespace lf::models {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

fs::path tokenizer_json_path(const fs::path& p) {
  fs::path file = fs::is_directory(p) ? p / "tokenizer.json" : p;
  LF_CHECK(fs::is_regular_file(file), "tokenizer ", p.string(),
           ": no tokenizer.json there (give tokenizer=demo, a tokenizer.json or its directory)");
  return file;
}

json read_json(const fs::path& p) {
  json j = json::parse(read_file(p), nullptr, /*allow_exceptions=*/false);
  LF_CHECK(!j.is_discarded() && j.is_object(), p.string(), ": not a well-formed JSON object");
  return j;
}

// The tokenizer's ids without loading the tokenizer itself: the model only
// needs how many rows its embedding has and which ids are bos/eos/pad.
struct VocabInfo {
  int64_t size = 0;
  std::map<std::string, int64_t> ids;
};

VocabInfo read_vocab(const fs::path& tokenizer_json) {
  json tok = read_json(tokenizer_json);
  VocabInfo v;
  auto add = [&](const std::string& token, const json& id) {
    LF_CHECK(id.is_number_integer() && id.get<int64_t>() >= 0, tokenizer_json.string(),
             ": token \"", token, "\" has no valid id");
    v.ids[token] = id.get<int64_t>();
    v.size = std::max(v.size, id.get<int64_t>() + 1);
  };
  LF_CHECK(tok.contains("model") && tok["model"].is_object() && tok["model"].contains("vocab"),
           tokenizer_json.string(), ": no model.vocab");
  const json& vocab = tok["model"]["vocab"];
  if (vocab.is_object()) {
    for (const auto& [token, id] : vocab.items()) add(token, id);
  } else {
    // Unigram vocabularies are [[piece, score], ...] with ids by position.
    LF_CHECK(vocab.is_array(), tokenizer_json.string(), ": model.vocab is neither a map nor a list");
    for (size_t i = 0; i < vocab.size(); ++i)
      add(vocab[i].is_array() && !vocab[i].empty() && vocab[i][0].is_string()
              ? vocab[i][0].get<std::string>() : std::to_string(i),
          json(i));
  }
  if (tok.contains("added_tokens") && tok["added_tokens"].is_array())
    for (const json& t : tok["added_tokens"])
      if (t.is_object() && t.contains("content") && t["content"].is_string() && t.contains("id"))
        add(t["content"].get<std::string>(), t["id"]);
  LF_CHECK(v.size > 0, tokenizer_json.string(), ": the vocabulary is empty");
  return v;
}

// tokenizer_config.json writes special tokens as "text" or {"content": "text"}.
std::optional<int64_t> special_id(const json& cfg, const char* key, const VocabInfo& vocab) {
  if (!cfg.contains(key)) return std::nullopt;
  const json& v = cfg[key];
  const json& text = v.is_object() && v.contains("content") ? v["content"] : v;
  if (!text.is_string()) return std::nullopt;
  auto it = vocab.ids.find(text.get<std::string>());
  if (it == vocab.ids.end()) return std::nullopt;
  return it->second;
}

Tensor random_param(const ParamDesc& p, uint64_t seed, DType dtype, float init_std) {
  const size_t n = static_cast<size_t>(shape_numel(p.shape));
  std::vector<float> v;
  switch (p.kind) {
    case ParamKind::embedding:
    case ParamKind::matrix:
      v = seeded_normal(seed, p.name, n, init_std);
      break;
    case ParamKind::bias:
    case ParamKind::norm:
      // Not the usual zeros / ones: a reference forward pass then depends on
      // every tensor, so a mix-up of names or layouts cannot hide.
      v = seeded_normal(seed, p.name, n, 0.1f);
      if (p.kind == ParamKind::norm)
        for (float& x : v) x += 1.0f;
      break;
  }
  return Tensor::from_vector(v, p.shape, dtype);
}

std::string generation_config_json(const ModelSpec& s) {
  nlohmann::ordered_json g;
  g["_from_model_config"] = true;
  if (s.bos_token_id) g["bos_token_id"] = *s.bos_token_id;
  if (s.eos_token_ids.size() == 1) g["eos_token_id"] = s.eos_token_ids[0];
  else if (!s.eos_token_ids.empty()) g["eos_token_id"] = s.eos_token_ids;
  if (s.pad_token_id) g["pad_token_id"] = *s.pad_token_id;
  g["transformers_version"] = "4.51.0";
  return g.dump(2) + "\n";
}

// The spec to write: sizes from the options, vocabulary and special ids from the tokenizer.
ModelSpec created_model_spec(const CreateModelOptions& o) {
  LF_CHECK(o.hidden_size > 0 && o.num_hidden_layers > 0 && o.num_attention_heads > 0 &&
               o.max_position_embeddings > 0,
           "create-model: sizes must be positive");
  LF_CHECK(o.hidden_size % o.num_attention_heads == 0, "create-model: hidden_size (",
           o.hidden_size, ") must be a multiple of num_attention_heads (", o.num_attention_heads, ")");
  ModelSpec s;
  s.arch = o.arch;
  s.hidden_size = o.hidden_size;
  s.num_hidden_layers = o.num_hidden_layers;
  s.num_attention_heads = o.num_attention_heads;
  s.num_key_value_heads = o.num_key_value_heads.value_or(
      o.num_attention_heads % 2 == 0 ? o.num_attention_heads / 2 : o.num_attention_heads);
  LF_CHECK(s.num_key_value_heads > 0 && s.num_attention_heads % s.num_key_value_heads == 0,
           "create-model: num_attention_heads (", s.num_attention_heads,
           ") must be a multiple of num_key_value_heads (", s.num_key_value_heads, ")");
  s.head_dim = o.hidden_size / o.num_attention_heads;
  LF_CHECK(s.head_dim % 2 == 0, "create-model: head_dim = hidden_size / num_attention_heads = ",
           s.head_dim, " must be even for rotary embeddings");
  s.intermediate_size = o.intermediate_size.value_or((o.hidden_size * 8 / 3 + 31) / 32 * 32);
  LF_CHECK(s.intermediate_size > 0, "create-model: intermediate_size must be positive");
  s.max_position_embeddings = o.max_position_embeddings;
  s.rms_norm_eps = 1e-6;
  s.initializer_range = o.initializer_range;
  s.rope_theta = (o.arch == Arch::qwen2 || o.arch == Arch::qwen3) ? 1000000.0 : 10000.0;
  bool qwen = o.arch == Arch::qwen2 || o.arch == Arch::qwen3;
  s.tie_word_embeddings = o.tie_word_embeddings.value_or(qwen);
  s.qkv_bias = o.arch == Arch::qwen2;
  s.qk_norm = o.arch == Arch::qwen3;
  s.torch_dtype = o.dtype;

  fs::path tok = tokenizer_json_path(o.tokenizer);
  VocabInfo vocab = read_vocab(tok);
  s.vocab_size = vocab.size;
  fs::path tok_cfg = tok.parent_path() / "tokenizer_config.json";
  if (fs::exists(tok_cfg)) {
    json cfg = read_json(tok_cfg);
    s.bos_token_id = special_id(cfg, "bos_token", vocab);
    if (auto eos = special_id(cfg, "eos_token", vocab)) s.eos_token_ids = {*eos};
    s.pad_token_id = special_id(cfg, "pad_token", vocab);
  }
  return s;
}

}  // namespace

fs::path find_demo_tokenizer() {
  const fs::path rel = fs::path("examples") / "demo_tokenizer" / "tokenizer.json";
  std::vector<fs::path> starts;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) starts.push_back(exe.parent_path());
  starts.push_back(fs::current_path());
  for (fs::path dir : starts) {
    for (; !dir.empty(); dir = dir.parent_path()) {
      if (fs::is_regular_file(dir / rel)) return (dir / rel).parent_path();
      if (dir == dir.root_path()) break;
    }
  }
  fail("tokenizer=demo: examples/demo_tokenizer/tokenizer.json was not found above ",
       starts.front().string(), "; give tokenizer=PATH to a tokenizer.json or its directory");
}

void create_model(const CreateModelOptions& o) {
  LF_CHECK(!o.output_dir.empty(), "create-model: output_dir is required");
  // "out/" must name the directory itself: the atomic temporary goes beside it.
  fs::path out = fs::absolute(o.output_dir).lexically_normal();
  if (!out.has_filename()) out = out.parent_path();
  LF_CHECK(o.dtype == DType::bf16 || o.dtype == DType::f32 || o.dtype == DType::f16,
           "create-model: dtype must be bf16, f16 or f32");
  if (fs::exists(out) && !fs::is_empty(out))
    LF_CHECK(o.overwrite, "create-model: ", out.string(),
             " exists and is not empty; choose another output_dir or pass overwrite_output_dir=true");
  ModelSpec spec = created_model_spec(o);
  fs::path tok = tokenizer_json_path(o.tokenizer);

  std::vector<NamedTensor> weights;
  int64_t params = 0;
  for (const ParamDesc& p : param_layout(spec)) {
    weights.emplace_back(p.name, random_param(p, o.seed, o.dtype, static_cast<float>(o.initializer_range)));
    params += shape_numel(p.shape);
  }

  fs::create_directories(out.parent_path());
  AtomicDir dir(out);
  write_file_atomic(dir.path() / "config.json", model_spec_to_json(spec));
  write_file_atomic(dir.path() / "generation_config.json", generation_config_json(spec));
  write_safetensors(dir.path() / "model.safetensors", weights);
  fs::copy_file(tok, dir.path() / "tokenizer.json");
  fs::path tok_cfg = tok.parent_path() / "tokenizer_config.json";
  if (fs::exists(tok_cfg)) {
    fs::copy_file(tok_cfg, dir.path() / "tokenizer_config.json");
  } else {
    json cfg = {{"tokenizer_class", "PreTrainedTokenizerFast"},
                {"model_max_length", spec.max_position_embeddings}};
    write_file_atomic(dir.path() / "tokenizer_config.json", cfg.dump(2) + "\n");
  }
  dir.commit();
  log::info("created ", arch_class_name(spec.arch), " with ", params, " parameters (vocab ",
            spec.vocab_size, ", ", spec.num_hidden_layers, " layers) in ", out.string());
}

}  // namespace lf::models
