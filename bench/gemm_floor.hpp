#pragma once
// The GEMM floor of a model: its products timed alone, at the model's shapes, in the same run
// as the model (bench_mnist_epoch, bench_cifar10_epoch print the model's time as a ratio to it).
#include <chrono>

#include "core/backend/cuda_runtime.hpp"
#include "core/backend/gemm.hpp"
#include "core/random/rng.hpp"
#include "core/tensor/tensor.hpp"

namespace soma::bench {

// C (m x n) = A (m x k) B (k x n), then the gradient of A and, with need_gb, of B, timed for
// `repeats` calls (seconds in all). A convolution is such a product: its weight (Cout x K) as A,
// the column matrix of its input (K x positions) as B.
inline double gemm_triple(int64_t m, int64_t n, int64_t k, int64_t repeats, bool need_gb,
                          Device device = Device::cpu) {
  Rng rng(2);
  Tensor a = Tensor::rand({m, k}, rng).to(device), b = Tensor::rand({k, n}, rng).to(device);
  Tensor c = Tensor::zeros({m, n}, device), ga = Tensor::zeros({m, k}, device);
  Tensor gb = Tensor::zeros({k, n}, device);
  auto products = [&] {
    gemm(device, false, false, m, n, k, 1, a.raw_data(), b.raw_data(), 0, c.raw_data());
    gemm(device, false, true, m, k, n, 1, c.raw_data(), b.raw_data(), 0, ga.raw_data());
    if (need_gb)
      gemm(device, true, false, k, n, m, 1, a.raw_data(), c.raw_data(), 0, gb.raw_data());
  };
  if (device == Device::cuda) {  // cuBLAS's first call sets up its handle and workspace
    products();
    cuda::synchronize();
  }
  auto t0 = std::chrono::steady_clock::now();
  for (int64_t r = 0; r < repeats; ++r) products();
  if (device == Device::cuda) cuda::synchronize();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace soma::bench
