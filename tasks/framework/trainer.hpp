#pragma once
// TrainingTask: what Norse's Lightning trainer gives every task that learns by gradient descent.
// A subclass builds its model and data and says how to train on one batch and how to evaluate;
// the base runs epochs of batches with
//   - Adam or SGD, a learning-rate schedule (none, step per epoch, warm-up + cosine per batch),
//     gradient clipping by norm;
//   - validation after each epoch, early stopping (patience on the validation loss, or the
//     task's own goal), --max_steps for quick runs;
//   - checkpoints (checkpoint.safetensors: model, optimizer, counters and the metrics so far)
//     every --checkpoint_every batches and at each epoch end, written atomically, and resume;
//   - telemetry: batch loss, epoch metrics, a status line and progress for the progress bar;
//   - a NaN or infinite loss or gradient stops the run with an error naming the step.
// One step() is one training batch.
#include <memory>
#include <string>
#include <vector>

#include "core/nn/module.hpp"
#include "core/optim/optimizer.hpp"
#include "core/optim/schedule.hpp"
#include "tasks/framework/task.hpp"

namespace soma {

struct TrainerDefaults {
  int64_t epochs = 10;
  int64_t batch_size = 32;
  double learning_rate = 2e-3;
  std::string optimizer = "adam";
  double weight_decay = 0;
  std::string lr_schedule = "none";
  int64_t lr_step = 5;
  double lr_gamma = 0.2;
};
void add_trainer_params(ParamTable& t, const TrainerDefaults& d);

struct BatchStats {
  double loss = 0;  // mean over the batch
  int64_t correct = 0, count = 0;
};

struct EvalStats {
  double loss = 0, accuracy = 0;  // accuracy in [0, 1]
};

class TrainingTask : public Task {
 public:
  void setup(const ParamValues& values, const RunContext& ctx) override;
  void step() override;
  bool done() const override;
  void update_params(const ParamValues& values) override;
  void save(const std::string& dir) const override;
  void load(const std::string& dir) override;
  std::string finish() override;

 protected:
  // Model, data and anything else, from the values (called by setup() before the optimizer).
  virtual void build(const ParamValues& values) = 0;
  virtual nn::Module& model() const = 0;
  virtual int64_t batches_per_epoch() const = 0;
  // Forward and backward (loss.backward()) of one batch; the base zeroes gradients before and
  // steps the optimizer after. Batches within an epoch come in order 0, 1, ...
  virtual BatchStats train_batch(int64_t epoch, int64_t batch) = 0;
  // Loss and accuracy on the validation split (test = false) or the test split, without
  // gradients.
  virtual EvalStats evaluate(bool test) = 0;
  // Stops training early when true (memory: loss <= 0.05). Default: never.
  virtual bool goal_reached(const EvalStats&) const { return false; }
  // Task-specific pictures (rasters, traces) into telemetry at the end.
  virtual void publish_pictures() {}

  const ParamValues& values() const { return *values_; }
  const RunContext& context() const { return ctx_; }
  // A seed for epoch e's data order, so a resumed run sees the same batches.
  uint64_t epoch_seed(int64_t epoch) const;

 private:
  void end_epoch();
  void update_status(const BatchStats& last);
  std::unique_ptr<ParamValues> values_;
  RunContext ctx_;
  std::unique_ptr<optim::Optimizer> opt_;
  std::unique_ptr<optim::LrSchedule> schedule_;
  bool schedule_per_batch_ = false;
  int64_t epoch_ = 0, batch_ = 0, global_step_ = 0;
  double best_val_loss_ = 1e300;
  int64_t bad_epochs_ = 0;
  bool stopped_ = false;
  BatchStats epoch_sum_;
  double epoch_loss_sum_ = 0;
  // One row per finished epoch: epoch, step, train_loss, train_accuracy, val_loss,
  // val_accuracy, lr.
  std::vector<std::vector<double>> metrics_;
};

}  // namespace soma
