#pragma once
// Philox4x32-10 (Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as easy as 1, 2, 3",
// SC 2011): a counter-based generator, so every GPU thread draws its own numbers from its
// element index with no state to carry or share. Ten rounds of
//   (hi0, lo0) = M0 c0,  (hi1, lo1) = M1 c2           (32 x 32 -> 64-bit products)
//   c = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
// with the key bumped by the Weyl constants (W0, W1) before every round after the first.
// tests/core/test_cuda_bodies.cpp checks the published known-answer vectors.
#include "core/backend/cuda/host_device.hpp"

namespace soma::cuda {

struct Philox4 {
  uint32_t w[4];
};

SOMA_HD inline Philox4 philox4x32_10(Philox4 c, uint32_t k0, uint32_t k1) {
  for (int r = 0; r < 10; ++r) {
    if (r > 0) {
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
    const uint64_t p0 = uint64_t(0xD2511F53u) * c.w[0];
    const uint64_t p1 = uint64_t(0xCD9E8D57u) * c.w[2];
    c = Philox4{{uint32_t(p1 >> 32) ^ c.w[1] ^ k0, uint32_t(p1), uint32_t(p0 >> 32) ^ c.w[3] ^ k1,
                 uint32_t(p0)}};
  }
  return c;
}

// The top 24 bits as a float in [0, 1): exact, so host and device agree bit for bit.
SOMA_HD inline float philox_uniform(uint32_t bits) {
  return float(bits >> 8) * (1.0f / 16777216.0f);
}

}  // namespace soma::cuda
