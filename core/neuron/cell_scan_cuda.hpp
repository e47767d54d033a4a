#pragma once
// cell_scan (cell_scan.hpp) for a feed-forward Cell on cuda tensors: the same node (name, inputs
// {x, s0...}, outputs {z, final state..., traces...}, gradients to x and every initial state),
// run as one kernel forward and one backward (core/backend/cuda/cell_scan.cu), one thread per
// neuron over all T steps. The Cell is the body the CPU scan runs (cuda/iaf_body.hpp,
// cuda/lsnn_cell_body.hpp), so both sides step by one definition. Builds without CUDA link
// throwing stubs (no_cuda.cpp); only cuda tensors reach this.
#include <stdexcept>
#include <string>

#include "core/autograd/grad_mode.hpp"
#include "core/autograd/node.hpp"
#include "core/backend/cuda_ops.hpp"
#include "core/backend/device_check.hpp"
#include "core/neuron/cell_scan.hpp"

namespace soma::detail {

// Whether a backward pass may follow (else the forward saves nothing).
inline bool cell_scan_needs_grad(const Tensor& x, const Tensors& s0) {
  bool any = x.requires_grad();
  for (const Tensor& s : s0) any = any || s.requires_grad();
  return any && GradMode::enabled();
}

// The backward: g = {gz, gstate..., gtraces...}; returns {gx, gstate0...}. dL/dx overwrites
// dL/dz when the engine alone holds it, as current_scan's (one (T, ...) buffer less).
template <class Cell>
Tensors cell_scan_cuda_backward(const Cell& cell, const Tensors& saved, const Tensors& g,
                                const Shape& x_shape, int64_t width, bool record) {
  constexpr int S = Cell::kState;
  const int64_t T = x_shape[0];
  Tensor gx = exclusively_owned(g[0]) ? g[0] : Tensor::uninitialized(x_shape, Device::cuda);
  cuda::CellScanGrads a{T, width, {}, g[0].raw_data(), {}, gx.raw_data(), {}};
  for (int j = 0; j < Cell::kSaved; ++j) a.saved[j] = saved[size_t(j)].raw_data();
  Tensors out{gx};
  for (int j = 0; j < S; ++j) {
    out.push_back(g[size_t(1 + j)].clone());
    a.gstate[j] = out.back().raw_data();
    if (record) a.gtrace[j] = g[size_t(1 + S + j)].raw_data();
  }
  cuda::cell_scan_backward(cell, a);
  return out;
}

template <class Cell>
CellScanResult cell_scan_cuda(const char* name, const Cell& cell, const Tensor& x,
                              const Tensors& s0, bool record) {
  constexpr int S = Cell::kState, V = Cell::kSaved;
  if (int(s0.size()) != S)
    throw std::invalid_argument(std::string(name) + ": wrong number of state tensors");
  for (const Tensor& s : s0) require_device(name, x, s);
  check_cell_scan_shapes(name, x, Tensor(), Tensor(), s0);
  const int64_t width = s0[0].numel();
  const auto d = Device::cuda;
  cuda::CellScanArrays a{x.size(0), width, x.raw_data(), {}, nullptr, {}, {}};
  Tensor z = Tensor::uninitialized(x.shape(), d);
  a.z = z.raw_data();
  Tensors outs{z}, traces, saved;
  for (int j = 0; j < S; ++j) {
    outs.push_back(s0[size_t(j)].clone());
    a.state[j] = outs.back().raw_data();
  }
  for (int j = 0; record && j < S; ++j) {
    traces.push_back(Tensor::uninitialized(x.shape(), d));
    a.trace[j] = traces.back().raw_data();
  }
  for (int j = 0; cell_scan_needs_grad(x, s0) && j < V; ++j) {
    saved.push_back(Tensor::uninitialized(x.shape(), d));
    a.saved[j] = saved.back().raw_data();
  }
  cuda::cell_scan_forward(cell, a);
  outs.insert(outs.end(), traces.begin(), traces.end());
  Tensors inputs{x};
  inputs.insert(inputs.end(), s0.begin(), s0.end());
  const Shape xs = x.shape();
  outs = record_multi(name, outs, inputs, [cell, saved, xs, width, record](const Tensors& g) {
    return cell_scan_cuda_backward(cell, saved, g, xs, width, record);
  });
  CellScanResult r{outs[0], Tensors(outs.begin() + 1, outs.begin() + 1 + S), {}};
  if (record) r.traces.assign(outs.begin() + 1 + S, outs.end());
  return r;
}

}  // namespace soma::detail
