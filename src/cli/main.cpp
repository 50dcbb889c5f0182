// llamafactory-cli (alias lmf): dispatches to the registered subcommands.
// Every failure ends here as `[ERROR] message` and exit status 1, never a trace.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/usage.h"
#include "core/error.h"
#include "core/log.h"
#include "ops/backend.h"

namespace {

constexpr int kExitUsage = 2;

int dispatch(const std::vector<std::string>& argv) {
  if (argv.empty()) {
    std::fputs(lf::cli::usage_text().c_str(), stdout);
    return 0;
  }
  const std::string& name = argv[0];
  for (const auto& c : lf::cli::commands()) {
    if (name == c.name) {
      lf::log::debug("running command ", name);
      return c.run(std::vector<std::string>(argv.begin() + 1, argv.end()));
    }
  }
  if (name == "-h" || name == "--help") {
    std::fputs(lf::cli::usage_text().c_str(), stdout);
    return 0;
  }
  std::fprintf(stderr, "Unknown command: %s.\n%s", name.c_str(), lf::cli::usage_text().c_str());
  return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    // Every compiled backend registers before any command looks for devices.
    lf::ops::init_backends();
    return dispatch(args);
  } catch (const lf::Error& e) {
    std::fprintf(stderr, "[ERROR] %s\n", e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "[ERROR] internal error: %s. Please report it with the command you ran.\n",
                 e.what());
  }
  return 1;
}
