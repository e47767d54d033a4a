// The CUDA test suite: every CUDA op against its CPU op on the same inputs. On a machine where
// cudaGetDeviceCount reports no device it prints why and exits 77, which ctest reports as
// skipped (CMakeLists.txt: SKIP_RETURN_CODE).
#define DOCTEST_CONFIG_IMPLEMENT
#include <cuda_runtime_api.h>
#include <doctest/doctest.h>

#include <cstdio>

#include "core/backend/cuda_runtime.hpp"

int main(int argc, char** argv) {
  if (!soma::cuda::available()) {
    // The runtime's own words: "no CUDA-capable device" and "driver version is insufficient for
    // CUDA runtime version" (a driver older than the toolkit that built this) both land here.
    int n = 0;
    const cudaError_t status = cudaGetDeviceCount(&n);
    std::printf(
        "SKIPPED: no CUDA device (cudaGetDeviceCount: %s). These tests compare the CUDA ops with "
        "the CPU ops; run them with `make test-cuda` on a machine with an NVIDIA GPU.\n",
        status == cudaSuccess ? "0 devices" : cudaGetErrorString(status));
    return 77;
  }
  doctest::Context context(argc, argv);
  return context.run();
}
