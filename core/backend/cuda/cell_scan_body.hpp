#pragma once
// One neuron's walk through the T steps of a Cell's fused scan and of its adjoint: the bodies of
// cell_scan.cu's kernels, one thread per neuron with the cell's state in registers. The step
// and its adjoint are the Cell's (iaf_body.hpp, lsnn_cell_body.hpp), which the CPU's cell_scan
// runs too; this file adds only the time loop, as leaky_scan_body.hpp does for the leaky scan:
//   forward, t = 0 .. T-1:   z_t = cell.forward(x_t, s, saved_t)    (s updated in place)
//   backward, t = T-1 .. 0:  gs += gtrace_t;  gx_t = cell.backward(saved_t, gz_t, gs)
// Arrays are (steps, width), time-major, so the threads of a step touch neighbouring floats.
// State and saved values sit in small arrays indexed by unrolled constant counters, so they stay
// in registers (no local-memory stack frame: ptxas -v reports 0 bytes).
#include "core/backend/cuda/host_device.hpp"
#include "core/backend/cuda/leaky_scan_body.hpp"
#include "core/backend/cuda_ops.hpp"

namespace soma::cuda {

// The steps go in chunks of kScanChunk whose loads are issued before the chunk's arithmetic, as
// in leaky_scan_body.hpp (its comment says why: the stores of one step would otherwise hold
// back the next step's loads, and a small layer has too few threads to hide the latency).
template <class Cell>
SOMA_HD inline void cell_forward_neuron(const Cell& c, const CellScanArrays& a, int64_t k) {
  constexpr int S = Cell::kState, V = Cell::kSaved;
  float s[S];
  SOMA_UNROLL
  for (int j = 0; j < S; ++j) s[j] = a.state[j][k];
  for (int64_t t0 = 0; t0 < a.steps; t0 += kScanChunk) {
    const int64_t n = a.steps - t0 < kScanChunk ? a.steps - t0 : kScanChunk;
    float xs[kScanChunk];
    SOMA_UNROLL
    for (int u = 0; u < kScanChunk; ++u)
      if (u < n) xs[u] = a.x[(t0 + u) * a.width + k];
    SOMA_UNROLL
    for (int u = 0; u < kScanChunk; ++u) {
      if (u >= n) break;
      const int64_t o = (t0 + u) * a.width + k;
      float saved[V];
      a.z[o] = c.forward(xs[u], s, saved);
      if (a.saved[0]) {
        SOMA_UNROLL
        for (int j = 0; j < V; ++j) a.saved[j][o] = saved[j];
      }
      if (a.trace[0]) {
        SOMA_UNROLL
        for (int j = 0; j < S; ++j) a.trace[j][o] = s[j];
      }
    }
  }
  SOMA_UNROLL
  for (int j = 0; j < S; ++j) a.state[j][k] = s[j];
}

// A chunk's inputs to the reverse scan, loaded before its arithmetic.
template <int S, int V>
struct CellChunk {
  float saved[kScanChunk][V], gz[kScanChunk], gtrace[kScanChunk][S];
};

template <int S, int V>
SOMA_HD inline void load_chunk(const CellScanGrads& g, int64_t t0, int64_t n, int64_t k,
                               CellChunk<S, V>& ch) {
  SOMA_UNROLL
  for (int u = 0; u < kScanChunk; ++u)
    if (u < n) {
      const int64_t o = (t0 + u) * g.width + k;
      SOMA_UNROLL
      for (int j = 0; j < V; ++j) ch.saved[u][j] = g.saved[j][o];
      ch.gz[u] = g.gz[o];
      SOMA_UNROLL
      for (int j = 0; j < S; ++j) ch.gtrace[u][j] = g.gtrace[0] ? g.gtrace[j][o] : 0.0f;
    }
}

// The reverse scan of neuron k, in chunks of kScanChunk steps from the last. A step's recorded
// state gradient joins the state's as the CPU's cell_step_backward adds it (+ 0 when none).
template <class Cell>
SOMA_HD inline void cell_backward_neuron(const Cell& c, const CellScanGrads& g, int64_t k) {
  constexpr int S = Cell::kState, V = Cell::kSaved;
  float gs[S];
  SOMA_UNROLL
  for (int j = 0; j < S; ++j) gs[j] = g.gstate[j][k];
  for (int64_t t1 = g.steps; t1 > 0; t1 -= kScanChunk) {
    const int64_t n = t1 < kScanChunk ? t1 : kScanChunk, t0 = t1 - n;  // steps [t0, t1)
    CellChunk<S, V> ch;
    load_chunk(g, t0, n, k, ch);
    SOMA_UNROLL
    for (int u = kScanChunk - 1; u >= 0; --u)
      if (u < n) {
        SOMA_UNROLL
        for (int j = 0; j < S; ++j) gs[j] = gs[j] + ch.gtrace[u][j];
        g.gx[(t0 + u) * g.width + k] = c.backward(ch.saved[u], ch.gz[u], gs);
      }
  }
  SOMA_UNROLL
  for (int j = 0; j < S; ++j) g.gstate[j][k] = gs[j];
}

}  // namespace soma::cuda
