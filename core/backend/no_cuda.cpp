// The CUDA backend's interface in a build without CUDA: no devices, and every request for
// device memory or a device kernel fails loudly. A CUDA build compiles core/backend/cuda/
// instead (SOMA_CUDA is defined there).
#ifndef SOMA_CUDA

#include <stdexcept>
#include <string>

#include "core/backend/cuda/cell_list.hpp"
#include "core/backend/cuda_ops.hpp"
#include "core/backend/cuda_runtime.hpp"
#include "core/backend/gemm.hpp"

namespace soma {

namespace {
[[noreturn]] void no_backend(const char* what) {
  throw std::runtime_error(std::string(what) +
                           ": this build has no CUDA backend (configure with the native-cuda "
                           "preset, SOMA_CUDA=ON)");
}
}  // namespace

void gemm_cuda(bool, bool, int64_t, int64_t, int64_t, float, const float*, const float*, float,
               float*) {
  no_backend("gemm");
}

namespace cuda {

int device_count() {
  return 0;
}
bool available() {
  return false;
}
void require_available(const char* what) {
  no_backend(what);
}
void* allocate(int64_t) {
  no_backend("cuda allocate");
}
void deallocate(void*) {
  no_backend("cuda deallocate");
}
AllocatorStats memory_stats() {
  return {};
}
void reset_peak_memory() {}
void empty_cache() {}
void* allocate_pinned(int64_t) {
  no_backend("pinned host memory");
}
void release_pinned(void*) {
  no_backend("pinned host memory");
}
FencedPoolStats pinned_stats() {
  return {};
}
void copy(void*, const void*, int64_t, CopyKind) {
  no_backend("cuda copy");
}
void copy_rows(float*, int64_t, const float*, int64_t, int64_t, int64_t) {
  no_backend("cuda copy");
}
void fill(float*, int64_t, float) {
  no_backend("cuda fill");
}
void tile(const float*, int64_t, int64_t, float*) {
  no_backend("cuda tile");
}
void synchronize() {}
WorkCounts work_counts() {
  return {};
}
void set_tf32(bool) {}
bool tf32() {
  return false;
}

void binary(BinaryOp, const float*, const float*, int64_t, float*) {
  no_backend("cuda element-wise op");
}
void binary_scalar(BinaryOp, const float*, float, int64_t, float*) {
  no_backend("cuda element-wise op");
}
void unary(UnaryOp, UnaryArgs, const float*, int64_t, float*) {
  no_backend("cuda element-wise op");
}
void unary_backward(UnaryOp, UnaryArgs, const float*, const float*, const float*, int64_t, float*) {
  no_backend("cuda element-wise op");
}
void leaky_scan_forward(const LeakyScanParams&, const LeakyScanArrays&) {
  no_backend("cuda neuron scan");
}
void leaky_scan_backward(const LeakyScanParams&, const LeakyScanGrads&) {
  no_backend("cuda neuron scan");
}
void leaky_scan_constant_forward(const LeakyScanParams&, const LeakyScanArrays&) {
  no_backend("cuda neuron scan");
}
template <class Cell>
void cell_scan_forward(const Cell&, const CellScanArrays&) {
  no_backend("cuda neuron scan");
}
template <class Cell>
void cell_scan_backward(const Cell&, const CellScanGrads&) {
  no_backend("cuda neuron scan");
}
SOMA_CELLS(SOMA_CELL_SCAN_INSTANCE)
void pool_scan_forward(const LeakyScanParams&, const PoolScanShape&, const PoolScanArrays&) {
  no_backend("cuda pooled neuron scan");
}
void pool_scan_backward(const LeakyScanParams&, const PoolScanShape&, const PoolScanGrads&) {
  no_backend("cuda pooled neuron scan");
}
void stdp_trace(const float*, float*, int64_t, float, float) {
  no_backend("cuda STDP");
}
void stdp_weights(const StdpBounds&, float*, const float*, const float*, int64_t) {
  no_backend("cuda STDP");
}
void adam_step(const AdamStep&, int64_t, float*, const float*, float*, float*) {
  no_backend("cuda optimizer step");
}
void sgd_step(const SgdStep&, int64_t, float*, const float*, float*) {
  no_backend("cuda optimizer step");
}
void poisson_encode(const PoissonDraw&, const float*, float*) {
  no_backend("cuda encoder");
}

}  // namespace cuda
}  // namespace soma

#endif  // SOMA_CUDA
