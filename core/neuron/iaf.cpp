#include "core/neuron/iaf.hpp"

#include "core/backend/cuda/iaf_body.hpp"
#include "core/neuron/cell_scan.hpp"
#include "core/neuron/cell_scan_cuda.hpp"
#include "core/neuron/rollout.hpp"
#include "core/ops/elementwise.hpp"

namespace soma {

Tensor iaf_initial_state(const Shape& shape, const IAFParameters& p) {
  return Tensor::full(shape, p.v_reset);
}

IAFStep iaf_step(const Tensor& x, const Tensor& v, const IAFParameters& p) {
  Tensor v_dec = v + x;
  Tensor z = spike_fn(v_dec - p.v_th, p.surrogate);
  return {z, reset_voltage(v_dec, z, p)};
}

namespace {

static_assert(int(SurrogateMethod::super) == 0 && int(SurrogateMethod::logistic) == 6,
              "cuda::IafCell::surrogate numbers the methods as SurrogateMethod");

// The neuron's step and adjoint for the fused scans, CPU and GPU (cuda/iaf_body.hpp).
cuda::IafCell iaf_cell(const IAFParameters& p) {
  return {p.v_th, p.v_reset, p.reset == Reset::value, int(p.surrogate.method), p.surrogate.alpha};
}

}  // namespace

IAFSequence iaf_sequence(const Tensor& x, const Tensor& v0, const IAFParameters& p,
                         bool record_states) {
  detail::CellScanResult r =
      x.device() == Device::cuda
          ? detail::cell_scan_cuda("iaf_sequence", iaf_cell(p), x, {v0}, record_states)
          : detail::cell_scan("iaf_sequence", iaf_cell(p), x, Tensor(), Tensor(), {v0},
                              record_states);
  return {r.z, r.state[0], record_states ? r.traces[0] : Tensor()};
}

Sequence<VoltageState> IAFModel::sequence(const Tensor& x, const VoltageState& s0,
                                          const IAFParameters& p, bool record_states) {
  IAFSequence r = iaf_sequence(x, s0.v, p, record_states);
  return {r.z, {r.v}, {r.trace}};
}

}  // namespace soma
