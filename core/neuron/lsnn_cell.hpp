#pragma once
// The LSNN neuron's constants for every fused scan (the CPU's cell_scan, the GPU's feed-forward
// scan and its recurrent step kernel): one place computes them from LSNNParameters, so all
// three round alike. The step and adjoint are cuda/lsnn_cell_body.hpp's.
#include "core/backend/cuda/lsnn_cell_body.hpp"
#include "core/neuron/lsnn.hpp"

namespace soma::detail {

// detach: no gradient through the reset (Norse's recurrent LSNN).
inline cuda::LsnnCell lsnn_cell(const LSNNParameters& p, bool detach) {
  return {p.dt * p.tau_mem_inv,
          1.0f - p.dt * p.tau_syn_inv,
          p.dt * p.tau_adapt_inv,
          p.v_leak,
          p.v_th,
          p.v_reset,
          p.beta,
          p.reset == Reset::value,
          int(p.surrogate.method),
          p.surrogate.alpha,
          detach};
}

}  // namespace soma::detail
