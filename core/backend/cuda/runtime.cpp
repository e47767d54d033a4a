// The CUDA backend's context (device 0, one stream, one cuBLAS handle), its caching allocator
// over cudaMalloc/cudaFree, the pinned host pool over cudaHostAlloc/cudaFreeHost fenced by CUDA
// events, and the copies. See cuda_runtime.hpp for the contract.
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/backend/cuda/device_context.hpp"
#include "core/backend/cuda_runtime.hpp"

namespace soma::cuda {

namespace {

struct Context {
  cudaStream_t stream = nullptr;
  cublasHandle_t cublas = nullptr;
  bool tf32 = false;
};

// Counted from the one thread that queues work (the backend is not for concurrent hosts).
WorkCounts counts;

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

// Fences are events recorded on the stream, kept for reuse (an event is a driver object: made
// once per fence in flight, not once per copy).
FenceOps event_fences() {
  struct Events {
    std::mutex mutex;
    std::vector<cudaEvent_t> spare;
  };
  static Events* events = new Events;
  FenceOps f;
  f.record = [] {
    cudaEvent_t e = nullptr;
    {
      std::lock_guard<std::mutex> lock(events->mutex);
      if (!events->spare.empty()) {
        e = events->spare.back();
        events->spare.pop_back();
      }
    }
    if (!e) check(cudaEventCreateWithFlags(&e, cudaEventDisableTiming), "cudaEventCreate");
    const cudaError_t status = cudaEventRecord(e, stream());
    if (status != cudaSuccess) {  // the event back to the spares, not leaked
      std::lock_guard<std::mutex> lock(events->mutex);
      events->spare.push_back(e);
    }
    check(status, "cudaEventRecord");
    return static_cast<void*>(e);
  };
  f.passed = [](void* e) {
    const cudaError_t s = cudaEventQuery(static_cast<cudaEvent_t>(e));
    if (s == cudaErrorNotReady) return (cudaGetLastError(), false);
    check(s, "cudaEventQuery");
    return true;
  };
  f.wait = [](void* e) {
    check(cudaEventSynchronize(static_cast<cudaEvent_t>(e)), "cudaEventSynchronize");
  };
  f.recycle = [](void* e) {
    std::lock_guard<std::mutex> lock(events->mutex);
    events->spare.push_back(static_cast<cudaEvent_t>(e));
  };
  return f;
}

// Held pinned memory stays under 256 MiB while fenced blocks can make room: a few batches in
// flight (a CIFAR-10 batch of 256 is 3 MB) need far less, and pinned pages are taken from the
// OS for good.
constexpr int64_t kPinnedLimitBytes = int64_t(256) << 20;

FencedPool& pinned_pool() {
  static FencedPool* p = new FencedPool(
      [](int64_t bytes) -> void* {
        stream();  // the context exists before the first cudaHostAlloc
        void* q = nullptr;
        return cudaHostAlloc(&q, size_t(bytes), cudaHostAllocDefault) == cudaSuccess
                   ? q
                   : (cudaGetLastError(), nullptr);
      },
      [](void* q) { check(cudaFreeHost(q), "cudaFreeHost"); }, event_fences(), kPinnedLimitBytes);
  return *p;
}

// Host to device without making the host wait: src is copied into a pinned block (a memcpy, at
// host memory speed) and the copy from there is queued; the block returns to the pool behind a
// fence. A copy from pageable memory would make the host wait for the transfer.
void staged_copy(void* dst, const void* src, int64_t bytes) {
  void* staged = pinned_pool().acquire(bytes);
  std::memcpy(staged, src, size_t(bytes));
  const cudaError_t status =
      cudaMemcpyAsync(dst, staged, size_t(bytes), cudaMemcpyHostToDevice, stream());
  pinned_pool().release(staged);  // also when the copy was refused: else the block is lost
  check(status, "cudaMemcpyAsync");
  ++counts.copies;
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

void* allocate_pinned(int64_t bytes) {
  require_available("pinned host memory");  // named, before the context's own message
  return pinned_pool().acquire(bytes);
}
void release_pinned(void* p) {
  pinned_pool().release(p);
}
FencedPoolStats pinned_stats() {
  return pinned_pool().stats();
}

void copy(void* dst, const void* src, int64_t bytes, CopyKind kind) {
  if (bytes == 0) return;
  if (kind == CopyKind::host_to_device && bytes <= kStagedCopyMaxBytes)
    return staged_copy(dst, src, bytes);
  const cudaMemcpyKind k = kind == CopyKind::device_to_host     ? cudaMemcpyDeviceToHost
                           : kind == CopyKind::device_to_device ? cudaMemcpyDeviceToDevice
                                                                : cudaMemcpyHostToDevice;
  check(cudaMemcpyAsync(dst, src, size_t(bytes), k, stream()), "cudaMemcpyAsync");
  ++counts.copies;
  // The caller reads dst (device to host) or may reuse src (a large pageable source) at once.
  if (kind == CopyKind::device_to_host || kind == CopyKind::host_to_device) synchronize();
}

void copy_rows(float* dst, int64_t dst_pitch, const float* src, int64_t src_pitch, int64_t width,
               int64_t rows) {
  if (width == 0 || rows == 0) return;
  const size_t f = sizeof(float);
  check(cudaMemcpy2DAsync(dst, size_t(dst_pitch) * f, src, size_t(src_pitch) * f, size_t(width) * f,
                          size_t(rows), cudaMemcpyDeviceToDevice, stream()),
        "cudaMemcpy2DAsync");
  ++counts.copies;
}

void synchronize() {
  check(cudaStreamSynchronize(stream()), "cudaStreamSynchronize");
  ++counts.waits;
}

void launched(const char* what) {
  check(cudaGetLastError(), what);
  ++counts.kernels;
}

void counted_gemm() {
  ++counts.gemms;
}

WorkCounts work_counts() {
  return counts;
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
