#include "core/autograd/engine.hpp"

#include <atomic>
#include <stdexcept>

#include "core/autograd/grad_mode.hpp"
#include "core/autograd/node.hpp"
#include "core/backend/cuda_ops.hpp"

namespace soma {

namespace {
thread_local bool grad_enabled = true;

bool any_requires_grad(const Tensors& inputs) {
  for (auto& t : inputs)
    if (t.defined() && t.requires_grad()) return true;
  return false;
}

// Gradients returned by backward functions may alias each other (add returns gout twice), so
// pending sums are formed out of place, and a leaf's .grad always owns its storage because
// users and optimizers modify it in place (clipping, zero_grad).
void check_shape(const Tensor& slot, const Tensor& g) {
  if (slot.shape() != g.shape())
    throw std::logic_error("autograd: gradient shape " + to_string(g.shape()) + " does not match " +
                           to_string(slot.shape()));
}

// out = a + b element-wise on the tensors' device (out may be a).
void add_into(const Tensor& a, const Tensor& b, Tensor& out) {
  if (a.device() != b.device())
    throw std::logic_error(std::string("autograd: gradients on ") + device_name(a.device()) +
                           " and " + device_name(b.device()) + " for one tensor");
  if (a.device() == Device::cuda)
    cuda::binary(cuda::BinaryOp::add, a.raw_data(), b.raw_data(), a.numel(), out.raw_data());
  else
    out.array() = a.array() + b.array();
}

void accumulate_pending(Tensor& slot, const Tensor& g) {
  if (!slot.defined()) {
    slot = g;
    return;
  }
  check_shape(slot, g);
  Tensor sum = Tensor::uninitialized(g.shape(), g.device());
  add_into(slot, g, sum);
  slot = sum;
}

// out[offset, offset + g.numel()) += g, on the tensors' device.
void add_at(Tensor& out, int64_t offset, const Tensor& g) {
  if (out.device() != g.device())
    throw std::logic_error(std::string("autograd: gradients on ") + device_name(out.device()) +
                           " and " + device_name(g.device()) + " for one tensor");
  float* o = out.raw_data() + offset;
  if (out.device() == Device::cuda) {
    cuda::binary(cuda::BinaryOp::add, o, g.raw_data(), g.numel(), o);
    return;
  }
  const float* pg = g.data();
  for (int64_t k = 0, n = g.numel(); k < n; ++k) o[k] += pg[k];
}

// A block op's gradient (Node::block_offset) into its input's pending gradient: the first
// makes the zeros, later ones add in place (into a copy when the slot is shared: an add's
// backward hands one tensor to both its inputs).
void accumulate_block(Tensor& slot, const Edge& in, const Tensor& g, int64_t offset) {
  if (!slot.defined())
    slot = Tensor::zeros(in.shape, in.device);
  else if (!exclusively_owned(slot))
    slot = slot.clone();
  add_at(slot, offset, g);
}

// The same into a leaf's .grad, in place as accumulate_leaf adds.
void accumulate_leaf_block(const Edge& in, const Tensor& g, int64_t offset) {
  Tensor leaf(in.leaf), slot = leaf.grad();
  if (!slot.defined()) {
    slot = Tensor::zeros(in.shape, in.device);
    leaf.set_grad(slot);
  }
  add_at(slot, offset, g);
}

// A gradient nobody else holds becomes the leaf's .grad as it is. Cloning it instead cost a
// weight-sized copy at the backward's peak: the n = 16384 Linear+LIF training step peaked at
// 4612 MiB with the clone, a GiB above 4 GB.
// may_adopt: g is the engine's own (a backward's result), not the caller's root gradient.
void accumulate_leaf(const Tensor& leaf, const Tensor& g, bool may_adopt) {
  Tensor slot = leaf.grad();
  if (!slot.defined()) {
    const_cast<Tensor&>(leaf).set_grad(may_adopt && exclusively_owned(g) ? g : g.clone());
    return;
  }
  check_shape(slot, g);
  add_into(slot, g, slot);
}

// Reverse post-order of the nodes reachable from root: every node precedes its inputs' nodes.
// Each pass marks the nodes it reaches with its own number (Node::visited).
std::vector<Node*> topological_order(Node* root) {
  static std::atomic<uint64_t> passes{0};
  const uint64_t pass = ++passes;
  std::vector<Node*> order;
  root->visited = pass;
  std::vector<std::pair<Node*, size_t>> stack{{root, 0}};
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    if (next < node->inputs.size()) {
      Node* child = node->inputs[next++].fn.get();
      if (child && child->visited != pass) {
        child->visited = pass;
        stack.push_back({child, 0});
      }
    } else {
      order.push_back(node);
      stack.pop_back();
    }
  }
  return {order.rbegin(), order.rend()};
}
}  // namespace

Node::~Node() {
  std::vector<std::shared_ptr<Node>> stack;
  for (auto& e : inputs)
    if (e.fn) stack.push_back(std::move(e.fn));
  while (!stack.empty()) {
    std::shared_ptr<Node> n = std::move(stack.back());
    stack.pop_back();
    if (n.use_count() == 1)
      for (auto& e : n->inputs)
        if (e.fn) stack.push_back(std::move(e.fn));
  }
}

bool exclusively_owned(const Tensor& g) {
  const auto& impl = g.impl();
  return impl.use_count() == 1 && impl->storage.use_count() == 1 && impl->offset == 0 &&
         impl->storage->size() == g.numel() && !impl->grad_fn && !impl->requires_grad;
}

