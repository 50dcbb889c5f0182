#include "autograd/grad_mode.h"

namespace lf::ag {
namespace {
thread_local GradMode t_mode = GradMode::record;
thread_local bool t_recomputing = false;
thread_local bool t_unread_scope = false;
}  // namespace

GradMode grad_mode() { return t_mode; }

GradModeGuard::GradModeGuard(GradMode mode) : prev_(t_mode) { t_mode = mode; }

GradModeGuard::~GradModeGuard() { t_mode = prev_; }

UnreadOutput::UnreadOutput() : prev_(t_unread_scope) { t_unread_scope = true; }

UnreadOutput::~UnreadOutput() { t_unread_scope = prev_; }

bool output_unread() { return t_recomputing && t_unread_scope; }

// A scope of the enclosing body does not reach into a nested checkpoint's body.
RecomputeGuard::RecomputeGuard(bool recomputing)
    : prev_recomputing_(t_recomputing), prev_unread_(t_unread_scope) {
  t_recomputing = recomputing;
  t_unread_scope = false;
}

RecomputeGuard::~RecomputeGuard() {
  t_recomputing = prev_recomputing_;
  t_unread_scope = prev_unread_;
}

}  // namespace lf::ag
