// Chooses and prepares what a run trains: LoRA adapters (fresh or continued
// from adapter_name_or_path), every weight (full), or the last / first N
// layers (freeze). Trainable tensors become f32 parameters.
#pragma once
#include <string>
#include <vector>

#include "models/decoder.h"
#include "models/lora.h"
#include "train/optimizer.h"
#include "train/train_plan.h"

namespace lf::train {

struct Trainable {
  std::vector<NamedParam> params;
  std::vector<models::AttachedLora> adapters;  // LoRA only
  models::LoraConfig lora;
  int64_t trainable_count = 0, all_count = 0;
};

Trainable setup_trainable(models::Decoder& model, const TrainPlan& plan);

// "trainable params: 1,234 || all params: 5,678 || trainable%: 21.7330"
std::string param_summary(int64_t trainable, int64_t all);

}  // namespace lf::train
