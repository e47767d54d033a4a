#pragma once
// What the recurrent layers' CUDA sequences share (lif_recurrent_cuda.cpp, lsnn_cuda.cpp; built
// with SOMA_CUDA only): moving a host-made initial state to the device, and the gradients of
// the recorded states (record_states), and the gradients of the recurrent weights and the
// initial spikes after the reverse scan,
//   dL/dW = sum_t gcur_t^T z_{t-1}   (two GEMMs: steps 1.. against z_0.., step 0 against z0)
//   dL/dz0 = gcur_0 W
#include "core/tensor/tensor.hpp"

namespace soma::detail {

// The initial state made on the host by an *_initial_state function (constants, no gradient)
// follows the input to the device; a state that needs a gradient must already be there.
Tensor recurrent_state_on_device(const char* op, const Tensor& t);

void copy_on_device(float* dst, const float* src, int64_t n);

// record_states on the GPU: each state variable after every step, copied from the running
// state (one device copy per variable and step). Their gradients join the reverse scan where
// the state leaves step t: add_grads before step t's adjoint, so dL/dtrace_t flows back
// through the same steps as the final state's gradient does from T - 1.
class StateTraces {
 public:
  // Empty (records nothing) without record; else `count` tensors of `shape` (T, B, H).
  StateTraces(bool record, const Shape& shape, size_t count);
  // trace_k[t] = state_k for each k.
  void record(int64_t t, const Tensors& state) const;
  // gstate_k += gtrace_k[t] for each k (gtraces: the traces' output gradients).
  static void add_grads(const Tensors& gtraces, int64_t t, const Tensors& gstate);
  const Tensors& tensors() const { return traces_; }

 private:
  Tensors traces_;
};

struct RecurrentWeightGrads {
  Tensor gw, gz0;
};
// gcur, z: (T, B, H) with T > 0; z0 (B, H); w (H, H).
RecurrentWeightGrads recurrent_weight_grads(const Tensor& gcur, const Tensor& z, const Tensor& z0,
                                            const Tensor& w);

}  // namespace soma::detail
