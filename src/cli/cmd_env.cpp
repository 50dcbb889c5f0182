#include <cstdio>

#include "cli/command.h"
#include "cli/env_report.h"
#include "core/error.h"

namespace {

int run_env(const std::vector<std::string>& args) {
  LF_CHECK(args.empty(), "`llamafactory-cli env` takes no arguments (got '", args[0], "')");
  std::fputs(lf::cli::format_env(lf::cli::collect_env()).c_str(), stdout);
  return 0;
}

}  // namespace

LF_REGISTER_COMMAND(env, "env", "show environment info", run_env);
