#include "core/ops/conv_sparse_grad.hpp"

#include <vector>

#include "core/backend/cpu/isa_kernels.hpp"

namespace soma {

namespace {

// W (Cout, Cin, kh, kw) as (Cout, kh, kw, cp): each tap's input channels contiguous, padded
// with zeros to cp (a multiple of 16) for whole vectors.
std::vector<float> pack_weights(const ConvGeom& g, const float* w, int64_t cp) {
  const int64_t taps = g.kh * g.kw;
  std::vector<float> wt(size_t(g.cout * taps * cp), 0.0f);
  for (int64_t co = 0; co < g.cout; ++co)
    for (int64_t c = 0; c < g.cin; ++c)
      for (int64_t t = 0; t < taps; ++t)
        wt[size_t((co * taps + t) * cp + c)] = w[(co * g.cin + c) * taps + t];
  return wt;
}

// Per output pixel of one image, the output channels whose gradient is non-zero.
void pixel_masks(const ConvGeom& g, const float* gout, uint64_t* masks) {
  const int64_t groups = (g.cout + 63) / 64;
  std::fill(masks, masks + g.l() * groups, uint64_t(0));
  for (int64_t co = 0; co < g.cout; ++co) {
    const float* row = gout + co * g.l();
    const uint64_t bit = uint64_t(1) << (co % 64);
    uint64_t* m = masks + co / 64;
    for (int64_t o = 0; o < g.l(); ++o) m[o * groups] |= row[o] != 0.0f ? bit : 0;
  }
}

}  // namespace

bool conv_input_grad_sparse(const ConvGeom& g, const float* w, const float* gout, float* gx,
                            double max_density) {
  const IsaKernels& k = active_kernels();
  const int64_t total = g.n * g.out_size();
  if (total == 0) return true;
  if (double(k.count_nonzero(gout, total)) > max_density * double(total)) return false;
  const int64_t cp = (g.cin + 15) / 16 * 16;
  const std::vector<float> wt = pack_weights(g, w, cp);
  const ConvTaps taps{g.cin, g.h, g.w, g.kh, g.kw, g.oh, g.ow, g.stride, g.pad};
#pragma omp parallel if (g.parallel())
  {
    std::vector<uint64_t> masks(size_t(g.l() * ((g.cout + 63) / 64)));
#pragma omp for schedule(static)
    for (int64_t i = 0; i < g.n; ++i) {
      const float* gi = gout + i * g.out_size();
      pixel_masks(g, gi, masks.data());
      k.conv_sparse_input_grad(taps, g.cout, masks.data(), gi, wt.data(), cp, gx + i * g.in_size());
    }
  }
  return true;
}

}  // namespace soma
