// LLaMA-Factory's truthiness rule for environment flags (extras/misc.py
// is_env_enabled): the lower-cased value is one of `true`, `y`, `1`.
#pragma once
#include <string_view>

namespace lf::hparams {

bool is_truthy(std::string_view value);
// False when the variable is unset.
bool env_flag(const char* name);

}  // namespace lf::hparams
