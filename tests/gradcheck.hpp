#pragma once
// Finite-difference gradient checks. The function under test maps a list of tensors to one
// tensor; it is reduced to a scalar with fixed random weights so every output element counts.
#include <doctest/doctest.h>

#include <functional>
#include <string>

#include "core/autograd/grad_mode.hpp"
#include "core/ops/ops.hpp"
#include "core/random/rng.hpp"

namespace soma::test {

using Fn = std::function<Tensor(const Tensors&)>;

struct GradcheckOptions {
  float eps = 1e-2f;  // float32: a larger step trades truncation error for rounding error
  float rtol = 2e-2f;
  float atol = 2e-3f;
};

// Checks d(sum(w * f(inputs)))/d(input) against central differences for every input that
// requires grad. Returns true when all match; reports the first mismatches through doctest.
inline bool gradcheck(const Fn& f, Tensors inputs, GradcheckOptions opt = {}) {
  Rng rng(1234);
  Tensor out = f(inputs);
  Tensor w = Tensor::rand(out.shape(), rng, -1, 1);
  auto objective = [&](const Tensors& xs) {
    NoGrad ng;
    Tensor y = f(xs);
    double s = 0;
    for (int64_t i = 0; i < y.numel(); ++i) s += double(y.data()[i]) * double(w.data()[i]);
    return s;
  };
  for (auto& x : inputs) x.zero_grad();
  sum(mul(out, w)).backward();
  bool ok = true;
  int reported = 0;
  for (size_t k = 0; k < inputs.size(); ++k) {
    Tensor x = inputs[k];
    if (!x.requires_grad()) continue;
    Tensor analytic = x.grad();
    for (int64_t i = 0; i < x.numel(); ++i) {
      float saved = x.data()[i];
      x.data()[i] = saved + opt.eps;
      double up = objective(inputs);
      x.data()[i] = saved - opt.eps;
      double down = objective(inputs);
      x.data()[i] = saved;
      double numeric = (up - down) / (2.0 * double(opt.eps));
      double a = analytic.defined() ? double(analytic.data()[i]) : 0.0;
      if (std::abs(a - numeric) > opt.atol + opt.rtol * std::abs(numeric)) {
        ok = false;
        if (reported++ < 5)
          FAIL_CHECK("input " << k << " element " << i << ": analytic " << a << " numeric "
                              << numeric);
      }
    }
  }
  return ok;
}

// A leaf tensor of the given shape with values uniform in [lo, hi], requiring grad.
inline Tensor param(const Shape& shape, Rng& rng, float lo = -1, float hi = 1) {
  Tensor t = Tensor::rand(shape, rng, lo, hi);
  t.requires_grad_();
  return t;
}

// Values equal to within tol, element by element.
inline void check_close(const Tensor& got, const std::vector<float>& want, float tol = 1e-5f) {
  REQUIRE(got.numel() == int64_t(want.size()));
  for (size_t i = 0; i < want.size(); ++i)
    CHECK_MESSAGE(std::abs(got.data()[i] - want[i]) <= tol,
                  "element " << i << ": got " << got.data()[i] << " want " << want[i]);
}

}  // namespace soma::test
