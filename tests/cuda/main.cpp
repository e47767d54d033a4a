// The CUDA test suite: every CUDA op against its CPU op on the same inputs. On a machine where
// cudaGetDeviceCount reports no device it prints why and exits 77, which ctest reports as
// skipped (CMakeLists.txt: SKIP_RETURN_CODE).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>

#include "core/backend/cuda_runtime.hpp"

int main(int argc, char** argv) {
  if (!soma::cuda::available()) {
    std::printf(
        "SKIPPED: no CUDA device (cudaGetDeviceCount reports none). These tests compare the CUDA "
        "ops with the CPU ops; run them with `make test-cuda` on a machine with an NVIDIA GPU.\n");
    return 77;
  }
  doctest::Context context(argc, argv);
  return context.run();
}
