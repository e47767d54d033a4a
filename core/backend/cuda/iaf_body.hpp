#pragma once
// One integrate-and-fire neuron's Euler step and its exact adjoint, written once for both sides:
// the CPU's fused scan (core/neuron/cell_scan.hpp runs IafCell as its Cell) and the GPU's
// (cell_scan.cu, one thread per neuron through cell_scan_body.hpp). Forward (iaf.hpp):
//   v~ = v + x,  z = [v~ > v_th],  v' = reset_value ? v~ + z (v_reset - v~) : v~ - z v_th
// Adjoint (gv: dL/dv' in, dL/dv out; gz: dL/dz; sg the surrogate at v~ - v_th):
//   gv~ = reset_value ? gv (1 - z) + (gv (v_reset - v~) + gz) sg : gv + (gz - gv v_th) sg
//   dL/dx = dL/dv = gv~
// Saves v~ per neuron-step. The surrogate is numbered as SurrogateMethod (surrogate_body.hpp),
// since the CPU's Surrogate has no device code.
#include "core/backend/cuda/host_device.hpp"
#include "core/backend/cuda/surrogate_body.hpp"

namespace soma::cuda {

struct IafCell {
  static constexpr int kState = 1, kSaved = 1;  // state v; saved v~
  static constexpr const char* kName = "iaf scan";
  float v_th, v_reset;
  bool reset_value;  // Reset::value, else subtract
  int surrogate;     // int(SurrogateMethod)
  float alpha;

  // s[0]: v in, v' out; returns z.
  SOMA_HD float forward(float x, float* s, float* saved) const {
    const float vd = s[0] + x, z = vd > v_th ? 1.0f : 0.0f;
    s[0] = reset_value ? vd + z * (v_reset - vd) : vd - z * v_th;
    saved[0] = vd;
    return z;
  }
  // gs[0]: dL/dv' in, dL/dv out; returns dL/dx.
  SOMA_HD float backward(const float* saved, float gz, float* gs) const {
    const float vd = saved[0], z = vd > v_th ? 1.0f : 0.0f, gv = gs[0];
    const float sg = surrogate_grad(surrogate, alpha, vd - v_th);
    gs[0] = reset_value ? gv * (1.0f - z) + (gv * (v_reset - vd) + gz) * sg
                        : gv + (gz - gv * v_th) * sg;
    return gs[0];
  }
};

}  // namespace soma::cuda
