#include "train/loss_scaler.h"

namespace lf::train {

void LossScaler::update(bool finite) {
  if (!enabled_) return;
  if (!finite) {
    scale_ *= 0.5;
    good_steps_ = 0;
    return;
  }
  if (++good_steps_ >= interval_) {
    scale_ *= 2.0;
    good_steps_ = 0;
  }
}

void LossScaler::restore(double scale, int64_t good_steps) {
  if (!enabled_) return;
  scale_ = scale;
  good_steps_ = good_steps;
}

}  // namespace lf::train
