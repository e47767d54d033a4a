#include "tasks/framework/trainer.hpp"

#include <climits>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "core/ops/host_readback.hpp"
#include "core/optim/clip.hpp"
#include "tasks/framework/optimizer_params.hpp"
#include "tasks/framework/progress_bar.hpp"
#include "tasks/framework/step_profile.hpp"

namespace soma {
namespace {

// The largest batch_size any task accepts: more samples than any data set here holds, and a bound
// that keeps batch arithmetic far from int64 overflow; each task also checks that one batch fits
// in memory (core/tensor/checked_size.hpp) before it allocates.
constexpr int64_t kMaxBatchSize = int64_t(1) << 16;

// metrics.csv: one row per epoch, then one row with the test metrics.
const std::vector<std::string> kMetricNames{
    "epoch",        "step", "train_loss", "train_accuracy", "val_loss",
    "val_accuracy", "lr",   "test_loss",  "test_accuracy"};
enum Col { kEpoch, kStep, kTrainLoss, kTrainAcc, kValLoss, kValAcc, kLr, kTestLoss, kTestAcc };

std::string percent(double fraction) {
  if (std::isnan(fraction)) return "n/a";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f%%", 100 * fraction);
  return buf;
}

// a * b, or INT64_MAX when it does not fit (--epochs 9223372036854775807).
int64_t saturating_mul(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_mul_overflow(a, b, &r) ? INT64_MAX : r;
}

// The float32 tensor (epochs x 7) that older checkpoints held; checked for its shape before a
// value is read (a narrower tensor was read past its end) and for finite values.
void legacy_metrics(const Checkpoint& c, MetricsTable& metrics, size_t epochs) {
  auto it = c.extra.find("trainer.metrics");
  if (it == c.extra.end()) return;
  const Tensor& m = it->second;
  if (m.dim() != 2 || m.size(1) != kLr + 1 || size_t(m.size(0)) != epochs)
    c.fail("trainer.metrics: expected (" + std::to_string(epochs) + ", " + std::to_string(kLr + 1) +
           ") values");
  for (int64_t r = 0; r < m.size(0); ++r) {
    std::vector<double> row(m.data() + r * m.size(1), m.data() + (r + 1) * m.size(1));
    for (double v : row)
      if (!std::isfinite(v))
        c.fail("trainer.metrics row " + std::to_string(r + 1) + " is not finite");
    row.resize(kMetricNames.size(), NAN);
    metrics.add(std::move(row));
  }
}

}  // namespace

void add_trainer_params(ParamTable& t, const TrainerDefaults& d) {
  t.add_int("epochs", d.epochs, "passes over the training data").min(1).alias("max_epochs");
  t.add_int("batch_size", d.batch_size, "samples per batch").range(1, kMaxBatchSize).restart();
  t.add_int("accumulate_grad_batches", 1,
            "average the gradients of this many batches into one optimizer step (Lightning's; "
            "an epoch's last window may be shorter)")
      .range(1, kMaxBatchSize)
      .restart();
  add_optimizer_params(t, d.optimizer);
  t.add_int("patience", 0, "stop after this many epochs without a better validation loss (0: off)")
      .min(0);
  t.add_int("checkpoint_every", 0, "batches between checkpoints (0: at epoch ends only)").min(0);
  t.add_int("val_check_interval", 0,
            "also validate every this many batches within an epoch, for the curves (0: at epoch "
            "ends only)")
      .min(0);
  t.add_int("max_steps", 0, "stop after this many batches in all (0: no limit)").min(0);
  t.add_int("limit_val_batches", 0,
            "validate on at most this many batches (0: all; with --max_steps, max_steps)")
      .min(0);
  t.add_int("limit_test_batches", 0,
            "test on at most this many batches (0: all; with --max_steps, max_steps)")
      .min(0);
}

TrainingTask::TrainingTask() : metrics_(kMetricNames) {}

uint64_t TrainingTask::epoch_seed(int64_t epoch) const {
  return uint64_t(values().get_int("seed")) * 1000003ull + uint64_t(epoch);
}

int64_t TrainingTask::eval_batch_limit(bool test) const {
  int64_t limit = values().get_int(test ? "limit_test_batches" : "limit_val_batches");
  if (limit == 0) limit = values().get_int("max_steps");
  return limit > 0 ? limit : INT64_MAX;
}

int64_t TrainingTask::total_steps() const {
  int64_t total = saturating_mul(values().get_int("epochs"), batches_per_epoch());
  const int64_t max = values().get_int("max_steps");
  return max > 0 ? std::min(total, max) : total;
}

void TrainingTask::setup(const ParamValues& values, const RunContext& ctx) {
  keep_values(values);
  ctx_ = ctx;
  epoch_ = batch_ = global_step_ = 0;
  best_val_loss_ = INFINITY;
  bad_epochs_ = 0;
  stopped_early_ = false;
  epoch_sum_ = {};
  epoch_loss_sum_ = 0;
  metrics_.clear();
  partial_row_.clear();
  test_row_.clear();
  telemetry_.clear();
  telemetry_.describe(TrainerKeys::loss, {"step", "loss", true, ""});
  telemetry_.describe(TrainerKeys::batch_accuracy, {"step", "accuracy", true, ""});
  telemetry_.describe(TrainerKeys::val_loss, {"step", "loss", false, TrainerKeys::loss});
  telemetry_.describe(TrainerKeys::val_accuracy,
                      {"step", "accuracy", false, TrainerKeys::batch_accuracy});
  telemetry_.describe(TrainerKeys::train_accuracy, {"epoch", "accuracy", false, ""});
  telemetry_.describe(TrainerKeys::test_accuracy, {"epoch", "accuracy", false, ""});
  build(values);
  opt_ = make_optimizer(values, model().parameters());
  schedule_per_batch_ = schedule_per_update(values);
  schedule_ = make_schedule(values, saturating_mul(values.get_int("epochs"), batches_per_epoch()));
}

int64_t TrainingTask::accumulated_batches() const {
  return batch_ % values().get_int("accumulate_grad_batches");
}

void TrainingTask::step() {
  if (done()) return;
  PhaseClock clock;  // bench_mnist_epoch's profile; nothing unless installed
  const int64_t window = accumulated_batches() + 1;  // batches in the window with this one
  const bool window_ends =
      window == values().get_int("accumulate_grad_batches") || batch_ + 1 == batches_per_epoch();
  if (window == 1) {
    if (schedule_) schedule_->apply(*opt_, schedule_per_batch_ ? global_step_ : epoch_);
    opt_->zero_grad();
  }
  clock.lap(StepProfile::optimizer);
  BatchStats s = train_batch(epoch_, batch_);
  clock.restart();
  std::string where = "epoch " + std::to_string(epoch_ + 1) + ", batch " +
                      std::to_string(batch_ + 1) + " (step " + std::to_string(global_step_ + 1) +
                      ")";
  if (!std::isfinite(s.loss))
    throw std::runtime_error(where + ": the loss is " + (std::isnan(s.loss) ? "NaN" : "infinite") +
                             "; try a smaller --learning_rate or --clip_grad (the last checkpoint "
                             "in the run folder is intact)");
  if (window_ends) {
    // The window's gradient is the sum of its batches' mean gradients: divided by their number
    // it is the mean over the window's samples (when its batches are equally large).
    if (window > 1) optim::scale_grads_(opt_->params(), 1.0f / float(window));
    clip_gradients(values(), *opt_, where);
    opt_->step();
  }
  clock.lap(StepProfile::optimizer);
  if (clock.profile()) ++clock.profile()->steps;
  ++global_step_;
  epoch_sum_.correct += s.correct;
  epoch_sum_.count += s.count;
  epoch_loss_sum_ += s.loss;
  telemetry_.add(TrainerKeys::loss, double(global_step_), s.loss);
  if (s.count > 0)
    telemetry_.add(TrainerKeys::batch_accuracy, double(global_step_),
                   double(s.correct) / double(s.count));
  ++batch_;
  const int64_t max = values().get_int("max_steps"), every = values().get_int("checkpoint_every");
  const bool max_reached = max > 0 && global_step_ >= max;
  // The checkpoint comes after the epoch's end is handled, so that it never holds a finished
  // but unended epoch; at --max_steps it comes before the partial validation, so that a resume
  // continues the epoch as if it had never stopped.
  // A validation inside the epoch comes before the checkpoint, as it may draw on the task's
  // streams (mnist's Poisson encoder): a resume then continues from after it.
  const int64_t val_every = values().get_int("val_check_interval");
  if (batch_ == batches_per_epoch()) {
    end_epoch();
  } else {
    std::optional<EvalStats> val;
    if (val_every > 0 && batch_ % val_every == 0) {
      val = evaluate(false);
      record_validation(*val, double(global_step_));
    }
    if (!ctx_.out_dir.empty() && ((every > 0 && global_step_ % every == 0) || max_reached))
      save(ctx_.out_dir);
    if (max_reached) validate_partial_epoch(val);
  }
  update_status(s);
}

void TrainingTask::record_validation(const EvalStats& val, double x_step) {
  if (val.count == 0) return;  // no validation split: nothing to plot
  telemetry_.add(TrainerKeys::val_loss, x_step, val.loss);
  telemetry_.add(TrainerKeys::val_accuracy, x_step, val.accuracy);
}

void TrainingTask::end_epoch() {
  // At most once per kPicturesEvery steps: the memory task's epochs are a batch or two.
  const bool pictures = global_step_ / kPicturesEvery != (global_step_ - batch_) / kPicturesEvery;
  EvalStats val = evaluate(false);
  const bool has_val = val.count != 0;
  const double n = double(std::max<int64_t>(batch_, 1));
  const double train_acc =
      epoch_sum_.count ? double(epoch_sum_.correct) / double(epoch_sum_.count) : NAN;
  metrics_.add({double(epoch_ + 1), double(global_step_), epoch_loss_sum_ / n, train_acc,
                has_val ? val.loss : NAN, has_val ? val.accuracy : NAN, double(opt_->lr()), NAN,
                NAN});
  record_validation(val, double(global_step_));
  if (!std::isnan(train_acc))
    telemetry_.add(TrainerKeys::train_accuracy, double(epoch_ + 1), train_acc);
  const bool better = has_val && val.loss < best_val_loss_;
  if (better) {
    best_val_loss_ = val.loss;
    bad_epochs_ = 0;
  } else if (has_val) {
    ++bad_epochs_;
  }
  int64_t patience = values().get_int("patience");
  if ((patience > 0 && bad_epochs_ >= patience) || (has_val && goal_reached(val)))
    stopped_early_ = true;
  ++epoch_;
  batch_ = 0;
  epoch_sum_ = {};
  epoch_loss_sum_ = 0;
  partial_row_.clear();
  if (pictures) {
    publish_pictures();
    publish_histograms();
  }
  if (!ctx_.out_dir.empty()) {
    write_metrics(nullptr);
    save(ctx_.out_dir);
    if (better) save_to(ctx_.out_dir, kBestCheckpointFile);
  }
}

// --max_steps stopped inside an epoch: validate anyway (a short run still says how it does),
// as a metrics row of the unfinished epoch that the checkpoint does not keep.
void TrainingTask::validate_partial_epoch(std::optional<EvalStats> done) {
  const bool recorded = done.has_value();  // the interval's validation at this very step
  EvalStats val = recorded ? *done : evaluate(false);
  const bool has_val = val.count != 0;
  const double train_acc =
      epoch_sum_.count ? double(epoch_sum_.correct) / double(epoch_sum_.count) : NAN;
  partial_row_ = {double(epoch_ + 1),
                  double(global_step_),
                  epoch_loss_sum_ / double(std::max<int64_t>(batch_, 1)),
                  train_acc,
                  has_val ? val.loss : NAN,
                  has_val ? val.accuracy : NAN,
                  double(opt_->lr()),
                  NAN,
                  NAN};
  if (!recorded) record_validation(val, double(global_step_));
  if (!ctx_.out_dir.empty()) write_metrics(nullptr);
}

void TrainingTask::write_metrics(const std::vector<double>* extra_row) const {
  MetricsTable t = metrics_;
  if (!partial_row_.empty()) t.add(partial_row_);
  if (extra_row) t.add(*extra_row);
  t.write_csv(ctx_.out_dir + "/metrics.csv");
}

void TrainingTask::update_status(const BatchStats& last) {
  const int64_t epochs = values().get_int("epochs");
  telemetry_.progress = done() ? 1.0 : double(global_step_) / double(total_steps());
  std::ostringstream o;
  o << "epoch " << std::min(epoch_ + 1, epochs) << "/" << epochs << "  loss "
    << format_number(last.loss);
  if (last.count > 0) o << "  acc " << percent(double(last.correct) / double(last.count));
  const auto& rows = metrics_.rows();
  if (!partial_row_.empty())
    o << "  val " << percent(partial_row_[kValAcc]);
  else if (!rows.empty())
    o << "  val " << percent(rows.back()[kValAcc]);
  telemetry_.status = o.str();
}

bool TrainingTask::done() const {
  if (!values_ || stopped_early_ || epoch_ >= values().get_int("epochs")) return true;
  const int64_t max = values().get_int("max_steps");
  return max > 0 && global_step_ >= max;
}

void TrainingTask::save(const std::string& dir) const {
  save_to(dir, kCheckpointFile);
}

void TrainingTask::save_to(const std::string& dir, const std::string& file) const {
  Metadata meta{
      {"epoch", std::to_string(epoch_)},
      {"batch", std::to_string(batch_)},
      {"global_step", std::to_string(global_step_)},
      {"batch_size", std::to_string(values().get_int("batch_size"))},
      {"accumulate_grad_batches", std::to_string(values().get_int("accumulate_grad_batches"))},
      {"best_val_loss", exact(best_val_loss_)},
      {"bad_epochs", std::to_string(bad_epochs_)},
      {"stopped", stopped_early_ ? "1" : "0"},
      {"epoch_loss_sum", exact(epoch_loss_sum_)},
      {"epoch_correct", std::to_string(epoch_sum_.correct)},
      {"epoch_count", std::to_string(epoch_sum_.count)}};
  write_record(meta, metrics_, telemetry_);
  save_state(meta);
  // Inside an accumulation window the gradients summed so far are part of the run's state.
  std::map<std::string, Tensor> grads;
  if (accumulated_batches() > 0)
    for (const auto& [name, p] : model().named_parameters())
      if (p.grad().defined()) grads[kGradPrefix + name] = p.grad();
  save_checkpoint(dir, name(), model(), *opt_, std::move(meta), std::move(grads), file);
}

// The gradients a checkpoint written inside an accumulation window holds, checked against the
// parameters' shapes, by parameter name.
std::map<std::string, Tensor> TrainingTask::saved_grads(const Checkpoint& c) const {
  std::map<std::string, Tensor> grads;
  for (const auto& [name, p] : model().named_parameters()) {
    auto it = c.extra.find(kGradPrefix + name);
    if (it == c.extra.end()) continue;  // a parameter that no batch of the window reached
    if (it->second.shape() != p.shape())
      c.fail(it->first + ": shape " + to_string(it->second.shape()) + ", expected " +
             to_string(p.shape()));
    grads[name] = it->second;
  }
  return grads;
}

// Everything is read and checked before the model, the optimizer or a counter changes, so a
// checkpoint that does not fit leaves the task as it was (and the CLI writes nothing).
void TrainingTask::load(const std::string& dir) {
  Checkpoint c = read_checkpoint(dir, name());
  const int64_t per = batches_per_epoch();
  const int64_t bs =
      c.has("batch_size") ? c.get_int("batch_size", 1) : values().get_int("batch_size");
  if (bs != values().get_int("batch_size"))
    c.fail("written with --batch_size " + std::to_string(bs) +
           "; resume with the same batch size (" +
           "the epoch's position counts batches of that size)");
  const int64_t epoch = c.get_int("epoch", 0), batch = c.get_int("batch", 0, per - 1);
  const int64_t step = c.get_int("global_step", 0);
  const int64_t accumulate = values().get_int("accumulate_grad_batches");
  const int64_t written_accumulate =
      c.has("accumulate_grad_batches") ? c.get_int("accumulate_grad_batches", 1) : 1;
  if (batch > 0 && written_accumulate != accumulate)
    c.fail("written inside epoch " + std::to_string(epoch + 1) +
           " with --accumulate_grad_batches " + std::to_string(written_accumulate) +
           "; resume with the same value (it may change at an epoch's end)");
  if (step != saturating_mul(epoch, per) + batch)
    c.fail("global_step " + std::to_string(step) + " does not match epoch " +
           std::to_string(epoch) + " and batch " + std::to_string(batch) + " (" +
           std::to_string(per) + " batches per epoch)");
  const double best = c.get_double("best_val_loss", true);
  const int64_t bad = c.get_int("bad_epochs", 0, epoch);
  const std::string& stopped = c.at("stopped");
  if (stopped != "0" && stopped != "1") c.fail("stopped: '" + stopped + "' is neither 0 nor 1");
  // Checkpoints of older versions lack the running sums, the exact metrics and the series.
  const bool legacy = !c.has("record.metrics");
  const double loss_sum = legacy ? 0 : c.get_double("epoch_loss_sum");
  const int64_t correct = legacy ? 0 : c.get_int("epoch_correct", 0);
  const int64_t count = legacy ? 0 : c.get_int("epoch_count", 0);
  if (correct > count) c.fail("epoch_correct exceeds epoch_count");
  MetricsTable metrics(kMetricNames);
  Telemetry restored = telemetry_;
  if (legacy)
    legacy_metrics(c, metrics, size_t(epoch));
  else
    read_record(c, metrics, restored, kLr + 1, size_t(epoch));
  const std::map<std::string, Tensor> grads = saved_grads(c);
  load_state(c);  // the task's own state: checks, then sets
  c.restore(model(), *opt_);
  for (const auto& [name, p] : model().named_parameters()) {
    auto it = grads.find(name);
    Tensor q = p;
    if (it == grads.end())
      q.zero_grad();
    else
      q.set_grad(it->second.to(p.device()));
  }
  // Flags given on resume win: the checkpoint's rate is the old --learning_rate (a schedule,
  // if any, sets the rate again before the next step).
  opt_->set_lr(float(values().get_float("learning_rate")));
  epoch_ = epoch;
  batch_ = batch;
  global_step_ = step;
  best_val_loss_ = best;
  bad_epochs_ = bad;
  stopped_early_ = stopped == "1";
  epoch_loss_sum_ = loss_sum;
  epoch_sum_ = {0, correct, count};
  metrics_ = std::move(metrics);
  partial_row_.clear();
  test_row_.clear();
  telemetry_ = std::move(restored);
}

// Each parameter's values and its last batch's gradient as histograms at the current step, for
// the run folder's TensorBoard log (Norse's mnist task logs both). Only a run with a folder
// reads them: the playground skips the copy.
void TrainingTask::publish_histograms() {
  if (ctx_.out_dir.empty()) return;
  std::vector<std::string> tags;
  Tensors xs;
  for (const auto& [name, p] : model().named_parameters()) {
    tags.push_back("weights/" + name);
    xs.push_back(p);
    if (p.grad().defined()) {
      tags.push_back("gradients/" + name);
      xs.push_back(p.grad());
    }
  }
  const Tensors host = to_host(xs);  // one wait on cuda
  for (size_t i = 0; i < host.size(); ++i)
    telemetry_.set(Histogram{tags[i], global_step_, histogram_of(host[i].data(), host[i].numel())});
}

std::string TrainingTask::finish() {
  EvalStats test = evaluate(true);
  const bool has_test = test.count != 0;
  if (has_test) telemetry_.add(TrainerKeys::test_accuracy, double(epoch_), test.accuracy);
  publish_pictures();
  publish_histograms();
  test_row_ = {double(epoch_),
               double(global_step_),
               NAN,
               NAN,
               NAN,
               NAN,
               NAN,
               has_test ? test.loss : NAN,
               has_test ? test.accuracy : NAN};
  if (!ctx_.out_dir.empty()) write_metrics(&test_row_);
  std::ostringstream o;
  if (has_test)
    o << "test accuracy " << percent(test.accuracy) << " (loss " << format_number(test.loss) << ")";
  else
    o << "no test split";
  o << " after " << epoch_ << " epoch" << (epoch_ == 1 ? "" : "s") << ", " << global_step_
    << " steps";
  return o.str();
}

}  // namespace soma
