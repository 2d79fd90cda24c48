// The `shewhart` command line: parses arguments, runs the command, maps the outcome to an exit
// status. This is the only place that decides exit statuses:
//   0  success;
//   2  invalid input or options (nothing was written; the reasons are on stderr);
//   1  any other failure (a file could not be read or written).
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
