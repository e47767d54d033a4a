#pragma once
// A feed-forward network as plain numbers, the form simulators and converters exchange:
// layer l maps in -> out with w[i * out + j] the weight from input i to neuron j (the seed's SQN
// files store (in, out) too) and an optional bias per neuron (empty: none).
#include <cstddef>
#include <cstdint>
#include <vector>

namespace soma::sim {

struct DenseLayer {
  int64_t in = 0, out = 0;
  std::vector<double> w;     // in x out, row-major
  std::vector<double> bias;  // out, or empty
  double weight(int64_t i, int64_t j) const { return w[std::size_t(i * out + j)]; }
  double bias_of(int64_t j) const { return bias.empty() ? 0.0 : bias[std::size_t(j)]; }
};

using DenseNet = std::vector<DenseLayer>;

}  // namespace soma::sim
