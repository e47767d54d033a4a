#include "core/tensor/shape.hpp"

#include <algorithm>
#include <stdexcept>

#include "core/tensor/checked_size.hpp"

namespace soma {

// Throws SizeError when the product overflows int64 (a shape from a file header or a parameter).
int64_t numel_of(const Shape& shape) {
  int64_t n = 1;
  for (auto d : shape)
    if (__builtin_mul_overflow(n, d, &n))
      throw SizeError("shape " + to_string(shape) + " has more elements than a 64-bit count holds");
  return n;
}

std::string to_string(const Shape& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + ")";
}

Shape strides_of(const Shape& shape) {
  Shape st(shape.size(), 1);
  for (int i = int(shape.size()) - 2; i >= 0; --i) st[i] = st[i + 1] * shape[i + 1];
  return st;
}

int normalize_dim(int dim, int ndim) {
  int d = dim < 0 ? dim + ndim : dim;
  if (d < 0 || d >= ndim)
    throw std::out_of_range("dimension " + std::to_string(dim) + " out of range for a " +
                            std::to_string(ndim) + "-D tensor");
  return d;
}

Shape broadcast_shapes(const Shape& a, const Shape& b) {
  size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    if (da != db && da != 1 && db != 1)
      throw std::invalid_argument("cannot broadcast shapes " + to_string(a) + " and " +
                                  to_string(b));
    out[i] = std::max(da, db);
  }
  return out;
}

}  // namespace soma
