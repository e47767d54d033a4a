#pragma once
// Element-wise ops. Binary ops broadcast NumPy-style; the backward sums each gradient back to
// its input's shape (sum_to).
#include "core/tensor/tensor.hpp"

namespace soma {

Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor add(const Tensor& a, float b);
Tensor mul(const Tensor& a, float b);
Tensor neg(const Tensor& x);

Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor abs(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor square(const Tensor& x);
Tensor pow(const Tensor& x, float exponent);
Tensor clamp(const Tensor& x, float lo, float hi);  // gradient 1 inside [lo, hi], 0 outside
Tensor relu(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor softplus(const Tensor& x, float beta = 1, float threshold = 20);  // as torch

// Sums a broadcast gradient back down to `shape` (not recorded: used inside backward passes).
Tensor sum_to(const Tensor& g, const Shape& shape);

inline Tensor operator+(const Tensor& a, const Tensor& b) {
  return add(a, b);
}
inline Tensor operator-(const Tensor& a, const Tensor& b) {
  return sub(a, b);
}
inline Tensor operator*(const Tensor& a, const Tensor& b) {
  return mul(a, b);
}
inline Tensor operator/(const Tensor& a, const Tensor& b) {
  return div(a, b);
}
inline Tensor operator+(const Tensor& a, float b) {
  return add(a, b);
}
inline Tensor operator-(const Tensor& a, float b) {
  return add(a, -b);
}
inline Tensor operator*(const Tensor& a, float b) {
  return mul(a, b);
}
inline Tensor operator/(const Tensor& a, float b) {
  return mul(a, 1.0f / b);
}
inline Tensor operator+(float a, const Tensor& b) {
  return add(b, a);
}
inline Tensor operator*(float a, const Tensor& b) {
  return mul(b, a);
}
inline Tensor operator-(float a, const Tensor& b) {
  return add(neg(b), a);
}
inline Tensor operator-(const Tensor& x) {
  return neg(x);
}

}  // namespace soma
