// The improvement part's command-line face: the measured impact of the system's QI portfolio (or
// of one programme) for an analyst's report or a board paper, exactly as the API computes it
// (docs/improvement.md, "Impact, measured").
//
//   shewhart impact [--programme ID] [--series] [--format csv|json] [-o FILE] [--db URL]
//
// Per metric (default): projects, series, shared series, detected, volume, impact with its 95%
// interval, what summing every project's claim would have said and the double count avoided.
// --series: one row per claimed series (metric, unit, projects, the rule that fired, the change
// point, baseline and post means, shift, impact, interval, or why the impact is zero). The notes
// on double counting go to stderr. Exit statuses as every command (app/command.h): 2 for bad
// options, 1 for an unknown programme or an unreadable database.
#ifndef SHEWHART_APP_IMPROVEMENT_COMMANDS_H_
#define SHEWHART_APP_IMPROVEMENT_COMMANDS_H_

#include "app/command.h"

namespace CLI {
class App;
}  // namespace CLI

namespace shewhart::app {

// Adds the subcommand impact to `app`.
void AddImprovementCommands(CLI::App& app, CommandSet& commands);

}  // namespace shewhart::app

#endif  // SHEWHART_APP_IMPROVEMENT_COMMANDS_H_
