#include "train/checkpoint.h"

#include <algorithm>
#include <map>
#include <regex>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/log.h"
#include "models/safetensors.h"

namespace fs = std::filesystem;

namespace lf::train {
namespace {

constexpr uint64_t kShardBytes = 5ull << 30;  // transformers' default max_shard_size

void copy_if_present(const fs::path& from_dir, const fs::path& to_dir, const char* name) {
  std::error_code ec;
  if (fs::exists(from_dir / name)) {
    fs::copy_file(from_dir / name, to_dir / name, fs::copy_options::overwrite_existing, ec);
    LF_CHECK(!ec, "cannot copy ", (from_dir / name).string(), ": ", ec.message());
  }
}

}  // namespace

void save_model_files(const fs::path& dir, const models::Decoder& model,
                      const Trainable& trainable, const TrainPlan& plan) {
  fs::create_directories(dir);
  if (plan.method == Method::lora) {
    models::save_peft_adapter(dir, trainable.adapters, trainable.lora, plan.model_dir.string());
  } else {
    std::vector<models::NamedTensor> tensors;
    auto& m = const_cast<models::Decoder&>(model);
    for (auto& [name, var] : m.named_weights()) tensors.emplace_back(name, var->value());
    models::write_safetensors_sharded(dir, tensors, kShardBytes);
    for (const char* f : {"config.json", "generation_config.json"}) copy_if_present(plan.model_dir, dir, f);
  }
  // The HF Trainer saves the tokenizer with every model save, adapters
  // included: what tokenizer.save_pretrained writes, as the model has it.
  for (const char* f : {"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
                        "tokenizer.model", "vocab.json", "merges.txt", "added_tokens.json",
                        "chat_template.jinja"}) {
    copy_if_present(plan.model_dir, dir, f);
  }
}

fs::path save_checkpoint(const models::Decoder& model, const Trainable& trainable,
                         const AdamW& optimizer, const Progress& progress,
                         const nlohmann::json& trainer_state, const TrainPlan& plan) {
  fs::path final_dir = plan.output_dir / ("checkpoint-" + std::to_string(progress.global_step));
  {
    AtomicDir dir(final_dir);
    save_model_files(dir.path(), model, trainable, plan);
    std::vector<models::NamedTensor> state;
    for (auto& [name, t] : optimizer.state_tensors()) state.emplace_back(name, t);
    models::write_safetensors(dir.path() / "optimizer.safetensors", state);
    write_file_atomic(dir.path() / "trainer_state.json", trainer_state.dump(2) + "\n");
    nlohmann::json resume = {{"global_step", progress.global_step},
                             {"epoch", progress.epoch},
                             {"micro_in_epoch", progress.micro_in_epoch},
                             {"dropout_rng", progress.dropout_rng},
                             {"total_tokens", progress.total_tokens},
                             {"total_flos", progress.total_flos},
                             {"loss_scale", progress.loss_scale},
                             {"loss_scale_good_steps", progress.loss_scale_good_steps},
                             {"optimizer_steps", optimizer.steps_taken()},
                             {"world_size", progress.world_size}};
    write_file_atomic(dir.path() / "resume_state.json", resume.dump(2) + "\n");
    dir.commit();
  }
  if (auto limit = plan.args.training.save_total_limit; limit && *limit > 0) {
    static const std::regex pattern(R"(checkpoint-(\d+))");
    std::vector<std::pair<long, fs::path>> all;
    for (const auto& e : fs::directory_iterator(plan.output_dir)) {
      std::smatch m;
      std::string name = e.path().filename().string();
      if (e.is_directory() && std::regex_match(name, m, pattern)) all.emplace_back(std::stol(m[1]), e.path());
    }
    std::sort(all.begin(), all.end());
    for (size_t i = 0; i + static_cast<size_t>(*limit) < all.size(); ++i) {
      log::info("Deleting older checkpoint [", all[i].second.string(), "] due to args.save_total_limit");
      fs::remove_all(all[i].second);
    }
  }
  return final_dir;
}

Progress load_checkpoint(const fs::path& dir, Trainable& trainable, AdamW& optimizer,
                         nlohmann::json* trainer_state) {
  fs::path resume_file = dir / "resume_state.json";
  LF_CHECK(fs::exists(resume_file), "checkpoint ", dir.string(),
           " has no resume_state.json: it was not written by llamafactory.cpp or is incomplete");
  nlohmann::json resume;
  try {
    resume = nlohmann::json::parse(read_file(resume_file));
    *trainer_state = nlohmann::json::parse(read_file(dir / "trainer_state.json"));
  } catch (const nlohmann::json::exception& e) {
    fail("checkpoint ", dir.string(), ": damaged JSON (", e.what(), ")");
  }
  // Trainable weights: the adapter file or the full weights, by parameter name.
  fs::path weights_path = fs::exists(dir / "adapter_model.safetensors")
                              ? dir / "adapter_model.safetensors"
                              : dir;
  models::WeightSet weights = models::WeightSet::open(weights_path);
  for (auto& p : trainable.params) {
    LF_CHECK(weights.contains(p.name), "checkpoint ", dir.string(), " has no tensor ", p.name,
             ": it was written with other finetuning settings");
    Tensor value = p.var.value();
    Tensor loaded = weights.load(p.name, DType::f32, value.device());
    LF_CHECK(loaded.shape() == value.shape(), "checkpoint ", dir.string(), ": ", p.name,
             " has shape ", shape_str(loaded.shape()), ", expected ", shape_str(value.shape()));
    value.copy_from(loaded);
  }
  models::WeightSet opt = models::WeightSet::open(dir / "optimizer.safetensors");
  std::map<std::string, Tensor> state;
  for (const auto& name : opt.names()) state[name] = opt.load(name, DType::f32);
  optimizer.load_state(state, resume.at("optimizer_steps").get<int64_t>());
  Progress p;
  p.global_step = resume.at("global_step").get<int64_t>();
  p.epoch = resume.at("epoch").get<int64_t>();
  p.micro_in_epoch = resume.at("micro_in_epoch").get<int64_t>();
  p.dropout_rng = resume.at("dropout_rng").get<uint64_t>();
  p.total_tokens = resume.value("total_tokens", int64_t{0});
  p.total_flos = resume.value("total_flos", 0.0);
  p.loss_scale = resume.value("loss_scale", 1.0);
  p.loss_scale_good_steps = resume.value("loss_scale_good_steps", int64_t{0});
  p.world_size = resume.value("world_size", 1);
  return p;
}

}  // namespace lf::train
