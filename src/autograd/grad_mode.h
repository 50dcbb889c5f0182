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

// A checkpoint's re-run rebuilds its body's graph for backward, which reads
// the body's inputs and what its ops save, never the body's output value. A
// body wraps the ops that only produce that output (a decoder layer: its last
// projection and residual add) in an UnreadOutput scope; during a re-run they
// record themselves without computing their value (output_unread() is true).
class UnreadOutput {
 public:
  UnreadOutput();
  ~UnreadOutput();
  UnreadOutput(const UnreadOutput&) = delete;
  UnreadOutput& operator=(const UnreadOutput&) = delete;

 private:
  bool prev_;
};
bool output_unread();

// Set by checkpoint(): true for its re-run, false for its first forward (a
// nested checkpoint's body must compute its values there).
class RecomputeGuard {
 public:
  explicit RecomputeGuard(bool recomputing);
  ~RecomputeGuard();
  RecomputeGuard(const RecomputeGuard&) = delete;
  RecomputeGuard& operator=(const RecomputeGuard&) = delete;

 private:
  bool prev_recomputing_, prev_unread_;
};

// Inference: ops record nothing and keep no activations for backward.
class NoGradGuard : public GradModeGuard {
 public:
  NoGradGuard() : GradModeGuard(GradMode::off) {}
};

}  // namespace lf::ag
