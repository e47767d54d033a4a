#pragma once
// The host side of the CUDA backend: device memory, copies and the one stream. Plain C++ (no
// CUDA or Eigen headers), so the core includes it in every build. A CUDA build implements it
// in core/backend/cuda/; any other build links core/backend/no_cuda.cpp, where device_count()
// is 0 and everything else throws std::runtime_error naming the missing backend.
//
// One device (ordinal 0) and one stream per process: every kernel, cuBLAS call and copy is
// queued on that stream, so work runs in the order the host issued it and a freed block can be
// reused at once by the next kernel (the caching allocator relies on that order).
#include <cstdint>

#include "core/backend/caching_allocator.hpp"
#include "core/backend/fenced_pool.hpp"

namespace soma::cuda {

// Devices that cudaGetDeviceCount reports; 0 in a build without CUDA or on a machine without
// a GPU (or driver).
int device_count();
bool available();  // device_count() > 0
// Throws std::runtime_error when there is no usable device; `what` names the caller.
void require_available(const char* what);

// Device memory through the caching allocator: no cudaMalloc once a training loop's sizes
// have been seen (see caching_allocator.hpp).
void* allocate(int64_t bytes);
void deallocate(void* p);
AllocatorStats memory_stats();
void reset_peak_memory();  // peak_in_use_bytes = in_use_bytes, to measure one phase's peak
void empty_cache();        // returns cached blocks to the driver (cudaFree)

// Pinned (page-locked) host memory for tensors that the device reads asynchronously
// (Tensor::pin_memory, the data loader's pin_memory): from the fenced pool (fenced_pool.hpp),
// so a block released while a queued copy may still read it is reused only after that copy.
void* allocate_pinned(int64_t bytes);
void release_pinned(void* p);
FencedPoolStats pinned_stats();  // the pinned blocks of tensors and of staged copies

enum class CopyKind { host_to_device, pinned_to_device, device_to_host, device_to_device };
// Copies `bytes` on the stream. device_to_host returns when the copy is done (the caller reads
// dst). host_to_device returns once src has been read: it is staged through a pinned block and
// the copy queued, so the host neither waits for the device nor keeps src (copies above
// kStagedCopyMaxBytes, rare (a model's weights), wait instead). pinned_to_device is only
// queued: src is pinned memory from allocate_pinned, whose release waits for the copy, and the
// caller must not write it before the stream passes the copy. device_to_device is queued.
void copy(void* dst, const void* src, int64_t bytes, CopyKind kind);
constexpr int64_t kStagedCopyMaxBytes = int64_t(64) << 20;
// Device to device, queued: `rows` rows of `width` floats, src_pitch and dst_pitch floats
// apart (a block of a tensor seen as rows, as cat and its backward copy).
void copy_rows(float* dst, int64_t dst_pitch, const float* src, int64_t src_pitch, int64_t width,
               int64_t rows);
void fill(float* p, int64_t n, float value);  // device memory
// out (copies x n) = copies of x (n), device memory; one kernel (constant_current_encode).
void tile(const float* x, int64_t n, int64_t copies, float* out);
void synchronize();  // waits for everything queued on the stream

// What the host has queued and waited for since the process started: kernel launches, cuBLAS
// GEMMs, copies (cudaMemcpy*Async) and host waits (synchronize(), the device-to-host copies
// included). Device-independent: bench_mnist_epoch prints them per training step, which counts
// the same on the host emulator as on a GPU. A build without CUDA counts nothing.
struct WorkCounts {
  int64_t kernels = 0, gemms = 0, copies = 0, waits = 0;
};
WorkCounts work_counts();

// TF32 tensor-core GEMMs (10-bit mantissa inputs, fp32 accumulate): off by default.
void set_tf32(bool on);
bool tf32();

}  // namespace soma::cuda
