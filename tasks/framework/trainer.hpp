#pragma once
// TrainingTask: what Norse's Lightning trainer gives every task that learns by gradient descent.
// A subclass builds its model and data and says how to train on one batch and how to evaluate;
// the base runs epochs of batches with
//   - Adam or SGD, a learning-rate schedule (none, step per epoch, warm-up + cosine per batch),
//     gradient clipping by norm, gradient accumulation over --accumulate_grad_batches batches
//     (each window's mean gradient is one optimizer step; a window ends early at an epoch's
//     end; steps, --max_steps and --checkpoint_every still count batches, and a checkpoint
//     inside a window holds the gradients summed so far);
//   - validation after each epoch, early stopping (patience on the validation loss, or the
//     task's own goal), and every --val_check_interval batches within an epoch for the curves
//     (Lightning's; these add points to the validation series only: metrics.csv, the best
//     checkpoint and patience follow the epoch-end validations), --max_steps for quick runs (a
//     stop that --resume with a higher --max_steps continues), --limit_val_batches /
//     --limit_test_batches (Lightning's; with --max_steps and no limit, evaluation stops after
//     max_steps batches too: short runs stay short);
//   - checkpoints (checkpoint.safetensors: model, optimizer, counters, the interrupted epoch's
//     running sums, metrics rows and telemetry series as exact doubles, the task's own state
//     such as an encoder's random stream) every --checkpoint_every batches and at each epoch
//     end, written atomically; checkpoint-best.safetensors at the best validation loss;
//   - resume: validated against the checkpoint before anything is written; flags given on resume
//     win (a new --learning_rate is used, not the checkpoint's); a resumed run writes the same
//     files as an uninterrupted one;
//   - metrics.csv (one row per epoch, then a row with the test loss and accuracy; a metric that
//     does not exist, such as validation without a validation split, is an empty cell);
//   - telemetry: batch loss, epoch metrics, a status line and progress for the progress bar;
//     in a run folder also weight and gradient histograms (for its TensorBoard log) where the
//     pictures are published;
//   - a NaN or infinite loss or gradient stops the run with an error naming the step.
// One step() is one training batch.
#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/nn/module.hpp"
#include "core/optim/optimizer.hpp"
#include "core/optim/schedule.hpp"
#include "tasks/framework/checkpoint.hpp"
#include "tasks/framework/optimizer_params.hpp"
#include "tasks/framework/run_record.hpp"
#include "tasks/framework/task.hpp"

namespace soma {

// The telemetry the trainer publishes; ui/, tests and tasks find it by these names.
struct TrainerKeys {
  static constexpr const char* loss = "loss";                      // per batch, x: step
  static constexpr const char* batch_accuracy = "batch accuracy";  // per batch, x: step
  static constexpr const char* train_accuracy = "train accuracy";  // per epoch, x: epoch
  static constexpr const char* val_loss = "val loss";              // per epoch, x: epoch
  static constexpr const char* val_accuracy = "val accuracy";      // per epoch, x: epoch
  static constexpr const char* test_accuracy = "test accuracy";    // once, at the end
};

struct TrainerDefaults {
  int64_t epochs = 10;
  int64_t batch_size = 32;
  OptimizerDefaults optimizer;  // its unit stays "epoch"
};
void add_trainer_params(ParamTable& t, const TrainerDefaults& d);

struct BatchStats {
  double loss = 0;  // mean over the batch
  int64_t correct = 0, count = 0;
};

struct EvalStats {
  double loss = 0, accuracy = 0;  // accuracy in [0, 1]
  int64_t count = -1;             // samples evaluated; 0: an empty split (no metric); -1: unsaid
};

class TrainingTask : public Task {
 public:
  TrainingTask();
  void setup(const ParamValues& values, const RunContext& ctx) override;
  void step() override;
  bool done() const override;
  void save(const std::string& dir) const override;
  void load(const std::string& dir) override;
  std::string finish() override;

