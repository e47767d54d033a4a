// The fused scan of the learnable recurrent LIF layer (lif_learnable.hpp): cell_scan with a row
// Cell whose three per-step constants are per-neuron vectors, node inputs whose gradients the
// reverse scan sums per thread. The row kernels are compiled per instruction-set level
// (core/backend/cpu/learnable_isa.inl); their step and adjoint, with the equations, are
// core/backend/cuda/lif_learnable_step.inl's, which the GPU runs too (lif_learnable.cu). It
// saves v~, u and j (12 bytes per neuron-step; the fixed layer's scan saves 4).
#include <stdexcept>

#include "core/backend/cpu/isa_kernels.hpp"
#include "core/neuron/cell_scan.hpp"
#include "core/neuron/lif_learnable.hpp"
#include "core/neuron/lif_recurrent_cuda.hpp"
#include "core/ops/shape_ops.hpp"

namespace soma {
namespace {

struct LearnableLIFCell {
  static constexpr int kState = 2, kSaved = 3, kParams = 3;  // state v, i; saved v~, u, j
  LearnableRows c;

  // Rows of H neurons: n is a multiple of H (cell_scan splits a recurrent layer by batch rows).
  void forward_row(int64_t n, const float* x, float* const* s, float* const* saved,
                   float* z) const {
    active_kernels().learnable_forward_rows(c, n, x, s[0], s[1], z, saved[0], saved[1], saved[2]);
  }
  void backward_row(int64_t n, const float* const* saved, const float* gz, float* const* gs,
                    float* gx, float* gparams) const {
    active_kernels().learnable_backward_rows(c, n, saved[0], saved[1], saved[2], gz, gs[0], gs[1],
                                             gx, gparams);
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
  const LearnableLIFCell cell{{q.mem_factor.data(), q.syn_keep.data(), q.v_th.data(),
                               q.mem_factor.numel(), p.v_leak, p.v_reset, p.reset == Reset::value,
                               p.surrogate}};
  detail::CellScanResult r =
      detail::cell_scan("lif_recurrent_learnable_sequence", cell, x_in, w_rec, s0.z, {s0.v, s0.i},
                        record_states, x_scratch, params);
  LIFRecurrentSequence out{r.z, {select(r.z, x_in.size(0) - 1), r.state[0], r.state[1]}, {}, {}};
  if (record_states) out.v = r.traces[0], out.i = r.traces[1];
  return out;
}

}  // namespace soma
