#include "tasks/framework/trainer.hpp"

#include <cmath>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "core/optim/adam.hpp"
#include "core/optim/clip.hpp"
#include "core/optim/sgd.hpp"
#include "tasks/framework/checkpoint.hpp"
#include "tasks/framework/csv.hpp"

namespace soma {
namespace {

// The largest batch_size any task accepts: more samples than any data set here holds, and a bound
// that keeps batch arithmetic far from int64 overflow; each task also checks that one batch fits
// in memory (core/tensor/checked_size.hpp) before it allocates.
constexpr int64_t kMaxBatchSize = int64_t(1) << 16;

const std::vector<std::string> kMetricNames{
    "epoch", "step", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr"};

std::string percent(double fraction) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f%%", 100 * fraction);
  return buf;
}

}  // namespace

void add_trainer_params(ParamTable& t, const TrainerDefaults& d) {
  t.add_int("epochs", d.epochs, "passes over the training data").min(1).alias("max_epochs");
  t.add_int("batch_size", d.batch_size, "samples per batch").range(1, kMaxBatchSize).restart();
  t.add_float("learning_rate", d.learning_rate, "step size").range(1e-7, 10).restart();
  t.add_choice("optimizer", d.optimizer, {"adam", "sgd"}, "optimizer").restart();
  t.add_float("momentum", 0.9, "SGD momentum").range(0, 1).restart();
  t.add_float("weight_decay", d.weight_decay, "L2 penalty").range(0, 1).restart();
  t.add_float("clip_grad", 0.0, "clip the gradient norm to this (0: off)").min(0);
  t.add_choice("lr_schedule", d.lr_schedule, {"none", "step", "cosine"},
               "none; step: times lr_gamma every lr_step epochs; cosine: warm-up then cosine")
      .restart();
  t.add_int("lr_step", d.lr_step, "epochs between learning-rate drops (step schedule)")
      .min(1)
      .restart();
  t.add_float("lr_gamma", d.lr_gamma, "learning-rate factor per drop (step schedule)")
      .range(0, 1)
      .restart();
  t.add_int("warmup_steps", 0, "linear warm-up batches (cosine schedule)").min(0).restart();
  t.add_int("patience", 0, "stop after this many epochs without a better validation loss (0: off)")
      .min(0);
  t.add_int("checkpoint_every", 0, "batches between checkpoints (0: at epoch ends only)").min(0);
  t.add_int("max_steps", 0, "stop after this many batches in all (0: no limit)").min(0);
}

uint64_t TrainingTask::epoch_seed(int64_t epoch) const {
  return uint64_t(values().get_int("seed")) * 1000003ull + uint64_t(epoch);
}

void TrainingTask::setup(const ParamValues& values, const RunContext& ctx) {
  values_ = std::make_unique<ParamValues>(values);
  ctx_ = ctx;
  epoch_ = batch_ = global_step_ = 0;
  best_val_loss_ = 1e300;
  bad_epochs_ = 0;
  stopped_ = false;
  epoch_sum_ = {};
  epoch_loss_sum_ = 0;
  metrics_.clear();
  telemetry_.clear();
  build(values);
  float lr = float(values.get_float("learning_rate"));
  float wd = float(values.get_float("weight_decay"));
  if (values.get_string("optimizer") == "adam")
    opt_ = std::make_unique<optim::Adam>(model().parameters(),
                                         optim::AdamOptions{.lr = lr, .weight_decay = wd});
  else
    opt_ = std::make_unique<optim::SGD>(
        model().parameters(),
        optim::SGDOptions{
            .lr = lr, .momentum = float(values.get_float("momentum")), .weight_decay = wd});
  const std::string& sched = values.get_string("lr_schedule");
  schedule_per_batch_ = sched == "cosine";
  if (sched == "step")
    schedule_ = std::make_unique<optim::StepLR>(lr, values.get_int("lr_step"),
                                                float(values.get_float("lr_gamma")));
  else if (sched == "cosine")
    schedule_ = std::make_unique<optim::WarmupCosineLR>(
        lr, values.get_int("warmup_steps"), values.get_int("epochs") * batches_per_epoch());
  else
    schedule_.reset();
}

void TrainingTask::step() {
  if (done()) return;
  if (schedule_) schedule_->apply(*opt_, schedule_per_batch_ ? global_step_ : epoch_);
  opt_->zero_grad();
  BatchStats s = train_batch(epoch_, batch_);
  std::string where = "epoch " + std::to_string(epoch_ + 1) + ", batch " +
                      std::to_string(batch_ + 1) + " (step " + std::to_string(global_step_ + 1) +
                      ")";
  if (!std::isfinite(s.loss))
    throw std::runtime_error(where + ": the loss is " + (std::isnan(s.loss) ? "NaN" : "infinite") +
                             "; try a smaller --learning_rate or --clip_grad (the last checkpoint "
                             "in the run folder is intact)");
  if (double clip = values().get_float("clip_grad"); clip > 0) {
    float norm = optim::clip_grad_norm_(opt_->params(), float(clip));
    if (!std::isfinite(norm))
      throw std::runtime_error(where + ": the gradient norm is " +
                               (std::isnan(norm) ? "NaN" : "infinite"));
  }
  opt_->step();
  ++global_step_;
  epoch_sum_.correct += s.correct;
  epoch_sum_.count += s.count;
  epoch_loss_sum_ += s.loss;
  telemetry_.add("loss", double(global_step_), s.loss);
  if (s.count > 0)
    telemetry_.add("batch accuracy", double(global_step_), double(s.correct) / double(s.count));
  ++batch_;
  int64_t every = values().get_int("checkpoint_every");
  if (every > 0 && global_step_ % every == 0 && !ctx_.out_dir.empty()) save(ctx_.out_dir);
  if (int64_t max = values().get_int("max_steps"); max > 0 && global_step_ >= max) stopped_ = true;
  if (batch_ == batches_per_epoch() || stopped_) end_epoch();
  update_status(s);
}

void TrainingTask::end_epoch() {
  EvalStats val = evaluate(false);
  double n = double(std::max<int64_t>(batch_, 1));
  double train_acc = epoch_sum_.count ? double(epoch_sum_.correct) / double(epoch_sum_.count) : 0;
  metrics_.push_back({double(epoch_ + 1), double(global_step_), epoch_loss_sum_ / n, train_acc,
                      val.loss, val.accuracy, double(opt_->lr())});
  telemetry_.add("val loss", double(epoch_ + 1), val.loss);
  telemetry_.add("val accuracy", double(epoch_ + 1), val.accuracy);
  telemetry_.add("train accuracy", double(epoch_ + 1), train_acc);
  if (val.loss < best_val_loss_) {
    best_val_loss_ = val.loss;
    bad_epochs_ = 0;
  } else {
    ++bad_epochs_;
  }
  int64_t patience = values().get_int("patience");
  if ((patience > 0 && bad_epochs_ >= patience) || goal_reached(val)) stopped_ = true;
  ++epoch_;
  batch_ = 0;
  epoch_sum_ = {};
  epoch_loss_sum_ = 0;
  if (!ctx_.out_dir.empty()) {
    std::vector<std::vector<double>> columns(kMetricNames.size());
    for (const auto& row : metrics_)
      for (size_t k = 0; k < row.size(); ++k) columns[k].push_back(row[k]);
    write_csv(ctx_.out_dir + "/metrics.csv", kMetricNames, columns);
    save(ctx_.out_dir);
  }
}

void TrainingTask::update_status(const BatchStats& last) {
  int64_t epochs = values().get_int("epochs"), per = batches_per_epoch();
  int64_t total = epochs * per, max = values().get_int("max_steps");
  if (max > 0) total = std::min(total, max);
  telemetry_.progress = done() ? 1.0 : double(global_step_) / double(total);
  std::ostringstream o;
  o.precision(4);
  o << "epoch " << std::min(epoch_ + 1, epochs) << "/" << epochs << "  loss " << last.loss;
  if (last.count > 0) o << "  acc " << percent(double(last.correct) / double(last.count));
  if (!metrics_.empty()) o << "  val " << percent(metrics_.back()[5]);
  telemetry_.status = o.str();
}

// Every parameter without the restart flag is read from values() when it is used.
void TrainingTask::update_params(const ParamValues& values) {
  if (values_) *values_ = values;
}

bool TrainingTask::done() const {
  return !values_ || stopped_ || epoch_ >= values().get_int("epochs");
}

void TrainingTask::save(const std::string& dir) const {
  std::map<std::string, Tensor> extra;
  if (!metrics_.empty()) {
    std::vector<float> flat;
    for (const auto& row : metrics_) flat.insert(flat.end(), row.begin(), row.end());
    extra["trainer.metrics"] =
        Tensor::from({int64_t(metrics_.size()), int64_t(kMetricNames.size())}, flat);
  }
  save_checkpoint(dir, name(), model(), *opt_,
                  {{"epoch", std::to_string(epoch_)},
                   {"batch", std::to_string(batch_)},
                   {"global_step", std::to_string(global_step_)},
                   {"best_val_loss", std::to_string(best_val_loss_)},
                   {"bad_epochs", std::to_string(bad_epochs_)},
                   {"stopped", stopped_ ? "1" : "0"}},
                  std::move(extra));
}

void TrainingTask::load(const std::string& dir) {
  Checkpoint c = load_checkpoint(dir, name(), model(), *opt_);
  epoch_ = std::stoll(c.at("epoch"));
  batch_ = std::stoll(c.at("batch"));
  global_step_ = std::stoll(c.at("global_step"));
  best_val_loss_ = std::stod(c.at("best_val_loss"));
  bad_epochs_ = std::stoll(c.at("bad_epochs"));
  stopped_ = c.at("stopped") == "1";
  metrics_.clear();
  if (auto it = c.extra.find("trainer.metrics"); it != c.extra.end()) {
    const Tensor& m = it->second;
    for (int64_t r = 0; r < m.size(0); ++r)
      metrics_.emplace_back(m.data() + r * m.size(1), m.data() + (r + 1) * m.size(1));
  }
  for (const auto& row : metrics_) {
    telemetry_.add("val loss", row[0], row[4]);
    telemetry_.add("val accuracy", row[0], row[5]);
    telemetry_.add("train accuracy", row[0], row[3]);
  }
}

std::string TrainingTask::finish() {
  EvalStats test = evaluate(true);
  telemetry_.add("test accuracy", double(epoch_), test.accuracy);
  publish_pictures();
  if (!ctx_.out_dir.empty()) save(ctx_.out_dir);
  std::ostringstream o;
  o.precision(4);
  o << "test accuracy " << percent(test.accuracy) << " (loss " << test.loss << ") after " << epoch_
    << " epoch" << (epoch_ == 1 ? "" : "s") << ", " << global_step_ << " steps";
  return o.str();
}

}  // namespace soma
