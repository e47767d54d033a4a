#include "core/backend/spike_scan.hpp"

namespace soma {

// The kernel is compiled per instruction-set level (kernels_isa.inl).
void spike_product_scan(const CurrentScanConfig& c, const SpikeRows& s, SpikeScanRows r,
                        int64_t cols, const float* packed, const float* bias, int64_t n, float* v,
                        float* i, float* z, float* v_dec, float* trace) {
  active_kernels().spike_product_scan(c, {s.row_start.data(), s.cols.data()}, r, cols, packed, bias,
                                      n, v, i, z, v_dec, trace);
}

}  // namespace soma
