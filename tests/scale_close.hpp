#pragma once
// Comparing a CUDA result (or a kernel body standing in for one) with the CPU op's: within tol
// of the CPU values' scale, so values near 0 do not demand more digits than their neighbours
// carry. Shared by tests/cuda/ and tests/core/test_cuda_bodies.cpp.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/random/rng.hpp"
#include "core/tensor/tensor.hpp"

namespace soma::test {

// max |want - got| <= tol * max(|want|, 1e-3) over the finite values; a NaN or infinity must
// be the same in both. (std::max drops a NaN difference, and an infinite want would make the
// scale infinite: without the split, a result full of NaNs from a bad device read passed.)
inline bool close_to_scale(const std::vector<float>& want, const std::vector<float>& got,
                           float tol = 1e-5f) {
  if (want.size() != got.size()) return false;
  float scale = 1e-3f, err = 0;
  for (size_t k = 0; k < want.size(); ++k) {
    const float w = want[k], g = got[k];
    if (!std::isfinite(w) || !std::isfinite(g)) {
      if (!(w == g || (std::isnan(w) && std::isnan(g)))) return false;
      continue;
    }
    scale = std::max(scale, std::fabs(w));
    err = std::max(err, std::fabs(w - g));
  }
  return err <= tol * scale;
}

inline void check_close_to_scale(const std::vector<float>& want, const std::vector<float>& got,
                                 float tol = 1e-5f) {
  REQUIRE(want.size() == got.size());
  CHECK(close_to_scale(want, got, tol));
}

// A cpu tensor against a cuda one: device and shape first.
inline void check_close_to_scale(const Tensor& cpu, const Tensor& gpu, float tol = 1e-5f) {
  REQUIRE(gpu.defined());
  REQUIRE(gpu.device() == Device::cuda);
  REQUIRE(cpu.shape() == gpu.shape());
  check_close_to_scale(cpu.to_vector(), gpu.to_vector(), tol);
}

// Uniform values in [lo, hi) from their own seed.
inline Tensor random_tensor(const Shape& shape, uint64_t seed, float lo = -1, float hi = 1) {
  Rng rng(seed);
  return Tensor::rand(shape, rng, lo, hi);
}

}  // namespace soma::test
