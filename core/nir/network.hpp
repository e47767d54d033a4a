#pragma once
// Runs a NIR graph in Soma, one time step at a time: `soma import-nir` and the tests.
//
// Each step, every node takes the sum of what its incoming edges carry and produces its output.
// Nodes run in the order of a depth-first walk from the Input nodes; an edge that closes a cycle
// (a recurrent connection, e.g. CubaLIF -> Linear -> back into the same CubaLIF) carries its
// source's output of the previous step, zeros at the first, as Soma's recurrent layers do.
// Shapes are per sample (NIR's input_type); tensors here carry the batch first.
//
// Supported nodes: Input, Output, Affine, Linear, Scale, Conv2d (square kernel, equal strides
// and paddings, no dilation or groups), Flatten, SumPool2d, AvgPool2d (square, no padding),
// Threshold, and the neurons of neurons.hpp (CubaLIF, CubaLI, LIF, LI, IF, I). Anything else is
// a std::runtime_error naming the node and its type, raised when the network is built.
#include <memory>
#include <string>
#include <vector>

#include "core/nir/graph.hpp"

namespace soma::nir {

class Network {
 public:
  Network(const Graph& g, float dt = 1e-3f);
  ~Network();
  Network(Network&&) noexcept;

  // x (T, B, input shape...) -> the Output node's values (T, B, output shape...). The graph
  // must have exactly one Input and one Output node.
  Tensor run(const Tensor& x);

  // One line per node in run order: name, type and, for neurons, the Soma constants.
  std::string summary() const;
  const std::vector<int64_t>& input_shape() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace soma::nir
