#pragma once
// Gradient clipping, as torch.nn.utils. Parameters without a gradient are skipped.
#include "core/tensor/tensor.hpp"

namespace soma::optim {

// The L2 norm of all gradients taken together. When it exceeds max_norm, every gradient is
// scaled by max_norm / (norm + 1e-6). A NaN or infinite norm is returned as is and the
// gradients are left alone, so the caller can report it and skip the step.
float clip_grad_norm_(const Tensors& params, float max_norm);

// Clamps every gradient element to [-clip_value, clip_value]; NaN stays NaN.
void clip_grad_value_(const Tensors& params, float clip_value);

}  // namespace soma::optim
