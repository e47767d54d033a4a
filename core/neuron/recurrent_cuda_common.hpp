#pragma once
// What the recurrent layers' CUDA sequences share (lif_recurrent_cuda.cpp, lsnn_cuda.cpp; built
// with SOMA_CUDA only): moving a host-made initial state to the device, and the gradients of
// the recurrent weights and the initial spikes after the reverse scan,
//   dL/dW = sum_t gcur_t^T z_{t-1}   (two GEMMs: steps 1.. against z_0.., step 0 against z0)
//   dL/dz0 = gcur_0 W
#include "core/tensor/tensor.hpp"

namespace soma::detail {

// The initial state made on the host by an *_initial_state function (constants, no gradient)
// follows the input to the device; a state that needs a gradient must already be there.
Tensor recurrent_state_on_device(const char* op, const Tensor& t);

void copy_on_device(float* dst, const float* src, int64_t n);

struct RecurrentWeightGrads {
  Tensor gw, gz0;
};
// gcur, z: (T, B, H) with T > 0; z0 (B, H); w (H, H).
RecurrentWeightGrads recurrent_weight_grads(const Tensor& gcur, const Tensor& z, const Tensor& z0,
                                            const Tensor& w);

}  // namespace soma::detail
