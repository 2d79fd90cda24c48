// The `shewhart` executable: everything is in the shewhart_app library (app/cli.h).
#include "app/cli.h"

int main(int argc, char** argv) { return shewhart::app::RunCli(argc, argv); }
