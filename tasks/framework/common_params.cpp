#include "tasks/framework/common_params.hpp"

#include <stdexcept>

#include "core/backend/cuda_runtime.hpp"

namespace soma {

void add_seed_param(ParamTable& t, int64_t default_seed) {
  t.add_int("seed", default_seed, "random seed (weights, data order, noise)").min(0).restart();
}

void add_device_param(ParamTable& t) {
  t.add_choice("device", "cpu", {"cpu", "cuda"}, "where to compute").restart();
  // Off by default, as torch's matmuls: TF32 rounds GEMM inputs to a 10-bit mantissa.
  t.add_bool("tf32", false,
             "cuda only: TF32 tensor-core GEMMs (inputs rounded to 10 mantissa bits, sums in "
             "fp32); off: fp32")
      .restart();
}

void add_surrogate_params(ParamTable& t) {
  t.add_choice("method", "super", surrogate_names(), "surrogate gradient of the spike").restart();
  t.add_float("alpha", 100.0, "sharpness of the surrogate gradient").range(1e-3, 1e4).restart();
}

void add_learn_neuron_params(ParamTable& t, const std::string& which) {
  t.add_bool("learn_neuron_params", false,
             which +
                 ": each recurrent LIF neuron learns its tau_mem, tau_syn and v_th (PLIF's "
                 "sigmoid(dt / tau), per neuron; Norse issue #143)")
      .restart();
}

void check_learn_neuron_params(const ParamValues& v, bool applies, const std::string& which) {
  if (v.get_bool("learn_neuron_params") && !applies)
    throw std::invalid_argument("--learn_neuron_params: only for " + which +
                                " (the recurrent LIF layer)");
}

void check_device(const ParamValues& v, bool task_runs_on_cuda) {
  if (v.table().find("device") < 0 || v.get_string("device") != "cuda") return;
#ifndef SOMA_CUDA
  (void)task_runs_on_cuda;  // only a CUDA build has tasks that run there
  throw std::runtime_error(
      "--device cuda: this build has no CUDA backend (configure with the native-cuda preset, "
      "SOMA_CUDA=ON); use --device cpu");
#else
  // The backend does not yet have every op of every task: refuse a configuration that would
  // reach a CPU-only op, rather than fail mid-run.
  if (!task_runs_on_cuda)
    throw std::runtime_error(
        "--device cuda: this task and configuration do not run on the CUDA backend yet (mnist, "
        "cifar10, memory and speech_commands do); use --device cpu");
  cuda::require_available("--device cuda");  // at setup, with the runtime's reason
  cuda::set_tf32(v.get_bool("tf32"));
#endif
}

Surrogate surrogate_of(const ParamValues& v) {
  return {parse_surrogate(v.get_string("method")), float(v.get_float("alpha"))};
}

}  // namespace soma
