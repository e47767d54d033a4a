#pragma once
// Driving a task from the command line: step to the end under a progress bar, then write what
// the task published into the run folder (series.csv, one SVG plot per series, rasters, traces
// and images as SVG), and return the task's final line. While it runs, the run folder's
// TensorBoard log follows the telemetry (tensorboard_log.hpp).
#include <string>

#include "tasks/framework/task.hpp"

namespace soma {

// `resumed`: the task loaded a checkpoint, whose series an earlier event file already holds.
std::string run_to_end(Task& task, const RunContext& ctx, bool resumed = false);
// Every telemetry item as CSV / SVG files under dir/ (plots under dir/plots/).
void write_telemetry(const Telemetry& t, const std::string& dir);

}  // namespace soma
