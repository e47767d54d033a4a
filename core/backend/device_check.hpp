#pragma once
// Ops run where their inputs live; they never move data and never fall back to the CPU in
// silence. Each op asks at its top:
//   Device d = require_device("matmul", a, b);   // an op with a CUDA kernel: runs on d
//   require_cpu("relu", x);                      // an op without one: throws for cuda inputs
// Both throw std::invalid_argument when the inputs sit on different devices, and require_cpu
// throws std::runtime_error naming the op when an input is on cuda. The logic is plain (it
// reads only the device tags), so the CPU test suite checks it on tensors tagged cuda by hand.
// In a CUDA build Tensor::data() (host pointer) also throws for a cuda tensor: the safety net
// for an op that lacks the check.
#include <initializer_list>

#include "core/tensor/tensor.hpp"

namespace soma {

enum class CudaKernel { none, available };

// The one device of the defined tensors (cpu when there are none).
Device op_device(const char* op, std::initializer_list<const Tensor*> tensors, CudaKernel cuda);

template <class... T>
Device require_device(const char* op, const T&... tensors) {
  return op_device(op, {&tensors...}, CudaKernel::available);
}

template <class... T>
void require_cpu(const char* op, const T&... tensors) {
  op_device(op, {&tensors...}, CudaKernel::none);
}

}  // namespace soma
