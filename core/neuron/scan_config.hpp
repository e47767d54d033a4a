#pragma once
// The current-based scan's configuration and array layout, without tensors: current_scan.hpp
// uses them, and so do the per-ISA kernels (core/backend/cpu/kernels_isa.inl), which must not
// see Eigen through tensor.hpp.
#include <cstdint>

#include "core/neuron/spike_rule.hpp"

namespace soma {

struct CurrentScanConfig {
  float am;      // dt * tau_mem_inv
  float keep_i;  // 1 - dt * tau_syn_inv, or 0 for box models
  float v_leak, v_th, v_reset;
  Reset reset;
  Surrogate surrogate;
  bool spiking;
};

// Arrays are (steps, width), time-major; the state arrays are (width).
struct ScanExtent {
  int64_t steps, width;
  int64_t stride = 0;  // floats between steps in every (steps, .) array; 0: width
  // Always inlined: an out-of-line copy compiled for AVX-512 in a kernels_isa file could be
  // the one the linker keeps (tests/isa_symbols.sh).
  [[gnu::always_inline]] int64_t step_stride() const { return stride ? stride : width; }
};

// Neurons per block of the constant-input scan (kernels_isa.inl's constant_range): the block's
// state stays in L1 while time runs inside it.
constexpr int64_t kConstantScanBlock = 1024;

struct ScanGrads {
  const float* gz;      // (steps, width) or null
  const float* gtrace;  // (steps, width) or null
  float* gx;            // (steps, width): written
  float* gv;            // (width): in dL/dv at the end, out dL/dv at the start
  float* gi;            // (width): the same for i
};

}  // namespace soma
