#include "autograd/grad_mode.h"

namespace lf::ag {
namespace {
thread_local GradMode t_mode = GradMode::record;
}  // namespace

GradMode grad_mode() { return t_mode; }

GradModeGuard::GradModeGuard(GradMode mode) : prev_(t_mode) { t_mode = mode; }

GradModeGuard::~GradModeGuard() { t_mode = prev_; }

}  // namespace lf::ag
