// The fused scans of the feed-forward cells (cell_list.hpp: IAF, LSNN, LIF-Ex, AdEx, ...) on the
// GPU: one kernel forward, one backward, one thread per neuron walking the T steps with the
// state in registers (cell_scan_body.hpp); the step and its adjoint are the Cells the CPU's
// cell_scan runs.
#include "core/backend/cuda/cell_list.hpp"
#include "core/backend/cuda/cell_scan_body.hpp"
#include "core/backend/cuda/device_context.hpp"
#include "core/backend/cuda/launch.cuh"
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

}  // namespace

template <class Cell>
void cell_scan_forward(const Cell& c, const CellScanArrays& a) {
  if (a.width == 0) return;
  SOMA_LAUNCH(forward_kernel<Cell>, neuron_blocks(a.width), kThreads)(c, a);
  launched(Cell::kName);
}

template <class Cell>
void cell_scan_backward(const Cell& c, const CellScanGrads& g) {
  if (g.width == 0) return;
  SOMA_LAUNCH(backward_kernel<Cell>, neuron_blocks(g.width), kThreads)(c, g);
  launched(Cell::kName);
}

SOMA_CELLS(SOMA_CELL_SCAN_INSTANCE)

}  // namespace soma::cuda
