#include "tasks/framework/optimizer_params.hpp"

#include <cmath>
#include <stdexcept>

#include "core/optim/adam.hpp"
#include "core/optim/clip.hpp"
#include "core/optim/sgd.hpp"

namespace soma {

void add_optimizer_params(ParamTable& t, const OptimizerDefaults& d) {
  const std::string& u = d.unit;
  t.add_float("learning_rate", d.learning_rate, "step size").range(1e-7, 10).alias("lr").restart();
  t.add_choice("optimizer", d.optimizer, {"adam", "sgd"}, "optimizer").restart();
  t.add_float("momentum", 0.9, "SGD momentum").range(0, 1).restart();
  t.add_float("weight_decay", d.weight_decay, "L2 penalty").range(0, 1).restart();
  t.add_float("clip_grad", 0.0, "clip the gradient norm to this (0: off)").min(0);
  t.add_choice("lr_schedule", d.lr_schedule, {"none", "step", "cosine"},
               "none; step: times lr_gamma every lr_step " + u +
                   "s; cosine: warm-up then cosine over the run")
      .restart();
  t.add_int("lr_step", d.lr_step, u + "s between learning-rate drops (step schedule)")
      .min(1)
      .restart();
  t.add_float("lr_gamma", d.lr_gamma, "learning-rate factor per drop (step schedule)")
      .range(0, 1)
      .restart();
  t.add_int("warmup_steps", 0, "linear warm-up updates (cosine schedule)").min(0).restart();
}

std::unique_ptr<optim::Optimizer> make_optimizer(const ParamValues& v, Tensors params) {
  const float lr = float(v.get_float("learning_rate"));
  const float wd = float(v.get_float("weight_decay"));
  if (v.get_string("optimizer") == "adam")
    return std::make_unique<optim::Adam>(std::move(params),
                                         optim::AdamOptions{.lr = lr, .weight_decay = wd});
  return std::make_unique<optim::SGD>(
      std::move(params),
      optim::SGDOptions{.lr = lr, .momentum = float(v.get_float("momentum")), .weight_decay = wd});
}

bool schedule_per_update(const ParamValues& v) {
  return v.get_string("lr_schedule") == "cosine";
}

std::unique_ptr<optim::LrSchedule> make_schedule(const ParamValues& v, int64_t total_updates) {
  const std::string& sched = v.get_string("lr_schedule");
  const float lr = float(v.get_float("learning_rate"));
  if (sched == "step")
    return std::make_unique<optim::StepLR>(lr, v.get_int("lr_step"),
                                           float(v.get_float("lr_gamma")));
  if (sched == "cosine")
    return std::make_unique<optim::WarmupCosineLR>(lr, v.get_int("warmup_steps"), total_updates);
  return nullptr;
}

void clip_gradients(const ParamValues& v, const optim::Optimizer& opt, const std::string& where) {
  const double clip = v.get_float("clip_grad");
  if (clip <= 0) return;
  const float norm = optim::clip_grad_norm_(opt.params(), float(clip));
  if (!std::isfinite(norm))
    throw std::runtime_error(where + ": the gradient norm is " +
                             (std::isnan(norm) ? "NaN" : "infinite"));
}

}  // namespace soma
