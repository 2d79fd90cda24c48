// The server commands of the `shewhart` command line: serve the API and the web front end, and
// create accounts.
//
//   shewhart serve [--db URL] [--listen 127.0.0.1:8080] [--static DIR] [--threads N]
//   shewhart user add --db DB --email E --role R [--org ODS] --password-stdin
//
// Both migrate the database (every part's schema) before they start. Exit statuses: 0 success;
// 2 invalid input (nothing written); 1 any other failure (cannot listen, database unreachable).
//
// Example:
//   CLI::App app{"shewhart"};
//   AddServerCommands(app);
//   app.parse(argc, argv);  // runs the chosen command
#ifndef SHEWHART_APP_SERVER_COMMANDS_H_
#define SHEWHART_APP_SERVER_COMMANDS_H_

#include "app/command.h"

namespace CLI {
class App;
}  // namespace CLI

namespace shewhart::app {

// Adds the subcommands serve and user (user add) to `app`.
void AddServerCommands(CLI::App& app, CommandSet& commands);

}  // namespace shewhart::app

#endif  // SHEWHART_APP_SERVER_COMMANDS_H_
