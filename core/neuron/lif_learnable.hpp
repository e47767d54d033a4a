#pragma once
// A recurrent LIF layer whose neurons learn their own time constants and threshold, one value
// per neuron. Norse users asked for it (issues #143 "Migrate parameters to torch.nn.Modules" and
// #169, where LIFParameters hold nn.Parameters); Norse's notebooks report 95.93% on MNIST after
// 10 epochs with trainable tau and v_th (94.5% after 5 without). Fang et al. (ICCV 2021, PLIF)
// learn one time constant per layer through a sigmoid; here each neuron has its own, parametrised
// the same way:
//   dt tau_mem_inv = sigmoid(mem_logit)     dt tau_syn_inv = sigmoid(syn_logit)     v_th
// The sigmoid keeps each per-step factor in (0, 1), where the Euler step is stable, and an
// optimizer step of size lr moves a logit as much at tau = 10 ms as at 100 ms (stepping
// tau_mem_inv itself, 100 /s, by Adam's 2e-3 would change nothing). v_th is used above 1e-3 (a
// clamp: a threshold at or below zero would make every neuron fire every step).
//
// The step is lif_recurrent_step's (reset with a detached z, as Norse) with these per-neuron
// tensors broadcast over the batch. The fused forms run the step and its adjoint written once
// (core/backend/cuda/lif_learnable_step.inl):
// - CPU: all T steps as one scan (lif_learnable_scan.cpp: cell_scan with the constants as node
//   inputs, their gradients summed per thread; the row loops per instruction-set level,
//   core/backend/cpu/learnable_isa.inl);
// - CUDA: one kernel per step each way, the recurrent product fused with the update
//   (lif_recurrent_cuda.cpp). bench_neuron_models --device cuda --quick counts 62 launches for
//   a forward and backward at T 20 against the composed steps' 697 (emulator).
// bench_mnist_epoch --quick (Fashion-MNIST rec, T 32, B 256, one thread, this dev VM's Intel
// Xeon, AVX-512): session 23 measured the fused learnable layer at 2.00 s per epoch, its composed
// steps at 4.95 s (2.5x) and the fixed layer at 1.62 s. With the rows at the CPU's level
// (session 24, two interleaved runs): 1.84 / 1.91 s against 1.89 / 1.95 s at the baseline
// width, the fixed layer 1.67 s, so the learnable one is 1.14x it; the rest of the gap is its
// three saved floats per neuron-step, not one, and the constants' gradient sums.
// Accuracy after 10 epochs (`soma mnist --model rec --dataset mnist-10k --seq_length 32
// --batch_size 256`, seeds 1 and 2): 92.15 / 91.70% against 91.90 / 91.55% fixed, within the
// seeds' spread at this size.
#include <memory>
#include <vector>

#include "core/neuron/lif_recurrent.hpp"

namespace soma {

// The per-neuron constants as the step uses them (each (H), broadcast against (B, H)).
struct LIFNeuronTensors {
  Tensor mem_factor;  // dt tau_mem_inv
  Tensor syn_keep;    // 1 - dt tau_syn_inv
  Tensor v_th;
};

LIFRecurrentStep lif_recurrent_step(const Tensor& x_in, const Tensor& w_rec,
                                    const LIFRecurrentState& s, const LIFParameters& p,
                                    const LIFNeuronTensors& q);

// All T steps of x_in (T, B, H) with these constants as ONE autograd node
// (lif_learnable_scan.cpp; on cuda lif_recurrent_cuda.cpp), with gradients to x_in, w_rec, the
// initial state and q's three vectors: the same values as lif_recurrent_step repeated (up to
// rounding). x_scratch: x_in was made for this call and may take the recurrent input in place.
LIFRecurrentSequence lif_recurrent_learnable_sequence(
    const Tensor& x_in, const Tensor& w_rec, const LIFRecurrentState& s0, const LIFParameters& p,
    const LIFNeuronTensors& q, bool record_states = false, bool x_scratch = false);

namespace nn {

class LIFRecurrentLearnable : public LIFRecurrent {
 public:
  // Starts from p's constants in every neuron (so it begins as LIFRecurrent(p) does); p.dt,
  // v_leak, v_reset, the reset and the surrogate stay fixed.
  LIFRecurrentLearnable(int64_t input_size, int64_t hidden_size, Rng& rng, LIFParameters p = {},
                        bool autapses = false);
  Tensor mem_logit, syn_logit, v_th;  // (H) parameters

  // The constants in use now (the sigmoids and the clamp applied), as the step sees them.
  LIFNeuronTensors neuron_tensors() const;
  // The same on the host in NIR's units: tau_mem and tau_syn in seconds, v_th.
  struct Constants {
    std::vector<double> tau_mem, tau_syn, v_th;
  };
  Constants constants() const;
  // Sets each neuron's dt / tau_mem, dt / tau_syn and v_th (H values each) through the
  // parameters' logits; a factor outside (0, 1) is a std::invalid_argument naming the neuron.
  void set_constants(const std::vector<float>& mem_factor, const std::vector<float>& syn_factor,
                     const std::vector<float>& v_th);
  Tensor forward(const Tensor& x) override;
};

// A LIFRecurrent, or with learn_neuron_params its learnable form: the models' one switch.
std::shared_ptr<LIFRecurrent> make_lif_recurrent(int64_t input_size, int64_t hidden_size, Rng& rng,
                                                 const LIFParameters& p, bool learn_neuron_params);

}  // namespace nn
}  // namespace soma
