// Soma's CUDA emulator: the CUDA runtime and cuBLAS calls of include/*.h run on the host, for the
// cuda-emu preset (SOMA_CUDA_EMULATE; see include/cuda_runtime_api.h for why). Everything runs
// at once on the calling thread, so every stream is in order and every event has passed.
//
// What a GPU would refuse, this refuses too, naming the call through cudaGetLastError:
//   - Device memory lives in one reserved range that is readable only inside a kernel, a copy
//     or a GEMM (mprotect around each). Host code that dereferences a device pointer faults,
//     and the SIGSEGV handler says so before the process dies.
//   - New device memory is filled with NaN (0xFF bytes): a kernel that reads memory nobody
//     wrote gives NaN rather than the zeros a fresh page would.
//   - Copies check their direction: a "device" pointer must lie inside one allocation, a
//     "host" pointer outside the device range.
//   - cublasSgemm checks its leading dimensions as cuBLAS does (ld >= max(1, rows)), and that
//     each operand's span lies in one device allocation.
//   - A copy's two ranges must not overlap.
//   - A launch needs 1 to 2^31 - 1 blocks of 1 to 1024 threads, and a pointer argument must be
//     null, device or pinned memory (launch_ok; else cudaErrorIllegalAddress, which a GPU
//     reports for the fault).
// SOMA_CUDA_EMU_DEVICES=0 makes cudaGetDeviceCount report no device (the CPU-only paths).
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <Eigen/Core>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>

#include "cublas_v2.h"
#include "cuda_runtime.h"

thread_local uint3 blockIdx;
thread_local uint3 threadIdx;
thread_local dim3 blockDim;
thread_local dim3 gridDim;

struct SomaEmuStream {};
struct SomaEmuEvent {};
struct SomaEmuCublas {
  cublasMath_t mode = CUBLAS_DEFAULT_MATH;
};

namespace {

thread_local cudaError_t last_error = cudaSuccess;

cudaError_t fail(cudaError_t e) {
  last_error = e;
  return e;
}

// ---- device memory: one reserved range, first-fit reuse of freed chunks --------------------

constexpr size_t kPage = 4096;

// Whole pages, at least one: device and pinned blocks both start on a page.
size_t page_round(size_t bytes) {
  return bytes == 0 ? kPage : (bytes + kPage - 1) / kPage * kPage;
}

struct Arena {
  std::mutex mutex;
  char* base = nullptr;
  size_t reserved = 0, used = 0;  // [base, base + used) has been handed out
  std::map<uintptr_t, size_t> live;
  std::multimap<size_t, uintptr_t> spare;  // freed chunks by size
  int depth = 0;                           // kernels, copies and GEMMs running
};

Arena& arena() {
  static Arena* a = new Arena;
  return *a;
}

void on_segv(int sig, siginfo_t* info, void*) {
  const Arena& a = arena();
  const char* p = static_cast<const char*>(info->si_addr);
  if (a.base && p >= a.base && p < a.base + a.reserved) {
    const char msg[] =
        "soma CUDA emulator: host code touched device memory outside a kernel or copy (a cuda "
        "tensor's data used on the host; a GPU would fault or read garbage here)\n";
    ssize_t ignored = write(2, msg, sizeof msg - 1);
    (void)ignored;
  }
  signal(sig, SIG_DFL);  // returning re-runs the access, which now ends the process
}

bool reserve(Arena& a) {
  if (a.base) return true;
  for (size_t size = size_t(1) << 38; size >= (size_t(1) << 30); size /= 2) {
    void* p = mmap(nullptr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) continue;
    a.base = static_cast<char*>(p);
    a.reserved = size;
    // 2 MiB pages where the kernel allows them: the guard's mprotect of the whole range around
    // every launch then walks 512 times fewer page-table entries.
    madvise(p, size, MADV_HUGEPAGE);
    struct sigaction sa {};
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, nullptr);
    return true;
  }
  return false;
}

