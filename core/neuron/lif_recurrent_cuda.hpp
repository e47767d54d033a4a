#pragma once
// The recurrent LIF sequence on cuda tensors (lif_recurrent.cpp calls it under #ifdef SOMA_CUDA;
// built with SOMA_CUDA only): one fused kernel per step forward and backward
// (core/backend/cuda/recurrent_body.hpp), the weight gradient as one GEMM over all steps.
#include "core/neuron/lif_recurrent.hpp"

namespace soma::detail {

LIFRecurrentSequence lif_recurrent_sequence_cuda(const Tensor& x_in, const Tensor& w_rec,
                                                 const LIFRecurrentState& s0,
                                                 const LIFParameters& p, bool record_states);

}  // namespace soma::detail
