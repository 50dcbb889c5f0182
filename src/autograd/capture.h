// Which parameters a checkpoint's body reads. The body first runs in track
// mode, where no node records its inputs, so the checkpoint node would not
// know which leaves its re-run in backward adds gradients to. A backward walk
// that reports finished gradients (grad_ready.h) needs exactly that.
#pragma once
#include <memory>
#include <unordered_set>
#include <vector>

#include "autograd/node.h"

namespace lf::ag {

// While alive, collects (on this thread) the parameters that track-mode ops
// read: record() calls note() for its inputs.
class ParameterCapture {
 public:
  ParameterCapture();
  ~ParameterCapture();
  ParameterCapture(const ParameterCapture&) = delete;
  ParameterCapture& operator=(const ParameterCapture&) = delete;

  // The parameters noted so far, each once, in first-use order.
  std::vector<std::shared_ptr<Node>> take() { return std::move(params_); }

  // Notes `n` in this thread's active capture, if it is a parameter.
  static void note(const std::shared_ptr<Node>& n);

 private:
  ParameterCapture* outer_;
  std::vector<std::shared_ptr<Node>> params_;
  std::unordered_set<const Node*> seen_;
};

}  // namespace lf::ag