void protect(Arena& a, int prot) {
  if (a.used) mprotect(a.base, a.used, prot);
}

bool guarded() {
  static const bool yes = [] {
    const char* g = std::getenv("SOMA_CUDA_EMU_GUARD");
    return !(g && std::strcmp(g, "0") == 0);
  }();
  return yes;
}

// Whether one live allocation holds all of [p, p + bytes).
bool on_device(const void* p, size_t bytes) {
  Arena& a = arena();
  std::lock_guard<std::mutex> lock(a.mutex);
  const auto q = reinterpret_cast<uintptr_t>(p);
  auto it = a.live.upper_bound(q);
  if (it == a.live.begin()) return false;
  --it;
  return q + bytes <= it->first + it->second;
}

bool in_device_range(const void* p) {
  const Arena& a = arena();
  const char* c = static_cast<const char*>(p);
  return a.base && c >= a.base && c < a.base + a.reserved;
}

std::mutex pinned_mutex;
std::map<uintptr_t, size_t>& pinned() {  // base -> bytes
  static auto* s = new std::map<uintptr_t, size_t>;
  return *s;
}

bool in_pinned(uintptr_t p) {
  std::lock_guard<std::mutex> lock(pinned_mutex);
  auto it = pinned().upper_bound(p);
  if (it == pinned().begin()) return false;
  --it;
  return p < it->first + it->second;
}

// Where each copy kind's pointers must lie: a device side's whole span inside one allocation,
// a host side outside the device range.
bool copy_fits(void* dst, size_t dst_span, const void* src, size_t src_span, cudaMemcpyKind kind) {
  const bool dst_dev = kind == cudaMemcpyHostToDevice || kind == cudaMemcpyDeviceToDevice;
  const bool src_dev = kind == cudaMemcpyDeviceToHost || kind == cudaMemcpyDeviceToDevice;
  const bool dst_ok = dst_dev ? on_device(dst, dst_span) : !in_device_range(dst);
  const bool src_ok = src_dev ? on_device(src, src_span) : !in_device_range(src);
  // cudaMemcpy's ranges must not overlap (it is memcpy, not memmove, on the device too).
  const auto d = reinterpret_cast<uintptr_t>(dst), s = reinterpret_cast<uintptr_t>(src);
  const bool apart = d + dst_span <= s || s + src_span <= d;
  return dst_ok && src_ok && apart;
}

// The host address a pointer argument holds, or 0: it must be null, on the device or pinned
// (which a GPU reads under unified addressing). Structs and closures are not searched: their
// padding bytes hold leftovers of old stack pointers (the first try flagged LeakyScanParams's
// tail after its last bool), so no word of them can be told from a captured address.
uintptr_t host_pointer_in(const soma_cuda_emu::ArgBytes& arg) {
  if (!arg.is_pointer) return 0;
  uintptr_t v = 0;
  std::memcpy(&v, arg.p, sizeof v);
  const bool fine = v == 0 || in_device_range(reinterpret_cast<void*>(v)) || in_pinned(v);
  return fine ? 0 : v;
}

}  // namespace

namespace soma_cuda_emu {

void enter_device() {
  if (!guarded()) return;
  Arena& a = arena();
  std::lock_guard<std::mutex> lock(a.mutex);
  if (a.depth++ == 0) protect(a, PROT_READ | PROT_WRITE);
}

void leave_device() {
  if (!guarded()) return;
  Arena& a = arena();
  std::lock_guard<std::mutex> lock(a.mutex);
  if (--a.depth == 0) protect(a, PROT_NONE);
}

bool launch_ok(unsigned grid, unsigned block, const ArgBytes* args, size_t count) {
  if (grid == 0 || grid > 0x7FFFFFFFu || block == 0 || block > 1024) {
    std::fprintf(stderr,
                 "soma CUDA emulator: launch of %u blocks of %u threads (a GPU takes 1 to 2^31 - 1 "
                 "blocks of 1 to 1024)\n",
                 grid, block);
    return (fail(cudaErrorInvalidConfiguration), false);
  }
  for (size_t i = 0; i < count; ++i) {
    const uintptr_t p = host_pointer_in(args[i]);
    if (!p) continue;
    std::fprintf(stderr,
                 "soma CUDA emulator: kernel argument %zu holds host address %#jx (a GPU would "
                 "fault on it)\n",
                 i, uintmax_t(p));
    return (fail(cudaErrorIllegalAddress), false);
  }
  return true;
}

}  // namespace soma_cuda_emu

