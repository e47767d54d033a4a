#pragma once
// bench_lif_layer --device cuda: the layer cases on the GPU (lif_layer_cuda.cpp). Built into
// bench_lif_layer in every build; without the CUDA backend or a GPU it says so and fails.
#include <cstdint>

namespace soma::bench {

struct LifLayerCudaOptions {
  bool quick = false;  // 3 timed repeats, not 10 (4x both at n <= 4096; the shapes stay)
  int64_t only = 0;    // only the cases of this size (0: all)
  bool tf32 = false;   // every case also with TF32 GEMMs (n = 16384 always has both)
  // Only each training case's peak device memory, no timing: the caching allocator's sizes do
  // not depend on the device's speed, so the host emulator (make test-cuda-emu's build) measures
  // the same peak as the GPU.
  bool memory_only = false;
};

// Returns the process's exit code: 0, or 1 when the GPU cannot run or a CUDA call failed.
int lif_layer_cuda(const LifLayerCudaOptions& o);

}  // namespace soma::bench
