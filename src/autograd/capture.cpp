#include "autograd/capture.h"

namespace lf::ag {
namespace {
thread_local ParameterCapture* t_active = nullptr;
}  // namespace

ParameterCapture::ParameterCapture() : outer_(t_active) { t_active = this; }

ParameterCapture::~ParameterCapture() { t_active = outer_; }

void ParameterCapture::note(const std::shared_ptr<Node>& n) {
  ParameterCapture* c = t_active;
  if (c && n && n->kind == NodeKind::parameter && c->seen_.insert(n.get()).second)
    c->params_.push_back(n);
}

}  // namespace lf::ag
