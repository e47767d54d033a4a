#pragma once
// ANN -> SNN weight conversion, Rueckauer et al. 2017's "robust" normalisation as the DSQN seed
// implements it (SQN.py weight_conversion, p = 0.99):
//   1. run the ANN over the replay states; for each layer l and each sample record the largest
//      activation across the layer's neurons (ReLU outputs for hidden layers, the raw linear
//      outputs for the last);
//   2. sort these N values and take element int(p (N - 1));
//   3. lambda_l = max(that percentile, the largest entry of W_l and b_l)  (the max-weight term is
//      the seed's, not Rueckauer's, and often dominates);
//   4. W_l <- W_l lambda_{l-1} / lambda_l (lambda_{-1} = 1), b_l <- b_l / lambda_l; the output
//      layer is rescaled too, which leaves the argmax alone.
// The converted network then runs as an SQN (alpha 0, beta 1, theta 1, per-step biases) or in
// the clock-driven simulator (biases as I_e).
#include <vector>

#include "core/sim/dense_net.hpp"

namespace soma::dsqn {

struct ConversionResult {
  sim::DenseNet net;
  std::vector<double> lambda;  // per layer
};

// `states`: N x n_in, row-major. p in (0, 1]; p = 1 is the "data" variant.
ConversionResult robust_normalise(const sim::DenseNet& ann, const std::vector<double>& states,
                                  double p = 0.99);

// The ANN's activations: ReLU hidden layers, linear output. Returns every layer's output.
std::vector<std::vector<double>> ann_forward(const sim::DenseNet& ann,
                                             const std::vector<double>& x);

}  // namespace soma::dsqn
