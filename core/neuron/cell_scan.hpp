#pragma once
// The fused time scan shared by the models that current_scan does not cover: the recurrent
// ones (their input needs W_rec z_{t-1}, a product over the whole layer each step) and those
// with other state (LSNN's threshold b, IAF). A model supplies a Cell, its per-neuron Euler step
// and the exact adjoint of that step; this driver runs all T steps as ONE autograd node whose
// backward is a reverse scan. Included only by the model .cpp files.
//
// A Cell provides
//   static constexpr int kState;  // state variables besides z, in order (LIF: v, i)
//   static constexpr int kSaved;  // floats saved per neuron-step for the backward
//   float forward(float x, float* s, float* saved) const;
//       updates the state s[kState] with input x, fills saved[kSaved], returns the spike z
//   float backward(const float* saved, float gz, float* gs) const;
//       gs: in dL/d(new state), out dL/d(old state); gz: dL/dz; returns dL/dx
//
// Node inputs: feed-forward {x, s0...}; recurrent {x, W_rec, z0, s0..., params...}. Outputs: spikes
// (T, ...), the final state, and with record the state after every step (T, ...) per variable.
#include <algorithm>
#include <concepts>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/autograd/node.hpp"
#include "core/backend/device_check.hpp"
#include "core/backend/gemm.hpp"
#include "core/backend/parallel.hpp"
#include "core/backend/spike_matmul.hpp"
#include "core/tensor/storage.hpp"

