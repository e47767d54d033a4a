#pragma once
// The Poisson encoder's body (encode.cu): out (steps, n), time-major; element o = t n + j spikes
// where U_o < rate_scale x_j (rate_scale = dt f_max, as core/encode/encoders.cpp), U_o from
// Philox4x32-10. One Philox block gives four uniforms: block b serves elements 4b .. 4b + 3,
// with counter (b, 0, 0, 0) and the call's 64-bit key, so the spikes depend on the key and the
// element alone, never on the launch geometry. Signed spikes (signed_poisson_encode) fire at
// rate_scale |x_j| with x_j's sign.
#include "core/backend/cuda/host_device.hpp"
#include "core/backend/cuda/philox.hpp"
#include "core/backend/cuda_ops.hpp"

namespace soma::cuda {

SOMA_HD inline void poisson_block(const PoissonDraw& d, const float* x, float* out, int64_t b) {
  const Philox4 r = philox4x32_10(Philox4{{uint32_t(b), uint32_t(uint64_t(b) >> 32), 0u, 0u}},
                                  uint32_t(d.key), uint32_t(d.key >> 32));
  for (int l = 0; l < 4; ++l) {
    const int64_t o = 4 * b + l;
    if (o >= d.total) return;
    const float v = x[o % d.n], sign = d.signed_spikes && v < 0 ? -1.0f : 1.0f;
    out[o] = philox_uniform(r.w[l]) < d.rate_scale * (d.signed_spikes ? fabsf(v) : v) ? sign : 0.0f;
  }
}

}  // namespace soma::cuda
