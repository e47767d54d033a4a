#pragma once
// The optimizer settings of every task that learns by gradient descent, declared once so that
// their names, defaults, ranges and help agree (issue 16: learning_rate had three ranges):
//   learning_rate, optimizer (adam | sgd), momentum, weight_decay   -> make_optimizer
//   lr_schedule (none | step | cosine), lr_step, lr_gamma, warmup_steps -> make_schedule
//   clip_grad (gradient-norm clipping, 0: off)                       -> clip_gradients
// A task counts its schedule in its own unit: the trainer in epochs (step) and batches (cosine),
// cart-pole and correlation in episodes (one optimizer update per episode).
#include <memory>
#include <string>

#include "core/optim/optimizer.hpp"
#include "core/optim/schedule.hpp"
#include "core/params/param_table.hpp"
#include "core/params/param_values.hpp"

namespace soma {

struct OptimizerDefaults {
  double learning_rate = 2e-3;
  std::string optimizer = "adam";
  double weight_decay = 0;
  std::string lr_schedule = "none";
  int64_t lr_step = 5;
  double lr_gamma = 0.2;
  std::string unit = "epoch";  // what lr_step counts, for the help text
};

void add_optimizer_params(ParamTable& t, const OptimizerDefaults& d);

// Adam or SGD over `params` with the values' learning rate, momentum and weight decay.
std::unique_ptr<optim::Optimizer> make_optimizer(const ParamValues& v, Tensors params);

// The values' learning-rate schedule, or null for "none". A step schedule counts units
// (epochs, episodes); a cosine schedule counts optimizer updates, `total_updates` in all.
// Throws std::runtime_error when warmup_steps does not fit in total_updates.
std::unique_ptr<optim::LrSchedule> make_schedule(const ParamValues& v, int64_t total_updates);
// True when the schedule counts updates (cosine), false when it counts units (step, none).
bool schedule_per_update(const ParamValues& v);

// Clips the gradient norm to clip_grad when it is on. A NaN or infinite norm throws a
// std::runtime_error that starts with `where` ("episode 12").
void clip_gradients(const ParamValues& v, const optim::Optimizer& opt, const std::string& where);

}  // namespace soma
