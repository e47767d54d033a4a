#include "core/ops/conv_sparse_grad.hpp"

#include <algorithm>
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
                            double max_density, int64_t group_gap) {
  const IsaKernels& k = active_kernels();
  const int64_t total = g.n * g.out_size();
  if (total == 0) return true;
  if (double(k.count_nonzero(gout, total)) > max_density * double(total)) return false;
  const int64_t cp = (g.cin + 15) / 16 * 16;
  const std::vector<float> wt = pack_weights(g, w, cp);
  const ConvTaps taps{g.cin, g.h, g.w, g.kh, g.kw, g.oh, g.ow, g.stride, g.pad};
  // Work item j: images a = (j / gap) 4 gap + j % gap, a + gap, a + 2 gap and a + 3 gap, those
  // below n (the steps of a block need not be a multiple of 4).
  const int64_t gap = group_gap > 0 ? group_gap : g.n, group = group_gap > 0 ? 4 : 1;
  const int64_t items = (g.n + group * gap - 1) / (group * gap) * gap;
#pragma omp parallel for schedule(static) if (g.parallel())
  for (int64_t j = 0; j < items; ++j) {
    const int64_t a = j / gap * group * gap + j % gap;
    if (a >= g.n) continue;
    const int64_t images = std::min<int64_t>(group, (g.n - 1 - a) / gap + 1);
    k.conv_sparse_input_grad(taps, g.cout, gout + a * g.out_size(), images, gap * g.out_size(),
                             wt.data(), cp, gx + a * g.in_size(), gap * g.in_size());
  }
  return true;
}

}  // namespace soma
