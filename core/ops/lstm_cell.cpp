#include "core/ops/lstm_cell.hpp"

#include <stdexcept>

#include "core/autograd/node.hpp"
#include "core/backend/cuda/lstm_body.hpp"
#include "core/backend/device_check.hpp"

namespace soma {

namespace {

void check_shapes(const Tensor& a, const Tensor& c_prev) {
  if (a.dim() != 2 || c_prev.dim() != 2 || a.size(0) != c_prev.size(0) ||
      a.size(1) != 4 * c_prev.size(1))
    throw std::invalid_argument("lstm_cell: gates " + to_string(a.shape()) + " and cell state " +
                                to_string(c_prev.shape()) + " are not (B, 4H) and (B, H)");
}

// The kernel on the GPU, else the same body over every unit on the host (cuda::lstm_cell and
// lstm_cell_at are overloaded on the forward's and the backward's arguments).
template <class Args>
void run(Device d, int64_t batch, const Args& p) {
#ifdef SOMA_CUDA
  if (d == Device::cuda) return cuda::lstm_cell(batch, p);
#endif
  (void)d;
  for (int64_t e = 0, n = batch * p.hidden; e < n; ++e) cuda::lstm_cell_at(p, e);
}

}  // namespace

LSTMCellOutput lstm_cell(const Tensor& a, const Tensor& c_prev) {
  const Device d = require_device("lstm_cell", a, c_prev);
  check_shapes(a, c_prev);
  const int64_t B = a.size(0), H = c_prev.size(1);
  Tensor h = Tensor::uninitialized({B, H}, d), c = Tensor::uninitialized({B, H}, d);
  Tensor gates = Tensor::uninitialized({B, 4 * H}, d);
  run(d, B,
      cuda::LstmCellForward{H, a.raw_data(), c_prev.raw_data(), h.raw_data(), c.raw_data(),
                            gates.raw_data()});
  // Detached: the node must not hold its own output's history (a reference cycle).
  const Tensor cp = c_prev.detach(), cs = c.detach();
  Tensors out = record_multi("lstm_cell", {h, c}, {a, c_prev}, [=](const Tensors& g) {
    require_device("lstm_cell backward", g[0], g[1], cs);
    Tensor ga = Tensor::uninitialized({B, 4 * H}, d), gcp = Tensor::uninitialized({B, H}, d);
    run(d, B,
        cuda::LstmCellBackward{H, gates.raw_data(), cp.raw_data(), cs.raw_data(), g[0].raw_data(),
                               g[1].raw_data(), ga.raw_data(), gcp.raw_data()});
    return Tensors{ga, gcp};
  });
  return {out[0], out[1]};
}

}  // namespace soma
