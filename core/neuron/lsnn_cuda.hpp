#pragma once
// The recurrent LSNN sequence on cuda tensors (lsnn.cpp calls it under #ifdef SOMA_CUDA; built
// with SOMA_CUDA only): one fused kernel per step forward and backward
// (core/backend/cuda/lsnn_body.hpp), the weight gradient as GEMMs over all steps.
#include "core/backend/cuda_ops.hpp"
#include "core/neuron/lsnn.hpp"
#include "core/neuron/lsnn_cell.hpp"

namespace soma::detail {

// The step kernels' constants: the recurrent cell (reset detached); width: B H neurons per step.
inline cuda::LsnnParams lsnn_kernel_params(const LSNNParameters& p, int64_t width) {
  return {lsnn_cell(p, true), width};
}

LSNNSequence lsnn_recurrent_sequence_cuda(const Tensor& x_in, const Tensor& w_rec,
                                          const LSNNState& s0, const LSNNParameters& p,
                                          bool record_states);

}  // namespace soma::detail
