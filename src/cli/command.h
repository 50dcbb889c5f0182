// Subcommands of llamafactory-cli register themselves here, one file each
// (src/cli/cmd_<name>.cpp), so adding a command touches no shared file.
#pragma once
#include <string>
#include <vector>

namespace lf::cli {

struct Command {
  const char* name;     // "train"
  const char* summary;  // one line for the usage banner
  // args: everything after the command name. Returns the process exit code.
  int (*run)(const std::vector<std::string>& args);
};

const std::vector<Command>& commands();

struct CommandRegistrar {
  explicit CommandRegistrar(const Command& c);
};

}  // namespace lf::cli

#define LF_REGISTER_COMMAND(ident, name, summary, fn) \
  static ::lf::cli::CommandRegistrar lf_command_##ident({name, summary, fn})