namespace soma::detail {

struct CellScanResult {
  Tensor z;        // (T, ...) spikes
  Tensors state;   // final state, kState tensors
  Tensors traces;  // (T, ...) per state variable; empty unless recorded
};

struct ScanExtent {
  int64_t steps, width, batch, hidden;  // width = neurons per step = batch * hidden
};

// The neuron state (width) and, per step, the saved values and traces (T, width); one tensor
// per variable.
struct CellBuffers {
  Tensors state, saved, traces;
};

// Raw pointers to one tensor per variable, taken once outside the neuron loops. A copied
// handle aliases the same storage, so writing through it fills the original.
template <int N>
struct Ptrs {
  float* p[N > 0 ? N : 1] = {};
  Ptrs(const Tensors& ts, int64_t offset) {
    for (size_t j = 0; j < ts.size() && j < size_t(N); ++j) {
      Tensor t = ts[j];
      p[j] = t.data() + offset;
    }
  }
};

// A Cell may also step a row of n neurons in one call, with pointers per state variable and
// saved value (already at the row's first neuron): a kernel compiled per instruction-set level
// (LIF: current_scan's). Runs that record traces keep the per-neuron path when the Cell has one.
//   void forward_row(int64_t n, const float* x, float* const* s, float* const* saved, float* z);
//   void backward_row(int64_t n, const float* const* saved, const float* gz, float* const* gs,
//                     float* gx);
template <class Cell>
concept RowCell = requires(const Cell& c, int64_t n, const float* x, float* const* p, float* y) {
  c.forward_row(n, x, p, p, y);
};

// A Cell with the per-neuron forward/backward of the header comment (a row-only Cell has none).
template <class Cell>
concept ScalarCell = requires(const Cell& c, float x, float* s, const float* q) {
  c.forward(x, s, s);
  c.backward(q, x, s);
};

// A recurrent row Cell whose step also depends on kParams per-neuron parameter vectors (H each,
// node inputs after the state; the Cell holds their values). Its backward_row takes one more
// argument, kParams * H floats to which it adds dL/d(parameter) for the rows it walks; each
// thread sums its own rows, and the sums add up in row order (the same result on any thread
// count):
//   void backward_row(int64_t n, const float* const* saved, const float* gz, float* const* gs,
//                     float* gx, float* gparams);
template <class Cell>
concept ParamCell = RowCell<Cell> &&(Cell::kParams > 0);

template <class Cell>
constexpr int params_of() {
  if constexpr (ParamCell<Cell>)
    return Cell::kParams;
  else
    return 0;
}

// Ptrs moved to neuron k0.
template <int N>
Ptrs<N> shifted(Ptrs<N> p, int64_t k0) {
  for (float*& q : p.p)
    if (q) q += k0;
  return p;
}

// One step for neurons [k0, k1); x points at the input current of neuron k0.
template <class Cell>
void cell_step_forward(const Cell& cell, const ScanExtent& e, int64_t t, int64_t k0, int64_t k1,
                       const float* x, CellBuffers& buf, float* z) {
  constexpr int S = Cell::kState, V = Cell::kSaved;
  const int64_t o = t * e.width;
  const bool traced = !buf.traces.empty();
  Ptrs<S> st(buf.state, 0), tr(buf.traces, o);
  Ptrs<V> sv(buf.saved, o);
  float* zt = z + o;
  if constexpr (RowCell<Cell>) {
    if (!traced || !ScalarCell<Cell>) {
      cell.forward_row(k1 - k0, x, shifted(st, k0).p, shifted(sv, k0).p, zt + k0);
      if (traced)
        for (int j = 0; j < S; ++j) std::copy(st.p[j] + k0, st.p[j] + k1, tr.p[j] + k0);
      return;
    }
  }
  if constexpr (ScalarCell<Cell>) {
    for (int64_t k = k0; k < k1; ++k) {
      float s[S], saved[V > 0 ? V : 1];
      for (int j = 0; j < S; ++j) s[j] = st.p[j][k];
      zt[k] = cell.forward(x[k - k0], s, saved);
      for (int j = 0; j < S; ++j) st.p[j][k] = s[j];
      for (int j = 0; j < V; ++j) sv.p[j][k] = saved[j];
      if (traced)
        for (int j = 0; j < S; ++j) tr.p[j][k] = s[j];
    }
  }
}

// gs: dL/d(state after step t), turned into dL/d(state before step t), for neurons [k0, k1);
// gz (indexed from k0) already includes the recurrent contribution. gparams: a ParamCell's
// sums for these rows.
template <class Cell>
void cell_step_backward(const Cell& cell, const ScanExtent& e, int64_t t, int64_t k0, int64_t k1,
                        const Tensors& saved, const float* gz, const Tensors& gtraces, Tensors& gs,
                        float* gx, float* gparams = nullptr) {
  constexpr int S = Cell::kState, V = Cell::kSaved;
  const int64_t o = t * e.width;
  const bool traced = !gtraces.empty();
  Ptrs<S> g(gs, 0), gtr(gtraces, o);
  Ptrs<V> sv(saved, o);
  float* gxt = gx + o;
  if constexpr (RowCell<Cell>) {
    if (!traced || !ScalarCell<Cell>) {
      if (traced)  // a trace's gradient joins its state's, as the per-neuron path below adds it
        for (int j = 0; j < S; ++j)
          for (int64_t k = k0; k < k1; ++k) g.p[j][k] += gtr.p[j][k];
      const Ptrs<V> svk = shifted(sv, k0);
      const float* svc[V > 0 ? V : 1];
      for (int j = 0; j < (V > 0 ? V : 1); ++j) svc[j] = svk.p[j];
      if constexpr (ParamCell<Cell>)
        cell.backward_row(k1 - k0, svc, gz, shifted(g, k0).p, gxt + k0, gparams);
      else
        cell.backward_row(k1 - k0, svc, gz, shifted(g, k0).p, gxt + k0);
      return;
    }
  }
  if constexpr (ScalarCell<Cell>) {
    for (int64_t k = k0; k < k1; ++k) {
      float gk[S], saved_k[V > 0 ? V : 1];
      for (int j = 0; j < S; ++j) gk[j] = g.p[j][k] + (traced ? gtr.p[j][k] : 0.0f);
      for (int j = 0; j < V; ++j) saved_k[j] = sv.p[j][k];
      gxt[k] = cell.backward(saved_k, gz[k - k0], gk);
      for (int j = 0; j < S; ++j) g.p[j][k] = gk[j];
    }
  }
}

// The neurons split into independent rows: batch rows of a recurrent layer (a row's input
// needs only its own z_{t-1}), single neurons otherwise. Each thread scans a slice of rows
// over all steps.
struct RowSplit {
  int64_t rows, per_row;
  bool parallel;
};

inline RowSplit row_split(const ScanExtent& e, bool rec) {
  RowSplit r{rec ? e.batch : e.width, rec ? e.hidden : 1, false};
  r.parallel = e.width * e.steps >= (int64_t(1) << 16) && r.rows > 1;
  return r;
}

// cur (rows x H) += z (rows x H) W^T for the recurrent input. z is spikes, mostly zero, so the
// product is a sum of the rows of W^T that each row's spikes pick (spike_matmul, with W packed
// once per scan); above the density threshold it is a dense GEMM. Measured on Fashion-MNIST
// rec (T 32, B 256, 30 training steps): with 1,000 recurrent neurons the run took 0.65x the
// time of the GEMM path; with 100 the two are even (the products are a small part there).
inline void add_recurrent_input(const float* z, int64_t rows, int64_t H, const Tensor& w,
                                const std::vector<float>& packed, SpikeRows& scratch, float* cur) {
  if (spike_rows(z, rows, H, kSpikeDensityThreshold, scratch))
    spike_matmul_groups(scratch, {0, rows, 1, 0}, H, packed.data(), H, 1.0f, cur);
  else
    gemm(false, true, rows, H, H, 1, z, w.data(), 1, cur);
}

// Density up to which a step's listed spikes drive the next recurrent product (above it, the
// GEMM). The spikes are free here (the scan lists them), so the crossover is higher than
// kSpikeDensityThreshold's, which also pays for finding them: 256 x 100 spikes times W^T
// (100 x 100), AMD EPYC, one thread, best of 30, sparse / GEMM at density p:
//   v4: 0.2 -> 19 / 30 us, 0.3 -> 28 / 31, 0.5 -> 47 / 30;  v3: 0.3 -> 29 / 54, 0.5 -> 45 / 54.
constexpr double kRecurrentSparseThreshold = 0.3;

// The spikes of one thread's slice of batch rows, step after step (CSR row t * width + b), kept
// while the scan runs: step t's rows drive step t + 1's recurrent product, and after the scan
// the slices merge into the layer's spike index (Tensor::spike_index), which the read-out and
// the recurrent weight gradient use instead of scanning z again (three scans of z took 9% of a
// Fashion-MNIST rec training step). Every step is listed whatever its density; a step denser
// than kRecurrentSparseThreshold only takes the GEMM for the next step's recurrent product. Giving
// up the list at such a step, as before, lost the index for the whole batch: Fashion-MNIST training
// reached 21% at step 23 of 32 after about 60 batches, and from then on every batch scanned z in
// its read-out and weight gradient.
struct SliceSpikes {
  int64_t width = 0;        // rows in the slice; 0: no slice starts at this row
  bool listed = true;       // every step so far is in rows (false: z was not 0/1)
  bool last_sparse = true;  // the last listed step is sparse enough for the sparse product
  SpikeRows rows;
  std::vector<int64_t> row_end;  // a step's spikes, from a SpikeRowCell
  std::vector<int32_t> cols;