 protected:
  // Model, data and anything else, from the values (called by setup() before the optimizer).
  virtual void build(const ParamValues& values) = 0;
  virtual nn::Module& model() const = 0;

 public:
  const nn::Module* network() const override { return &model(); }

 protected:
  virtual int64_t batches_per_epoch() const = 0;
  // Forward and backward (loss.backward()) of one batch; the base zeroes gradients before and
  // steps the optimizer after. Batches within an epoch come in order 0, 1, ...
  virtual BatchStats train_batch(int64_t epoch, int64_t batch) = 0;
  // Loss and accuracy on the validation split (test = false) or the test split, without
  // gradients.
  virtual EvalStats evaluate(bool test) = 0;
  // Stops training early when true (memory: loss <= 0.05). Default: never.
  virtual bool goal_reached(const EvalStats&) const { return false; }
  // Task-specific pictures (rasters, traces) into telemetry: at the end, and at the end of each
  // epoch that passes a multiple of kPicturesEvery training steps, so that the playground shows
  // them during a run (before, only once it had finished). It must leave the run as it was: no
  // draws from the training's random streams, no change to the model's state.
  virtual void publish_pictures() {}
  static constexpr int64_t kPicturesEvery = 50;

  const RunContext& context() const { return ctx_; }
  // Where a task's own series go on the trainer's axes: the steps done (the x of the
  // validation series) and the epochs done (the x of the test series).
  int64_t steps_done() const { return global_step_; }
  int64_t epochs_done() const { return epoch_; }
  // A seed for epoch e's data order, so a resumed run sees the same batches.
  uint64_t epoch_seed(int64_t epoch) const;
  // How many batches evaluate() may run on a split: --limit_val_batches / --limit_test_batches,
  // or max_steps when that is set and the limit is not; INT64_MAX for all. An evaluate() that
  // loops over batches stops after this many.
  int64_t eval_batch_limit(bool test) const;
  // evaluate()'s loop reports each batch it finished (done = 1, 2, ...) of the `available` ones
  // on the split; the total shown is capped by eval_batch_limit.
  void report_eval_batch(bool test, int64_t done, int64_t available) const {
    report_phase(test ? "test" : "validation", done, std::min(available, eval_batch_limit(test)));
  }
  // The task's own state beyond the model (an encoder's random stream), into and out of the
  // checkpoint's metadata; keys should start with the task's name.
  virtual void save_state(Metadata&) const {}
  virtual void load_state(const Checkpoint&) {}

 private:
  void end_epoch();
  void publish_histograms();
  void validate_partial_epoch(std::optional<EvalStats> done);
  void record_validation(const EvalStats& val, double x_step);
  void write_metrics(const std::vector<double>* extra_row) const;
  void save_to(const std::string& dir, const std::string& file) const;
  void update_status(const BatchStats& last);
  int64_t total_steps() const;
  // Batches of the running accumulation window done so far (0: none, the window starts next).
  int64_t accumulated_batches() const;
  std::map<std::string, Tensor> saved_grads(const Checkpoint& c) const;
  static constexpr const char* kGradPrefix = "trainer.grad.";
  RunContext ctx_;
  std::unique_ptr<optim::Optimizer> opt_;
  std::unique_ptr<optim::LrSchedule> schedule_;
  bool schedule_per_batch_ = false;
  int64_t epoch_ = 0, batch_ = 0, global_step_ = 0;
  double best_val_loss_ = INFINITY;
  int64_t bad_epochs_ = 0;
  bool stopped_early_ = false;  // patience or the task's goal (max_steps is checked in done())
  BatchStats epoch_sum_;        // the running epoch's sums (checkpointed mid-epoch)
  double epoch_loss_sum_ = 0;
  MetricsTable metrics_;             // one row per finished epoch (kTrainerMetrics)
  std::vector<double> partial_row_;  // validation where --max_steps stopped mid-epoch
  std::vector<double> test_row_;     // the test metrics, once finish() ran
};

}  // namespace soma