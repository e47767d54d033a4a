#pragma once
// Shapes and the index arithmetic shared by every op.
#include <cstdint>
#include <string>
#include <vector>

namespace soma {

using Shape = std::vector<int64_t>;
constexpr int kMaxDims = 5;

int64_t numel_of(const Shape& shape);
std::string to_string(const Shape& shape);
// Row-major strides of a contiguous tensor of this shape.
Shape strides_of(const Shape& shape);
// Resolves a possibly negative dimension index; throws if out of range.
int normalize_dim(int dim, int ndim);
// NumPy broadcasting of two shapes; throws with both shapes if incompatible.
Shape broadcast_shapes(const Shape& a, const Shape& b);

}  // namespace soma
