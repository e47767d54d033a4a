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
