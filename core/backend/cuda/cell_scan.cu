// The fused scans of IAF and feed-forward LSNN on the GPU: one kernel forward, one backward, one
// thread per neuron walking the T steps with the state in registers (cell_scan_body.hpp); the
// step and its adjoint are the Cells the CPU's cell_scan runs (iaf_body.hpp, lsnn_cell_body.hpp).
#include "core/backend/cuda/cell_scan_body.hpp"
#include "core/backend/cuda/device_context.hpp"
#include "core/backend/cuda/iaf_body.hpp"
#include "core/backend/cuda/launch.cuh"
#include "core/backend/cuda/lsnn_cell_body.hpp"
#include "core/backend/cuda_ops.hpp"

namespace soma::cuda {

namespace {

template <class Cell>
__global__ void forward_kernel(Cell c, CellScanArrays a) {
  const int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  if (k < a.width) cell_forward_neuron(c, a, k);
}

template <class Cell>
__global__ void backward_kernel(Cell c, CellScanGrads g) {
  const int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  if (k < g.width) cell_backward_neuron(c, g, k);
}

unsigned neuron_blocks(int64_t width) {
  return unsigned((width + kThreads - 1) / kThreads);
}

template <class Cell>
void forward(const Cell& c, const CellScanArrays& a, const char* what) {
  if (a.width == 0) return;
  SOMA_LAUNCH(forward_kernel<Cell>, neuron_blocks(a.width), kThreads)(c, a);
  launched(what);
}

template <class Cell>
void backward(const Cell& c, const CellScanGrads& g, const char* what) {
  if (g.width == 0) return;
  SOMA_LAUNCH(backward_kernel<Cell>, neuron_blocks(g.width), kThreads)(c, g);
  launched(what);
}

}  // namespace

void cell_scan_forward(const IafCell& c, const CellScanArrays& a) {
  forward(c, a, "iaf scan forward");
}
void cell_scan_backward(const IafCell& c, const CellScanGrads& g) {
  backward(c, g, "iaf scan backward");
}
void cell_scan_forward(const LsnnCell& c, const CellScanArrays& a) {
  forward(c, a, "lsnn scan forward");
}
void cell_scan_backward(const LsnnCell& c, const CellScanGrads& g) {
  backward(c, g, "lsnn scan backward");
}

}  // namespace soma::cuda
