#pragma once
#include "core/tensor/tensor.hpp"

namespace soma {

// Propagates `grad` (shaped like `root`) back through the tape into the .grad of every leaf
// that requires grad. Iterative (no recursion): the WebAssembly stack is 64 KB.
void run_backward(const Tensor& root, const Tensor& grad);

}  // namespace soma
