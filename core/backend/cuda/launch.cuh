#pragma once
// Launch geometry shared by the element-wise kernels: 256 threads per block, and a grid-stride
// loop so any n fits the grid limit.
#include <cstdint>

namespace soma::cuda {

constexpr int kThreads = 256;

inline unsigned blocks_for(int64_t n) {
  const int64_t b = (n + kThreads - 1) / kThreads;
  const int64_t most = int64_t(1) << 20;  // enough blocks to fill any GPU; the loop does the rest
  return unsigned(b < 1 ? 1 : (b < most ? b : most));
}

}  // namespace soma::cuda
