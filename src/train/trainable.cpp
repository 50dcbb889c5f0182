#include "train/trainable.h"

#include <cstdio>
#include <set>

#include "core/error.h"
#include "core/log.h"
#include "core/strings.h"

namespace lf::train {

std::string param_summary(int64_t trainable, int64_t all) {
  auto commas = [](int64_t v) {
    std::string digits = std::to_string(v), out;
    for (size_t i = 0; i < digits.size(); ++i) {
      if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
      out += digits[i];
    }
    return out;
  };
  char pct[32];
  std::snprintf(pct, sizeof pct, "%.4f", all > 0 ? 100.0 * trainable / all : 0.0);
  return "trainable params: " + commas(trainable) + " || all params: " + commas(all) +
         " || trainable%: " + pct;
}

namespace {

int64_t count_weights(models::Decoder& model) {
  int64_t n = 0;
  for (auto& [name, var] : model.named_weights()) n += var->value().numel();
  return n;
}

// Makes a model weight an f32 parameter in place and records it.
void make_trainable(const std::string& name, ag::Var* var, Trainable& t) {
  *var = ag::Var::parameter(var->value().to(DType::f32).contiguous().clone());
  t.params.push_back({name, *var});
  t.trainable_count += var->value().numel();
}

void setup_lora(models::Decoder& model, const TrainPlan& plan, Trainable& t) {
  const auto& ft = plan.args.finetuning;
  t.lora.rank = ft.lora_rank;
  t.lora.alpha = static_cast<float>(ft.lora_alpha.value_or(ft.lora_rank * 2));
  t.lora.dropout = static_cast<float>(ft.lora_dropout);
  t.lora.use_rslora = ft.use_rslora;
  t.lora.target = split_list(ft.lora_target);
  LF_CHECK(!t.lora.target.empty(), "lora_target is empty: use all or a comma list of modules");
  if (ft.additional_target) t.lora.modules_to_save = split_list(*ft.additional_target);

  std::vector<std::string> adapters;
  if (plan.args.model.adapter_name_or_path) adapters = split_list(*plan.args.model.adapter_name_or_path);
  // As LLaMA-Factory: earlier adapters are merged; the last one is trained
  // further unless create_new_adapter asks for a fresh one on top.
  size_t merge_count = adapters.size();
  if (!adapters.empty() && !ft.create_new_adapter) merge_count = adapters.size() - 1;
  for (size_t i = 0; i < merge_count; ++i) {
    models::load_peft_adapter(adapters[i], model, false);
    models::merge_lora(model);
    log::info("Merged adapter ", adapters[i]);
  }
  if (merge_count < adapters.size()) {
    models::LoraConfig loaded;
    t.adapters = models::load_peft_adapter(adapters.back(), model, true, &loaded);
    t.lora.rank = loaded.rank;
    t.lora.alpha = loaded.alpha;
    t.lora.use_rslora = loaded.use_rslora;
    // The adapter's modules_to_save were loaded as parameters; as PEFT, its
    // saved configuration decides them.
    if (ft.additional_target && t.lora.modules_to_save != loaded.modules_to_save) {
      log::warn("additional_target is ignored when training an existing adapter further: "
                "its adapter_config.json decides modules_to_save");
    }
    t.lora.modules_to_save = loaded.modules_to_save;
    t.lora.saved_weights = loaded.saved_weights;
    log::info("Resume training from adapter ", adapters.back());
  } else {
    auto linears = models::select_lora_targets(model, t.lora.target);
    std::set<std::string> names;
    for (auto& [name, lin] : linears) names.insert(name.substr(name.rfind('.') + 1));
    std::string found;
    for (const auto& n : names) found += (found.empty() ? "" : ",") + n;
    log::info("Found linear modules: ", found);
    t.adapters = models::attach_lora(model, t.lora, static_cast<uint64_t>(plan.args.training.seed));
  }
  if (merge_count == adapters.size() && !t.lora.modules_to_save.empty())
    models::train_modules_to_save(model, t.lora);
  auto params = models::lora_parameters(t.adapters);
  for (auto& p : models::saved_module_parameters(t.lora)) params.push_back(std::move(p));
  for (auto& [name, var] : params) {
    t.params.push_back({name, var});
    t.trainable_count += var.value().numel();
  }
}

void setup_freeze(models::Decoder& model, const TrainPlan& plan, Trainable& t) {
  const auto& ft = plan.args.finetuning;
  int64_t layers = model.spec().num_hidden_layers;
  int64_t n = ft.freeze_trainable_layers;
  LF_CHECK(n != 0 && std::llabs(n) <= layers, "freeze_trainable_layers must be between -", layers,
           " and ", layers, " (not 0) for this model, got ", n);
  std::set<int64_t> ids;
  if (n > 0) for (int64_t i = layers - n; i < layers; ++i) ids.insert(i);
  else for (int64_t i = 0; i < -n; ++i) ids.insert(i);
  std::vector<std::string> modules = split_list(ft.freeze_trainable_modules);
  bool all_modules = modules.size() == 1 && modules[0] == "all";
  std::vector<std::string> extra;
  if (ft.freeze_extra_modules) extra = split_list(*ft.freeze_extra_modules);
  std::set<std::string> matched_modules;
  for (auto& [name, var] : model.named_weights()) {
    bool take = false;
    for (int64_t id : ids) {
      std::string prefix = "model.layers." + std::to_string(id) + ".";
      if (name.rfind(prefix, 0) != 0) continue;
      if (all_modules) take = true;
      for (const auto& m : modules) {
        if (name.find("." + m + ".") != std::string::npos) {
          take = true;
          matched_modules.insert(m);
        }
      }
    }
    for (const auto& m : extra) {
      if (name.find(m) != std::string::npos && name.rfind("model.layers.", 0) != 0) take = true;
    }
    if (take) make_trainable(name, var, t);
  }
  if (!all_modules) {
    for (const auto& m : modules) {
      LF_CHECK(matched_modules.count(m), "freeze_trainable_modules: module ", m,
               " not found in the trainable layers; use all or names such as mlp, self_attn");
    }
  }
  LF_CHECK(!t.params.empty(), "freeze settings select no trainable weight");
}

}  // namespace

Trainable setup_trainable(models::Decoder& model, const TrainPlan& plan) {
  Trainable t;
  t.all_count = count_weights(model);
  switch (plan.method) {
    case Method::lora:
      setup_lora(model, plan, t);
      t.all_count += t.trainable_count;
      break;
    case Method::full:
      for (auto& [name, var] : model.named_weights()) make_trainable(name, var, t);
      break;
    case Method::freeze:
      setup_freeze(model, plan, t);
      break;
  }
  log::info(param_summary(t.trainable_count, t.all_count));
  return t;
}

}  // namespace lf::train