using soma_cuda_emu::enter_device;
using soma_cuda_emu::leave_device;

cudaError_t cudaGetLastError() {
  const cudaError_t e = last_error;
  last_error = cudaSuccess;
  return e;
}

const char* cudaGetErrorString(cudaError_t error) {
  switch (error) {
    case cudaSuccess:
      return "no error";
    case cudaErrorInvalidValue:
      return "invalid argument";
    case cudaErrorMemoryAllocation:
      return "out of memory";
    case cudaErrorInvalidDevicePointer:
      return "invalid device pointer";
    case cudaErrorNoDevice:
      return "no CUDA-capable device is detected";
    case cudaErrorInvalidResourceHandle:
      return "invalid resource handle";
    case cudaErrorNotReady:
      return "device not ready";
    case cudaErrorInvalidConfiguration:
      return "invalid configuration argument";
    case cudaErrorIllegalAddress:
      return "an illegal memory access was encountered";
  }
  return "unrecognized error code";
}

cudaError_t cudaGetDeviceCount(int* count) {
  const char* n = std::getenv("SOMA_CUDA_EMU_DEVICES");
  *count = n && std::strcmp(n, "0") == 0 ? 0 : 1;
  return *count ? cudaSuccess : fail(cudaErrorNoDevice);
}

cudaError_t cudaSetDevice(int device) {
  int n = 0;
  cudaGetDeviceCount(&n);
  return device >= 0 && device < n ? cudaSuccess : fail(cudaErrorInvalidValue);
}

cudaError_t cudaMalloc(void** ptr, size_t bytes) {
  Arena& a = arena();
  const size_t size = page_round(bytes);
  {
    std::lock_guard<std::mutex> lock(a.mutex);
    if (!reserve(a)) return fail(cudaErrorMemoryAllocation);
    auto fit = a.spare.lower_bound(size);
    uintptr_t p;
    size_t got;
    if (fit != a.spare.end()) {
      got = fit->first;
      p = fit->second;
      a.spare.erase(fit);
    } else {
      if (a.used + size > a.reserved) return fail(cudaErrorMemoryAllocation);
      p = reinterpret_cast<uintptr_t>(a.base + a.used);
      got = size;
      a.used += size;
      // The reserve is PROT_NONE; the new pages open up as the rest of the range is now.
      if (a.depth > 0 || !guarded())
        mprotect(reinterpret_cast<void*>(p), size, PROT_READ | PROT_WRITE);
    }
    a.live[p] = got;
    *ptr = reinterpret_cast<void*>(p);
  }
  enter_device();
  std::memset(*ptr, 0xFF, bytes);  // NaN floats: unwritten memory shows in every result
  leave_device();
  return cudaSuccess;
}

cudaError_t cudaFree(void* ptr) {
  if (!ptr) return cudaSuccess;
  Arena& a = arena();
  std::lock_guard<std::mutex> lock(a.mutex);
  const auto it = a.live.find(reinterpret_cast<uintptr_t>(ptr));
  if (it == a.live.end()) return fail(cudaErrorInvalidDevicePointer);
  a.spare.emplace(it->second, it->first);
  a.live.erase(it);
  return cudaSuccess;
}

cudaError_t cudaHostAlloc(void** ptr, size_t bytes, unsigned) {
  *ptr = std::aligned_alloc(kPage, page_round(bytes));
  if (!*ptr) return fail(cudaErrorMemoryAllocation);
  std::lock_guard<std::mutex> lock(pinned_mutex);
  pinned()[reinterpret_cast<uintptr_t>(*ptr)] = bytes;
  return cudaSuccess;
}

