#pragma once
// The GEMMs after a recurrent layer's reverse scan on the GPU (recurrent_cuda_common.cpp),
// written out on the host for the tests that emulate the kernels there:
//   gW = sum_t gcur_t^T z_{t-1} (z_{-1} = z0),  gz0 = gcur_0 W,
// with gcur and z (T, B, H), z0 (B, H), W (H, H).
#include <cstdint>
#include <vector>

namespace soma::test {

inline void recurrent_weight_grads(int64_t T, int64_t B, int64_t H, const std::vector<float>& gcur,
                                   const std::vector<float>& z, const std::vector<float>& z0,
                                   const std::vector<float>& w, std::vector<float>& gw,
                                   std::vector<float>& gz0) {
  const int64_t n = B * H;
  gw.assign(size_t(H * H), 0.0f);
  gz0.assign(size_t(n), 0.0f);
  for (int64_t t = 0; t < T; ++t) {
    const float* zp = t == 0 ? z0.data() : z.data() + (t - 1) * n;
    for (int64_t b = 0; b < B; ++b)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t q = 0; q < H; ++q)
          gw[size_t(h * H + q)] += gcur[size_t(t * n + b * H + h)] * zp[b * H + q];
  }
  for (int64_t b = 0; b < B; ++b)
    for (int64_t q = 0; q < H; ++q)
      for (int64_t h = 0; h < H; ++h)
        gz0[size_t(b * H + q)] += gcur[size_t(b * H + h)] * w[size_t(h * H + q)];
}

}  // namespace soma::test
