// The fused time scan of the current-based leaky models on the GPU: one thread per neuron keeps
// (v, i) in registers and walks the T steps; neighbouring threads read neighbouring neurons of
// a step, so every load and store of a step is coalesced. The same recurrence and adjoint as
// core/neuron/current_scan.cpp (equations in lif.hpp), which the CUDA tests compare against.
#include <cmath>

#include "core/backend/cuda/device_context.hpp"
#include "core/backend/cuda/launch.cuh"
#include "core/backend/cuda_ops.hpp"

namespace soma::cuda {

namespace {

// Surrogate::grad (surrogate.cpp), numbered as SurrogateMethod.
__device__ inline float surrogate_grad(int method, float alpha, float x) {
  switch (method) {
    case 0: {  // super
      const float d = alpha * fabsf(x) + 1.0f;
      return 1.0f / (d * d);
    }
    case 1:  // heaviside
      return 0.0f;
    case 2:  // triangle
      return alpha * fmaxf(0.0f, 1.0f - fabsf(x));
    case 3: {  // tanh
      const float t = tanhf(alpha * x);
      return 1.0f - t * t;
    }
    case 4:  // circ
      return alpha * alpha * alpha / powf(x * x + alpha * alpha, 1.5f);
    case 5:  // heavi_erfc
      return 1.1283791671f * expf(-(alpha * x) * (alpha * x));
    case 6: {  // logistic
      const float s = 1.0f / (1.0f + expf(-alpha * x));
      return alpha * s * (1.0f - s);
    }
  }
  return 0.0f;
}

__global__ void forward_kernel(LeakyScanParams p, LeakyScanArrays a) {
  const int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  if (k >= p.width) return;
  float v = a.v[k], i = a.i[k];
  for (int64_t t = 0; t < p.steps; ++t) {
    const int64_t o = t * p.width + k;
    const float j = i + a.x[o];
    const float vd = v + p.am * (p.v_leak - v + j);
    i = j * p.keep_i;
    float vn = vd;
    if (p.spiking) {
      const float z = vd > p.v_th ? 1.0f : 0.0f;
      vn = p.reset_value ? vd + z * (p.v_reset - vd) : vd - z * p.v_th;
      a.z[o] = z;
      if (a.v_dec) a.v_dec[o] = vd;
    }
    v = vn;
    if (a.trace) a.trace[o] = vn;
  }
  a.v[k] = v;
  a.i[k] = i;
}

__global__ void backward_kernel(LeakyScanParams p, LeakyScanGrads g) {
  const int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  if (k >= p.width) return;
  float gv_next = g.gv[k], gi = g.gi[k];
  for (int64_t t = p.steps - 1; t >= 0; --t) {
    const int64_t o = t * p.width + k;
    float gv = gv_next;
    if (g.gtrace) gv += g.gtrace[o];
    float gvd = gv;
    if (p.spiking) {
      const float vd = g.v_dec[o], z = vd > p.v_th ? 1.0f : 0.0f;
      const float sg = surrogate_grad(p.surrogate, p.alpha, vd - p.v_th);
      const float gz = g.gz ? g.gz[o] : 0.0f;
      gvd = p.reset_value ? gv * (1.0f - z) + (gv * (p.v_reset - vd) + gz) * sg
                          : gv + (gz - gv * p.v_th) * sg;
    }
    const float gj = gvd * p.am + gi * p.keep_i;
    g.gx[o] = gj;
    gi = gj;
    gv_next = gvd * (1.0f - p.am);
  }
  g.gv[k] = gv_next;
  g.gi[k] = gi;
}

}  // namespace

void leaky_scan_forward(const LeakyScanParams& p, const LeakyScanArrays& a) {
  if (p.width == 0) return;
  const unsigned blocks = unsigned((p.width + kThreads - 1) / kThreads);
  forward_kernel<<<blocks, kThreads, 0, stream()>>>(p, a);
  check(cudaGetLastError(), "leaky scan forward launch");
}

void leaky_scan_backward(const LeakyScanParams& p, const LeakyScanGrads& g) {
  if (p.width == 0) return;
  const unsigned blocks = unsigned((p.width + kThreads - 1) / kThreads);
  backward_kernel<<<blocks, kThreads, 0, stream()>>>(p, g);
  check(cudaGetLastError(), "leaky scan backward launch");
}

}  // namespace soma::cuda