cudaError_t cudaFreeHost(void* ptr) {
  if (!ptr) return cudaSuccess;
  std::lock_guard<std::mutex> lock(pinned_mutex);
  if (!pinned().erase(reinterpret_cast<uintptr_t>(ptr))) return fail(cudaErrorInvalidValue);
  std::free(ptr);
  return cudaSuccess;
}

cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind,
                            cudaStream_t) {
  if (bytes == 0) return cudaSuccess;
  if (!copy_fits(dst, bytes, src, bytes, kind)) return fail(cudaErrorInvalidValue);
  enter_device();
  std::memmove(dst, src, bytes);
  leave_device();
  return cudaSuccess;
}

cudaError_t cudaMemcpy2DAsync(void* dst, size_t dst_pitch, const void* src, size_t src_pitch,
                              size_t width, size_t height, cudaMemcpyKind kind, cudaStream_t) {
  if (width == 0 || height == 0) return cudaSuccess;
  if (width > dst_pitch || width > src_pitch) return fail(cudaErrorInvalidValue);
  const size_t dst_span = dst_pitch * (height - 1) + width;
  const size_t src_span = src_pitch * (height - 1) + width;
  if (!copy_fits(dst, dst_span, src, src_span, kind)) return fail(cudaErrorInvalidValue);
  enter_device();
  for (size_t r = 0; r < height; ++r)
    std::memmove(static_cast<char*>(dst) + r * dst_pitch,
                 static_cast<const char*>(src) + r * src_pitch, width);
  leave_device();
  return cudaSuccess;
}

cudaError_t cudaStreamCreate(cudaStream_t* stream) {
  *stream = new SomaEmuStream;
  return cudaSuccess;
}
cudaError_t cudaStreamCreateWithFlags(cudaStream_t* stream, unsigned) {
  return cudaStreamCreate(stream);
}
cudaError_t cudaStreamSynchronize(cudaStream_t) {
  return cudaSuccess;
}

cudaError_t cudaEventCreate(cudaEvent_t* event) {
  *event = new SomaEmuEvent;
  return cudaSuccess;
}
cudaError_t cudaEventCreateWithFlags(cudaEvent_t* event, unsigned) {
  return cudaEventCreate(event);
}
cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t) {
  return event ? cudaSuccess : fail(cudaErrorInvalidResourceHandle);
}
cudaError_t cudaEventQuery(cudaEvent_t event) {
  return event ? cudaSuccess : fail(cudaErrorInvalidResourceHandle);
}
cudaError_t cudaEventSynchronize(cudaEvent_t event) {
  return cudaEventQuery(event);
}

// ---- cuBLAS ---------------------------------------------------------------------------------

cublasStatus_t cublasCreate(cublasHandle_t* handle) {
  *handle = new SomaEmuCublas;
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasSetStream(cublasHandle_t handle, cudaStream_t) {
  return handle ? CUBLAS_STATUS_SUCCESS : CUBLAS_STATUS_NOT_INITIALIZED;
}
cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode) {
  if (!handle) return CUBLAS_STATUS_NOT_INITIALIZED;
  handle->mode = mode;
  return CUBLAS_STATUS_SUCCESS;
}

const char* cublasGetStatusString(cublasStatus_t status) {
  switch (status) {
    case CUBLAS_STATUS_SUCCESS:
      return "CUBLAS_STATUS_SUCCESS";
    case CUBLAS_STATUS_NOT_INITIALIZED:
      return "CUBLAS_STATUS_NOT_INITIALIZED";
    case CUBLAS_STATUS_INVALID_VALUE:
      return "CUBLAS_STATUS_INVALID_VALUE";
    case CUBLAS_STATUS_EXECUTION_FAILED:
      return "CUBLAS_STATUS_EXECUTION_FAILED";
  }
  return "CUBLAS_STATUS_UNKNOWN";
}

