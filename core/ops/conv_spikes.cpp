#include "core/ops/conv_spikes.hpp"

#include <algorithm>
#include <vector>

#include "core/backend/cpu/isa_kernels.hpp"
#include "core/backend/parallel.hpp"

namespace soma {

namespace {

constexpr int64_t kTile = 64;  // the kernels' register tile: Cout is padded to a multiple

int64_t padded(int64_t n) {
  return (n + kTile - 1) / kTile * kTile;
}

ConvTaps taps_of(const ConvGeom& g) {
  return {g.cin, g.h, g.w, g.kh, g.kw, g.oh, g.ow, g.stride, g.pad};
}

// Where each input pixel (c, ih, iw) of an image lands in its masks: word c * (h + 2 pad) + ih +
// pad, bit iw + pad, as word * 64 + bit. Looked up per spike: three divisions per spike took 4%
// of a ConvNet4 training step (perf, v4).
std::vector<uint32_t> mask_places(const ConvGeom& g) {
  std::vector<uint32_t> at(size_t(g.in_size()));
  const int64_t hp = g.h + 2 * g.pad;
  for (int64_t c = 0; c < g.cin; ++c)
    for (int64_t ih = 0; ih < g.h; ++ih)
      for (int64_t iw = 0; iw < g.w; ++iw)
        at[size_t((c * g.h + ih) * g.w + iw)] = uint32_t((c * hp + ih + g.pad) * 64 + iw + g.pad);
  return at;
}

// rows (cin * (h + 2 pad) masks) = image i's spikes, bit (iw + pad) of row (c, ih + pad).
void spike_masks(const ConvGeom& g, const std::vector<uint32_t>& places, const SpikeRows& s,
                 int64_t i, uint64_t* rows) {
  std::fill(rows, rows + g.cin * (g.h + 2 * g.pad), uint64_t(0));
  for (int64_t a = s.row_start[size_t(i)]; a < s.row_start[size_t(i + 1)]; ++a) {
    const uint32_t at = places[size_t(s.cols[size_t(a)])];
    rows[at / 64] |= uint64_t(1) << (at % 64);
  }
}

// t (cols x ld, first `rows` columns written) = m (rows x cols)^T.
void transpose(const float* m, int64_t rows, int64_t cols, float* t, int64_t ld) {
  Eigen::Map<RowMatrix, 0, Eigen::OuterStride<>>(t, cols, rows, Eigen::OuterStride<>(ld)) =
      ConstMatrixMap(m, rows, cols).transpose();
}

// W^T (np floats per tap) with tap (c, ki, kj) at row conv_tap_slot: the packed kernel's layout.
std::vector<float> slotted_weights(const ConvGeom& g, const float* w, int64_t np) {
  const ConvTaps taps = taps_of(g);
  std::vector<float> wt(size_t(conv_tap_rows(taps) * np), 0.0f);
  for (int64_t co = 0; co < g.cout; ++co)
    for (int64_t c = 0; c < g.cin; ++c)
      for (int64_t ki = 0; ki < g.kh; ++ki)
        for (int64_t kj = 0; kj < g.kw; ++kj)
          wt[size_t(conv_tap_slot(taps, c, ki, kj) * np + co)] =
              w[((co * g.cin + c) * g.kh + ki) * g.kw + kj];
  return wt;
}

}  // namespace

bool conv_spike_images(const ConvGeom& g, const float* x, SpikeRows& s) {
  return g.w + 2 * g.pad <= 64 && g.kh * g.kw <= 64 &&
         spike_rows(x, g.n, g.in_size(), kSpikeDensityThreshold, s);
}

void conv_forward_spikes(const ConvGeom& g, const SpikeRows& s, int64_t first, const float* w,
                         const float* b, float* out) {
  const int64_t np = padded(g.cout);
  const ConvTaps taps = taps_of(g);
  const bool packed = conv_taps_packed(taps);
  std::vector<float> wt;
  if (packed) {
    wt = slotted_weights(g, w, np);
  } else {
    wt.assign(size_t(g.k() * np), 0.0f);
    transpose(w, g.cout, g.k(), wt.data(), np);  // one row per tap
  }
  const IsaKernels& k = active_kernels();
  const std::vector<uint32_t> places = mask_places(g);
  std::vector<float> first_row(size_t(np), 0.0f);  // the bias, padded
  if (b) std::copy(b, b + g.cout, first_row.begin());
#pragma omp parallel if (g.parallel())
  {
    std::vector<float> acc(size_t(g.l() * np));  // out^T of one image
    std::vector<uint64_t> rows(size_t(g.cin * (g.h + 2 * g.pad)));
#pragma omp for schedule(static)
    for (int64_t i = 0; i < g.n; ++i) {
      std::copy(first_row.begin(), first_row.end(), acc.begin());  // each row starts at b
      for (int64_t p = 1; p < g.l(); ++p)
        std::copy(first_row.begin(), first_row.end(), acc.begin() + p * np);
      spike_masks(g, places, s, first + i, rows.data());
      if (packed)
        k.conv_spike_forward_packed(taps, rows.data(), wt.data(), acc.data(), np);
      else
        k.conv_spike_forward(taps, rows.data(), wt.data(), acc.data(), np);
      MatrixMap(out + i * g.out_size(), g.cout, g.l()) =
          Eigen::Map<const RowMatrix, 0, Eigen::OuterStride<>>(acc.data(), g.l(), g.cout,
                                                               Eigen::OuterStride<>(np))
              .transpose();
    }
  }
}

// Threads own disjoint channels of gW^T and walk all images in order, so each element is summed
// in the same order for any thread count, without conv_backward's 16 chunk buffers (3.3 MB to
// zero and add per call for conv2, about half the cost of an input without spikes).
void conv_weight_grad_spikes(const ConvGeom& g, const SpikeRows& s, int64_t first,
                             const float* gout, float* gw) {
  const int64_t np = padded(g.cout), hp = g.h + 2 * g.pad, per_c = g.kh * g.kw * np;
  std::vector<float> gwt(size_t(g.k() * np), 0.0f);  // gW^T (K x np)
  const IsaKernels& k = active_kernels();
  const std::vector<uint32_t> places = mask_places(g);
  const int parts = g.parallel() ? int(std::min<int64_t>(thread_count(), g.cin)) : 1;
  const bool pairs = g.l() <= 64;  // two images per gather (conv_spike_wgrad_pair)
#pragma omp parallel for schedule(static) num_threads(parts) if (parts > 1)
  for (int p = 0; p < parts; ++p) {
    const int64_t c0 = g.cin * p / parts, c1 = g.cin * (p + 1) / parts;
    ConvTaps taps = taps_of(g);
    taps.cin = c1 - c0;
    // One image's dL/dout^T, or two (rows [0, L) and [64, 64 + L)) for the pair kernel.
    std::vector<float> gt(size_t((pairs ? 128 : g.l()) * np), 0.0f);
    std::vector<uint64_t> rows(size_t(2 * g.cin * hp));
    float* dst = &gwt[size_t(c0 * per_c)];
    for (int64_t i = 0; i < g.n; i += pairs ? 2 : 1) {
      transpose(gout + i * g.out_size(), g.cout, g.l(), gt.data(), np);
      spike_masks(g, places, s, first + i, rows.data());
      if (pairs && i + 1 < g.n) {
        uint64_t* rows_b = rows.data() + g.cin * hp;
        transpose(gout + (i + 1) * g.out_size(), g.cout, g.l(), gt.data() + 64 * np, np);
        spike_masks(g, places, s, first + i + 1, rows_b);
        k.conv_spike_wgrad_pair(taps, rows.data() + c0 * hp, rows_b + c0 * hp, gt.data(), dst, np);
      } else {
        k.conv_spike_wgrad(taps, rows.data() + c0 * hp, gt.data(), dst, np);
      }
    }
  }
  MatrixMap(gw, g.cout, g.k()) += Eigen::Map<const RowMatrix, 0, Eigen::OuterStride<>>(
                                      gwt.data(), g.k(), g.cout, Eigen::OuterStride<>(np))
                                      .transpose();
}

}  // namespace soma
