#pragma once
// A node of the tape: one recorded op. It keeps the op's inputs (the graph's edges) and a
// backward function that maps the gradients of its outputs to the gradients of its inputs.
// Backward closures must capture detached tensors (Tensor::detach) for any output they save,
// otherwise output -> node -> closure -> output is a reference cycle.
#include <functional>
#include <vector>

#include "core/tensor/tensor.hpp"

namespace soma {

// Where an input's gradient goes: the node that produced it, or the leaf itself. An edge does
// not keep a non-leaf input's data alive, so intermediate activations are freed as soon as no
// backward closure saved them (a Linear's output currents, say, once the neuron scan ran).
struct Edge {
  std::shared_ptr<Node> fn;
  int output_nr = 0;
  std::shared_ptr<TensorImpl> leaf;  // set when the input is a leaf that requires grad
  Shape shape;
  Device device = Device::cpu;  // the gradient must arrive on the input's device
  bool requires_grad = false;
};

struct Node {
  // gouts has one entry per output; an output that received no gradient is zero-filled.
  // The result has one entry per input; an undefined Tensor means "no gradient".
  using BackwardFn = std::function<Tensors(const Tensors& gouts)>;

  const char* name = "";
  std::vector<Edge> inputs;
  std::vector<Shape> output_shapes;
  std::vector<Device> output_devices;  // where a missing output gradient is zero-filled
  BackwardFn backward;
  Tensors pending;  // gradients accumulated for each output during a backward pass
  // >= 0 for an op whose one output is a contiguous block of its one input, starting at this
  // element (slice along the first dimension, so select): the engine adds the output's gradient
  // into the input's at that offset, in place, instead of calling `backward` for a full-size
  // tensor. A loop over the T steps of x then costs T block adds, not T zero tensors of x's
  // size and T full-size sums (O(T^2) bytes): the step loops of bench_neuron_models (T 100,
  // B 32, H 512) ran 2.2-3.3x faster, LIF-Ex's 95 ms -> 37 ms.
  int64_t block_offset = -1;
  // The backward pass that last reached this node (topological_order): a mark in the node
  // instead of a hash set of the nodes seen, whose inserts and frees took 12% of the
  // correlation task's time (8 neurons: the graph is many small ops).
  uint64_t visited = 0;

  Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  // Releases the chain of producers iteratively: a recursive destructor would overflow the
  // stack on long unrolled graphs (and the WebAssembly stack is small).
  ~Node();
};

// Records an op with one output. Returns `out`, now carrying history if any input requires
// grad and grad mode is on; otherwise `out` unchanged (and `fn` is dropped).
Tensor record(const char* name, Tensor out, Tensors inputs,
              std::function<Tensors(const Tensor& gout)> fn);
// Records an op with several outputs sharing one node (e.g. a neuron scan's spikes and state).
Tensors record_multi(const char* name, Tensors outs, Tensors inputs, Node::BackwardFn fn);

// Whether nothing but this handle holds g (one handle, its storage entire and unshared, no
// history). The engine passes a backward function its output gradients as the only holder
// (unless the caller's root gradient), so such a gradient may be overwritten in place, and a
// leaf takes it as .grad without a copy.
bool exclusively_owned(const Tensor& g);

}  // namespace soma
