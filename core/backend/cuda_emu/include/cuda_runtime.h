#pragma once
// Soma's CUDA emulator: what nvcc gives every .cu file, for the kernels compiled as C++ (the
// cuda-emu preset force-includes this). The kernel keywords vanish, each launch becomes a loop
// over the grid on the calling thread, and blockIdx/threadIdx/blockDim/gridDim are that loop's
// variables. Blocks and threads run in reverse order, so a kernel whose result depends on
// launch order (a race on a GPU) differs from the CPU op here too. Every kernel of
// core/backend/cuda/ is per-index (no shared memory, barriers or atomics), which this runs
// exactly; one that needs more must not build here (none of those names exist).
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "cuda_runtime_api.h"

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline

struct uint3 {
  unsigned x = 0, y = 0, z = 0;
};
struct dim3 {
  unsigned x = 1, y = 1, z = 1;
};

extern thread_local uint3 blockIdx;
extern thread_local uint3 threadIdx;
extern thread_local dim3 blockDim;
extern thread_local dim3 gridDim;

namespace soma_cuda_emu {

// Device memory is readable only between these (emulator.cpp): a host read of a device
// pointer outside a kernel or copy faults, as it would with a GPU.
void enter_device();
void leave_device();

// One kernel argument's bytes, for launch_ok.
struct ArgBytes {
  const void* p;
  size_t bytes;
  bool is_pointer;
};

// Whether a GPU would run this launch (emulator.cpp): a grid and block a GPU accepts, and no
// pointer argument that points to host memory. Otherwise the launch error is set and the kernel not
// run.
bool launch_ok(unsigned grid, unsigned block, const ArgBytes* args, size_t count);

template <class Kernel>
struct Launch {
  Kernel* kernel;
  unsigned grid, block;
  template <class... Args>
  void operator()(const Args&... args) const {
    const ArgBytes bytes[] = {{nullptr, 0, false},
                              {&args, sizeof(Args), std::is_pointer<Args>::value}...};
    if (!launch_ok(grid, block, bytes + 1, sizeof...(Args))) return;
    enter_device();
    gridDim.x = grid;
    blockDim.x = block;
    for (unsigned b = grid; b-- > 0;)
      for (unsigned t = block; t-- > 0;) {
        blockIdx.x = b;
        threadIdx.x = t;
        kernel(args...);
      }
    leave_device();
  }
};

template <class Kernel>
Launch<Kernel> launch(Kernel* kernel, unsigned grid, unsigned block) {
  return {kernel, grid, block};
}

}  // namespace soma_cuda_emu

// launch.cuh's SOMA_LAUNCH(kernel, grid, block)(args...) in this build.
#define SOMA_EMU_LAUNCH(kernel, grid, block) ::soma_cuda_emu::launch(kernel, grid, block)
