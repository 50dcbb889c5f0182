#include "models/lora.h"

#include <cmath>
#include <fstream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "autograd/functions.h"
#include "autograd/grad_mode.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "models/create_model.h"
#include "models/safetensors.h"
#include "ops/ops.h"

namespace lf::models {
namespace {

std::string last_component(const std::string& path) {
  auto dot = path.rfind('.');
  return dot == std::string::npos ? path : path.substr(dot + 1);
}

std::string peft_name(const std::string& module, const char* which) {
  return "base_model.model." + module + "." + which + ".weight";
}

// PEFT's rule for modules_to_save: the module path ends with the name.
bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string peft_module_name(const std::string& weight_name) {
  return "base_model.model." + weight_name;
}

std::string module_of(const std::string& weight_name) {
  auto dot = weight_name.rfind('.');
  return dot == std::string::npos ? weight_name : weight_name.substr(0, dot);
}

bool saved_module(const std::string& weight_name, const std::vector<std::string>& modules) {
  for (const auto& m : modules)
    if (ends_with(module_of(weight_name), m)) return true;
  return false;
}

ag::Var in_dtype(const ag::Var& v, DType dtype) {
  return v.dtype() == dtype ? v : ag::cast(v, dtype);
}

}  // namespace

float LoraConfig::scale() const {
  return use_rslora ? alpha / std::sqrt(static_cast<float>(rank)) : alpha / static_cast<float>(rank);
}

ag::Var LoraAdapter::apply(const ag::Var& x, const ag::Var& base_out) const {
  // Dropout belongs to training only; inference (no-grad) sees the plain adapter.
  bool training = ag::grad_mode() != ag::GradMode::off;
  ag::Var h = training && dropout_ > 0 ? ag::dropout(x, dropout_) : x;
  ag::Var down = ag::linear(h, in_dtype(a_, x.dtype()));
  ag::Var up = ag::linear(down, in_dtype(b_, x.dtype()));
  return ag::add(base_out, up, 1.0f, scale_);
}

ag::Var LoraAdapter::forward(const Linear& base, const ag::Var& x) const {
  bool training = ag::grad_mode() != ag::GradMode::off;
  return ag::lora_linear(x, base.weight_as(x.dtype()), base.bias_as(x.dtype()), a_, b_, scale_,
                         training ? dropout_ : 0.0f);
}

std::vector<std::pair<std::string, Linear*>> select_lora_targets(
    Decoder& model, const std::vector<std::string>& target) {
  auto linears = model.named_linears();
  bool all = target.size() == 1 && target[0] == "all";
  std::vector<std::pair<std::string, Linear*>> chosen;
  std::set<std::string> found;
  for (auto& [name, lin] : linears) {
    std::string leaf = last_component(name);
    bool hit = all;
    for (const auto& t : target) hit = hit || t == leaf || t == name;
    if (hit) {
      chosen.emplace_back(name, lin);
      found.insert(leaf);
    }
  }
  if (!all) {
    std::set<std::string> available;
    for (auto& [name, lin] : linears) available.insert(last_component(name));
    std::string missing, avail;
    for (const auto& t : target) {
      bool ok = found.count(t) != 0;
      for (auto& [name, lin] : chosen) ok = ok || name == t;
      if (!ok) missing += (missing.empty() ? "" : ", ") + t;
    }
    for (const auto& a : available) avail += (avail.empty() ? "" : ", ") + a;
    LF_CHECK(missing.empty(), "Target modules {", missing,
             "} not found in the base model. Please check the target modules and try again "
             "(lora_target: all, or a comma list of: ", avail, ").");
  }
  LF_CHECK(!chosen.empty(), "lora_target selects no linear layer of this model");
  return chosen;
}

std::vector<AttachedLora> attach_lora(Decoder& model, const LoraConfig& config, uint64_t seed) {
  LF_CHECK(config.rank > 0, "lora_rank must be positive, got ", config.rank);
  LF_CHECK(config.dropout >= 0 && config.dropout < 1, "lora_dropout must be in [0, 1), got ",
           config.dropout);
  std::vector<AttachedLora> out;
  for (auto& [name, lin] : select_lora_targets(model, config.target)) {
    LF_CHECK(!lin->adapter, "module ", name, " already has an adapter");
    int64_t in = lin->in_features(), outf = lin->out_features();
    // kaiming_uniform_(a=sqrt(5)) as PEFT does: bound = 1/sqrt(in). A uniform
    // from the seeded normal stream through the error function keeps it portable.
    std::vector<float> a = seeded_normal(seed, name + ".lora_A", static_cast<size_t>(config.rank * in), 1.0f);
    const float bound = 1.0f / std::sqrt(static_cast<float>(in));
    for (float& v : a) v = bound * std::erf(v / std::sqrt(2.0f));
    Device dev = model.device();
    ag::Var va = ag::Var::parameter(Tensor::from_vector(a, {config.rank, in}, DType::f32, dev));
    ag::Var vb = ag::Var::parameter(ops::zeros({outf, config.rank}, DType::f32, dev));
    auto adapter = std::make_shared<LoraAdapter>(va, vb, config.scale(), config.dropout);
    lin->adapter = adapter;
    out.emplace_back(name, adapter);
  }
  return out;
}

void train_modules_to_save(Decoder& model, LoraConfig& config) {
  std::set<std::string> lora_modules;
  for (auto& [name, lin] : model.named_linears())
    if (lin->adapter) lora_modules.insert(name);
  std::set<std::string> used;
  for (auto& [name, var] : model.named_weights()) {
    if (!saved_module(name, config.modules_to_save)) continue;
    LF_CHECK(!lora_modules.count(module_of(name)), "additional_target: ", module_of(name),
             " is also a LoRA target; train it one way or the other");
    for (const auto& m : config.modules_to_save)
      if (ends_with(module_of(name), m)) used.insert(m);
    *var = ag::Var::parameter(var->value().to(DType::f32).contiguous().clone());
    config.saved_weights.emplace_back(name, *var);
  }
  for (const auto& m : config.modules_to_save) {
    LF_CHECK(used.count(m), "additional_target: no module of this model ends with ", m,
             " (e.g. embed_tokens, lm_head, norm)");
  }
}

std::vector<std::pair<std::string, ag::Var>> saved_module_parameters(const LoraConfig& config) {
  std::vector<std::pair<std::string, ag::Var>> out;
  for (const auto& [name, var] : config.saved_weights) out.emplace_back(peft_module_name(name), var);
  return out;
}

std::vector<std::pair<std::string, ag::Var>> lora_parameters(
    const std::vector<AttachedLora>& adapters) {
  std::vector<std::pair<std::string, ag::Var>> out;
  for (const auto& [name, ad] : adapters) {
    out.emplace_back(peft_name(name, "lora_A"), ad->a());
    out.emplace_back(peft_name(name, "lora_B"), ad->b());
  }
  return out;
}

void save_peft_adapter(const std::filesystem::path& dir, const std::vector<AttachedLora>& adapters,
                       const LoraConfig& config, const std::string& base_model_name_or_path) {
  std::vector<NamedTensor> tensors;
  std::set<std::string> modules;
  for (const auto& [name, ad] : adapters) {
    tensors.emplace_back(peft_name(name, "lora_A"), ad->a().value());
    tensors.emplace_back(peft_name(name, "lora_B"), ad->b().value());
    modules.insert(last_component(name));
  }
  for (const auto& [name, var] : config.saved_weights)
    tensors.emplace_back(peft_module_name(name), var.value());
  nlohmann::json to_save = nullptr;
  if (!config.modules_to_save.empty()) to_save = config.modules_to_save;
  nlohmann::json cfg = {
      {"alpha_pattern", nlohmann::json::object()},
      {"auto_mapping", nullptr},
      {"base_model_name_or_path", base_model_name_or_path},
      {"bias", "none"},
      {"fan_in_fan_out", false},
      {"inference_mode", true},
      {"init_lora_weights", true},
      {"layers_pattern", nullptr},
      {"layers_to_transform", nullptr},
      {"lora_alpha", config.alpha},
      {"lora_dropout", config.dropout},
      {"modules_to_save", to_save},
      {"peft_type", "LORA"},
      {"r", config.rank},
      {"rank_pattern", nlohmann::json::object()},
      {"revision", nullptr},
      {"target_modules", std::vector<std::string>(modules.begin(), modules.end())},
      {"task_type", "CAUSAL_LM"},
      {"use_dora", false},
      {"use_rslora", config.use_rslora},
  };
  write_safetensors(dir / "adapter_model.safetensors", tensors);
  write_file_atomic(dir / "adapter_config.json", cfg.dump(2) + "\n");
}

std::vector<AttachedLora> load_peft_adapter(const std::filesystem::path& dir, Decoder& model,
                                            bool trainable, LoraConfig* config_out) {
  std::filesystem::path cfg_path = dir / "adapter_config.json";
  LF_CHECK(std::filesystem::exists(cfg_path), "adapter ", dir.string(),
           ": no adapter_config.json. Point adapter_name_or_path at a directory written by "
           "LoRA training (it holds adapter_config.json and adapter_model.safetensors).");
  nlohmann::json cfg;
  try {
    cfg = nlohmann::json::parse(read_file(cfg_path));
  } catch (const nlohmann::json::exception& e) {
    fail(cfg_path.string(), " is not valid JSON: ", e.what());
  }
  LF_CHECK(cfg.value("peft_type", std::string("LORA")) == "LORA", cfg_path.string(),
           ": only LoRA adapters are supported, this one is ", cfg.value("peft_type", std::string()));
  LoraConfig config;
  try {
    config.rank = cfg.at("r").get<int64_t>();
    config.alpha = cfg.value("lora_alpha", static_cast<float>(config.rank));
    config.use_rslora = cfg.value("use_rslora", false);
    config.dropout = cfg.value("lora_dropout", 0.0f);
    if (cfg.contains("modules_to_save") && !cfg["modules_to_save"].is_null())
      config.modules_to_save = cfg["modules_to_save"].get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception& e) {
    fail(cfg_path.string(), ": bad or missing field (", e.what(), ")");
  }
  WeightSet weights = WeightSet::open(dir / "adapter_model.safetensors");
  std::vector<AttachedLora> out;
  DType dt = trainable ? DType::f32 : model.dtype();
  for (auto& [name, lin] : model.named_linears()) {
    std::string a_name = peft_name(name, "lora_A"), b_name = peft_name(name, "lora_B");
    if (!weights.contains(a_name)) continue;
    LF_CHECK(weights.contains(b_name), dir.string(), ": ", a_name, " has no matching ", b_name);
    Tensor a = weights.load(a_name, dt, model.device());
    Tensor b = weights.load(b_name, dt, model.device());
    LF_CHECK(a.shape() == Shape({config.rank, lin->in_features()}) &&
                 b.shape() == Shape({lin->out_features(), config.rank}),
             dir.string(), ": adapter for ", name, " has shapes ", shape_str(a.shape()), " and ",
             shape_str(b.shape()), " but the model's layer is [", lin->out_features(), ", ",
             lin->in_features(), "] with r=", config.rank, ". Was it trained on another model?");
    LF_CHECK(!lin->adapter, "module ", name, " already has an adapter: merge it first");
    ag::Var va = trainable ? ag::Var::parameter(a) : ag::Var(a);
    ag::Var vb = trainable ? ag::Var::parameter(b) : ag::Var(b);
    auto adapter = std::make_shared<LoraAdapter>(va, vb, config.scale(), config.dropout);
    lin->adapter = adapter;
    out.emplace_back(name, adapter);
  }
  for (auto& [name, var] : model.named_weights()) {
    if (!saved_module(name, config.modules_to_save)) continue;
    const std::string key = peft_module_name(name);
    LF_CHECK(weights.contains(key), dir.string(), ": modules_to_save lists ", module_of(name),
             " but the adapter has no ", key);
    Tensor w = weights.load(key, dt, model.device());
    LF_CHECK(w.shape() == var->value().shape(), dir.string(), ": ", key, " has shape ",
             shape_str(w.shape()), " but the model's is ", shape_str(var->value().shape()));
    *var = trainable ? ag::Var::parameter(w) : ag::Var(w);
    config.saved_weights.emplace_back(name, *var);
  }
  LF_CHECK(!out.empty(), dir.string(), ": no LoRA tensor matches a module of this model "
           "(expected names like base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight)");
  if (config_out) *config_out = config;
  return out;
}

void merge_lora(Decoder& model) {
  ag::NoGradGuard no_grad;
  for (auto& [name, lin] : model.named_linears()) {
    auto lora = std::dynamic_pointer_cast<const LoraAdapter>(lin->adapter);
    if (!lora) continue;
    Tensor a = ops::cast(lora->a().value(), DType::f32);
    Tensor b = ops::cast(lora->b().value(), DType::f32);
    Tensor delta = ops::matmul(b, a);  // [out, in]
    Tensor w = ops::cast(lin->weight.value(), DType::f32);
    ops::add_(w, delta, lora->scale());
    lin->weight = ag::Var(ops::cast(w, lin->weight.dtype()));
    lin->adapter.reset();
  }
}

}  // namespace lf::models
