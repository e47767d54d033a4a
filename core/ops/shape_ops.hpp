#pragma once
// Ops that move data without arithmetic. reshape/flatten and slices along dim 0 are views
// (shared storage); the others copy.
#include <vector>

#include "core/tensor/tensor.hpp"

namespace soma {

Tensor reshape(const Tensor& x, Shape shape);  // one dimension may be -1
Tensor flatten(const Tensor& x, int start_dim = 0, int end_dim = -1);
Tensor unsqueeze(const Tensor& x, int dim);
Tensor squeeze(const Tensor& x, int dim);
Tensor transpose(const Tensor& x, int dim0, int dim1);
Tensor permute(const Tensor& x, const std::vector<int>& dims);
// Elements [start, end) along `dim` (negative start/end count from the end).
Tensor slice(const Tensor& x, int dim, int64_t start, int64_t end);
// x[i] along dim 0, removing that dimension (a view): the time step of a (T, B, ...) tensor.
Tensor select(const Tensor& x, int64_t index);
// Rows of x along dim 0 picked by integer-valued `indices` (1-D): batching from a data set.
Tensor index_select(const Tensor& x, const std::vector<int64_t>& indices);
Tensor cat(const std::vector<Tensor>& xs, int dim = 0);
Tensor stack(const std::vector<Tensor>& xs, int dim = 0);

}  // namespace soma
