// The one way to write a `shewhart` command: options parsed by CLI11 into a typed struct, then a
// function from those options to a Status (with optional notes for the user). Each
// Add*Commands(app, commands) declares its subcommands and binds each to its function with
// CommandSet::Bind; ParseAndRun parses, runs the chosen command, prints its notes and error, and
// maps the Status to the exit status — the only place exit statuses are decided:
//   0  success;
//   2  invalid input or options (nothing was written; every reason is on stderr);
//   1  any other failure (a file or the database could not be read or written).
// Commands never exit the process or throw to report an outcome.
//
// Example:
//   CLI::App app{"..."};
//   CommandSet commands;
//   auto o = std::make_shared<InitOptions>();
//   CLI::App* init = app.add_subcommand("init", "Create the database");
//   init->add_option("--db", o->db);
//   commands.Bind(init, [o](std::string* notes) { return RunInit(*o, notes); });
//   return ParseAndRun(app, commands, argc, argv);
#ifndef SHEWHART_APP_COMMAND_H_
#define SHEWHART_APP_COMMAND_H_

#include <functional>
#include <memory>
#include <string>

#include "base/status.h"

namespace CLI {
class App;
}  // namespace CLI

namespace shewhart::app {

// What a command does once its options are parsed. `notes` are printed to stderr before any
// error (warnings, a summary for the analyst); results go to files or stdout.
using CommandFn = std::function<Status(std::string* notes)>;

class CommandSet {
 public:
  // Runs `fn` when `subcommand` is the one chosen on the command line.
  void Bind(CLI::App* subcommand, CommandFn fn);

 private:
  friend int ParseAndRun(CLI::App& app, CommandSet& commands, int argc, char** argv);
  std::shared_ptr<CommandFn> chosen_ = std::make_shared<CommandFn>();
};

// The exit status of a command's outcome (see above).
int ExitStatusOf(const Status& status);

// Parses `argv` with `app`, runs the command bound to the chosen subcommand, writes its notes and
// its error (with advice where there is some: a busy database) to stderr, and returns the exit
// status. Help and --version print and return 0; a parse error prints CLI11's message and
// returns 2.
int ParseAndRun(CLI::App& app, CommandSet& commands, int argc, char** argv);

}  // namespace shewhart::app

#endif  // SHEWHART_APP_COMMAND_H_
