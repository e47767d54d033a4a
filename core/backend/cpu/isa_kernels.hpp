#pragma once
// The kernels compiled once per instruction-set level (isa.hpp), as a table of function
// pointers. kernels_isa.inl holds their one source; kernels_isa_{generic,v3,v4}.cpp include it,
// each in its own namespace (soma::isa_generic, soma::isa_v3, soma::isa_v4) and with its own
// copy of Eigen (namespace soma::isa_vN::Eigen), so no inline or template function compiled
// for AVX-512 can stand in for the baseline one at link time (the `isa_symbols` test checks
// with nm). The callers (gemm.cpp, spike_matmul.cpp, current_scan.cpp) unwrap their arguments
// to plain pointers: no std template is instantiated in a level's object either.
#include <climits>
#include <cstdint>

#include "core/backend/isa.hpp"
#include "core/neuron/scan_config.hpp"

namespace soma {

// A 0/1 matrix's rows as CSR (SpikeRows, spike_matmul.hpp, as raw pointers).
struct CsrView {
  const int64_t* row_start;
  const int32_t* cols;
};

// A convolution's sizes for conv_spike_taps (ConvGeom, conv_kernels.hpp, without the batch).
struct ConvTaps {
  int64_t cin, h, w, kh, kw, oh, ow, stride, pad;
};
// Whether conv_spike_forward_packed takes g: the kh padded rows of a channel fit one word.
inline bool conv_taps_packed(const ConvTaps& g) {
  return (g.w + 2 * g.pad) * g.kh <= 64 && g.kw <= g.w + 2 * g.pad;
}
// The row of tap (c, ki, kj) in that kernel's W^T: channels in groups of (w + 2 pad) / kw, each
// group 64 rows, its taps (w + 2 pad) ki + kw (c in group) + kj (at most the rows of W^T,
// conv_tap_rows).
inline int64_t conv_tap_slot(const ConvTaps& g, int64_t c, int64_t ki, int64_t kj) {
  const int64_t wp = g.w + 2 * g.pad, per = wp / g.kw;
  return c / per * 64 + wp * ki + c % per * g.kw + kj;
}
inline int64_t conv_tap_rows(const ConvTaps& g) {
  const int64_t per = (g.w + 2 * g.pad) / g.kw, groups = (g.cin + per - 1) / per;
  return (groups + 1) / 2 * 128;  // pairs of groups
}

// ---- sparse inference (spike_scan.hpp) ----
// The rows of a fused spike product + current scan: for step t < steps and batch row b < width,
// CSR row first + t * stride + b, output row t * stride + b (from the output pointers) and state
// row b.
struct SpikeScanRows {
  int64_t first, width, steps, stride;
};
// ---- end sparse inference ----

// One plane of constant_current_pool.hpp: steps of h x w neurons. Its spikes as bits are
// steps x pool_plane_words(h w) words, bit k of step t's words the spike of neuron k.
struct PoolPlane {
  int64_t steps, h, w;
};
inline int64_t pool_plane_words(int64_t n) {
  return n / 64 + 2;  // a word of padding: a row of bits is read as two words
}

// A PeriodicSpikes (periodic_spikes.hpp) of images of `in` pixels as raw pointers: image b's
// entries are [start[b], start[b + 1]); the divisors of t + 1 are divisors[div_at[t],
// div_at[t + 1]).
struct PeriodicImages {
  const int32_t* neuron;
  const uint16_t* period;
  const int64_t* start;
  int64_t steps, in;
  const int64_t* div_at;
  const int32_t* divisors;
};

// scan_constant_periods' memo: the first-spike step count (0: none) of each (x, v, i) bit
// pattern scanned so far, hashed into 2^kPeriodMemoBits slots (value kPeriodMemoEmpty: free).
constexpr int kPeriodMemoBits = 10;
constexpr int32_t kPeriodMemoEmpty = INT32_MIN;
struct PeriodMemo {
  uint32_t x[1 << kPeriodMemoBits], v[1 << kPeriodMemoBits], i[1 << kPeriodMemoBits];
  int32_t value[1 << kPeriodMemoBits];
  void clear() {
    for (int32_t& s : value) s = kPeriodMemoEmpty;
  }
};

// The learnable recurrent LIF's constants as its row kernels read them (lif_learnable_scan.cpp):
// a, k, th (H) each; rows of H neurons.
struct LearnableRows {
  const float *a, *k, *th;
  int64_t H;
  float v_leak, v_reset;
  bool reset_value;
  Surrogate surrogate;
};

struct IsaKernels {
  // gemm.hpp's gemm.
  void (*gemm)(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
               const float* a, const float* b, float beta, float* c);
  // spike_matmul.hpp's spike_matmul_groups (rows first + g * stride + b) and spike_matmul_t.
  void (*spike_matmul_groups)(CsrView s, int64_t first, int64_t width, int64_t count,
                              int64_t stride, int64_t cols, const float* packed, int64_t n,
                              float beta, float* c);
  void (*spike_matmul_t)(CsrView s, int64_t r0, int64_t r1, int64_t cols, const float* g, int64_t n,
                         float beta, float* c);
  // spike_matmul.hpp's scatter_spike_row: the rows of dst (ld floats apart) listed in
  // cols[0, count) += g[0, n).
  void (*scatter_spike_row)(float* dst, int64_t ld, const float* g, int64_t n, const int32_t* cols,
                            int64_t count);
  // spike_matmul.cpp's spike_rows on rows [r0, r1) (kernels_isa.inl says how), and the
  // non-zeros of x[0, n) (bench_mnist_epoch's densities).
  int64_t (*spike_scan_rows)(const float* x, int64_t r0, int64_t r1, int64_t cols, int64_t budget,
                             const int* failed, int64_t* row_end, int32_t* active);
  int64_t (*count_nonzero)(const float* x, int64_t n);
  // conv_spikes.hpp's kernels on one image given as bit masks over its padded rows: the
  // forward (dst (L x n) += the W^T rows (K x n) of each pixel's active taps) and the weight
  // gradient (dst (K x n) += the dL/dout^T rows (L x n) of each tap's active pixels); n is a
  // multiple of 64.
  void (*conv_spike_forward)(const ConvTaps& g, const uint64_t* rows, const float* wt, float* dst,
                             int64_t n);
  void (*conv_spike_wgrad)(const ConvTaps& g, const uint64_t* rows, const float* gt, float* dst,
                           int64_t n);
  // The same with 128-bit masks (conv_spikes_wide_isa.inl): the forward of conv_taps_packed
  // geometries with W^T laid out by conv_tap_slot (conv_tap_rows rows), and the weight gradient
  // of two images a, b at once (L <= 64; gt: a's rows at 0, b's at 64). (conv branch, issue 17)
  void (*conv_spike_forward_packed)(const ConvTaps& g, const uint64_t* rows, const float* wt,
                                    float* dst, int64_t n);
  void (*conv_spike_wgrad_pair)(const ConvTaps& g, const uint64_t* rows_a, const uint64_t* rows_b,
                                const float* gt, float* dst, int64_t n);
  // current_scan.hpp's scan kernels on neurons [k0, k1).
  void (*scan_forward_range)(const CurrentScanConfig& c, ScanExtent e, int64_t k0, int64_t k1,
                             const float* x, float* v, float* i, float* z, float* v_dec,
                             float* trace);
  // One step of scan_forward_range (the same bits) on rows x cols neurons, row-major, writing
  // v, i, z, v_dec (or null) and the spikes as CSR pieces: row r's columns, ascending, end at
  // out[row_end[r]]. out has room for rows * cols + 16 entries. Returns the spike count. The
  // recurrent layers' scan (cell_scan.hpp) keeps each step's spikes for the next step's
  // product and the layer's spike index; scanning z for them was 8% of a rec training step.
  int64_t (*scan_step_spikes)(const CurrentScanConfig& c, int64_t rows, int64_t cols,
                              const float* x, float* v, float* i, float* z, float* v_dec,
                              int64_t* row_end, int32_t* out);
  // current_scan.hpp's constant_input_spikes on neurons [k0, k1), k1 - k0 <=
  // kConstantScanBlock, from the state v, i (read only: the final state is not written): step
  // t's spikes as offsets from k0 in lanes[t (k1 - k0 + 16) ...], counts[t] of them,
  // ascending. The 16 entries of room per step: offsets are stored a vector at a time.
  void (*scan_constant_range)(const CurrentScanConfig& c, ScanExtent e, int64_t k0, int64_t k1,
                              const float* x, const float* v, const float* i, int32_t* lanes,
                              int64_t* counts);
  // The same scan's spikes as periods (periodic_spikes.hpp): each neuron of [k0, k1) that
  // spikes within `steps` as its offset from k0 (ascending) in ids and the step count of its
  // first spike in periods; returns how many, or -1 when some neuron's state after its first
  // spike is not its initial state bit for bit (its spikes need not repeat). memo: the periods
  // found so far in this scan (one per thread, cleared for each scan). Null in WebAssembly.
  int64_t (*scan_constant_periods)(const CurrentScanConfig& c, int64_t steps, int64_t k0,
                                   int64_t k1, const float* x, const float* v, const float* i,
                                   int32_t* ids, uint16_t* periods, PeriodMemo& memo);
  void (*scan_backward_range)(const CurrentScanConfig& c, ScanExtent e, int64_t k0, int64_t k1,
                              const float* v_dec, ScanGrads g, bool detach_reset);
  // conv_sparse_grad.hpp's kernel on `images` images (gout + k gout_stride, gx + k gx_stride;
  // up to 4 summed together over the union of their non-zeros): gx (cin, h, w) = dL/dx from the
  // non-zeros of gout (cout, L), weights as wt (cout, kh, kw, cp), cp = cin rounded up to 16.
  // (conv branch, issue 17)
  void (*conv_sparse_input_grad)(const ConvTaps& g, int64_t cout, const float* gout, int64_t images,
                                 int64_t gout_stride, const float* wt, int64_t cp, float* gx,
                                 int64_t gx_stride);
  // constant_current_pool.hpp's kernels on one plane of h w neurons whose current x is the same
  // at every step: the spiking scan from (v, i), updated in place, its spikes as bits (see
  // PoolPlane), v_dec (steps x h w) when not null, and the 2 x 2 max-pool of each step into
  // pooled + t * stride ((h / 2) x (w / 2)) when pooled is not null; and the pooled gradient
  // (gpooled + t * stride) onto the taps max_pool2d's backward picks, gz (steps x h w), from
  // those bits. (conv branch, issue 17)
  void (*constant_pool_scan)(const CurrentScanConfig& c, PoolPlane p, const float* x, float* v,
                             float* i, uint64_t* bits, float* v_dec, float* pooled, int64_t stride);
  void (*constant_pool_unpool)(PoolPlane p, const uint64_t* bits, const float* gpooled,
                               int64_t stride, float* gz);
  // out (n) = the sum over t of gx (steps x n), the last step first.
  void (*constant_pool_sum)(int64_t steps, int64_t n, const float* gx, float* out);
  // lif_learnable_scan.cpp's kernels (learnable_isa.inl): one step of n / H rows of H neurons,
  // each with its own constants, saving vd, u, j; and its adjoint: gv, gi in dL/d(new state),
  // out dL/d(old state), gz dL/dz with the recurrent part, gp the (H) sums for a, k and th one
  // after the other, added to.
  void (*learnable_forward_rows)(const LearnableRows& c, int64_t n, const float* x, float* v,
                                 float* i, float* z, float* vd, float* u, float* j);
  void (*learnable_backward_rows)(const LearnableRows& c, int64_t n, const float* vd,
                                  const float* u, const float* j, const float* gz, float* gv,
                                  float* gi, float* gx, float* gp);
  // ---- sparse inference (spike_scan.hpp) ----
  // The currents W x + bias of spike rows (x as CSR, W packed by pack_spike_weights, bias of n
  // floats or null) scanned at once, tile by tile: v, i (width x n) advance over the steps and
  // z, v_dec, trace (each null or (steps x stride x n)) get each step's outputs.
  void (*spike_product_scan)(const CurrentScanConfig& c, CsrView s, SpikeScanRows r, int64_t cols,
                             const float* packed, const float* bias, int64_t n, float* v, float* i,
                             float* z, float* v_dec, float* trace);
  // ---- end sparse inference ----
  // periodic_matmul.hpp's kernels (null in WebAssembly). Forward: images [b0, b1), output row
  // (t, b) at out + t row_stride + b n; q: (steps + 1) x 8 vectors of scratch, ints: steps + 2
  // + in. Weight gradient: the rows [k0, k1) of gW^T (ldw floats apart, zeroed by the caller)
  // from every image; g's row (t, b) at g + t images n + b n.
  void (*periodic_forward)(const PeriodicImages& s, int64_t b0, int64_t b1, const float* wt,
                           int64_t n, float beta, float* out, int64_t row_stride, float* q,
                           int32_t* ints);
  void (*periodic_wgrad)(const PeriodicImages& s, int64_t images, int64_t k0, int64_t k1,
                         const float* g, int64_t n, float* gwt, int64_t ldw, int32_t* ints);
};

namespace isa_generic {
const IsaKernels& kernels();
}
namespace isa_v3 {
const IsaKernels& kernels();
}
namespace isa_v4 {
const IsaKernels& kernels();
}

// The table for a level this build has (isa_generic's for a level it does not).
const IsaKernels& isa_kernels(Isa isa);

// The active level's table.
inline const IsaKernels& active_kernels() {
  static const IsaKernels& k = isa_kernels(active_isa());
  return k;
}

}  // namespace soma
