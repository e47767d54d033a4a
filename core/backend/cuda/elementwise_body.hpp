#pragma once
// The element-wise kernels' arithmetic (elementwise.cu): out[k] = a[k] op b[k] or a[k] op b.
#include "core/backend/cuda/host_device.hpp"
#include "core/backend/cuda_ops.hpp"

namespace soma::cuda {

SOMA_HD inline float apply_binary(BinaryOp op, float a, float b) {
  switch (op) {
    case BinaryOp::add:
      return a + b;
    case BinaryOp::sub:
      return a - b;
    case BinaryOp::mul:
      return a * b;
    case BinaryOp::div:
      return a / b;
  }
  return 0.0f;
}

}  // namespace soma::cuda
