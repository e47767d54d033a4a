// The host emulator refuses what a GPU would refuse (core/backend/cuda_emu/emulator.cpp): a
// launch geometry outside the GPU's limits, a host pointer handed to a kernel or to cuBLAS, and
// overlapping copy ranges. Each passes the emulator's own suite only if it fails here as it
// would on the device. Built in the cuda-emu preset only (on a GPU the driver checks these).
#ifdef SOMA_CUDA_EMULATE
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "core/backend/cuda/device_context.hpp"
#include "core/backend/cuda_runtime.hpp"

namespace {

void write_one(float* p) {  // a kernel: the emulator has no __global__ to mark it
  if (p && threadIdx.x == 0 && blockIdx.x == 0) p[0] = 1.0f;
}

std::string launch_error(unsigned grid, unsigned block, float* p) {
  cudaGetLastError();
  soma_cuda_emu::launch(write_one, grid, block)(p);
  return cudaGetErrorString(cudaGetLastError());
}

struct DeviceFloats {
  float* p;
  explicit DeviceFloats(int64_t n)
      : p(static_cast<float*>(soma::cuda::allocate(n * int64_t(sizeof(float))))) {}
  ~DeviceFloats() { soma::cuda::deallocate(p); }
};

}  // namespace

TEST_CASE("cuda emulator: a launch outside the GPU's limits is refused, naming the error") {
  DeviceFloats d(4);
  CHECK(launch_error(1, 256, d.p) == "no error");
  CHECK(launch_error(0, 256, d.p) == "invalid configuration argument");
  CHECK(launch_error(1, 0, d.p) == "invalid configuration argument");
  CHECK(launch_error(1, 1025, d.p) == "invalid configuration argument");
  CHECK(launch_error(1u << 31, 1, d.p) == "invalid configuration argument");
}

TEST_CASE("cuda emulator: a kernel given a host pointer fails as a GPU's would") {
  std::vector<float> host(4, 0.0f);
  CHECK(launch_error(1, 32, host.data()) == "an illegal memory access was encountered");
  CHECK(host[0] == 0.0f);  // the kernel did not run
  float local = 0.0f;
  CHECK(launch_error(1, 32, &local) == "an illegal memory access was encountered");
  // Pinned memory is mapped into the device's address space: a GPU may read it.
  auto* pinned = static_cast<float*>(soma::cuda::allocate_pinned(16));
  CHECK(launch_error(1, 32, pinned) == "no error");
  CHECK(pinned[0] == 1.0f);
  soma::cuda::release_pinned(pinned);
  CHECK(launch_error(1, 32, nullptr) == "no error");  // null: the kernel's business
}

TEST_CASE("cuda emulator: cuBLAS refuses an operand off the device or past its block") {
  DeviceFloats a(6), b(6), c(4);
  std::vector<float> host(6, 1.0f);
  const float one = 1.0f, zero = 0.0f;
  cublasHandle_t h = soma::cuda::cublas();
  // C (2 x 2) = A (2 x 3) B (3 x 2), column-major.
  CHECK(cublasSgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, 2, 2, 3, &one, a.p, 2, b.p, 3, &zero, c.p, 2) ==
        CUBLAS_STATUS_SUCCESS);
  CHECK(cublasSgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, 2, 2, 3, &one, host.data(), 2, b.p, 3, &zero, c.p,
                    2) == CUBLAS_STATUS_EXECUTION_FAILED);
  // With lda 2048, A's span is 2 * 2048 + 2 floats: past its block (cudaMalloc's, one 4 KiB
  // page here; a GPU's blocks are coarser still, so only a span past them faults there).
  float* raw = nullptr;
  REQUIRE(cudaMalloc(reinterpret_cast<void**>(&raw), 6 * sizeof(float)) == cudaSuccess);
  CHECK(cublasSgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, 2, 2, 3, &one, raw, 2048, b.p, 3, &zero, c.p, 2) ==
        CUBLAS_STATUS_EXECUTION_FAILED);
  cudaFree(raw);
}

TEST_CASE("cuda emulator: a device copy between overlapping ranges is refused") {
  DeviceFloats d(8);
  cudaGetLastError();
  CHECK(cudaMemcpyAsync(d.p + 2, d.p, 4 * sizeof(float), cudaMemcpyDeviceToDevice) ==
        cudaErrorInvalidValue);
  CHECK(cudaMemcpyAsync(d.p + 4, d.p, 4 * sizeof(float), cudaMemcpyDeviceToDevice) == cudaSuccess);
  CHECK(cudaMemcpy2DAsync(d.p + 1, 8, d.p, 8, 8, 2, cudaMemcpyDeviceToDevice) ==
        cudaErrorInvalidValue);
  cudaGetLastError();
}
#endif  // SOMA_CUDA_EMULATE
