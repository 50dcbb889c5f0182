// checkpoint-N directories (written atomically) and the final model files:
// the adapter (LoRA) or the full weights with config and tokenizer files,
// optimizer moments, trainer_state.json, and our resume state (data position,
// dropout RNG) so a resumed run repeats the uninterrupted one exactly.
#pragma once
#include <cstdint>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "models/decoder.h"
#include "train/optimizer.h"
#include "train/train_plan.h"
#include "train/trainable.h"

namespace lf::train {

struct Progress {
  int64_t global_step = 0;       // optimizer steps done
  int64_t epoch = 0;             // current epoch (0-based)
  int64_t micro_in_epoch = 0;    // micro-batches of this epoch already consumed
  uint64_t dropout_rng = 0;
  int64_t total_tokens = 0;
  double total_flos = 0;         // the HF Trainer's estimate (trainer.cpp)
  double loss_scale = 1.0;       // fp16 dynamic loss scaling state
  int64_t loss_scale_good_steps = 0;
  // Processes of the run that wrote the checkpoint: the data position counts
  // global batches, so a resume must keep the world size.
  int world_size = 1;
};

// Adapter or full weights (+ config.json, generation_config.json, tokenizer files).
void save_model_files(const std::filesystem::path& dir, const models::Decoder& model,
                      const Trainable& trainable, const TrainPlan& plan);

// Writes output_dir/checkpoint-<step> atomically; removes the oldest ones
// beyond save_total_limit.
std::filesystem::path save_checkpoint(const models::Decoder& model, const Trainable& trainable,
                                      const AdamW& optimizer, const Progress& progress,
                                      const nlohmann::json& trainer_state, const TrainPlan& plan);

// Restores trainable weights and optimizer state; returns the progress and
// the checkpoint's trainer_state.json.
Progress load_checkpoint(const std::filesystem::path& dir, Trainable& trainable, AdamW& optimizer,
                         nlohmann::json* trainer_state);

}  // namespace lf::train
