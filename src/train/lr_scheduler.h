// Learning-rate schedules with Hugging Face transformers' formulas (warmup then
// decay), so the same YAML gives the same lr curve as LLaMA-Factory.
#pragma once
#include <cstdint>
#include <string>

namespace lf::train {

enum class SchedulerType {
  linear, cosine, constant, constant_with_warmup, cosine_with_restarts, polynomial
};

SchedulerType parse_scheduler(const std::string& name);  // clear error for others

struct SchedulerConfig {
  SchedulerType type = SchedulerType::linear;
  double base_lr = 5e-5;
  int64_t warmup_steps = 0;
  int64_t total_steps = 1;
  double num_cycles = 0.5;   // cosine: 0.5 = half a cosine wave down to 0
  int64_t restarts = 1;      // cosine_with_restarts: number of hard restarts
  double lr_end = 1e-7;      // polynomial
  double power = 1.0;        // polynomial
};

// Warmup steps from warmup_steps, else ceil(warmup_ratio * total), as HF does.
int64_t resolve_warmup_steps(int64_t warmup_steps, double warmup_ratio, int64_t total_steps);

// Learning rate used for optimiser step `step` (0-based: the first update uses step 0).
double learning_rate_at(const SchedulerConfig& c, int64_t step);

}  // namespace lf::train
