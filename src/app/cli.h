// The `shewhart` command line: every command (spc, funnel, compare, trend, init, import, export,
// demo, serve, user add) declared and bound the one way app/command.h describes; exit statuses
// are decided by app::ExitStatusOf alone.
//
// Example:
//   int main(int argc, char** argv) { return shewhart::app::RunCli(argc, argv); }
#ifndef SHEWHART_APP_CLI_H_
#define SHEWHART_APP_CLI_H_

namespace shewhart::app {

// Runs `shewhart` with the given arguments (argv[0] is the program name). Writes results to the
// files named in the arguments, messages to stderr, help and version text to stdout.
int RunCli(int argc, char** argv);

}  // namespace shewhart::app

#endif  // SHEWHART_APP_CLI_H_