  // Appends a step's rows: row r's columns end at cols[row_end[r]].
  void add_rows(const int64_t* ends, const int32_t* step_cols, int64_t count, int64_t H) {
    if (!listed) return;
    last_sparse = count <= spike_budget(kRecurrentSparseThreshold, width * H);
    if (rows.row_start.empty()) rows.row_start.push_back(0);
    const int64_t base = int64_t(rows.cols.size());
    for (int64_t r = 0; r < width; ++r) rows.row_start.push_back(base + ends[r]);
    rows.cols.insert(rows.cols.end(), step_cols, step_cols + count);
  }

  void add_step(const float* z, int64_t H, SpikeRows& scratch) {
    if (!listed) return;
    if (!spike_rows(z, width, H, 1.0, scratch)) {  // not 0/1
      listed = false;
      return;
    }
    add_rows(scratch.row_start.data() + 1, scratch.cols.data(), int64_t(scratch.cols.size()), H);
  }
  // Whether step t's recurrent product may come from the previous step's list.
  bool sparse_product() const { return listed && last_sparse; }
};

// A Cell may also step whole rows of n neurons and list their spikes as it goes (LIF:
// scan_step_spikes), which spares the recurrent scan a pass over z per step:
//   int64_t forward_row_spikes(int64_t rows, int64_t n, const float* x, float* const* s,
//                              float* const* saved, float* z, int64_t* row_end, int32_t* out);
template <class Cell>
concept SpikeRowCell = requires(const Cell& c, int64_t n, const float* x, float* const* p, float* y,
                                int64_t* e, int32_t* o) {
  { c.forward_row_spikes(n, n, x, p, p, y, e, o) } -> std::same_as<int64_t>;
};

// Step t of a SpikeRowCell on the slice's rows (neurons [k0, k0 + width H)); its spikes go to
// the slice.
template <class Cell>
void cell_step_spikes(const Cell& cell, const ScanExtent& e, int64_t t, int64_t k0, const float* x,
                      CellBuffers& buf, float* z, SliceSpikes& slice) {
  const int64_t n = slice.width * e.hidden;
  slice.row_end.resize(size_t(slice.width));
  slice.cols.resize(size_t(n + 16));
  const Ptrs<Cell::kState> st = shifted(Ptrs<Cell::kState>(buf.state, 0), k0);
  const Ptrs<Cell::kSaved> sv = shifted(Ptrs<Cell::kSaved>(buf.saved, t * e.width), k0);
  const int64_t count =
      cell.forward_row_spikes(slice.width, e.hidden, x, st.p, sv.p, z + t * e.width + k0,
                              slice.row_end.data(), slice.cols.data());
  slice.add_rows(slice.row_end.data(), slice.cols.data(), count, e.hidden);
}

// The flat indices t * (B H) + b * H + h of all slices' spikes (slices[r0] starts at row r0),
// ascending; null when a slice's z was not 0/1. Each slice writes its own runs, at offsets
// counted first: merged on one thread, this was most of the scan's serial part (2 threads:
// 1.4% of a rec training step's samples, all on one).
inline std::shared_ptr<Storage::SpikeIndex> merge_slice_spikes(
    const std::vector<SliceSpikes>& slices, const ScanExtent& e) {
  std::vector<size_t> first;  // slices that hold rows
  for (size_t r0 = 0; r0 < slices.size(); ++r0) {
    if (slices[r0].width && !slices[r0].listed) return nullptr;
    if (slices[r0].width) first.push_back(r0);
  }
  // at[t * F + f]: where slice first[f]'s spikes of step t go (F = first.size()).
  const size_t F = first.size();
  std::vector<size_t> at(size_t(e.steps) * F + 1, 0);
  size_t total = 0;
  for (int64_t t = 0; t < e.steps; ++t)
    for (size_t f = 0; f < F; ++f) {
      const SliceSpikes& s = slices[first[f]];
      at[size_t(t) * F + f] = total;
      total += size_t(s.rows.row_start[size_t((t + 1) * s.width)] -
                      s.rows.row_start[size_t(t * s.width)]);
    }
  auto index = std::make_shared<Storage::SpikeIndex>(total);
  int64_t* out = index->data();
  parallel_slices(int64_t(F), total >= (size_t(1) << 14), [&](int64_t f0, int64_t f1) {
    for (int64_t f = f0; f < f1; ++f) {
      const SliceSpikes& s = slices[first[size_t(f)]];
      const int64_t r0 = int64_t(first[size_t(f)]);
      for (int64_t t = 0; t < e.steps; ++t) {
        int64_t* o = out + at[size_t(t) * F + size_t(f)];
        for (int64_t b = 0; b < s.width; ++b) {
          const int64_t row = t * s.width + b, base = t * e.width + (r0 + b) * e.hidden;
          for (int64_t a = s.rows.row_start[size_t(row)]; a < s.rows.row_start[size_t(row + 1)];
               ++a)
            *o++ = base + s.rows.cols[size_t(a)];
        }
      }
    }
  });
  return index;
}

// gw (H x H) += gx^T z over the first `rows` rows of z: the recurrent weight gradient, as a
// scatter of gx's rows by z's spikes when z is sparse (from z's spike index when it has one).
inline void add_recurrent_weight_grad(const float* gx, const Tensor& z, int64_t rows, int64_t H,
                                      Tensor& gw) {
  SpikeRows s;
  if (!spike_rows(z, rows, H, kSpikeDensityThreshold, s)) {
    gemm(true, false, H, H, rows, 1, gx, z.data(), 1, gw.data());
    return;
  }
  if (s.cols.empty()) return;
  Tensor gwt = Tensor::uninitialized({H, H});  // gw^T: spike_matmul_t's layout
  spike_matmul_t(s, 0, rows, H, gx, H, 0.0f, gwt.data());
  gw.matrix(H, H) += gwt.matrix(H, H).transpose();
}

// The P parameter gradients (H each): the slices' sums (empty where no slice starts) in row order.
inline Tensors sum_param_grads(const std::vector<std::vector<float>>& slices, int P, int64_t H) {
  Tensors out;
  for (int q = 0; q < P; ++q) {
    Tensor g = Tensor::zeros({H});
    float* o = g.raw_data();
    for (const std::vector<float>& s : slices)
      if (!s.empty())
        for (int64_t h = 0; h < H; ++h) o[h] += s[size_t(q * H + h)];
    out.push_back(g);
  }
  return out;
}

// Saved for the backward; all detached.
template <class Cell>
struct CellSaved {
  Cell cell;
  ScanExtent e;
  Tensors saved;
  Tensor w, z0, z;  // recurrent only
  Tensors params;   // a ParamCell's (H) vectors: the Cell reads their storage
  Shape x_shape;
  bool need_gz0 = false;  // z0 requires grad (a trained initial state; usually zeros that do not)
};

// g = {gz, gstate..., gtraces...}. Returns the gradients in the node's input order.
template <class Cell>
Tensors cell_scan_backward(const CellSaved<Cell>& s, const Tensors& g, bool recorded) {
  const ScanExtent& e = s.e;
  const int64_t n = e.width, B = e.batch, H = e.hidden;
  const bool rec = s.w.defined();
  Tensor gx = Tensor::uninitialized(s.x_shape);  // every step writes all of it
  Tensors gs, gtraces;
  for (int j = 0; j < Cell::kState; ++j) gs.push_back(g[1 + j].clone());
  if (recorded)
    for (int j = 0; j < Cell::kState; ++j) gtraces.push_back(g[1 + Cell::kState + j]);
  const RowSplit split = row_split(e, rec);
  const int64_t align = rec ? 1 : 16;
  constexpr int P = params_of<Cell>();
  std::vector<std::vector<float>> gparams(size_t(P > 0 ? split.rows : 0));  // by first row
  parallel_slices(
      split.rows, split.parallel,
      [&](int64_t r0, int64_t r1) {
        const int64_t k0 = r0 * split.per_row, k1 = r1 * split.per_row;
        std::vector<float> gz(static_cast<size_t>(k1 - k0));
        float* gp = nullptr;
        if constexpr (P > 0) {
          std::vector<float>& mine = gparams[size_t(r0)];
          mine.assign(size_t(P * H), 0.0f);
          gp = mine.data();
        }
        for (int64_t t = e.steps - 1; t >= 0; --t) {
          const float* g0 = g[0].data() + t * n;
          std::copy(g0 + k0, g0 + k1, gz.begin());
          // z_t drives the input current of step t+1 through W_rec.
          if (rec && t + 1 < e.steps)
            gemm(false, false, r1 - r0, H, H, 1, gx.data() + (t + 1) * n + k0, s.w.data(), 1,
                 gz.data());
          cell_step_backward(s.cell, e, t, k0, k1, s.saved, gz.data(), gtraces, gs, gx.data(), gp);
        }
      },
      align);
  Tensors gp = sum_param_grads(gparams, P, H);
  if (!rec) {
    Tensors out{gx};
    out.insert(out.end(), gs.begin(), gs.end());
    return out;
  }
  // dL/dW_rec = sum_t gx_t^T z_{t-1}, over z0 and then all later steps (z0 is usually zeros: no
  // spikes, no work); dL/dz0 only when asked (two 256 x 100 x 100 GEMMs were 1% of a
  // Fashion-MNIST rec step).
  Tensor gw = Tensor::zeros({H, H}), gz0;
  if (s.need_gz0) {
    gz0 = Tensor::uninitialized({B, H});
    gemm(false, false, B, H, H, 1, gx.data(), s.w.data(), 0, gz0.data());
  }
  add_recurrent_weight_grad(gx.data(), s.z0, B, H, gw);
  if (e.steps > 1) add_recurrent_weight_grad(gx.data() + n, s.z, (e.steps - 1) * B, H, gw);
  Tensors out{gx, gw, gz0};
  out.insert(out.end(), gs.begin(), gs.end());
  out.insert(out.end(), gp.begin(), gp.end());
  return out;
}

inline void check_cell_scan_shapes(const char* name, const Tensor& x, const Tensor& w,
                                   const Tensor& z0, const Tensors& s0) {
  if (x.dim() < 1)
    throw std::invalid_argument(std::string(name) + ": input needs a time dimension");
  Shape step(x.shape().begin() + 1, x.shape().end());
  if (w.defined() &&
      (x.dim() != 3 || w.dim() != 2 || w.size(0) != x.size(2) || w.size(1) != x.size(2)))
    throw std::invalid_argument(std::string(name) + ": input " + to_string(x.shape()) +
                                " (T, B, H) does not fit recurrent weights " +
                                to_string(w.shape()) + " (H, H)");
  for (const Tensor& s : s0)
    if (s.shape() != step)
      throw std::invalid_argument(std::string(name) + ": state " + to_string(s.shape()) +
                                  " does not match input steps " + to_string(step));
  if (w.defined() && z0.shape() != step)
    throw std::invalid_argument(std::string(name) + ": spike state " + to_string(z0.shape()) +
                                " does not match input steps " + to_string(step));
}

// Runs the scan. w and z0 undefined: feed-forward, x is (T, ...). Otherwise x is the projected
// input current (T, B, H) and each step adds z_{t-1} W^T to it: in x's own buffer when the
// caller made x for this scan alone (x_scratch; nothing reads x's values after the scan, and
// its backward needs none), else in a copy of the step (3.3 MB per Fashion-MNIST rec batch,
// 3% of a training step).
template <class Cell>
CellScanResult cell_scan(const char* name, const Cell& cell, const Tensor& x, const Tensor& w,
                         const Tensor& z0, const Tensors& s0, bool record, bool x_scratch = false,
                         const Tensors& params = {}) {
  if (int(s0.size()) != Cell::kState)
    throw std::invalid_argument(std::string(name) + ": wrong number of state tensors");
  if (int(params.size()) != params_of<Cell>() || (!params.empty() && !w.defined()))
    throw std::invalid_argument(std::string(name) + ": per-neuron parameters need a recurrent " +
                                "cell that takes them");
  for (const Tensor& q : params)
    if (q.dim() != 1 || q.size(0) != x.size(x.dim() - 1) || q.device() != Device::cpu)
      throw std::invalid_argument(std::string(name) + ": a per-neuron parameter " +
                                  to_string(q.shape()) + " does not fit input " +
                                  to_string(x.shape()));
  require_cpu(name, x, w, z0);  // the CUDA sequences branch off before (lsnn_cuda.cpp, ...)
  check_cell_scan_shapes(name, x, w, z0, s0);
  const bool rec = w.defined();
  Shape step(x.shape().begin() + 1, x.shape().end());
  ScanExtent e{x.size(0), numel_of(step), rec ? x.size(1) : 0, rec ? x.size(2) : 0};
  const int64_t n = e.width;
  CellBuffers buf;
  for (const Tensor& s : s0) buf.state.push_back(s.clone());
  for (int j = 0; j < Cell::kSaved; ++j) buf.saved.push_back(Tensor::uninitialized(x.shape()));
  if (record)
    for (int j = 0; j < Cell::kState; ++j) buf.traces.push_back(Tensor::uninitialized(x.shape()));
  Tensor z = Tensor::uninitialized(x.shape());  // the scan fills z, saved and traces
  const RowSplit split = row_split(e, rec);
  const std::vector<float> packed =
      rec ? pack_spike_weights(w.data(), e.hidden, e.hidden) : std::vector<float>();
  std::vector<SliceSpikes> slices(size_t(rec ? e.batch : 0));
  Tensor x_buffer = x;  // a handle: its writable pointer, when x is scratch
  float* x_own = rec && x_scratch ? x_buffer.raw_data() : nullptr;
  parallel_slices(
      split.rows, split.parallel,
      [&](int64_t r0, int64_t r1) {
        const int64_t k0 = r0 * split.per_row, k1 = r1 * split.per_row;
        std::vector<float> cur(static_cast<size_t>(rec && !x_own ? k1 - k0 : 0));
        SpikeRows scratch;
        SliceSpikes* mine = rec ? &slices[size_t(r0)] : nullptr;
        if (mine) mine->width = r1 - r0;
        for (int64_t t = 0; t < e.steps; ++t) {
          const float* xt = x.data() + t * n + k0;
          if (rec) {
            float* c = x_own ? x_own + t * n + k0 : cur.data();
            if (!x_own) std::copy(xt, xt + (k1 - k0), cur.begin());
            const float* z_prev = (t == 0 ? z0.data() : z.data() + (t - 1) * n) + k0;
            if (t > 0 && mine->sparse_product())  // step t - 1's spikes, found when it ran
              spike_matmul_groups(mine->rows, {(t - 1) * (r1 - r0), r1 - r0, 1, 0}, e.hidden,
                                  packed.data(), e.hidden, 1.0f, c);
            else if (t > 0 && mine->listed)  // listed, and too dense for the sparse product
              gemm(false, true, r1 - r0, e.hidden, e.hidden, 1, z_prev, w.data(), 1, c);
            else
              add_recurrent_input(z_prev, r1 - r0, e.hidden, w, packed, scratch, c);
            xt = c;
          }
          if constexpr (SpikeRowCell<Cell>) {
            if (rec && mine->listed && buf.traces.empty()) {
              cell_step_spikes(cell, e, t, k0, xt, buf, z.data(), *mine);
              continue;
            }
          }
          cell_step_forward(cell, e, t, k0, k1, xt, buf, z.data());
          if (rec) mine->add_step(z.data() + t * n + k0, e.hidden, scratch);
        }
      },
      rec ? 1 : 16);
  if (rec)
    if (auto index = merge_slice_spikes(slices, e)) z.set_spike_index(std::move(index));
  Tensors outs{z};
  outs.insert(outs.end(), buf.state.begin(), buf.state.end());
  outs.insert(outs.end(), buf.traces.begin(), buf.traces.end());
  Tensors inputs{x};
  if (rec) inputs.insert(inputs.end(), {w, z0});
  inputs.insert(inputs.end(), s0.begin(), s0.end());
  inputs.insert(inputs.end(), params.begin(), params.end());
  Tensors kept;
  for (const Tensor& q : params) kept.push_back(q.detach());
  CellSaved<Cell> saved{cell,
                        e,
                        buf.saved,
                        rec ? w.detach() : Tensor(),
                        rec ? z0.detach() : Tensor(),
                        rec ? z.detach() : Tensor(),
                        kept,
                        x.shape(),
                        rec && z0.requires_grad()};
  outs = record_multi(name, outs, inputs, [saved, record](const Tensors& g) {
    return cell_scan_backward(saved, g, record);
  });
  CellScanResult r{outs[0], {}, {}};
  r.state.assign(outs.begin() + 1, outs.begin() + 1 + Cell::kState);
  if (record) r.traces.assign(outs.begin() + 1 + Cell::kState, outs.end());
  return r;
}

}  // namespace soma::detail
