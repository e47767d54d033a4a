// The fused scan of the learnable recurrent LIF layer (lif_learnable.hpp): cell_scan with a row
// Cell whose three per-step constants are per-neuron vectors, node inputs whose gradients the
// reverse scan sums per thread. The step and its adjoint, with their equations, are
// core/backend/cuda/lif_learnable_body.hpp's, which the GPU runs too (lif_learnable.cu); it
// saves v~, u and j (12 bytes per neuron-step; the fixed layer's scan saves 4).
#include <stdexcept>

#include "core/backend/cuda/lif_learnable_body.hpp"
#include "core/neuron/cell_scan.hpp"
#include "core/neuron/lif_learnable.hpp"
#include "core/neuron/lif_recurrent_cuda.hpp"
#include "core/ops/shape_ops.hpp"

namespace soma {
namespace {

// The per-neuron constants and the fixed ones, as the kernels below read them.
struct LearnableRows {
  const float *am, *keep, *th;  // (H) each: a, k, th above
  int64_t H;
  float v_leak, v_reset;
};

// One step on rows of H neurons. Free functions with restrict pointers and the reset as a
// template argument, so that the compiler vectorises the loop over a row (with the state reached
// through the Cell's pointer arrays it ran scalar: the layer took 1.9x the fixed one's time).
template <bool ResetValue>
void forward_rows(const LearnableRows& c, int64_t n, const float* __restrict x, float* __restrict v,
                  float* __restrict i, float* __restrict z, float* __restrict vd,
                  float* __restrict u, float* __restrict j) {
  const float* __restrict am = c.am, * __restrict keep = c.keep, * __restrict th = c.th;
  const float v_leak = c.v_leak, v_reset = c.v_reset;  // locals: no reload after each store
  const int64_t H = c.H;
  for (int64_t r = 0; r < n; r += H)
    for (int64_t h = 0; h < H; ++h) {
      const int64_t k = r + h;
      z[k] = cuda::learnable_lif_forward<ResetValue>(v_leak, v_reset, am[h], keep[h], th[h], x[k],
                                                     v[k], i[k], vd[k], u[k], j[k]);
    }
}

// gv, gi: in dL/d(new state), out dL/d(old state); gz: dL/dz with the recurrent part; gp: the
// (H) sums for a, k and th, one after the other. Kept out of line: its restrict parameters are
// what lets the loop vectorise (inlined into the scan, it ran scalar).
template <bool ResetValue, class Grad>
[[gnu::noinline]] void backward_rows(const LearnableRows& c, int64_t n, const float* __restrict vd,
                                     const float* __restrict u, const float* __restrict j,
                                     const float* __restrict gz, float* __restrict gv,
                                     float* __restrict gi, float* __restrict gx,
                                     float* __restrict gp, Grad sg_of) {
  const float* __restrict am = c.am, * __restrict keep = c.keep, * __restrict th = c.th;
  const int64_t H = c.H;
  for (int64_t r = 0; r < n; r += H)
    for (int64_t h = 0; h < H; ++h) {
      const int64_t k = r + h;
      float ga, gk, gth;
      gx[k] = cuda::learnable_lif_backward<ResetValue>(am[h], keep[h], th[h], vd[k], u[k], j[k],
                                                       sg_of(vd[k] - th[h]), gz[k], gv[k], gi[k],
                                                       ga, gk, gth);
      gp[h] += ga;
      gp[H + h] += gk;
      gp[2 * H + h] += gth;
    }
}

template <bool ResetValue>
void backward_rows(const LearnableRows& c, int64_t n, const float* const* saved, const float* gz,
                   float* const* gs, float* gx, float* gp, Surrogate s) {
  if (s.method == SurrogateMethod::super)  // inlined: the common case
    backward_rows<ResetValue>(c, n, saved[0], saved[1], saved[2], gz, gs[0], gs[1], gx, gp,
                              [a = s.alpha](float d) { return superspike_grad(d, a); });
  else
    backward_rows<ResetValue>(c, n, saved[0], saved[1], saved[2], gz, gs[0], gs[1], gx, gp,
                              [s](float d) { return s.grad(d); });
}

struct LearnableLIFCell {
  static constexpr int kState = 2, kSaved = 3, kParams = 3;  // state v, i; saved v~, u, j
  LearnableRows c;
  bool reset_value;
  Surrogate surrogate;

  // Rows of H neurons: n is a multiple of H (cell_scan splits a recurrent layer by batch rows).
  void forward_row(int64_t n, const float* x, float* const* s, float* const* saved,
                   float* z) const {
    (reset_value ? forward_rows<true> : forward_rows<false>)(c, n, x, s[0], s[1], z, saved[0],
                                                             saved[1], saved[2]);
  }
  void backward_row(int64_t n, const float* const* saved, const float* gz, float* const* gs,
                    float* gx, float* gparams) const {
    (reset_value ? backward_rows<true> : backward_rows<false>)(c, n, saved, gz, gs, gx, gparams,
                                                               surrogate);
  }
};

}  // namespace

LIFRecurrentSequence lif_recurrent_learnable_sequence(const Tensor& x_in, const Tensor& w_rec,
                                                      const LIFRecurrentState& s0,
                                                      const LIFParameters& p,
                                                      const LIFNeuronTensors& q, bool record_states,
                                                      bool x_scratch) {
  if (!w_rec.defined() || !s0.z.defined())
    throw std::invalid_argument("lif_recurrent_learnable_sequence: needs recurrent weights and z0");
#ifdef SOMA_CUDA
  if (x_in.device() == Device::cuda)
    return detail::lif_recurrent_learnable_sequence_cuda(x_in, w_rec, s0, p, q, record_states);
#endif
  // cell_scan checks that each vector holds one value per neuron before the cell reads them.
  const Tensors params{q.mem_factor, q.syn_keep, q.v_th};
  LearnableLIFCell cell{{q.mem_factor.data(), q.syn_keep.data(), q.v_th.data(),
                         q.mem_factor.numel(), p.v_leak, p.v_reset},
                        p.reset == Reset::value,
                        p.surrogate};
  detail::CellScanResult r =
      detail::cell_scan("lif_recurrent_learnable_sequence", cell, x_in, w_rec, s0.z, {s0.v, s0.i},
                        record_states, x_scratch, params);
  LIFRecurrentSequence out{r.z, {select(r.z, x_in.size(0) - 1), r.state[0], r.state[1]}, {}, {}};
  if (record_states) out.v = r.traces[0], out.i = r.traces[1];
  return out;
}

}  // namespace soma