bool GradMode::enabled() {
  return grad_enabled;
}
void GradMode::set_enabled(bool on) {
  grad_enabled = on;
}

Tensors record_multi(const char* name, Tensors outs, Tensors inputs, Node::BackwardFn fn) {
  if (!GradMode::enabled() || !any_requires_grad(inputs)) return outs;
  auto node = std::make_shared<Node>();
  node->name = name;
  for (const Tensor& in : inputs) {
    Edge e;
    if (in.defined()) {
      e.fn = in.grad_fn();
      e.output_nr = in.output_nr();
      e.shape = in.shape();
      e.device = in.device();
      e.requires_grad = in.requires_grad();
      if (e.requires_grad && !e.fn) e.leaf = in.impl();
    }
    node->inputs.push_back(std::move(e));
  }
  node->backward = std::move(fn);
  for (size_t i = 0; i < outs.size(); ++i) {
    node->output_shapes.push_back(outs[i].shape());
    node->output_devices.push_back(outs[i].device());
    outs[i].impl()->grad_fn = node;
    outs[i].impl()->output_nr = int(i);
    outs[i].impl()->requires_grad = true;
  }
  return outs;
}

Tensor record(const char* name, Tensor out, Tensors inputs,
              std::function<Tensors(const Tensor& gout)> fn) {
  return record_multi(name, {std::move(out)}, std::move(inputs),
                      [fn = std::move(fn)](const Tensors& g) { return fn(g[0]); })[0];
}

namespace {

// A block node's output gradient into its one input's gradient (Node::block_offset).
void place_block(const Node& node, const Tensor& g) {
  const Edge& in = node.inputs.at(0);
  if (!in.requires_grad) return;
  if (node.block_offset + g.numel() > numel_of(in.shape))
    throw std::logic_error(std::string("autograd: ") + node.name + "'s block runs past its input");
  if (g.device() != in.device)
    throw std::logic_error(std::string("autograd: ") + node.name + " got a gradient on " +
                           device_name(g.device()) + " for an input on " + device_name(in.device));
  if (Node* child = in.fn.get()) {
    child->pending.resize(child->output_shapes.size());
    accumulate_block(child->pending[size_t(in.output_nr)], in, g, node.block_offset);
  } else {
    accumulate_leaf_block(in, g, node.block_offset);
  }
}

}  // namespace

void run_backward(const Tensor& root, const Tensor& grad) {
  if (!root.requires_grad()) throw std::logic_error("backward(): the tensor does not require grad");
  if (grad.shape() != root.shape())
    throw std::invalid_argument("backward(): gradient shape " + to_string(grad.shape()) +
                                " differs from tensor shape " + to_string(root.shape()));
  // The root's op gets grad as its output gradient: a CUDA op would read a host pointer.
  if (grad.device() != root.device())
    throw std::invalid_argument(std::string("backward(): gradient on ") +
                                device_name(grad.device()) + " for a tensor on " +
                                device_name(root.device()) + "; move it with .to(device) first");
  NoGrad no_grad;  // backward functions are plain computations
  if (root.is_leaf()) return accumulate_leaf(root, grad, false);
  Node* start = root.grad_fn().get();
  start->pending.resize(start->output_shapes.size());
  accumulate_pending(start->pending[size_t(root.output_nr())], grad);
  for (Node* node : topological_order(start)) {
    Tensors gouts(node->output_shapes.size());
    node->pending.resize(gouts.size());
    for (size_t i = 0; i < gouts.size(); ++i)
      gouts[i] = node->pending[i].defined()
                     ? node->pending[i]
                     : Tensor::zeros(node->output_shapes[i], node->output_devices[i]);
    node->pending.clear();
    if (!node->backward)
      throw std::logic_error(std::string("autograd: the graph through ") + node->name +
                             " was already used by a backward pass; run the forward again");
    if (node->block_offset >= 0) {
      node->backward = nullptr;
      place_block(*node, gouts[0]);
      continue;
    }
    Tensors gins = node->backward(gouts);
    node->backward = nullptr;  // frees the saved tensors as the pass goes
    if (gins.size() != node->inputs.size())
      throw std::logic_error(std::string("autograd: backward of ") + node->name + " returned " +
                             std::to_string(gins.size()) + " gradients for " +
                             std::to_string(node->inputs.size()) + " inputs");
    for (size_t i = 0; i < gins.size(); ++i) {
      const Edge& in = node->inputs[i];
      if (!gins[i].defined() || !in.requires_grad) continue;
      if (gins[i].shape() != in.shape)
        throw std::logic_error(std::string("autograd: backward of ") + node->name +
                               " gave gradient " + to_string(gins[i].shape()) + " for input " +
                               to_string(in.shape));
      if (gins[i].device() != in.device)
        throw std::logic_error(std::string("autograd: backward of ") + node->name +
                               " gave a gradient on " + device_name(gins[i].device()) +
                               " for an input on " + device_name(in.device));
      if (Node* child = in.fn.get()) {
        child->pending.resize(child->output_shapes.size());
        accumulate_pending(child->pending[size_t(in.output_nr)], gins[i]);
      } else {
        accumulate_leaf(Tensor(in.leaf), gins[i], true);
      }
    }
  }
}

}  // namespace soma
