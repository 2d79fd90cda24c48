// The data-platform commands of the `shewhart` command line: init, import, export, demo.
//
//   shewhart init                                   create or upgrade the database schema
//   shewhart import organisations|metrics|observations FILE [--dry-run]
//   shewhart export organisations|metrics|observations -o FILE
//   shewhart demo                                   fill an empty database with the demo system
// Each takes --db sqlite:PATH (default sqlite:shewhart.db) or --db postgresql://..., and
// --as EMAIL to attribute writes (default "cli:$USER").
//
// Exit statuses (the data commands end the process themselves once they have run, with every
// resource released): 0 success; 2 invalid input, with nothing written (every problem listed on
// stderr); 1 any other failure (database unreachable or busy, file unreadable).
//
// Example:
//   CLI::App app{"shewhart"};
//   AddDataCommands(app);
//   app.parse(argc, argv);  // runs the chosen data command, which exits
#ifndef SHEWHART_APP_DATA_COMMANDS_H_
#define SHEWHART_APP_DATA_COMMANDS_H_

#include "app/command.h"

namespace CLI {
class App;
}  // namespace CLI

namespace shewhart::app {

// Adds the subcommands init, import, export and demo to `app`.
void AddDataCommands(CLI::App& app, CommandSet& commands);

}  // namespace shewhart::app

#endif  // SHEWHART_APP_DATA_COMMANDS_H_
