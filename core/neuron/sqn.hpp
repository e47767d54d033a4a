#pragma once
// The spiking Q-network (SQN) of Hahn's "Deep Spiking Q Networks" (SpyTorch-derived), a whole
// feed-forward network of current-based IF layers run for T steps as ONE autograd node.
// Per layer l, state I_l (synaptic current) and U_l (membrane), both zero at every call; for each
// step t = 0..T-1 and each layer in order:
//   h_l[t]     = x W_0 + b_0 (l = 0)  or  S_{l-1}[t] W_l + b_l   (this same step's spikes)
//   S_l[t]     = H(U_l[t] - theta)                strict >, the PRE-update membrane
//   I_l[t+1]   = alpha I_l[t] + h_l[t]
//   U_l[t+1]   = beta U_l[t] + I_l[t] - S_l[t]    subtract: minus 1, not theta (as the seed)
//              = (beta U_l[t] + I_l[t]) (1 - S_l[t])   zero reset (that step's input lost too)
// The last layer never spikes or resets; the result is its potential U_L[T] ("potential"
// decoding). Because U uses the old I, each layer adds 2 steps of latency: with T = 20 and 3
// weight layers the output integrates from step ~6 on, and a bias b adds b (T - 1).
// Backward: BPTT through the T steps with SuperSpike's 1 / (scale |U - theta| + 1)^2 for dS/dU;
// the reset terms carry no gradient (SpyTorch detaches them).
// Weights are stored (in, out), as the seed's SQN files; biases may be undefined.
#include <vector>

#include "core/tensor/tensor.hpp"

namespace soma {

enum class SqnReset { subtract, zero };

struct SqnOptions {
  int64_t steps = 20;
  float alpha = 0, beta = 1, threshold = 1;  // CartPole: delta synapses, non-leaky, theta 1
  SqnReset reset = SqnReset::subtract;
  float surrogate_scale = 100;  // SuperSpike
};

// x (B, n_0); weights[l] (n_l, n_{l+1}); biases[l] (n_{l+1}) or undefined (or biases empty).
// Returns U_L[T] (B, n_L). With `hidden_spikes`, each hidden layer's spikes (T, B, n) land there.
Tensor sqn_forward(const Tensor& x, const Tensors& weights, const Tensors& biases,
                   const SqnOptions& opt, Tensors* hidden_spikes = nullptr);

}  // namespace soma
