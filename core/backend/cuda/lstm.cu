// The fused LSTM cell's kernels (equations and bodies in lstm_body.hpp): one thread per hidden
// unit and batch row, forward and backward, in place of the ~12 element-wise and slice launches
// each way of the composed step.
#include "core/backend/cuda/launch.cuh"
#include "core/backend/cuda/lstm_body.hpp"
#include "core/backend/cuda_ops.hpp"

namespace soma::cuda {

void lstm_cell(int64_t batch, const LstmCellForward& p) {
  launch_each(
      batch * p.hidden, [=] __device__(int64_t e) { lstm_cell_at(p, e); }, "lstm_cell");
}

void lstm_cell(int64_t batch, const LstmCellBackward& p) {
  launch_each(
      batch * p.hidden, [=] __device__(int64_t e) { lstm_cell_at(p, e); }, "lstm_cell backward");
}

}  // namespace soma::cuda
