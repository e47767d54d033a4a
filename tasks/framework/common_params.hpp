#pragma once
// Parameters every task shares, declared once so their names, defaults and checks agree:
//   seed     the run's random seed
//   device   cpu or cuda; cuda in a build without SOMA_CUDA is a clear error at setup
//   method   the surrogate gradient (Norse's --method), with its alpha
//   learn_neuron_params   the recurrent LIF layer learns each neuron's constants
#include "core/neuron/surrogate.hpp"
#include "core/params/param_table.hpp"
#include "core/params/param_values.hpp"

namespace soma {

void add_seed_param(ParamTable& t, int64_t default_seed);
void add_device_param(ParamTable& t);
void add_surrogate_params(ParamTable& t);
// which: the models it applies to, for the help text ("model rec").
void add_learn_neuron_params(ParamTable& t, const std::string& which);
// A std::invalid_argument when learn_neuron_params is on for a model it does not apply to.
void check_learn_neuron_params(const ParamValues& v, bool applies, const std::string& which);

// Throws std::runtime_error when the chosen device is not available in this build (or this
// machine); on cuda, also sets cuBLAS's math mode from --tf32. task_runs_on_cuda:
// Task::runs_on_cuda for these values.
void check_device(const ParamValues& v, bool task_runs_on_cuda = false);
Surrogate surrogate_of(const ParamValues& v);

}  // namespace soma
