// lsnn_recurrent_sequence on the GPU, as lif_recurrent_cuda.cpp. Forward, per step t: one
// kernel computes cur_t = x_t + z_{t-1} W^T and the LSNN update for every neuron (B H threads),
// saving v~ and b~. Backward, per step from the last: one kernel adds gcur_{t+1} W to dL/dz_t
// and runs the step's adjoint (the reset detached, the threshold jump not); then
//   dL/dW = sum_t gcur_t^T z_{t-1},  dL/dz0 = gcur_0 W  (GEMMs: recurrent_cuda_common.hpp)
// The node's outputs are z (T, B, H), the final v, i and b, and z_{T-1} as its own output;
// with record_states also v, i and b after each step (StateTraces, recurrent_cuda_common.hpp).
#ifdef SOMA_CUDA

#include "core/neuron/lsnn_cuda.hpp"

#include <stdexcept>

#include "core/autograd/node.hpp"
#include "core/backend/device_check.hpp"
#include "core/neuron/recurrent_cuda_common.hpp"

namespace soma::detail {

namespace {

constexpr Device kCuda = Device::cuda;

Tensor on_device(const Tensor& t) {
  return recurrent_state_on_device("lsnn_recurrent_sequence", t);
}

void check_shapes(const Tensor& x_in, const Tensor& w_rec, const Tensor& z0) {
  if (x_in.dim() != 3 || w_rec.dim() != 2 || w_rec.size(0) != x_in.size(2) ||
      w_rec.size(1) != x_in.size(2) || z0.shape() != Shape{x_in.size(1), x_in.size(2)})
    throw std::invalid_argument("lsnn_recurrent_sequence: input " + to_string(x_in.shape()) +
                                ", recurrent weights " + to_string(w_rec.shape()) + " and state " +
                                to_string(z0.shape()) + " do not fit");
}

// The reverse scan: dL/dcur for every step; gv, gi, gb leave as dL/d(initial state).
// gtraces: the recorded states' gradients (none without record_states).
Tensor reverse_scan(const cuda::LsnnParams& kp, const Tensor& w, const Tensor& v_dec,
                    const Tensor& b_dec, const Tensors& gtraces, Tensor& gz, Tensor& gv, Tensor& gi,
                    Tensor& gb) {
  const int64_t T = gz.size(0), H = gz.size(2), n = kp.width;
  Tensor gcur = Tensor::uninitialized(gz.shape(), kCuda);
  for (int64_t t = T - 1; t >= 0; --t) {
    StateTraces::add_grads(gtraces, t, {gv, gi, gb});
    cuda::lsnn_step_backward(
        kp, {H, w.raw_data(), t + 1 < T ? gcur.raw_data() + (t + 1) * n : nullptr,
             gz.raw_data() + t * n, v_dec.raw_data() + t * n, b_dec.raw_data() + t * n,
             gcur.raw_data() + t * n, gv.raw_data(), gi.raw_data(), gb.raw_data()});
  }
  return gcur;
}

}  // namespace

LSNNSequence lsnn_recurrent_sequence_cuda(const Tensor& x_in, const Tensor& w_rec,
                                          const LSNNState& state0, const LSNNParameters& p,
                                          bool record_states) {
  const Tensor z0 = on_device(state0.z), v0 = on_device(state0.v), i0 = on_device(state0.i),
               b0 = on_device(state0.b);
  require_device("lsnn_recurrent_sequence", x_in, w_rec, z0, v0, i0, b0);
  check_shapes(x_in, w_rec, z0);
  const int64_t T = x_in.size(0), B = x_in.size(1), H = x_in.size(2), n = B * H;
  const cuda::LsnnParams kp = lsnn_kernel_params(p, n);
  Tensor z = Tensor::uninitialized(x_in.shape(), kCuda);
  Tensor v_dec = Tensor::uninitialized(x_in.shape(), kCuda);
  Tensor b_dec = Tensor::uninitialized(x_in.shape(), kCuda);
  Tensor v = v0.clone(), i = i0.clone(), b = b0.clone();
  Tensor z_last = Tensor::uninitialized({B, H}, kCuda);
  const Tensor w = w_rec.detach();
  const StateTraces traces(record_states, x_in.shape(), 3);  // v, i, b
  for (int64_t t = 0; t < T; ++t) {
    cuda::lsnn_step_forward(
        kp, {H, w.raw_data(), t == 0 ? z0.raw_data() : z.raw_data() + (t - 1) * n,
             x_in.raw_data() + t * n, v.raw_data(), i.raw_data(), b.raw_data(),
             z.raw_data() + t * n, v_dec.raw_data() + t * n, b_dec.raw_data() + t * n});
    traces.record(t, {v, i, b});
  }
  copy_on_device(z_last.raw_data(), T > 0 ? z.raw_data() + (T - 1) * n : z0.raw_data(), n);

  const Tensor zs = z.detach(), z0s = z0.detach();
  Tensors results{z, v, i, b, z_last};
  results.insert(results.end(), traces.tensors().begin(), traces.tensors().end());
  Tensors outs = record_multi(
      "lsnn_recurrent_sequence", results, {x_in, w_rec, z0, v0, i0, b0}, [=](const Tensors& g) {
        const Tensors gtraces(g.begin() + 5, g.end());
        Tensor gz = g[0].clone(), gv = g[1].clone(), gi = g[2].clone(), gb = g[3].clone();
        if (T == 0)
          return Tensors{Tensor::zeros(zs.shape(), kCuda),
                         Tensor::zeros(w.shape(), kCuda),
                         g[4].clone(),
                         gv,
                         gi,
                         gb};
        // z_{T-1} is also the state output.
        cuda::binary(cuda::BinaryOp::add, gz.raw_data() + (T - 1) * n, g[4].raw_data(), n,
                     gz.raw_data() + (T - 1) * n);
        Tensor gcur = reverse_scan(kp, w, v_dec, b_dec, gtraces, gz, gv, gi, gb);
        RecurrentWeightGrads wg = recurrent_weight_grads(gcur, zs, z0s, w);
        return Tensors{gcur, wg.gw, wg.gz0, gv, gi, gb};
      });
  auto recorded = [&](size_t k) { return record_states ? outs[k] : Tensor(); };
  return {outs[0], {outs[4], outs[1], outs[2], outs[3]}, recorded(5), recorded(6), recorded(7)};
}

}  // namespace soma::detail

#endif  // SOMA_CUDA