namespace {

using ColMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;
using ConstStrided = Eigen::Map<const ColMatrix, 0, Eigen::OuterStride<>>;

// TF32: the top 10 mantissa bits, rounded to nearest even (NaN and infinity kept).
float to_tf32(float x) {
  uint32_t u;
  std::memcpy(&u, &x, 4);
  if ((u & 0x7F800000u) != 0x7F800000u) u = (u + 0xFFFu + ((u >> 13) & 1u)) & ~0x1FFFu;
  std::memcpy(&x, &u, 4);
  return x;
}

using Strided = Eigen::Map<ColMatrix, 0, Eigen::OuterStride<>>;

// C = alpha L R + beta C straight into C's storage (C is not read when beta is 0, as in BLAS,
// so NaN there does not spread).
template <class L, class R>
void gemm_into(Strided& c, const L& l, const R& r, float alpha, float beta) {
  if (beta == 0.0f) {
    c.noalias() = alpha * (l * r);
  } else {
    c *= beta;
    c.noalias() += alpha * (l * r);
  }
}

// op(A) op(B) over the stored (column-major) operands, transposed as views, not copied.
template <class A, class B>
void gemm_ops(Strided& c, const A& a, bool ta, const B& b, bool tb, float alpha, float beta) {
  if (ta && tb) gemm_into(c, a.transpose(), b.transpose(), alpha, beta);
  if (ta && !tb) gemm_into(c, a.transpose(), b, alpha, beta);
  if (!ta && tb) gemm_into(c, a, b.transpose(), alpha, beta);
  if (!ta && !tb) gemm_into(c, a, b, alpha, beta);
}

}  // namespace

cublasStatus_t cublasSgemm(cublasHandle_t handle, cublasOperation_t transa,
                           cublasOperation_t transb, int m, int n, int k, const float* alpha,
                           const float* a, int lda, const float* b, int ldb, const float* beta,
                           float* c, int ldc) {
  if (!handle) return CUBLAS_STATUS_NOT_INITIALIZED;
  const bool ta = transa == CUBLAS_OP_T, tb = transb == CUBLAS_OP_T;
  const int a_rows = ta ? k : m, b_rows = tb ? n : k;  // rows as stored, column-major
  if (m < 0 || n < 0 || k < 0 || lda < std::max(1, a_rows) || ldb < std::max(1, b_rows) ||
      ldc < std::max(1, m))
    return CUBLAS_STATUS_INVALID_VALUE;
  if (m == 0 || n == 0) return CUBLAS_STATUS_SUCCESS;
  const int a_cols = ta ? m : k, b_cols = tb ? k : n;
  // Each operand's whole span in one device allocation: a host pointer, or a span past its
  // block, faults in cuBLAS's kernel on a GPU.
  const auto span = [](int rows, int cols, int ld) {
    return (size_t(cols) - 1) * size_t(ld) + size_t(rows);
  };
  if ((k > 0 && (!on_device(a, span(a_rows, a_cols, lda) * 4) ||
                 !on_device(b, span(b_rows, b_cols, ldb) * 4))) ||
      !on_device(c, span(m, n, ldc) * 4))
    return CUBLAS_STATUS_EXECUTION_FAILED;
  enter_device();
  ConstStrided sa(a, a_rows, a_cols, Eigen::OuterStride<>(lda));
  ConstStrided sb(b, b_rows, b_cols, Eigen::OuterStride<>(ldb));
  Strided out(c, m, n, Eigen::OuterStride<>(ldc));
  if (handle->mode == CUBLAS_TF32_TENSOR_OP_MATH)
    gemm_ops(out, ColMatrix(sa.unaryExpr(&to_tf32)), ta, ColMatrix(sb.unaryExpr(&to_tf32)), tb,
             *alpha, *beta);
  else
    gemm_ops(out, sa, ta, sb, tb, *alpha, *beta);
  leave_device();
  return CUBLAS_STATUS_SUCCESS;
}
