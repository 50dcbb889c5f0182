#include "cli/command.h"

namespace lf::cli {
namespace {

// A function-local static so registrars in other files may run first.
std::vector<Command>& mutable_commands() {
  static std::vector<Command> list;
  return list;
}

}  // namespace

const std::vector<Command>& commands() { return mutable_commands(); }

CommandRegistrar::CommandRegistrar(const Command& c) { mutable_commands().push_back(c); }

}  // namespace lf::cli
