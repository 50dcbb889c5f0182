// Commands whose implementation has not landed yet: they check the config
// they were given (so mistakes surface now) and then refuse, never pretend.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace lf::cli {

// Parses `args` against `groups` (hparams::Group bits), then throws an
// lf::Error saying `command` is not available in this build.
[[noreturn]] void refuse_unavailable(const char* command, const std::vector<std::string>& args,
                                     uint32_t groups);

}  // namespace lf::cli
