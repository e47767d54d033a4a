#pragma once
// The GPU's constant_current_pool_scan (core/neuron/constant_current_pool.hpp): a spiking layer
// driven by the same current x at every step, its spikes max-pooled over 2 x 2 windows, with no
// T-fold copy of x, no unpooled spikes and no argmax in memory. One thread per window keeps its
// four neurons' (v, i) in registers over all T steps (leaky_step, leaky_scan_body.hpp):
//
//   forward   per step: the four taps' spikes z_j, pooled = max_j z_j (max of 0/1 = any spike).
//             A cell at an odd height's or width's edge (one or two neurons, no window) only
//             advances its state: its spikes feed no window, as max_pool2d without padding.
//   backward  per window: the forward again, its pre-reset voltages written to a scratch of
//             (T, 4, windows) floats (4 B per neuron-step, only while the backward runs), then
//             the reverse scan (leaky_step_backward) with dL/dz_j = dL/dpooled on the first tap
//             (row-major) holding the maximum, as max_pool2d's backward picks, 0 on the others;
//             dL/dx_j = the sum over t of dL/dj_t, the last step first (the CPU op's order).
//
// Memory per batch of ConvNet4's conv1 (T 16, B 32, 32 x 24 x 24): the composed path (stack of
// T currents, z, v_dec, the pool's argmax, dL/dz, dL/dx per step) writes about 5 x 38 MB; this
// writes the pooled spikes (9.4 MB) in the forward, and the scratch (38 MB) plus dL/dx (2.4 MB)
// in the backward.
#include "core/backend/cuda/leaky_scan_body.hpp"

namespace soma::cuda {

// Cell k's taps: plane p, rows 2 cy, 2 cy + 1 and columns 2 cx, 2 cx + 1 (tap j = 2 dy + dx,
// row-major), those that lie in the plane `valid`, and whether all four do (a whole window).
// The loops over taps run all 4 with constant indices, so that the arrays stay in registers
// (ptxas: no stack frame).
struct PoolCell {
  int64_t at[4];  // flat index of tap j in (count, h, w), where valid
  bool valid[4];
  bool whole;
  int64_t window;  // (p, cy, cx) in (count, h / 2, w / 2) when whole
};

SOMA_HD inline PoolCell pool_cell(const PoolScanShape& s, int64_t k) {
  const int64_t ch = (s.h + 1) / 2, cw = (s.w + 1) / 2, oh = s.h / 2, ow = s.w / 2;
  const int64_t p = k / (ch * cw), cy = k / cw % ch, cx = k % cw;
  PoolCell c;
  SOMA_UNROLL
  for (int j = 0; j < 4; ++j) {
    const int64_t y = 2 * cy + j / 2, x = 2 * cx + j % 2;
    c.valid[j] = y < s.h && x < s.w;
    c.at[j] = (p * s.h + y) * s.w + x;
  }
  c.whole = cy < oh && cx < ow;
  c.window = (p * oh + cy) * ow + cx;
  return c;
}

// The window index k (of count h/2 w/2) as a cell index (of count ceil(h/2) ceil(w/2)).
SOMA_HD inline int64_t window_cell(const PoolScanShape& s, int64_t k) {
  const int64_t ch = (s.h + 1) / 2, cw = (s.w + 1) / 2, oh = s.h / 2, ow = s.w / 2;
  return (k / (oh * ow) * ch + k / ow % oh) * cw + k % ow;
}

// Cell k over all steps: a.v, a.i advance in place; pooled (steps, windows) and z (steps, count
// h w, or null) get each step's outputs.
SOMA_HD inline void pool_scan_forward_cell(const LeakyScanParams& p, const PoolScanShape& s,
                                           const PoolScanArrays& a, int64_t k) {
  const PoolCell c = pool_cell(s, k);
  const int64_t windows = s.count * (s.h / 2) * (s.w / 2), n = s.count * s.h * s.w;
  // Zeros for the taps past the edge, which the valid[j] tests keep unread (GCC cannot tell).
  float v[4] = {0, 0, 0, 0}, i[4] = {0, 0, 0, 0}, x[4] = {0, 0, 0, 0};
  SOMA_UNROLL
  for (int j = 0; j < 4; ++j)
    if (c.valid[j]) v[j] = a.v[c.at[j]], i[j] = a.i[c.at[j]], x[j] = a.x[c.at[j]];
  for (int64_t t = 0; t < p.steps; ++t) {
    float any = 0.0f, vd = 0.0f;
    SOMA_UNROLL
    for (int j = 0; j < 4; ++j)
      if (c.valid[j]) {
        const float z = leaky_step(p, x[j], v[j], i[j], vd);
        any = fmaxf(any, z);
        if (a.z) a.z[t * n + c.at[j]] = z;
      }
    if (c.whole) a.pooled[t * windows + c.window] = any;
  }
  SOMA_UNROLL
  for (int j = 0; j < 4; ++j)
    if (c.valid[j]) a.v[c.at[j]] = v[j], a.i[c.at[j]] = i[j];
}

// Window k's dL/dx (its four taps of g.gx) from dL/dpooled; g.v_dec is the (steps, 4, windows)
// scratch this thread fills and reads back.
SOMA_HD inline void pool_scan_backward_window(const LeakyScanParams& p, const PoolScanShape& s,
                                              const PoolScanGrads& g, int64_t k) {
  const PoolCell c = pool_cell(s, window_cell(s, k));
  const int64_t windows = s.count * (s.h / 2) * (s.w / 2);
  float v[4], i[4], x[4], gv[4] = {0, 0, 0, 0}, gi[4] = {0, 0, 0, 0}, gx[4] = {0, 0, 0, 0};
  SOMA_UNROLL
  for (int j = 0; j < 4; ++j) v[j] = g.v0[c.at[j]], i[j] = g.i0[c.at[j]], x[j] = g.x[c.at[j]];
  for (int64_t t = 0; t < p.steps; ++t) {
    SOMA_UNROLL
    for (int j = 0; j < 4; ++j) leaky_step(p, x[j], v[j], i[j], g.v_dec[(t * 4 + j) * windows + k]);
  }
  for (int64_t t = p.steps - 1; t >= 0; --t) {
    float vd[4];
    int pick = 0;  // the first tap holding the maximum: tap 0 when none spiked
    SOMA_UNROLL
    for (int j = 3; j >= 0; --j) {
      vd[j] = g.v_dec[(t * 4 + j) * windows + k];
      if (vd[j] > p.v_th) pick = j;
    }
    const float gp = g.gpooled[t * windows + k];
    SOMA_UNROLL
    for (int j = 0; j < 4; ++j)
      gx[j] += leaky_step_backward(p, vd[j], j == pick ? gp : 0.0f, 0.0f, gv[j], gi[j]);
  }
  SOMA_UNROLL
  for (int j = 0; j < 4; ++j) g.gx[c.at[j]] = gx[j];
}

}  // namespace soma::cuda
