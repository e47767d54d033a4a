#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "core/nn/linear.hpp"
#include "core/ops/ops.hpp"
#include "core/random/rng.hpp"
#include "tasks/framework/common_params.hpp"
#include "tasks/framework/trainer.hpp"

using namespace soma;

namespace {

// Fits y = 2x with one weight; the loss turns NaN at batch `nan_at` (or never).
class LineTask : public TrainingTask {
 public:
  explicit LineTask(int64_t nan_at = -1) : nan_at_(nan_at) {
    add_seed_param(table_, 1);
    add_trainer_params(table_, {3, 4, {.learning_rate = 0.1, .optimizer = "sgd"}});
  }
  std::string name() const override { return "line"; }
  std::string description() const override { return "fit a line"; }
  int64_t steps = 0;

 protected:
  void build(const ParamValues&) override {
    Rng rng(1);
    model_ = std::make_shared<nn::Linear>(1, 1, false, rng);
  }
  nn::Module& model() const override { return *model_; }
  int64_t batches_per_epoch() const override { return 5; }
  BatchStats train_batch(int64_t, int64_t) override {
    if (steps++ == nan_at_) return {std::numeric_limits<double>::quiet_NaN(), 0, 1};
    Tensor x = Tensor::from({4, 1}, {1, 2, 3, 4});
    Tensor loss = mse_loss((*model_)(x), x * 2.0f);
    loss.backward();
    return {loss.item(), 0, 4};
  }
  EvalStats evaluate(bool) override { return {std::abs(model_->weight.item() - 2.0), 0}; }

 private:
  std::shared_ptr<nn::Linear> model_;
  int64_t nan_at_;
};

}  // namespace

TEST_CASE("trainer: epochs of batches, validation each epoch, progress and schedule") {
  LineTask t;
  ParamValues v(t.params());
  v.set_float("learning_rate", 0.01);
  v.set_string("lr_schedule", "step");
  v.set_int("lr_step", 1);
  v.set_float("lr_gamma", 0.5);
  t.setup(v, {});
  int steps = 0;
  while (!t.done()) t.step(), ++steps;
  CHECK(steps == 15);
  CHECK(t.telemetry().progress == 1.0);
  const Series* val = t.telemetry().find_series("val loss");
  REQUIRE(val != nullptr);
  CHECK(val->y.size() == 3);
  CHECK(val->y.back() < val->y.front());
}

TEST_CASE("trainer: --val_check_interval adds validations inside each epoch") {
  LineTask t;
  ParamValues v(t.params());
  v.set_int("val_check_interval", 2);
  t.setup(v, {});
  while (!t.done()) t.step();
  const Series* val = t.telemetry().find_series("val loss");
  REQUIRE(val != nullptr);
  // 5 batches per epoch: after batches 2 and 4, and at the epoch's end; 3 epochs.
  CHECK(val->x == std::vector<double>{2, 4, 5, 7, 9, 10, 12, 14, 15});
}

TEST_CASE("trainer: max_steps and patience stop early") {
  LineTask t;
  ParamValues v(t.params());
  v.set_int("max_steps", 7);
  t.setup(v, {});
  int steps = 0;
  while (!t.done()) t.step(), ++steps;
  CHECK(steps == 7);
}

TEST_CASE("trainer: a NaN loss stops with an error naming the step") {
  LineTask t(6);
  ParamValues v(t.params());
  t.setup(v, {});
  std::string msg;
  try {
    while (!t.done()) t.step();
  } catch (const std::runtime_error& e) {
    msg = e.what();
  }
  CHECK(msg.find("epoch 2, batch 2 (step 7)") != std::string::npos);
  CHECK(msg.find("NaN") != std::string::npos);
}

namespace {

// Fits y = 2x - 1 on 12 points per epoch, in batches of --batch_size (the last one may be
// shorter); each batch's loss is its mean squared error.
class PointsTask : public TrainingTask {
 public:
  PointsTask() {
    add_seed_param(table_, 1);
    add_trainer_params(table_, {2, 2, {.learning_rate = 0.05, .optimizer = "sgd"}});
  }
  std::string name() const override { return "points"; }
  std::string description() const override { return "fit a line to 12 points"; }
  int64_t steps = 0;
  nn::Linear& line() const { return *model_; }

 protected:
  void build(const ParamValues&) override {
    Rng rng(1);
    model_ = std::make_shared<nn::Linear>(1, 1, true, rng);
  }
  nn::Module& model() const override { return *model_; }
  int64_t batches_per_epoch() const override {
    const int64_t b = values().get_int("batch_size");
    return (kPoints + b - 1) / b;
  }
  BatchStats train_batch(int64_t, int64_t batch) override {
    ++steps;
    const int64_t b = values().get_int("batch_size"), first = batch * b;
    const int64_t n = std::min(b, kPoints - first);
    std::vector<float> xs, ys;
    for (int64_t i = first; i < first + n; ++i) {
      xs.push_back(0.1f * float(i) - 0.5f);
      ys.push_back(2 * xs.back() - 1);
    }
    Tensor loss = mse_loss((*model_)(Tensor::from({n, 1}, xs)), Tensor::from({n, 1}, ys));
    loss.backward();
    return {loss.item(), 0, n};
  }
  EvalStats evaluate(bool) override { return {0, 0, 0}; }

 private:
  static constexpr int64_t kPoints = 12;
  std::shared_ptr<nn::Linear> model_;
};

// The line's weight and bias after a run with these values.
std::vector<float> fitted(int64_t batch_size, int64_t accumulate, const std::string& optimizer,
                          int64_t* steps = nullptr) {
  PointsTask t;
  ParamValues v(t.params());
  v.set_int("batch_size", batch_size);
  v.set_int("accumulate_grad_batches", accumulate);
  v.set_string("optimizer", optimizer);
  t.setup(v, {});
  while (!t.done()) t.step();
  if (steps) *steps = t.steps;
  return {t.line().weight.item(), t.line().bias.item()};
}

}  // namespace

TEST_CASE("trainer: --accumulate_grad_batches k steps as one batch k times as large") {
  for (const std::string opt : {"sgd", "adam"}) {
    CAPTURE(opt);
    int64_t steps = 0;
    // Windows of 3 batches of 2 points: the same updates as batches of 6.
    const std::vector<float> six = fitted(6, 1, opt), accumulated = fitted(2, 3, opt, &steps);
    CHECK(steps == 12);  // every batch still runs: 6 per epoch, 2 epochs
    for (size_t i = 0; i < 2; ++i) CHECK(accumulated[i] == doctest::Approx(six[i]).epsilon(1e-5));
    // Windows of 4 batches: an epoch's second window ends early with 2 batches, as a batch of 8
    // leaves a last batch of 4.
    const std::vector<float> eight = fitted(8, 1, opt), short_window = fitted(2, 4, opt);
    for (size_t i = 0; i < 2; ++i)
      CHECK(short_window[i] == doctest::Approx(eight[i]).epsilon(1e-5));
    // And accumulation changes something: batches of 2 take 3 times as many steps.
    CHECK(fitted(2, 1, opt)[0] != doctest::Approx(six[0]).epsilon(1e-3));
  }
}
