// The recurrent layers' shared CUDA helpers (recurrent_cuda_common.hpp).
#ifdef SOMA_CUDA

#include "core/neuron/recurrent_cuda_common.hpp"

#include <stdexcept>
#include <string>

#include "core/backend/cuda_ops.hpp"
#include "core/backend/cuda_runtime.hpp"
#include "core/backend/gemm.hpp"

namespace soma::detail {

Tensor recurrent_state_on_device(const char* op, const Tensor& t) {
  if (t.device() == Device::cuda) return t;
  if (t.requires_grad())
    throw std::invalid_argument(
        std::string(op) +
        ": the initial state needs a gradient but is on the cpu while the input is on cuda; move "
        "it with .cuda() first");
  return t.cuda();
}

void copy_on_device(float* dst, const float* src, int64_t n) {
  cuda::copy(dst, src, n * int64_t(sizeof(float)), cuda::CopyKind::device_to_device);
}

StateTraces::StateTraces(bool record, const Shape& shape, size_t count) {
  if (!record) return;
  for (size_t k = 0; k < count; ++k) traces_.push_back(Tensor::uninitialized(shape, Device::cuda));
}

void StateTraces::record(int64_t t, const Tensors& state) const {
  for (size_t k = 0; k < traces_.size(); ++k) {
    const int64_t n = state[k].numel();
    Tensor trace = traces_[k];  // a handle: the non-const one writes
    copy_on_device(trace.raw_data() + t * n, state[k].raw_data(), n);
  }
}

void StateTraces::add_grads(const Tensors& gtraces, int64_t t, const Tensors& gstate) {
  for (size_t k = 0; k < gtraces.size(); ++k) {
    Tensor g = gstate[k];
    const int64_t n = g.numel();
    cuda::binary(cuda::BinaryOp::add, g.raw_data(), gtraces[k].raw_data() + t * n, n, g.raw_data());
  }
}

RecurrentWeightGrads recurrent_weight_grads(const Tensor& gcur, const Tensor& z, const Tensor& z0,
                                            const Tensor& w) {
  const int64_t T = gcur.size(0), B = gcur.size(1), H = gcur.size(2), n = B * H;
  constexpr Device kCuda = Device::cuda;
  Tensor gw = Tensor::zeros(w.shape(), kCuda), gz0 = Tensor::zeros({B, H}, kCuda);
  if (T > 1)
    gemm(kCuda, true, false, H, H, (T - 1) * B, 1.0f, gcur.raw_data() + n, z.raw_data(), 0.0f,
         gw.raw_data());
  gemm(kCuda, true, false, H, H, B, 1.0f, gcur.raw_data(), z0.raw_data(), 1.0f, gw.raw_data());
  gemm(kCuda, false, false, B, H, H, 1.0f, gcur.raw_data(), w.raw_data(), 0.0f, gz0.raw_data());
  return {gw, gz0};
}

}  // namespace soma::detail

#endif  // SOMA_CUDA
