// The CUDA broadcasting ops of cuda_broadcast.hpp: the plans from the shapes
// (core/backend/cuda/broadcast_plan.hpp), one kernel each (core/backend/cuda/broadcast.cu).
#ifdef SOMA_CUDA

#include "core/ops/cuda_broadcast.hpp"

#include "core/backend/cuda/broadcast_plan.hpp"
#include "core/backend/cuda_runtime.hpp"

namespace soma::cuda_ops {

Tensor binary_broadcast(cuda::BinaryOp op, const Tensor& a, const Tensor& b) {
  const Shape shape = broadcast_shapes(a.shape(), b.shape());
  Tensor out = Tensor::uninitialized(shape, Device::cuda);
  cuda::binary_broadcast(op, cuda::broadcast_plan(shape, a.shape(), b.shape()), a.raw_data(),
                         b.raw_data(), out.raw_data());
  return out;
}

Tensor sum_to(const Tensor& g, const Shape& shape) {
  Tensor out = Tensor::uninitialized(shape, Device::cuda);
  cuda::sum_to(cuda::sum_to_plan(g.shape(), shape), g.raw_data(), out.raw_data());
  return out;
}

Tensor slice_backward(const Tensor& g, const Shape& from, int64_t offset) {
  Tensor gx = Tensor::zeros(from, Device::cuda);
  cuda::copy(gx.raw_data() + offset, g.raw_data(), g.numel() * int64_t(sizeof(float)),
             cuda::CopyKind::device_to_device);
  return gx;
}

}  // namespace soma::cuda_ops

#endif  // SOMA_CUDA
