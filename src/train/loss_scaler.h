// Dynamic loss scaling for fp16 training (what torch's GradScaler does, with
// its defaults): the loss is multiplied by `scale` before backward so small
// gradients survive in fp16; a step whose gradients overflow is skipped and
// the scale halved; after `interval` good steps in a row the scale doubles.
#pragma once
#include <cstdint>

namespace lf::train {

class LossScaler {
 public:
  explicit LossScaler(bool enabled, double init_scale = 65536.0, int64_t interval = 2000)
      : enabled_(enabled), scale_(enabled ? init_scale : 1.0), interval_(interval) {}

  bool enabled() const { return enabled_; }
  double scale() const { return scale_; }
  int64_t good_steps() const { return good_steps_; }
  // After an optimiser step: were the unscaled gradients finite?
  void update(bool finite);
  void restore(double scale, int64_t good_steps);

 private:
  bool enabled_;
  double scale_;
  int64_t interval_, good_steps_ = 0;
};

}  // namespace lf::train
