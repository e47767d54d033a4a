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

}  // namespace

bool conv_input_grad_sparse(const ConvGeom& g, const float* w, const float* gout, float* gx,
                            double max_density, int64_t pair_gap) {
  const IsaKernels& k = active_kernels();
  const int64_t total = g.n * g.out_size();
  if (total == 0) return true;
  if (double(k.count_nonzero(gout, total)) > max_density * double(total)) return false;
  const int64_t cp = (g.cin + 15) / 16 * 16;
  const std::vector<float> wt = pack_weights(g, w, cp);
  const ConvTaps taps{g.cin, g.h, g.w, g.kh, g.kw, g.oh, g.ow, g.stride, g.pad};
  // Work item j: image a = (j / gap) 2 gap + j % gap and its partner a + gap, in runs of gap
  // pairs (the partner is past the end for the last images of an odd number of steps).
  const int64_t gap = pair_gap > 0 ? pair_gap : g.n, items = (g.n + 2 * gap - 1) / (2 * gap) * gap;
#pragma omp parallel for schedule(static) if (g.parallel())
  for (int64_t j = 0; j < items; ++j) {
    const int64_t a = j / gap * 2 * gap + j % gap, b = a + gap;
    if (a >= g.n) continue;
    const bool pair = pair_gap > 0 && b < g.n;
    k.conv_sparse_input_grad(taps, g.cout, gout + a * g.out_size(),
                             pair ? gout + b * g.out_size() : nullptr, wt.data(), cp,
                             gx + a * g.in_size(), pair ? gx + b * g.in_size() : nullptr);
  }
  return true;
}

}  // namespace soma
