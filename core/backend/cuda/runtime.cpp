// The CUDA backend's context (device 0, one stream, one cuBLAS handle), its caching allocator
// over cudaMalloc/cudaFree, and the copies. See cuda_runtime.hpp for the contract.
#include <mutex>
#include <stdexcept>
#include <string>

#include "core/backend/cuda/device_context.hpp"
#include "core/backend/cuda_runtime.hpp"

namespace soma::cuda {

namespace {

struct Context {
  cudaStream_t stream = nullptr;
  cublasHandle_t cublas = nullptr;
  bool tf32 = false;
};

// Made once, on first use, and never destroyed: tensors may free device memory during static
// destruction, after a destroyed context would have gone.
Context& context() {
  static Context* c = [] {
    require_available("the CUDA backend");
    auto* ctx = new Context;
    check(cudaSetDevice(0), "cudaSetDevice");
    check(cudaStreamCreateWithFlags(&ctx->stream, cudaStreamNonBlocking), "cudaStreamCreate");
    check(cublasCreate(&ctx->cublas), "cublasCreate");
    check(cublasSetStream(ctx->cublas, ctx->stream), "cublasSetStream");
    check(cublasSetMathMode(ctx->cublas, CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
    return ctx;
  }();
  return *c;
}

CachingAllocator& allocator() {
  static CachingAllocator* a = new CachingAllocator(
      [](int64_t bytes) -> void* {
        stream();  // the context (device 0) exists before the first cudaMalloc
        void* p = nullptr;
        return cudaMalloc(&p, size_t(bytes)) == cudaSuccess ? p : (cudaGetLastError(), nullptr);
      },
      // cudaFree waits for the device, so no queued kernel still uses the block.
      [](void* p) { check(cudaFree(p), "cudaFree"); });
  return *a;
}

}  // namespace

void check(cudaError_t status, const char* what) {
  if (status != cudaSuccess)
    throw std::runtime_error(std::string("CUDA: ") + what +
                             " failed: " + cudaGetErrorString(status));
}

void check(cublasStatus_t status, const char* what) {
  if (status != CUBLAS_STATUS_SUCCESS)
    throw std::runtime_error(std::string("cuBLAS: ") + what +
                             " failed: " + cublasGetStatusString(status));
}

cudaStream_t stream() {
  return context().stream;
}
cublasHandle_t cublas() {
  return context().cublas;
}

int device_count() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {  // no driver, or no device
    cudaGetLastError();
    return 0;
  }
  return n;
}

bool available() {
  static const bool yes = device_count() > 0;
  return yes;
}

void require_available(const char* what) {
  if (available()) return;
  // The runtime's reason: no device, or a driver older than the runtime this was built with.
  int n = 0;
  const cudaError_t status = cudaGetDeviceCount(&n);
  cudaGetLastError();
  throw std::runtime_error(std::string(what) + ": no CUDA device (cudaGetDeviceCount: " +
                           (status == cudaSuccess ? "0 devices" : cudaGetErrorString(status)) +
                           ")");
}

void* allocate(int64_t bytes) {
  return allocator().allocate(bytes);
}
void deallocate(void* p) {
  allocator().deallocate(p);
}
AllocatorStats memory_stats() {
  return allocator().stats();
}
void reset_peak_memory() {
  allocator().reset_peak();
}
void empty_cache() {
  allocator().empty_cache();
}

void copy(void* dst, const void* src, int64_t bytes, CopyKind kind) {
  if (bytes == 0) return;
  const cudaMemcpyKind k = kind == CopyKind::host_to_device   ? cudaMemcpyHostToDevice
                           : kind == CopyKind::device_to_host ? cudaMemcpyDeviceToHost
                                                              : cudaMemcpyDeviceToDevice;
  check(cudaMemcpyAsync(dst, src, size_t(bytes), k, stream()), "cudaMemcpyAsync");
  // Host memory is pageable here (pinned staging is a later step): wait, so the caller may read
  // (device to host) or reuse (host to device) its buffer at once.
  if (kind != CopyKind::device_to_device) synchronize();
}

void copy_rows(float* dst, int64_t dst_pitch, const float* src, int64_t src_pitch, int64_t width,
               int64_t rows) {
  if (width == 0 || rows == 0) return;
  const size_t f = sizeof(float);
  check(cudaMemcpy2DAsync(dst, size_t(dst_pitch) * f, src, size_t(src_pitch) * f, size_t(width) * f,
                          size_t(rows), cudaMemcpyDeviceToDevice, stream()),
        "cudaMemcpy2DAsync");
}

void synchronize() {
  check(cudaStreamSynchronize(stream()), "cudaStreamSynchronize");
}

void set_tf32(bool on) {
  Context& c = context();
  check(cublasSetMathMode(c.cublas, on ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH),
        "cublasSetMathMode");
  c.tf32 = on;
}

bool tf32() {
  return context().tf32;
}

}  // namespace soma::cuda
