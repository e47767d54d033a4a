// STDP's element-wise kernels: one thread per trace or weight (arithmetic in stdp_body.hpp,
// which the CPU's stdp.cpp runs too).
#include "core/backend/cuda/launch.cuh"
#include "core/backend/cuda/stdp_body.hpp"

namespace soma::cuda {

void stdp_trace(const float* z, float* t, int64_t n, float rate, float a) {
  launch_each(
      n, [=] __device__(int64_t k) { t[k] = stdp_trace_next(t[k], z[k], rate, a); }, "stdp_trace");
}

void stdp_weights(const StdpBounds& b, float* w, const float* pot, const float* dep, int64_t n) {
  launch_each(
      n, [=] __device__(int64_t k) { w[k] = stdp_weight_next(b, w[k], pot[k], dep[k]); },
      "stdp_weights");
}

}  // namespace soma::cuda
