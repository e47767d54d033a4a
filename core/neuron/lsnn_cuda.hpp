#pragma once
// The recurrent LSNN sequence on cuda tensors (lsnn.cpp calls it under #ifdef SOMA_CUDA; built
// with SOMA_CUDA only): one fused kernel per step forward and backward
// (core/backend/cuda/lsnn_body.hpp), the weight gradient as GEMMs over all steps.
#include "core/backend/cuda_ops.hpp"
#include "core/neuron/lsnn.hpp"

namespace soma::detail {

// The kernels' constants, computed as lsnn.cpp's make_cell computes LsnnCell's,
// so both round alike. width: B H neurons per step.
inline cuda::LsnnParams lsnn_kernel_params(const LSNNParameters& p, int64_t width) {
  return {p.dt * p.tau_mem_inv,
          1.0f - p.dt * p.tau_syn_inv,
          p.dt * p.tau_adapt_inv,
          p.v_leak,
          p.v_th,
          p.v_reset,
          p.beta,
          p.reset == Reset::value,
          int(p.surrogate.method),
          p.surrogate.alpha,
          width};
}

LSNNSequence lsnn_recurrent_sequence_cuda(const Tensor& x_in, const Tensor& w_rec,
                                          const LSNNState& s0, const LSNNParameters& p,
                                          bool record_states);

}  // namespace soma::detail
