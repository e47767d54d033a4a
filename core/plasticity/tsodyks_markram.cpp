#include "core/plasticity/tsodyks_markram.hpp"

#include "core/ops/elementwise.hpp"

namespace soma {

TsodyksMarkramState tsodyks_markram_initial_state(const Shape& shape) {
  return {Tensor::zeros(shape), Tensor::ones(shape)};
}

TsodyksMarkramStep tsodyks_markram_step(const Tensor& z, const TsodyksMarkramState& s,
                                        const TsodyksMarkramParameters& p) {
  Tensor u_new = s.u * (1.0f - p.dt * p.tau_f_inv) + (1.0f - s.u) * z * p.U;
  Tensor released = u_new * s.x * z;
  Tensor x_new = s.x + (1.0f - s.x) * (p.dt * p.tau_d_inv) - released;
  return {released, {u_new, x_new}};
}

}  // namespace soma
