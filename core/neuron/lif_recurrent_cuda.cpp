// lif_recurrent_sequence and lif_recurrent_learnable_sequence on the GPU. Forward, per step t:
// one kernel computes cur_t = x_t + z_{t-1} W^T and the LIF update for every neuron (B H
// threads). Backward, per step from the last: one kernel adds gcur_{t+1} W to dL/dz_t and runs
// the step's adjoint; then
//   dL/dW = sum_t gcur_t^T z_{t-1},  dL/dz0 = gcur_0 W  (GEMMs: recurrent_cuda_common.hpp)
// The learnable layer's kernels also add each neuron-step's terms of its constants' gradients
// into (B, H) sums, reduced over the batch once at the end (no atomics: the result does not
// depend on the launch). The node's outputs are z (T, B, H), the final v and i, and z_{T-1} as
// its own output (a view of z would need slice's CPU backward); with record_states also v and i
// after each step (StateTraces, recurrent_cuda_common.hpp).
#ifdef SOMA_CUDA

#include "core/neuron/lif_recurrent_cuda.hpp"

#include <memory>
#include <stdexcept>

#include "core/autograd/grad_mode.hpp"
#include "core/autograd/node.hpp"
#include "core/backend/cuda_ops.hpp"
#include "core/backend/cuda_runtime.hpp"
#include "core/backend/device_check.hpp"
#include "core/neuron/current_scan.hpp"
#include "core/neuron/recurrent_cuda_common.hpp"
#include "core/ops/reduce.hpp"

namespace soma::detail {

namespace {

constexpr Device kCuda = Device::cuda;

// What differs between the fixed and the learnable layer: the step kernels, what a step saves
// for the backward, and the learnable one's per-neuron constants (node inputs of their own).
// n = B H neurons per step; arrays at step t start at t n.
class Steps {
 public:
  virtual ~Steps() = default;
  virtual Tensors constants() const { return {}; }
  virtual void forward(int64_t t, const float* z_prev, const float* x, float* v, float* i,
                       float* z) = 0;
  virtual void backward(int64_t t, const float* gcur_next, const float* gz, float* gcur, float* gv,
                        float* gi) = 0;
  // The constants' gradients, after the backward of every step.
  virtual Tensors constant_grads() { return {}; }
};

class FixedSteps : public Steps {
 public:
  FixedSteps(const LIFParameters& p, const Tensor& w, const Shape& shape)
      : kp_(leaky_scan_params(lif_scan_config(p, false, true), {1, shape[1] * shape[2]})),
        w_(w),
        v_dec_(Tensor::uninitialized(shape, kCuda)) {
    kp_.detach_reset = true;  // as the CPU's LIFCell
  }
  void forward(int64_t t, const float* z_prev, const float* x, float* v, float* i,
               float* z) override {
    cuda::recurrent_step_forward(
        kp_, {w_.size(0), w_.raw_data(), z_prev, x, v, i, z, v_dec_.raw_data() + t * kp_.width});
  }
  void backward(int64_t t, const float* gcur_next, const float* gz, float* gcur, float* gv,
                float* gi) override {
    cuda::recurrent_step_backward(kp_, {w_.size(0), w_.raw_data(), gcur_next, gz,
                                        v_dec_.raw_data() + t * kp_.width, gcur, gv, gi});
  }

 private:
  cuda::LeakyScanParams kp_;
  Tensor w_, v_dec_;
};

class LearnableSteps : public Steps {
 public:
  LearnableSteps(const LIFParameters& p, const LIFNeuronTensors& q, const Tensor& w,
                 const Shape& shape)
      : q_(q), w_(w) {
    const int64_t H = shape[2];
    for (const Tensor& c : {q.mem_factor, q.syn_keep, q.v_th}) {
      require_device("lif_recurrent_learnable_sequence", c);
      if (c.shape() != Shape{H})
        throw std::invalid_argument("lif_recurrent_learnable_sequence: constants of shape " +
                                    to_string(c.shape()) + " for " + std::to_string(H) +
                                    " neurons");
    }
    lp_ = {H,
           shape[1] * H,
           q_.mem_factor.raw_data(),
           q_.syn_keep.raw_data(),
           q_.v_th.raw_data(),
           p.v_leak,
           p.v_reset,
           p.reset == Reset::value,
           int(p.surrogate.method),
           p.surrogate.alpha};
    for (Tensor& s : saved_) s = Tensor::uninitialized(shape, kCuda);
    for (Tensor& s : sums_) s = Tensor::zeros({shape[1], H}, kCuda);
  }
  Tensors constants() const override { return {q_.mem_factor, q_.syn_keep, q_.v_th}; }
  void forward(int64_t t, const float* z_prev, const float* x, float* v, float* i,
               float* z) override {
    const int64_t o = t * lp_.width;
    cuda::learnable_step_forward(lp_, {w_.raw_data(), z_prev, x, v, i, z, saved_[0].raw_data() + o,
                                       saved_[1].raw_data() + o, saved_[2].raw_data() + o});
  }
  void backward(int64_t t, const float* gcur_next, const float* gz, float* gcur, float* gv,
                float* gi) override {
    const int64_t o = t * lp_.width;
    cuda::learnable_step_backward(
        lp_, {w_.raw_data(), gcur_next, gz, saved_[0].raw_data() + o, saved_[1].raw_data() + o,
              saved_[2].raw_data() + o, gcur, gv, gi, sums_[0].raw_data(), sums_[1].raw_data(),
              sums_[2].raw_data()});
  }
  Tensors constant_grads() override {
    Tensors out;
    for (const Tensor& s : sums_) out.push_back(sum(s, 0));
    return out;
  }

