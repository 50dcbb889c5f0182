#include "train/lr_scheduler.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace lf::train {

SchedulerType parse_scheduler(const std::string& name) {
  if (name == "linear") return SchedulerType::linear;
  if (name == "cosine") return SchedulerType::cosine;
  if (name == "constant") return SchedulerType::constant;
  if (name == "constant_with_warmup") return SchedulerType::constant_with_warmup;
  if (name == "cosine_with_restarts") return SchedulerType::cosine_with_restarts;
  if (name == "polynomial") return SchedulerType::polynomial;
  fail("lr_scheduler_type '", name,
       "' is not supported: use linear, cosine, constant, constant_with_warmup, "
       "cosine_with_restarts or polynomial");
}

int64_t resolve_warmup_steps(int64_t warmup_steps, double warmup_ratio, int64_t total_steps) {
  if (warmup_steps > 0) return warmup_steps;
  return static_cast<int64_t>(std::ceil(warmup_ratio * static_cast<double>(total_steps)));
}

namespace {

// The multiplier of base_lr, following transformers' get_*_schedule_with_warmup lambdas.
double factor(const SchedulerConfig& c, int64_t step) {
  const double s = static_cast<double>(step);
  const double w = static_cast<double>(c.warmup_steps);
  const double t = static_cast<double>(c.total_steps);
  const bool warming = step < c.warmup_steps;
  const double warm = s / std::max(1.0, w);
  switch (c.type) {
    case SchedulerType::constant:
      return 1.0;
    case SchedulerType::constant_with_warmup:
      return warming ? warm : 1.0;
    case SchedulerType::linear:
      if (warming) return warm;
      return std::max(0.0, (t - s) / std::max(1.0, t - w));
    case SchedulerType::cosine: {
      if (warming) return warm;
      double progress = (s - w) / std::max(1.0, t - w);
      return std::max(0.0, 0.5 * (1.0 + std::cos(M_PI * c.num_cycles * 2.0 * progress)));
    }
    case SchedulerType::cosine_with_restarts: {
      if (warming) return warm;
      double progress = (s - w) / std::max(1.0, t - w);
      if (progress >= 1.0) return 0.0;
      double cycles = static_cast<double>(c.restarts);
      return std::max(0.0, 0.5 * (1.0 + std::cos(M_PI * std::fmod(cycles * progress, 1.0))));
    }
    case SchedulerType::polynomial: {
      if (warming) return warm;
      if (s > t) return c.lr_end / c.base_lr;
      double range = c.base_lr - c.lr_end;
      double remaining = 1.0 - (s - w) / std::max(1.0, t - w);
      return (range * std::pow(remaining, c.power) + c.lr_end) / c.base_lr;
    }
  }
  return 1.0;
}

}  // namespace

double learning_rate_at(const SchedulerConfig& c, int64_t step) {
  return c.base_lr * factor(c, step);
}

}  // namespace lf::train
