#pragma once
// The voltage reset of the step-loop models' fused cells (lif_ex_body.hpp and the others), in
// the composed form of core/neuron/lif.cpp's reset_voltage so that a fused scan rounds as the
// step loop does (bit for bit on the CPU):
//   value:     v' = (1 - z) v~ + z v_reset      dv'/dv~ = 1 - z,  dv'/dz = v_reset - v~
//   subtract:  v' = v~ - z v_th                 dv'/dv~ = 1,      dv'/dz = -v_th
#include "core/backend/cuda/host_device.hpp"

namespace soma::cuda {

struct ResetRule {
  bool value;  // Reset::value, else subtract
  float v_reset, v_th;

  SOMA_HD float apply(float vd, float z) const {
    return value ? (1.0f - z) * vd + z * v_reset : vd - z * v_th;
  }
  SOMA_HD float d_vd(float z) const { return value ? 1.0f - z : 1.0f; }
  SOMA_HD float d_z(float vd) const { return value ? v_reset - vd : -v_th; }
};

// H(x) with the surrogate's derivative: what spike_fn computes forward, and dz/dx backward.
SOMA_HD inline float heaviside(float x) {
  return x > 0.0f ? 1.0f : 0.0f;
}

}  // namespace soma::cuda
