// For tests of `shewhart` commands: runs `shewhart ARGS...` in a child process, as a person would
// (a command may end the process), with the subcommands that `add(app, commands)` declares, and
// returns its exit status (-1 if it did not exit). The child's standard output — and its standard
// error with `quiet_errors` — go to /dev/null so the test log stays readable.
//
// Example:
//   EXPECT_EQ(RunCommand({"init", "--db", db}, AddDataCommands), 0);
#ifndef SHEWHART_APP_TESTING_RUN_COMMAND_H_
#define SHEWHART_APP_TESTING_RUN_COMMAND_H_

#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "app/command.h"

namespace shewhart::app::testing {

template <typename Add>
int RunCommand(std::vector<std::string> args, Add add, bool quiet_errors = false) {
  const pid_t pid = fork();
  if (pid == 0) {
    std::freopen("/dev/null", "w", stdout);
    if (quiet_errors) std::freopen("/dev/null", "w", stderr);
    args.insert(args.begin(), "shewhart");
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    CLI::App app{"test"};
    app.require_subcommand(1);
    CommandSet commands;
    add(app, commands);
    std::cout.flush();
    _exit(ParseAndRun(app, commands, static_cast<int>(argv.size()), argv.data()));
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace shewhart::app::testing

#endif  // SHEWHART_APP_TESTING_RUN_COMMAND_H_
