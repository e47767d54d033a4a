// lif_recurrent_sequence on the GPU. Forward, per step t: one kernel computes
// cur_t = x_t + z_{t-1} W^T and the LIF update for every neuron (B H threads). Backward, per
// step from the last: one kernel adds gcur_{t+1} W to dL/dz_t and runs the step's adjoint; then
//   dL/dW = sum_t gcur_t^T z_{t-1},  dL/dz0 = gcur_0 W  (GEMMs: recurrent_cuda_common.hpp)
// The node's outputs are z (T, B, H), the final v and i, and z_{T-1} as its own output (a view
// of z would need slice's CPU backward); with record_states also v and i after each step
// (StateTraces, recurrent_cuda_common.hpp).
#ifdef SOMA_CUDA

#include "core/neuron/lif_recurrent_cuda.hpp"

#include <stdexcept>

#include "core/autograd/grad_mode.hpp"
#include "core/autograd/node.hpp"
#include "core/backend/cuda_ops.hpp"
#include "core/backend/cuda_runtime.hpp"
#include "core/backend/device_check.hpp"
#include "core/neuron/current_scan.hpp"
#include "core/neuron/recurrent_cuda_common.hpp"

namespace soma::detail {

namespace {

constexpr Device kCuda = Device::cuda;

Tensor on_device(const Tensor& t) {
  return recurrent_state_on_device("lif_recurrent_sequence", t);
}

}  // namespace

LIFRecurrentSequence lif_recurrent_sequence_cuda(const Tensor& x_in, const Tensor& w_rec,
                                                 const LIFRecurrentState& state0,
                                                 const LIFParameters& p, bool record_states) {
  const Tensor z0 = on_device(state0.z), v0 = on_device(state0.v), i0 = on_device(state0.i);
  require_device("lif_recurrent_sequence", x_in, w_rec, z0, v0, i0);
  if (x_in.dim() != 3 || w_rec.dim() != 2 || w_rec.size(0) != x_in.size(2) ||
      w_rec.size(1) != x_in.size(2) || z0.shape() != Shape{x_in.size(1), x_in.size(2)})
    throw std::invalid_argument("lif_recurrent_sequence: input " + to_string(x_in.shape()) +
                                ", recurrent weights " + to_string(w_rec.shape()) + " and state " +
                                to_string(z0.shape()) + " do not fit");
  const int64_t T = x_in.size(0), B = x_in.size(1), H = x_in.size(2), n = B * H;
  cuda::LeakyScanParams kp = leaky_scan_params(lif_scan_config(p, false, true), {1, n});
  kp.detach_reset = true;  // as the CPU's LIFCell
  Tensor z = Tensor::uninitialized(x_in.shape(), kCuda);
  Tensor v_dec = Tensor::uninitialized(x_in.shape(), kCuda);
  Tensor v = v0.clone(), i = i0.clone(), z_last = Tensor::uninitialized({B, H}, kCuda);
  const Tensor w = w_rec.detach();
  const StateTraces traces(record_states, x_in.shape(), 2);  // v, i
  for (int64_t t = 0; t < T; ++t) {
    cuda::recurrent_step_forward(
        kp, {H, w.raw_data(), t == 0 ? z0.raw_data() : z.raw_data() + (t - 1) * n,
             x_in.raw_data() + t * n, v.raw_data(), i.raw_data(), z.raw_data() + t * n,
             v_dec.raw_data() + t * n});
    traces.record(t, {v, i});
  }
  if (T > 0)
    copy_on_device(z_last.raw_data(), z.raw_data() + (T - 1) * n, n);
  else
    copy_on_device(z_last.raw_data(), z0.raw_data(), n);

  const Tensor zs = z.detach(), z0s = z0.detach();
  Tensors results{z, v, i, z_last};
  results.insert(results.end(), traces.tensors().begin(), traces.tensors().end());
  Tensors outs = record_multi(
      "lif_recurrent_sequence", results, {x_in, w_rec, z0, v0, i0}, [=](const Tensors& g) {
        const Tensors gtraces(g.begin() + 4, g.end());
        Tensor gz = g[0].clone(), gv = g[1].clone(), gi = g[2].clone();
        if (T > 0)  // z_{T-1} is also the state output
          cuda::binary(cuda::BinaryOp::add, gz.raw_data() + (T - 1) * n, g[3].raw_data(), n,
                       gz.raw_data() + (T - 1) * n);
        Tensor gcur = Tensor::uninitialized(zs.shape(), kCuda);
        for (int64_t t = T - 1; t >= 0; --t) {
          StateTraces::add_grads(gtraces, t, {gv, gi});
          cuda::recurrent_step_backward(
              kp, {H, w.raw_data(), t + 1 < T ? gcur.raw_data() + (t + 1) * n : nullptr,
                   gz.raw_data() + t * n, v_dec.raw_data() + t * n, gcur.raw_data() + t * n,
                   gv.raw_data(), gi.raw_data()});
        }
        if (T == 0) return Tensors{gcur, Tensor::zeros(w.shape(), kCuda), g[3].clone(), gv, gi};
        RecurrentWeightGrads wg = recurrent_weight_grads(gcur, zs, z0s, w);
        return Tensors{gcur, wg.gw, wg.gz0, gv, gi};
      });
  auto recorded = [&](size_t k) { return record_states ? outs[k] : Tensor(); };
  return {outs[0], {outs[3], outs[1], outs[2]}, recorded(4), recorded(5)};
}

}  // namespace soma::detail

#endif  // SOMA_CUDA
