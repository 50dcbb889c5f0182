#include <cstdio>

#include "build_info.h"
#include "cli/command.h"
#include "cli/usage.h"

namespace {

int run_version(const std::vector<std::string>&) {
  std::fputs(lf::cli::boxed({std::string("Welcome to llamafactory.cpp, version ") + LF_VERSION,
                             "",
                             "LLaMA-Factory's CLI, configs and API in native C++.",
                             "Run `llamafactory-cli help` for the commands."})
                 .c_str(),
             stdout);
  return 0;
}

}  // namespace

LF_REGISTER_COMMAND(version, "version", "show version info", run_version);
