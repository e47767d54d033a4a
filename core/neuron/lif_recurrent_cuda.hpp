#pragma once
// The recurrent LIF sequences on cuda tensors (lif_recurrent.cpp and lif_learnable_scan.cpp call
// them under #ifdef SOMA_CUDA; built with SOMA_CUDA only): one fused kernel per step forward and
// backward (core/backend/cuda/recurrent_body.hpp; lif_learnable_body.hpp with each neuron's own
// constants), the weight gradient as one GEMM over all steps.
#include "core/neuron/lif_learnable.hpp"

namespace soma::detail {

LIFRecurrentSequence lif_recurrent_sequence_cuda(const Tensor& x_in, const Tensor& w_rec,
                                                 const LIFRecurrentState& s0,
                                                 const LIFParameters& p, bool record_states);

// The same with q's per-neuron constants, which get gradients too (summed over batch and steps).
LIFRecurrentSequence lif_recurrent_learnable_sequence_cuda(const Tensor& x_in, const Tensor& w_rec,
                                                           const LIFRecurrentState& s0,
                                                           const LIFParameters& p,
                                                           const LIFNeuronTensors& q,
                                                           bool record_states);

}  // namespace soma::detail
