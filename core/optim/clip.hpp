#pragma once
// Gradient clipping and scaling, as torch.nn.utils. Parameters without a gradient are skipped.
// Gradients may live on either device: on cuda the norm is one float reduction per gradient on
// the GPU (as torch's), read back in one wait; on the CPU it is summed in double.
#include "core/tensor/tensor.hpp"

namespace soma::optim {

// The L2 norm of all gradients taken together. When it exceeds max_norm, every gradient is
// scaled by max_norm / (norm + 1e-6). A NaN or infinite norm is returned as is and the
// gradients are left alone, so the caller can report it and skip the step.
float clip_grad_norm_(const Tensors& params, float max_norm);

// Multiplies every gradient by factor, in place (the trainer's mean over accumulated batches).
void scale_grads_(const Tensors& params, float factor);

// Clamps every gradient element to [-clip_value, clip_value]; NaN stays NaN. CPU gradients only
// (a cuda gradient throws: no task uses it on the GPU).
void clip_grad_value_(const Tensors& params, float clip_value);

}  // namespace soma::optim
