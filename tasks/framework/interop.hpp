#pragma once
// The `soma` subcommands that take models in and out (tasks/framework/cli.hpp dispatches here):
//   soma export-nir RUN_DIR FILE.nir        the run's trained network as a NIR graph (HDF5)
//   soma import-nir FILE.nir [--input IN.safetensors --output OUT.safetensors]
//                                           runs any NIR graph on IN's tensor "input" (T, B, ...)
//                                           and writes "output"; without --input, a file Soma
//                                           wrote is loaded into its task's model and the task's
//                                           test evaluation runs
//   soma export-checkpoint RUN_DIR FILE.safetensors [--format norse|soma]
//                                           the run's weights, under Norse's state_dict keys
//   soma <task> --init_from FILE.nir ...    (run flag, cli.cpp) starts training from a NIR file
// Exit codes as cli.hpp: 0 done, 1 failed (a bad file, a model NIR cannot express), 2 usage.
#include <ostream>
#include <string>
#include <vector>

#include "tasks/framework/task.hpp"

namespace soma {

// -1 when args[0] is not one of these commands.
int interop_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
void interop_usage(std::ostream& out);

// A finished run: its task (from the checkpoint's metadata), set up from RUN_DIR/config.json and
// loaded from its checkpoint, writing nothing.
TaskPtr open_run(const std::string& run_dir);

// Reads FILE.nir into a task set up from its flags (--init_from).
void init_task_from_nir(Task& task, const std::string& path);

}  // namespace soma
