#pragma once
// The seed runner's experiments (runner.py, run_exp.py):
//   inputs   input_signal "step": r0 ~ U[0,1]^(dataset_size x n0), each sample held Tpres, the
//            same order every epoch; drawn with the first student's seed (bw_only) or the
//            teacher's seed (fw_bw).
//   bw_only  students run without a target; everything plastic learns.
//   fw_bw    one teacher (seed drawn in [100000, 999999] from the first seed; teacher init
//            ranges if given; self-predicting) settles, then runs one epoch without learning and
//            records target[t] = its output u_breve before step t. Students are nudged toward
//            target[t mod epoch] through gntgt.
//   settling settling_time/dt steps on the first input (and first target), no learning.
// Every rec_per_steps training steps a student records MSE = |u_breve_out - target|^2 (fw_bw),
// angle(B_k, W^T) and its phi'-weighted version for every hidden layer, and the rec_* traces.
// Seeds run in parallel threads (one per seed, at most hardware_concurrency; sequential under
// Emscripten), each with its own Rng seeded by its seed, so results do not depend on threads.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tasks/microcircuit/model.hpp"

namespace soma::mc {

enum class TaskKind { bw_only, fw_bw };
TaskKind task_from_name(const std::string& name);  // "bw_only" | "fw_bw"
const char* task_name(TaskKind t);

struct Recording {
  std::vector<double> t_ms;                           // training time of each record
  std::vector<double> mse;                            // fw_bw only
  std::vector<std::vector<double>> angle, angle_phi;  // [hidden layer][record]
  // "WPP_layer1" etc. -> [element (row-major)][record]
  std::map<std::string, std::vector<std::vector<double>>> traces;
};

struct SeedRun {
  uint64_t seed = 0;
  Model model;
  Rng rng;  // the noise stream
  Recording rec;
  std::vector<double> initial_angle;  // angle(B_k, W^T) after initialisation
  int64_t steps = 0;                  // done, settling included
};

class Experiment {
 public:
  Experiment(McParams p, TaskKind task);
  Experiment(const Experiment&) = delete;  // models point at params_
  Experiment& operator=(const Experiment&) = delete;

  const McParams& params() const { return *params_; }
  TaskKind task() const { return task_; }
  int64_t settle_steps() const { return settle_steps_; }
  int64_t train_steps() const { return epoch_steps_ * params_->epochs; }
  int64_t total_steps() const { return settle_steps_ + train_steps(); }
  int64_t steps_done() const { return runs_.empty() ? 0 : runs_.front().steps; }
  bool done() const { return steps_done() >= total_steps(); }

  // Advances every seed by up to n steps.
  void advance(int64_t n);
  void run() { advance(total_steps()); }

  const std::vector<SeedRun>& runs() const { return runs_; }
  std::vector<SeedRun>& runs() { return runs_; }
  const Model* teacher() const { return teacher_ ? &*teacher_ : nullptr; }

 private:
  void make_teacher_targets();
  void advance_one(SeedRun& r, int64_t n) const;
  void record(SeedRun& r, const Vec* tgt, int64_t t) const;

  std::unique_ptr<const McParams> params_;
  TaskKind task_;
  int64_t steps_per_sample_ = 1, epoch_steps_ = 1, settle_steps_ = 0;
  std::vector<Vec> inputs_, targets_;
  std::optional<Model> teacher_;
  std::vector<SeedRun> runs_;
};

}  // namespace soma::mc
