#include <cstdio>

#include "cli/command.h"
#include "cli/usage.h"

namespace {

int run_help(const std::vector<std::string>&) {
  std::fputs(lf::cli::usage_text().c_str(), stdout);
  return 0;
}

}  // namespace

LF_REGISTER_COMMAND(help, "help", "show this usage", run_help);