 private:
  LIFNeuronTensors q_;
  Tensor w_;
  cuda::LearnableLifParams lp_{};
  Tensor saved_[3], sums_[3];  // v~, u, j (T, B, H); the constants' gradient terms (B, H)
};

void check_shapes(const char* op, const Tensor& x_in, const Tensor& w_rec, const Tensor& z0) {
  if (x_in.dim() != 3 || w_rec.dim() != 2 || w_rec.size(0) != x_in.size(2) ||
      w_rec.size(1) != x_in.size(2) || z0.shape() != Shape{x_in.size(1), x_in.size(2)})
    throw std::invalid_argument(std::string(op) + ": input " + to_string(x_in.shape()) +
                                ", recurrent weights " + to_string(w_rec.shape()) + " and state " +
                                to_string(z0.shape()) + " do not fit");
}

// The node: steps' kernels forward now and backward in its closure.
LIFRecurrentSequence run(const char* op, const Tensor& x_in, const Tensor& w,
                         const LIFRecurrentState& state0, std::shared_ptr<Steps> steps,
                         bool record_states) {
  const Tensor z0 = recurrent_state_on_device(op, state0.z),
               v0 = recurrent_state_on_device(op, state0.v),
               i0 = recurrent_state_on_device(op, state0.i);
  const int64_t T = x_in.size(0), B = x_in.size(1), H = x_in.size(2), n = B * H;
  Tensor z = Tensor::uninitialized(x_in.shape(), kCuda);
  Tensor v = v0.clone(), i = i0.clone(), z_last = Tensor::uninitialized({B, H}, kCuda);
  const StateTraces traces(record_states, x_in.shape(), 2);  // v, i
  for (int64_t t = 0; t < T; ++t) {
    steps->forward(t, t == 0 ? z0.raw_data() : z.raw_data() + (t - 1) * n, x_in.raw_data() + t * n,
                   v.raw_data(), i.raw_data(), z.raw_data() + t * n);
    traces.record(t, {v, i});
  }
  copy_on_device(z_last.raw_data(), T > 0 ? z.raw_data() + (T - 1) * n : z0.raw_data(), n);

  const Tensor zs = z.detach(), z0s = z0.detach(), wd = w.detach();
  Tensors results{z, v, i, z_last}, inputs{x_in, w, z0, v0, i0};
  results.insert(results.end(), traces.tensors().begin(), traces.tensors().end());
  for (const Tensor& c : steps->constants()) inputs.push_back(c);
  Tensors outs = record_multi(op, results, inputs, [=](const Tensors& g) {
    NoGrad no_grad;
    const Tensors gtraces(g.begin() + 4, g.end());
    Tensor gz = g[0].clone(), gv = g[1].clone(), gi = g[2].clone();
    if (T > 0)  // z_{T-1} is also the state output
      cuda::binary(cuda::BinaryOp::add, gz.raw_data() + (T - 1) * n, g[3].raw_data(), n,
                   gz.raw_data() + (T - 1) * n);
    Tensor gcur = Tensor::uninitialized(zs.shape(), kCuda);
    for (int64_t t = T - 1; t >= 0; --t) {
      StateTraces::add_grads(gtraces, t, {gv, gi});
      steps->backward(t, t + 1 < T ? gcur.raw_data() + (t + 1) * n : nullptr, gz.raw_data() + t * n,
                      gcur.raw_data() + t * n, gv.raw_data(), gi.raw_data());
    }
    Tensors grads;
    if (T == 0) {
      grads = {gcur, Tensor::zeros(wd.shape(), kCuda), g[3].clone(), gv, gi};
    } else {
      RecurrentWeightGrads wg = recurrent_weight_grads(gcur, zs, z0s, wd);
      grads = {gcur, wg.gw, wg.gz0, gv, gi};
    }
    for (const Tensor& c : steps->constant_grads()) grads.push_back(c);
    return grads;
  });
  auto recorded = [&](size_t k) { return record_states ? outs[k] : Tensor(); };
  return {outs[0], {outs[3], outs[1], outs[2]}, recorded(4), recorded(5)};
}

}  // namespace

LIFRecurrentSequence lif_recurrent_sequence_cuda(const Tensor& x_in, const Tensor& w_rec,
                                                 const LIFRecurrentState& s0,
                                                 const LIFParameters& p, bool record_states) {
  const char* op = "lif_recurrent_sequence";
  require_device(op, x_in, w_rec);
  check_shapes(op, x_in, w_rec, s0.z);
  return run(op, x_in, w_rec, s0, std::make_shared<FixedSteps>(p, w_rec.detach(), x_in.shape()),
             record_states);
}

LIFRecurrentSequence lif_recurrent_learnable_sequence_cuda(const Tensor& x_in, const Tensor& w_rec,
                                                           const LIFRecurrentState& s0,
                                                           const LIFParameters& p,
                                                           const LIFNeuronTensors& q,
                                                           bool record_states) {
  const char* op = "lif_recurrent_learnable_sequence";
  require_device(op, x_in, w_rec);
  check_shapes(op, x_in, w_rec, s0.z);
  return run(op, x_in, w_rec, s0,
             std::make_shared<LearnableSteps>(p, q, w_rec.detach(), x_in.shape()), record_states);
}

}  // namespace soma::detail

#endif  // SOMA_CUDA
