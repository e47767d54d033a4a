#include <doctest/doctest.h>

#include <cmath>

#include "core/optim/adam.hpp"
#include "core/optim/sgd.hpp"
#include "tasks/framework/optimizer_params.hpp"
#include "tasks/registry.hpp"

using namespace soma;

TEST_CASE("optimizer params: one declaration, the same flags and range in every learning task") {
  const char* flags[] = {"learning_rate", "optimizer", "momentum", "weight_decay", "clip_grad",
                         "lr_schedule",   "lr_step",   "lr_gamma", "warmup_steps"};
  for (const char* task : {"mnist", "memory", "cartpole", "correlation"}) {
    CAPTURE(task);
    TaskPtr t = make_task(task);
    for (const char* f : flags) {
      CAPTURE(f);
      CHECK(t->params().find(f) >= 0);
    }
    const ParamSpec& lr = t->params().at("learning_rate");
    CHECK(*lr.min == doctest::Approx(1e-7));
    CHECK(*lr.max == doctest::Approx(10));
  }
}

TEST_CASE("optimizer params: make_optimizer, make_schedule and clip_gradients follow the values") {
  ParamTable table;
  add_optimizer_params(table, {.learning_rate = 0.5, .lr_step = 2, .unit = "episode"});
  ParamValues v(table);
  Tensor w = Tensor::from({2}, {1, 1}).requires_grad_();
  CHECK(dynamic_cast<optim::Adam*>(make_optimizer(v, {w}).get()) != nullptr);
  CHECK(make_schedule(v, 10) == nullptr);
  v.set_string("optimizer", "sgd");
  auto opt = make_optimizer(v, {w});
  CHECK(dynamic_cast<optim::SGD*>(opt.get()) != nullptr);
  CHECK(opt->lr() == doctest::Approx(0.5));
  v.set_string("lr_schedule", "step");
  v.set_float("lr_gamma", 0.1);
  auto step = make_schedule(v, 10);
  CHECK(!schedule_per_update(v));
  CHECK(step->lr_at(1) == doctest::Approx(0.5));
  CHECK(step->lr_at(2) == doctest::Approx(0.05));
  v.set_string("lr_schedule", "cosine");
  CHECK(schedule_per_update(v));
  CHECK(make_schedule(v, 10)->lr_at(10) == doctest::Approx(0));
  // Clipping: the norm of (3, 4) is 5; clipped to 1.
  w.set_grad(Tensor::from({2}, {3, 4}));
  v.set_float("clip_grad", 1);
  clip_gradients(v, *opt, "episode 1");
  CHECK(std::hypot(w.grad().data()[0], w.grad().data()[1]) == doctest::Approx(1).epsilon(1e-4));
  w.set_grad(Tensor::from({2}, {NAN, 0}));
  CHECK_THROWS_WITH(clip_gradients(v, *opt, "episode 7"), doctest::Contains("episode 7"));
}

// Cart-pole and correlation built their own Adam; now an SGD run with a step schedule and
// clipping must train differently from the default, and still run.
TEST_CASE(
    "optimizer params: cartpole and correlation take --optimizer, --lr_schedule, --clip_grad") {
  for (std::string task : {"cartpole", "correlation"}) {
    CAPTURE(task);
    auto run = [&](bool sgd) {
      TaskPtr t = make_task(task);
      ParamValues v(t->params());
      v.set_int("episodes", 3);
      if (task == "correlation") v.set_int("seq_length", 30);
      if (task == "cartpole") v.set_int("max_episode_steps", 100);
      if (sgd) {
        v.set_string("optimizer", "sgd");
        v.set_string("lr_schedule", "step");
        v.set_int("lr_step", 1);
        v.set_float("learning_rate", 1);
        v.set_float("clip_grad", 5);
      }
      t->setup(v, {});
      while (!t->done()) t->step();
      return t->telemetry().series().front().y;
    };
    std::vector<double> adam = run(false), sgd = run(true);
    REQUIRE(adam.size() == 3);
    REQUIRE(sgd.size() == 3);
    CHECK(adam.front() == doctest::Approx(sgd.front()));  // the same first episode
    CHECK(adam != sgd);                                   // then other updates
  }
}

TEST_CASE("Task base: update_params keeps the new values for values()") {
  TaskPtr t = make_task("correlation");
  ParamValues v(t->params());
  v.set_int("episodes", 1);
  v.set_int("seq_length", 10);
  t->setup(v, {});
  CHECK(t->done() == false);
  v.set_int("episodes", 0 + 1);
  v.set_float("plasticity_rate", 0.5);
  t->update_params(v);
  t->step();
  CHECK(t->done());
}

TEST_CASE("memory: Norse's seq_length / seq_periods still name period_length / periods") {
  TaskPtr t = make_task("memory");
  CHECK(t->params().find("seq_length") == t->params().find("period_length"));
  CHECK(t->params().find("seq_periods") == t->params().find("periods"));
  CHECK(t->params().find("seq_repetitions") == t->params().find("repetitions"));
}
