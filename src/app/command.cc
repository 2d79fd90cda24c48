#include "app/command.h"

#include <CLI/CLI.hpp>
#include <iostream>

namespace shewhart::app {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitInvalidInput = 2;

}  // namespace

void CommandSet::Bind(CLI::App* subcommand, CommandFn fn) {
  subcommand->callback([chosen = chosen_, fn = std::move(fn)] { *chosen = fn; });
}

int ExitStatusOf(const Status& status) {
  if (status.ok()) return kExitOk;
  return status.code() == StatusCode::kInvalidArgument ? kExitInvalidInput : kExitFailure;
}

int ParseAndRun(CLI::App& app, CommandSet& commands, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitInvalidInput;
  }
  if (!*commands.chosen_) {
    std::cerr << app.help();
    return kExitInvalidInput;
  }
  std::string notes;
  const Status status = (*commands.chosen_)(&notes);
  std::cout.flush();
  std::cerr << notes;
  if (!status.ok()) {
    std::string message = status.message();
    if (status.code() == StatusCode::kResourceExhausted) {
      message += "\nThe database is busy (another import?); nothing was written. Try again.";
    }
    std::cerr << message;
    if (message.empty() || message.back() != '\n') std::cerr << '\n';
  }
  std::cerr.flush();
  return ExitStatusOf(status);
}

}  // namespace shewhart::app
