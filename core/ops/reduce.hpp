#pragma once
// Reductions over all elements or one dimension.
#include "core/tensor/tensor.hpp"

namespace soma {

Tensor sum(const Tensor& x);
Tensor sum(const Tensor& x, int dim, bool keepdim = false);
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, int dim, bool keepdim = false);
// The gradient flows to the first maximal element only (as torch.max with a dim).
Tensor max(const Tensor& x);
Tensor max(const Tensor& x, int dim, bool keepdim = false);
// Integer-valued float tensor of the indices of the maxima along dim (not differentiable).
Tensor argmax(const Tensor& x, int dim, bool keepdim = false);

}  // namespace soma
