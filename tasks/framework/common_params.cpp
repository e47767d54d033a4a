#include "tasks/framework/common_params.hpp"

#include <stdexcept>

namespace soma {

void add_seed_param(ParamTable& t, int64_t default_seed) {
  t.add_int("seed", default_seed, "random seed (weights, data order, noise)").min(0).restart();
}

void add_device_param(ParamTable& t) {
  t.add_choice("device", "cpu", {"cpu", "cuda"}, "where to compute").restart();
}

void add_surrogate_params(ParamTable& t) {
  t.add_choice("method", "super", surrogate_names(), "surrogate gradient of the spike").restart();
  t.add_float("alpha", 100.0, "sharpness of the surrogate gradient").range(1e-3, 1e4).restart();
}

void check_device(const ParamValues& v) {
  if (v.table().find("device") < 0 || v.get_string("device") != "cuda") return;
#ifndef SOMA_CUDA
  throw std::runtime_error(
      "--device cuda: this build has no CUDA backend (configure with the native-cuda preset, "
      "SOMA_CUDA=ON); use --device cpu");
#else
  // The backend has tensors, copies, cuBLAS GEMMs, a few element-wise ops and the LIF scan, not
  // yet every op a task needs: refuse rather than run the task on the CPU in silence.
  throw std::runtime_error(
      "--device cuda: the tasks do not run on the CUDA backend yet (it covers tensors, copies, "
      "GEMMs, a few element-wise ops and the LIF scan); use --device cpu");
#endif
}

Surrogate surrogate_of(const ParamValues& v) {
  return {parse_surrogate(v.get_string("method")), float(v.get_float("alpha"))};
}

}  // namespace soma
