// `llamafactory-cli chat`: a streaming terminal chat with history. `clear`
// resets the history, `exit` quits; with stdin a pipe, each line is one user
// turn, so scripts and tests can drive it.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "cli/command.h"
#include "core/error.h"
#include "hparams/args.h"
#include "infer/chat_engine.h"

namespace {

int run_chat(const std::vector<std::string>& args) {
  lf::hparams::Args parsed = lf::hparams::parse_args(args, lf::hparams::kInferGroups);
  lf::infer::ChatEngine engine(parsed);
  const bool tty = isatty(0) != 0;
  std::vector<lf::data::Message> history;
  std::puts("Welcome to the CLI application, use `clear` to remove the history, use `exit` to exit the application.");
  std::string line;
  while (true) {
    if (tty) std::fputs("\nUser: ", stdout);
    std::fflush(stdout);
    if (!std::getline(std::cin, line)) break;
    if (line == "exit") break;
    if (line == "clear") {
      history.clear();
      std::puts("History has been removed.");
      continue;
    }
    if (line.empty()) continue;
    history.push_back({lf::data::Role::user, line});
    std::fputs("Assistant: ", stdout);
    lf::infer::Reply reply;
    try {
      reply = engine.chat(history, "", "", {}, [](const std::string& piece) {
        std::fputs(piece.c_str(), stdout);
        std::fflush(stdout);
      });
    } catch (const lf::Error& e) {
      // One failed turn (e.g. a prompt longer than the context) leaves the session usable.
      history.pop_back();
      std::printf("\n[ERROR] %s\n", e.what());
      continue;
    }
    std::fputs("\n", stdout);
    history.push_back({lf::data::Role::assistant, reply.text});
  }
  return 0;
}

}  // namespace

LF_REGISTER_COMMAND(chat, "chat", "launch a chat interface in CLI", run_chat);
