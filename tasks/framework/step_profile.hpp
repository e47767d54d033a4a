#pragma once
// Where a training step's time goes, for bench_mnist_epoch: wall seconds per phase summed over
// the steps, and the spike densities a task reports (its input and first hidden layer). Off
// unless a caller installs a profile (set_step_profile); the training code then pays one null
// check per phase.
#include <chrono>
#include <cstdint>

namespace soma {

class Tensor;

struct StepProfile {
  enum Phase { load, encode, forward, backward, optimizer, kPhases };
  static constexpr const char* kNames[kPhases] = {"load", "encode", "forward", "backward",
                                                  "optimizer"};
  double seconds[kPhases] = {};
  double input_ones = 0, input_count = 0;    // the encoded input's non-zeros, and its size
  double hidden_ones = 0, hidden_count = 0;  // the same for the first hidden layer's spikes
  int64_t steps = 0;                         // optimizer steps
};

// The installed profile, or null.
StepProfile* step_profile();
void set_step_profile(StepProfile* p);

// Adds the non-zeros and the size of t to a pair of StepProfile counters.
void count_nonzeros(const Tensor& t, double& ones, double& count);

// Times consecutive phases: lap(p) adds the time since the last lap (or construction) to p.
class PhaseClock {
 public:
  PhaseClock() : profile_(step_profile()) {
    if (profile_) last_ = std::chrono::steady_clock::now();
  }
  void lap(StepProfile::Phase p) {
    if (!profile_) return;
    const auto now = std::chrono::steady_clock::now();
    profile_->seconds[p] += std::chrono::duration<double>(now - last_).count();
    last_ = now;
  }
  // Starts the next phase now (time since the last lap belongs to no phase).
  void restart() {
    if (profile_) last_ = std::chrono::steady_clock::now();
  }
  StepProfile* profile() const { return profile_; }

 private:
  StepProfile* profile_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace soma
