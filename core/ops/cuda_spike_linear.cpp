// spike_linear on cuda tensors (cuda_spike_linear.hpp): pack, count, then the product or
// nothing.
#ifdef SOMA_CUDA

#include "core/ops/cuda_spike_linear.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/backend/cuda/spike_ops.hpp"
#include "core/backend/cuda_runtime.hpp"
#include "core/ops/reduce.hpp"

namespace soma::cuda_ops {

namespace {

constexpr Device kCuda = Device::cuda;

// The packed bits live in a float tensor's storage (4 bytes each, as the allocator hands out).
uint32_t* words(Tensor& t) {
  return reinterpret_cast<uint32_t*>(t.raw_data());
}

}  // namespace

Tensor spike_linear(const Tensor& x, const Tensor& weight, const Tensor& bias, double max_density) {
  const double cap = std::min(max_density, cuda::tf32() ? kSpikeDensityTf32 : kSpikeDensityFp32);
  const int64_t n = weight.size(0), k = weight.size(1);
  if (cap <= 0 || x.numel() == 0 || k == 0) return {};
  const cuda::SpikeRows s{x.numel() / k, k};
  const int64_t packed = s.rows * s.words();
  Tensor bits = Tensor::uninitialized({packed}, kCuda);
  Tensor counts = Tensor::uninitialized({2, packed}, kCuda);  // per word: ones, others
  cuda::spike_pack(s, x.raw_data(), words(bits), counts.raw_data(), counts.raw_data() + packed);
  // Both totals in one read (the one wait). Float sums of whole counts: a non-zero count of
  // others never rounds to 0.
  const std::vector<float> total = sum(counts, 1).to_vector();
  if (total[1] > 0 || total[0] > cap * double(x.numel())) return {};
  Tensor wt = Tensor::uninitialized({k, n}, kCuda);
  cuda::transpose2d(n, k, weight.raw_data(), wt.raw_data());
  Shape shape = x.shape();
  shape.back() = n;
  Tensor out = Tensor::uninitialized(shape, kCuda);
  cuda::spike_rows_product(s, words(bits), wt.raw_data(),
                           bias.defined() ? bias.raw_data() : nullptr, n, out.raw_data());
  return out;
}

}  // namespace soma::cuda_ops

#endif  // SOMA_CUDA
