#include "autograd/checkpoint.h"

#include "autograd/capture.h"
#include "autograd/grad_mode.h"
#include "autograd/node.h"
#include "autograd/random.h"
#include "autograd/tape.h"

namespace lf::ag {

namespace {

// Sets the dropout seed stream for a scope, then puts the previous state back.
class RngScope {
 public:
  explicit RngScope(uint64_t state) : outer_(rng_state()) { set_rng_state(state); }
  ~RngScope() { set_rng_state(outer_); }
  RngScope(const RngScope&) = delete;
  RngScope& operator=(const RngScope&) = delete;

 private:
  uint64_t outer_;
};

// Re-runs fn with recording on fresh leaves standing in for the inputs,
// backpropagates dout through the recreated graph (parameters receive their
// gradients directly) and hands the inputs' gradients to the outer walk.
void rerun_backward(const CheckpointFn& fn, const std::vector<Var>& saved, uint64_t rng,
                    const Tensor& dout, Grads& grads) {
  uint64_t first = next_seq();
  std::vector<Var> fresh;
  fresh.reserve(saved.size());
  for (const Var& v : saved) {
    fresh.push_back(v.requires_grad()
                        ? Var(v.value(), new_node(NodeKind::input, "checkpoint input", v.value()))
                        : Var(v.value()));
  }
  Var out;
  {
    RngScope same_masks(rng);
    GradModeGuard recording(GradMode::record);
    RecomputeGuard rerun(true);
    out = fn(fresh);
  }
  run_backward(out, dout, first);
  for (size_t i = 0; i < fresh.size(); ++i) {
    if (grads.wants(i) && fresh[i].node()->grad.defined()) grads.add(i, fresh[i].node()->grad);
  }
}

}  // namespace

Var checkpoint(const CheckpointFn& fn, const std::vector<Var>& inputs) {
  // Without recording there is nothing to save; inside another checkpoint's
  // forward, that checkpoint already saves only its own inputs.
  if (grad_mode() != GradMode::record) return fn(inputs);
  uint64_t rng = rng_state();
  Var out;
  std::vector<std::shared_ptr<Node>> reads;
  {
    // Track mode: results know whether they require grad (a parameter used
    // inside makes the output require grad even when no input does), but
    // keep nothing for backward.
    GradModeGuard tracking(GradMode::track);
    RecomputeGuard first_run(false);
    ParameterCapture capture;
    out = fn(inputs);
    reads = capture.take();
  }
  if (!out.requires_grad()) return Var(out.value());
  Var result = record_node("checkpoint", out.value(), inputs,
                           [fn, saved = inputs, rng](const Tensor& dout, Grads& grads) {
                             rerun_backward(fn, saved, rng, dout, grads);
                           });
  result.node()->captured = std::move(reads);
  return result;
}

}  // namespace lf::ag
