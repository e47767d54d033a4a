#pragma once
// The run folder's TensorBoard log: `tensorboard --logdir runs` shows every run's series (loss,
// accuracy, reward, ...) as scalars and the trainer's weight and gradient histograms, live while
// a run goes on, as Norse's tasks (SummaryWriter) and Lightning (TensorBoardLogger) log theirs.
//
// It follows a task's telemetry: each sync() writes the series points added since the last one
// (series only grow during a run) and each histogram whose step is new. A point's TensorBoard
// step is its x when x is a whole number (the training step, the epoch, the episode), else its
// index in the series (simulated time in seconds). Each run opens its own event file; a resumed
// run starts a new one and skips the points its checkpoint restored, which the earlier file
// holds, so TensorBoard shows one unbroken curve. Every file starts with a SessionLog.START at
// the first step it may log (0, or one past the last restored point's step): TensorBoard then
// drops what a killed run logged after its last checkpoint, which the resumed run logs again
// (PyTorch's SummaryWriter(purge_step=...) writes the same event).
#include <cstdint>
#include <map>
#include <string>

#include "core/io/tfevents.hpp"
#include "tasks/framework/telemetry.hpp"

namespace soma {

class TensorBoardLog {
 public:
  // Opens dir/events.out.tfevents.*, creating dir. `resumed`: what `t` holds now is skipped.
  TensorBoardLog(const std::string& dir, const Telemetry& t, bool resumed);
  // Writes what `t` gained and flushes it: a run killed later has logged every finished step.
  // (One write per training step costs microseconds against the step's milliseconds.)
  void sync(const Telemetry& t);

 private:
  EventFileWriter writer_;
  std::map<std::string, size_t> points_written_;
  std::map<std::string, int64_t> histogram_step_;  // the step last written, per name
};

// The TensorBoard step of a series' i-th point (above).
int64_t tensorboard_step(double x, size_t index);

}  // namespace soma
