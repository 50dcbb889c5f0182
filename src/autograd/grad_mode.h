// Whether ops record themselves on the tape (per thread).
#pragma once

namespace lf::ag {

enum class GradMode {
  record,  // training: ops that touch a Var requiring grad save what backward needs
  track,   // a checkpoint's first forward: results know they require grad, nothing is saved
  off,     // inference: nothing requires grad
};

GradMode grad_mode();

// Sets the mode for a scope and restores the previous one on exit.
class GradModeGuard {
 public:
  explicit GradModeGuard(GradMode mode);
  ~GradModeGuard();
  GradModeGuard(const GradModeGuard&) = delete;
  GradModeGuard& operator=(const GradModeGuard&) = delete;

 private:
  GradMode prev_;
};

// Inference: ops record nothing and keep no activations for backward.
class NoGradGuard : public GradModeGuard {
 public:
  NoGradGuard() : GradModeGuard(GradMode::off) {}
};

}  // namespace lf::ag
