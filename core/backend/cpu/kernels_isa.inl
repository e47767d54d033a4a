// The kernels compiled once per instruction-set level: included by kernels_isa_generic.cpp,
// kernels_isa_v3.cpp and kernels_isa_v4.cpp, each defining SOMA_ISA_NS (isa_generic, isa_v3,
// isa_v4) and compiled with its own -march (CMakeLists.txt). Everything here is in
// soma::SOMA_ISA_NS, Eigen included: the macro below renames Eigen's namespace for this file, so
// its GEMM instantiations (inline and template code, emitted as weak symbols) cannot be merged
// with another level's. No std template is used (plain pointers and a local buffer), for the
// same reason. The `isa_symbols` test checks the objects with nm.
#ifndef SOMA_ISA_NS
#error "define SOMA_ISA_NS before including kernels_isa.inl"
#endif
#ifdef EIGEN_CORE_H
#error "Eigen was included before kernels_isa.inl: its instantiations would leave the ISA namespace"
#endif

#include <cstdint>
#include <cstring>
#if defined(__AVX2__)  // the v3 and v4 levels: spike_scan_rows's lane masks
#include <immintrin.h>
#endif
#ifdef _OPENMP
#include <omp.h>
#endif

#include "core/backend/cpu/isa_kernels.hpp"
#include "core/backend/cuda/host_device.hpp"  // SOMA_HD, for learnable_isa.inl's step
#include "core/backend/spike_matmul.hpp"  // kSpikeTile

#define Eigen soma::SOMA_ISA_NS::Eigen
#include <Eigen/Core>
#undef Eigen

namespace soma::SOMA_ISA_NS {

namespace {

inline int64_t min64(int64_t a, int64_t b) {
  return a < b ? a : b;
}

// A float array freed at scope end (std::vector would instantiate std templates here).
struct Buffer {
  float* p;
  explicit Buffer(int64_t n) : p(new float[size_t(n > 0 ? n : 1)]) {}
  ~Buffer() { delete[] p; }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
};

// ---- GEMM ------------------------------------------------------------------------------------

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixMap = Eigen::Map<RowMatrix>;
using ConstMatrixMap = Eigen::Map<const RowMatrix>;

bool thin_gemm(int64_t m, int64_t n, int64_t k, float alpha, const float* a, const float* b,
               float beta, float* c);

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          const float* b, float beta, float* c) {
  if (!trans_a && !trans_b && thin_gemm(m, n, k, alpha, a, b, beta, c)) return;
  MatrixMap C(c, m, n);
  if (beta == 0)
    C.setZero();
  else if (beta != 1)
    C *= beta;
  ConstMatrixMap A(a, trans_a ? k : m, trans_a ? m : k);
  ConstMatrixMap B(b, trans_b ? n : k, trans_b ? k : n);
  // Eigen picks its blocked (and, with OpenMP, threaded) kernel for each combination.
  if (!trans_a && !trans_b)
    C.noalias() += alpha * A * B;
  else if (trans_a && !trans_b)
    C.noalias() += alpha * A.transpose() * B;
  else if (!trans_a && trans_b)
    C.noalias() += alpha * A * B.transpose();
  else
    C.noalias() += alpha * A.transpose() * B.transpose();
}

// ---- products with spike matrices (spike_matmul.hpp) -----------------------------------------

constexpr int64_t kTile = kSpikeTile;

// 16 floats as one value: GCC and Clang keep these in registers (AVX-512: one register, AVX2:
// two, WebAssembly without SIMD: scalars), where a float[64] accumulator was kept on the stack,
// a store-to-load dependency per add that halved the speed.
typedef float Vec16 __attribute__((vector_size(64)));
#if defined(__GNUC__)  // GCC and clang
// Below AVX-512 the compilers note that returning a Vec16 by value has another ABI: these helpers
// are file-local and inlined, so no call crosses an ABI boundary.
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

inline Vec16 load16(const float* p) {
  Vec16 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline void store16(float* p, const Vec16& v) {
  std::memcpy(p, &v, sizeof v);
}

// Native vectors: one register of 16 floats at AVX-512, of 8 below (two SSE registers at the
// generic level). The encoder scan and the fused sparse scan compute on these.
#if defined(__AVX512F__)
typedef float LaneVec __attribute__((vector_size(64)));
constexpr int64_t kVecLanes = 16;
#else
typedef float LaneVec __attribute__((vector_size(32)));
constexpr int64_t kVecLanes = 8;
#endif
typedef int32_t LaneInt __attribute__((vector_size(sizeof(LaneVec))));
constexpr int64_t kLanes = 4 * kVecLanes;  // columns per tile: 4 registers

inline LaneVec loadv(const float* p) {
  LaneVec v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline void storev(float* p, const LaneVec& v) {
  std::memcpy(p, &v, sizeof v);
}

// 1 where vd > th, else 0: one float, or lane by lane; both from the compare's bits. As
// `vd > th ? 1.0f : 0.0f`, GCC 12 made the value reset's gradient a branch at v3 and left loops
// using it scalar (ConvNet4's conv1 backward: 15.5 instead of 2.4 ms per 1024 planes at v3).
inline float spike_of(float vd, float th) {
  const uint32_t bits = uint32_t(-int32_t(vd > th)) & 0x3f800000u;  // 1.0f
  float z;
  std::memcpy(&z, &bits, sizeof z);
  return z;
}
inline LaneVec spike_of(LaneVec vd, float th) {
  return (LaneVec)((LaneInt)(vd > th) & (LaneInt{} + 0x3f800000));  // 1.0f's bits
}

// The lanes of v greater than th (forward_range's vd > th), as bits.
inline uint32_t greater_bits(const LaneVec& v, float th) {
#if defined(__AVX512F__)
  return _mm512_cmp_ps_mask(__m512(v), _mm512_set1_ps(th), _CMP_GT_OQ);
#elif defined(__AVX2__)
  return uint32_t(_mm256_movemask_ps(_mm256_cmp_ps(__m256(v), _mm256_set1_ps(th), _CMP_GT_OQ)));
#else
  float f[kVecLanes];
  std::memcpy(f, &v, sizeof f);
  uint32_t m = 0;
  for (int k = 0; k < kVecLanes; ++k) m |= uint32_t(f[k] > th) << k;
  return m;
#endif
}

// acc = the sum of the tile's columns of the panel rows listed in idx[0, count). Named
// accumulators: an array of them was kept on the stack by GCC 12 at v3, 2x slower.
inline void sum_rows(LaneVec* acc, const float* panel, const int32_t* idx, int64_t count) {
  LaneVec a0 = {}, a1 = {}, a2 = {}, a3 = {};
  for (int64_t k = 0; k < count; ++k) {
    const float* src = panel + int64_t(idx[k]) * kTile;
    a0 += loadv(src), a1 += loadv(src + kVecLanes);
    a2 += loadv(src + 2 * kVecLanes), a3 += loadv(src + 3 * kVecLanes);
  }
  acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3;
}

// The same for a one-vector tile (a read-out's 10 classes), ascending as sum_rows.
inline void sum_rows1(LaneVec* acc, const float* panel, const int32_t* idx, int64_t count) {
  LaneVec a0 = {};
  for (int64_t k = 0; k < count; ++k) a0 += loadv(panel + int64_t(idx[k]) * kTile);
  acc[0] = a0;
}

// The first m (1..L) lanes of p, the others 0; and their store. Masked at v3/v4, so a row's
// tail is read in place: copying each chunk of G into a padded buffer (a 400-byte rep movs per
// row) was a fifth of spike_matmul_t's time.
inline LaneVec load_first(const float* p, int64_t m) {
#if defined(__AVX512F__)
  return LaneVec(_mm512_maskz_loadu_ps(__mmask16((1u << m) - 1), p));
#elif defined(__AVX2__)
  const __m256i keep =
      _mm256_cmpgt_epi32(_mm256_set1_epi32(int32_t(m)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  return LaneVec(_mm256_maskload_ps(p, keep));
#else
  float t[kVecLanes] = {};
  std::memcpy(t, p, size_t(m) * sizeof(float));
  return loadv(t);
#endif
}

inline void store_first(float* p, const LaneVec& v, int64_t m) {
#if defined(__AVX512F__)
  _mm512_mask_storeu_ps(p, __mmask16((1u << m) - 1), __m512(v));
#elif defined(__AVX2__)
  const __m256i keep =
      _mm256_cmpgt_epi32(_mm256_set1_epi32(int32_t(m)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  _mm256_maskstore_ps(p, keep, __m256(v));
#else
  float t[kVecLanes];
  storev(t, v);
  std::memcpy(p, t, size_t(m) * sizeof(float));
#endif
}

// Kernels on w <= 8 native vectors of columns keep them in registers, one instantiation per
// vector count: by_vectors calls f(VecCount<V>{}, c, wc) for columns [c, c + wc) of [0, w), once
// with V = the vectors w needs. In WebAssembly, a call per vector (one instantiation per kernel:
// the page's 2 MiB budget; its layers are small); each column's arithmetic is the same either
// way.
template <int V>
struct VecCount {
  static constexpr int value = V;
};

template <class F>
inline void by_vectors(int64_t w, F&& f) {
#if defined(__EMSCRIPTEN__)
  for (int64_t c = 0; c < w; c += kVecLanes) f(VecCount<1>{}, c, min64(kVecLanes, w - c));
#else
  switch ((w + kVecLanes - 1) / kVecLanes) {
    case 1:
      return f(VecCount<1>{}, 0, w);
    case 2:
      return f(VecCount<2>{}, 0, w);
    case 3:
      return f(VecCount<3>{}, 0, w);
    case 4:
      return f(VecCount<4>{}, 0, w);
    case 5:
      return f(VecCount<5>{}, 0, w);
    case 6:
      return f(VecCount<6>{}, 0, w);
    case 7:
      return f(VecCount<7>{}, 0, w);
    default:
      return f(VecCount<8>{}, 0, w);
  }
#endif
}

// C (m x n) = beta C + alpha A B for a thin A (k <= 16, no transposes, n <= 8 native vectors):
// each row of C in registers, B's k rows read from L1. Eigen packed both operands and zero-filled
// C first: the read-out's input gradient in a Fashion-MNIST rec training step (8192 x 10 times
// 10 x 100) cost 0.3 ms of a 6 ms step that way. Not in WebAssembly (the page's size budget).
template <int V>
void thin_rows(int64_t m, int64_t n, int64_t k, float alpha, const float* __restrict a,
               const float* __restrict b, float beta, float* __restrict c) {
  constexpr int64_t L = kVecLanes;
  const int64_t tail = n - (V - 1) * L;
  for (int64_t r = 0; r < m; ++r) {
    LaneVec acc[V] = {};
    for (int64_t j = 0; j < k; ++j) {
      const float s = alpha * a[r * k + j];
      const float* bj = b + j * n;
#pragma GCC unroll 8
      for (int v = 0; v < V - 1; ++v) acc[v] += s * loadv(bj + L * v);
      acc[V - 1] += s * load_first(bj + L * (V - 1), tail);
    }
    float* row = c + r * n;
    if (beta != 0.0f) {
#pragma GCC unroll 8
      for (int v = 0; v < V - 1; ++v) acc[v] += beta * loadv(row + L * v);
      acc[V - 1] += beta * load_first(row + L * (V - 1), tail);
    }
#pragma GCC unroll 8
    for (int v = 0; v < V - 1; ++v) storev(row + L * v, acc[v]);
    store_first(row + L * (V - 1), acc[V - 1], tail);
  }
}

bool thin_gemm(int64_t m, int64_t n, int64_t k, float alpha, const float* a, const float* b,
               float beta, float* c) {
#if defined(__EMSCRIPTEN__)
  (void)m, (void)n, (void)k, (void)alpha, (void)a, (void)b, (void)beta, (void)c;
  return false;
#else
  // Sizes one thread takes anyway: larger products keep Eigen's threaded kernel. (A 4-row
  // kernel for any k, tried at AVX-512 on the recurrent backward product, 256 x 100 x 100, was
  // faster alone, 0.95 against 1.0 ms for 32, and slower inside the training step.)
  if (k > 16 || n > 8 * kVecLanes || n < 1 || m < 1 || k < 1 || m * n > (int64_t(1) << 20))
    return false;
  // Rows split among the threads when C is large: on its own this product ran on one thread
  // while the others waited (2 threads: 1.8% of a rec training step's samples, all on one).
  int parts = 1;
#ifdef _OPENMP
  if (m * n >= (int64_t(1) << 16) && !omp_in_parallel())
    parts = int(min64(omp_get_max_threads(), m / 64 + 1));
#endif
#pragma omp parallel for schedule(static) num_threads(parts) if (parts > 1)
  for (int p = 0; p < parts; ++p) {
    const int64_t r0 = m * p / parts, r1 = m * (p + 1) / parts;
    by_vectors(n, [&](auto v, int64_t, int64_t) {
      thin_rows<decltype(v)::value>(r1 - r0, n, k, alpha, a + r0 * k, b, beta, c + r0 * n);
    });
  }
  return true;
#endif
}

// A pass of the spike product covers up to 8 native vectors of output columns: 128 at AVX-512
// (two 64-column panels side by side), 64 below (one panel). One pass per row for the 100
// outputs of the Fashion-MNIST rec layer: 7 loads per spike at AVX-512 where two passes of 64
// columns took 8, and each row's spike list is walked once, not twice. AMD EPYC, one thread,
// S 8192 x 784 with 125 k spikes, n = 100, best of 40: 0.75 -> 0.53 ms (a standalone
// single-pass kernel, same sums).
constexpr int64_t kPass = 8 * kVecLanes;
static_assert(kPass % kTile == 0 || kTile % kPass == 0);

// out[0, w) = the sum of the rows listed in idx[0, count) of the packed W^T's columns
// [h, h + w), or beta out + that sum; h a multiple of kPass, w in ((V - 1) L, V L]. Vector q
// lies in panel (h + q L) / 64, whose rows are `jump` floats past the first panel's. The
// accumulators stay in registers (unrolled); the last vector's columns past w read the panels'
// zero padding and are not stored.
template <int V>
void sum_pass(float* out, int64_t w, float beta, const float* packed, int64_t cols, int64_t h,
              const int32_t* idx, int64_t count) {
  constexpr int64_t L = kVecLanes;
  const float* panel = packed + h / kTile * cols * kTile + h % kTile;
  const int64_t jump = (cols - 1) * kTile;  // column 63 of a panel row -> column 0 of the next
  LaneVec acc[V] = {};
  for (int64_t k = 0; k < count; ++k) {
    const float* row = panel + int64_t(idx[k]) * kTile;
#pragma GCC unroll 8
    for (int q = 0; q < V; ++q) acc[q] += loadv(row + q * L + (q * L) / kTile * jump);
  }
  // A whole last vector is stored plainly: AVX2's masked store is slow on AMD Zen.
  const int64_t tail = w - (V - 1) * L;
  float* last = out + (V - 1) * L;
  if (beta != 0) {
#pragma GCC unroll 8
    for (int q = 0; q < V - 1; ++q) acc[q] += beta * loadv(out + q * L);
    acc[V - 1] += beta * (tail == L ? loadv(last) : load_first(last, tail));
  }
#pragma GCC unroll 8
  for (int q = 0; q < V - 1; ++q) storev(out + q * L, acc[q]);
  if (tail == L)
    storev(last, acc[V - 1]);
  else
    store_first(last, acc[V - 1], tail);
}

void sum_pass_any(float* out, int64_t w, float beta, const float* packed, int64_t cols, int64_t h,
                  const int32_t* idx, int64_t count) {
  by_vectors(w, [&](auto v, int64_t c, int64_t wc) {
    sum_pass<decltype(v)::value>(out + c, wc, beta, packed, cols, h + c, idx, count);
  });
}

// out[0, w) = t, or beta out + t.
inline void write_tile(float* out, const float* t, int64_t w, float beta) {
  if (beta == 0)
    for (int64_t k = 0; k < w; ++k) out[k] = t[k];
  else
    for (int64_t k = 0; k < w; ++k) out[k] = beta * out[k] + t[k];
}

void spike_matmul_groups(CsrView s, int64_t first, int64_t width, int64_t count, int64_t stride,
                         int64_t cols, const float* packed, int64_t n, float beta, float* c) {
  auto spikes = [&](int64_t row) { return s.cols + s.row_start[row]; };
  auto spike_count = [&](int64_t row) { return s.row_start[row + 1] - s.row_start[row]; };
  if (n <= kPass) {  // one pass writes each row whole: rows are adjacent in C
    for (int64_t g = 0; g < count; ++g)
      for (int64_t b = 0; b < width; ++b) {
        const int64_t row = first + g * stride + b;
        sum_pass_any(c + (g * stride + b) * n, n, beta, packed, cols, 0, spikes(row),
                     spike_count(row));
      }
    return;
  }
  // Wider: passes are summed into a small contiguous buffer and copied out group by group:
  // stores 4 KB apart interleaved with the panel loads would slow the kernel. Passes outermost,
  // so their panels (cols x 128 floats at most) stay in L2 across all rows.
  Buffer stage(width * kPass);
  for (int64_t h = 0; h < n; h += kPass) {
    const int64_t w = min64(kPass, n - h);
    const int64_t whole = (w + kVecLanes - 1) / kVecLanes * kVecLanes;  // the stage has room
    for (int64_t g = 0; g < count; ++g) {
      for (int64_t b = 0; b < width; ++b) {
        const int64_t row = first + g * stride + b;
        sum_pass_any(stage.p + b * kPass, whole, 0.0f, packed, cols, h, spikes(row),
                     spike_count(row));
      }
      for (int64_t b = 0; b < width; ++b)
        write_tile(c + (g * stride + b) * n + h, stage.p + b * kPass, w, beta);
    }
  }
}

// ---- S^T G, the weight gradient of a spike input (spike_matmul_t) ---------------------------
//
// C (cols x n) = beta C + S^T G: row a of C is the sum of the rows of G whose spikes include
// column a. Rows are taken in chunks of kWgradChunk (G's chunk, read in place, stays in L2); a
// chunk's spikes are sorted by column (a counting sort), so each column's rows of G are summed in
// registers and added to C once per chunk. Adding every spike's row of G straight into a panel
// of C instead (one read-modify-write of 64 floats per spike) was bound by the stores and by
// store-to-load forwarding: the same pixel spikes in consecutive rows. Measured on the AMD EPYC
// (AVX-512, one thread, Fashion-MNIST rec, 128 k input spikes x 100 outputs per batch): that
// kernel took 14% of a training step.
// G is read in place (masked tail loads), not copied into a padded buffer per chunk, and
// chunks are 512 rows, not 256 (fewer read-modify-writes of C per spike). Same machine,
// S 8192 x 784 with 124 k spikes, n = 100, best of 30: 1.08 -> 0.73 ms at v4 (of which the
// sort is 0.18 ms; the rest is reading 400 B of G per spike from L2), 1.05 -> 0.74 ms at v3;
// the recurrent one (7936 x 100, 27 k spikes) 0.31 -> 0.16 ms.
// Threads own disjoint ranges of C's rows; each sorts its own columns' spikes. Each column's
// sum runs in the same order for any thread count.
// A tile is 8 native vectors: 128 columns at AVX-512, 64 below.
constexpr int64_t kWgradChunk = 512, kWgradTile = 8 * kVecLanes;

struct IntBuffer {
  int32_t* p;
  explicit IntBuffer(int64_t n) : p(new int32_t[size_t(n > 0 ? n : 1)]) {}
  ~IntBuffer() { delete[] p; }
  IntBuffer(const IntBuffer&) = delete;
  IntBuffer& operator=(const IntBuffer&) = delete;
};

// dst[0, w) += the sum of the rows of g (stride apart) listed in rows; w in ((V - 1) L, V L].
template <int V>
void add_rows(float* __restrict dst, const float* __restrict g, int64_t stride, const int32_t* rows,
              int64_t count, int64_t w) {
  constexpr int64_t L = kVecLanes;
  const int64_t tail = w - (V - 1) * L;
  LaneVec acc[V] = {};
  for (int64_t a = 0; a < count; ++a) {
    const float* src = g + int64_t(rows[a]) * stride;
#pragma GCC unroll 8
    for (int q = 0; q < V - 1; ++q) acc[q] += loadv(src + L * q);
    acc[V - 1] += load_first(src + L * (V - 1), tail);
  }
#pragma GCC unroll 8
  for (int q = 0; q < V - 1; ++q) storev(dst + L * q, loadv(dst + L * q) + acc[q]);
  store_first(dst + L * (V - 1), load_first(dst + L * (V - 1), tail) + acc[V - 1], tail);
}

void add_rows_any(float* dst, const float* g, int64_t stride, const int32_t* rows, int64_t count,
                  int64_t w) {
  by_vectors(w, [&](auto v, int64_t c, int64_t wc) {
    add_rows<decltype(v)::value>(dst + c, g + c, stride, rows, count, wc);
  });
}

// A chunk's spikes in columns [a0, a0 + na), by column: column k's chunk rows (ascending) are
// order[start[k], start[k + 1]). next: scratch of na entries.
void sort_by_column(CsrView s, int64_t r, int64_t rr, int64_t a0, int64_t na, int32_t* start,
                    int32_t* next, int32_t* order) {
  std::memset(start, 0, size_t(na + 1) * sizeof(int32_t));
  for (int64_t a = s.row_start[r]; a < s.row_start[r + rr]; ++a) {
    const int64_t k = s.cols[a] - a0;
    if (k >= 0 && k < na) ++start[k + 1];
  }
  for (int64_t k = 0; k < na; ++k) start[k + 1] += start[k], next[k] = start[k];
  for (int64_t i = 0; i < rr; ++i)
    for (int64_t a = s.row_start[r + i]; a < s.row_start[r + i + 1]; ++a) {
      const int64_t k = s.cols[a] - a0;
      if (k >= 0 && k < na) order[next[k]++] = int32_t(i);
    }
}

// Rows [a0, a1) of C.
void wgrad_columns(CsrView s, int64_t r0, int64_t r1, int64_t a0, int64_t a1, const float* g,
                   int64_t n, float beta, float* c) {
  for (int64_t a = a0; a < a1; ++a)
    for (int64_t k = 0; k < n; ++k) c[a * n + k] = beta == 0 ? 0.0f : beta * c[a * n + k];
  int64_t most = 0;  // spikes in the fullest chunk
  for (int64_t r = r0; r < r1; r += kWgradChunk) {
    const int64_t count = s.row_start[min64(r + kWgradChunk, r1)] - s.row_start[r];
    if (count > most) most = count;
  }
  const int64_t na = a1 - a0;
  IntBuffer start(na + 1), next(na), order(most);
  for (int64_t r = r0; r < r1; r += kWgradChunk) {
    const int64_t rr = min64(kWgradChunk, r1 - r);
    sort_by_column(s, r, rr, a0, na, start.p, next.p, order.p);
    const float* gc = g + (r - r0) * n;  // the chunk's rows of G
    for (int64_t j = 0; j < n; j += kWgradTile) {
      const int64_t w = min64(kWgradTile, n - j);
      for (int64_t k = 0; k < na; ++k)
        if (start.p[k + 1] > start.p[k])
          add_rows_any(c + (a0 + k) * n + j, gc + j, n, order.p + start.p[k],
                       start.p[k + 1] - start.p[k], w);
    }
  }
}

void spike_matmul_t(CsrView s, int64_t r0, int64_t r1, int64_t cols, const float* g, int64_t n,
                    float beta, float* c) {
#pragma omp parallel if ((r1 - r0) * n >= 65536 && cols > 1)
  {
    int64_t id = 0, threads = 1;
#ifdef _OPENMP
    id = omp_get_thread_num(), threads = omp_get_num_threads();
#endif
    wgrad_columns(s, r0, r1, cols * id / threads, cols * (id + 1) / threads, g, n, beta, c);
  }
}

// dst's rows listed in cols += g[0, w), w in ((V - 1) L, V L], g in registers: the row is read
// once and added to each spiking column's row. The last vector adds g's lanes past w as zeros
// into dst's padding (ld is a multiple of 16).
template <int V>
void scatter_pass(float* dst, int64_t ld, const float* g, int64_t w, const int32_t* cols,
                  int64_t count) {
  constexpr int64_t L = kVecLanes;
  LaneVec r[V];
#pragma GCC unroll 8
  for (int q = 0; q < V - 1; ++q) r[q] = loadv(g + q * L);
  r[V - 1] = load_first(g + (V - 1) * L, w - (V - 1) * L);
  for (int64_t k = 0; k < count; ++k) {
    float* d = dst + int64_t(cols[k]) * ld;
#pragma GCC unroll 8
    for (int q = 0; q < V; ++q) storev(d + q * L, loadv(d + q * L) + r[q]);
  }
}

void scatter_spike_row(float* dst, int64_t ld, const float* g, int64_t n, const int32_t* cols,
                       int64_t count) {
  for (int64_t h = 0; h < n; h += kPass)
    by_vectors(min64(kPass, n - h), [&](auto v, int64_t c, int64_t wc) {
      scatter_pass<decltype(v)::value>(dst + h + c, ld, g + h + c, wc, cols, count);
    });
}

// ---- finding the spikes (spike_rows, spike_matmul.hpp) ----------------------------------------

// The lanes of v that differ from `value` (NaN differs from everything, as the scalar `!=`),
// as bits: one compare at v4, two compares and movemasks at v3.
#if defined(__AVX2__)
inline uint32_t lanes_not(const Vec16& v, float value) {
#if defined(__AVX512F__)
  return _mm512_cmp_ps_mask(__m512(v), _mm512_set1_ps(value), _CMP_NEQ_UQ);
#else
  // The halves by shuffles, not a memcpy: GCC 12 sent the memcpy through the stack, which made
  // the v3 encoder (constant_range) 4x slower than the v4 one.
  const __m256 lo = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7);
  const __m256 hi = __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m256 s = _mm256_set1_ps(value);
  return uint32_t(_mm256_movemask_ps(_mm256_cmp_ps(lo, s, _CMP_NEQ_UQ))) |
         uint32_t(_mm256_movemask_ps(_mm256_cmp_ps(hi, s, _CMP_NEQ_UQ))) << 8;
#endif
}
#endif

// The non-zero lanes of x[0, w), w <= 16, as bits; *bad gets the lanes that are neither 0 nor
// 1. From lanes_not at v3/v4: the portable loop below became a chain of horizontal ORs per
// block, 2.5 cycles per float, which made finding the MNIST encoder's spikes (26 MB per batch)
// take 5 ms of a 21 ms rec step on the AMD EPYC (v4, one thread).
inline uint32_t nonzero_lanes(const float* x, int64_t w, uint32_t* bad) {
#if defined(__AVX2__)
  float padded[16] = {};
  if (w < 16) std::memcpy(padded, x, size_t(w) * sizeof(float));
  const Vec16 v = load16(w < 16 ? padded : x);
  const uint32_t nz = lanes_not(v, 0.0f);
  *bad = nz & lanes_not(v, 1.0f);
  return nz;
#else
  uint32_t mask = 0, b = 0;
  for (int64_t k = 0; k < w; ++k) {
    mask |= uint32_t(x[k] != 0.0f) << k;
    b |= uint32_t(x[k] != 0.0f && x[k] != 1.0f) << k;
  }
  *bad = b;
  return mask;
#endif
}

// Writes j + the set lanes of mask (< 2^16), ascending, at out; may write up to 16 entries.
// Returns how many are set. Branch-free at v3/v4: at p = 0.03 a block of 16 floats holds a
// spike 39% of the time, and the loop over the mask bits mispredicted about once per block.
#if defined(__AVX512F__)
inline int64_t put_lanes(uint32_t mask, int64_t j, int32_t* out) {
  const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i idx = _mm512_add_epi32(lane, _mm512_set1_epi32(int32_t(j)));
  // Compressed in a register, stored whole: a compressing store to memory is microcoded on the
  // AMD EPYC.
  _mm512_storeu_si512(out, _mm512_maskz_compress_epi32(__mmask16(mask), idx));
  return __builtin_popcount(mask);
}
#elif defined(__AVX2__)
// The set lanes of each byte, packed, as 8 nibbles.
struct LaneTable {
  uint32_t packed[256];
  constexpr LaneTable() : packed() {
    for (uint32_t m = 0; m < 256; ++m) {
      uint32_t p = 0, k = 0;
      for (uint32_t b = 0; b < 8; ++b)
        if (m >> b & 1) p |= b << (4 * k++);
      packed[m] = p;
    }
  }
};
constexpr LaneTable kLaneTable;

inline int64_t put_lanes8(uint32_t mask, int64_t j, int32_t* out) {
  const __m256i shifts = _mm256_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28);
  const __m256i nib =
      _mm256_srlv_epi32(_mm256_set1_epi32(int32_t(kLaneTable.packed[mask])), shifts);
  const __m256i idx =
      _mm256_add_epi32(_mm256_and_si256(nib, _mm256_set1_epi32(15)), _mm256_set1_epi32(int32_t(j)));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), idx);
  return __builtin_popcount(mask);
}

inline int64_t put_lanes(uint32_t mask, int64_t j, int32_t* out) {
  const int64_t lo = put_lanes8(mask & 0xff, j, out);
  return lo + put_lanes8(mask >> 8, j + 8, out + lo);
}
#endif

// put_lanes for the mask of one native vector (kVecLanes lanes) at every level; stores up to a
// vector's worth of entries.
inline int64_t put_vector_lanes(uint32_t mask, int64_t j, int32_t* out) {
#if defined(__AVX512F__)
  return put_lanes(mask, j, out);
#elif defined(__AVX2__)
  return put_lanes8(mask, j, out);  // 8 lanes: one half of put_lanes
#else
  int64_t n = 0;
  for (; mask; mask &= mask - 1) out[n++] = int32_t(j + __builtin_ctz(mask));
  return n;
#endif
}

// Rows [r0, r1) of x as CSR pieces: row_end[r - r0] = entries after row r, active[] the column
// indices (capacity min(budget, (r1 - r0) cols)). -1 when x is not 0/1, the budget is exceeded
// or *failed (another thread's part failed) is set. Blocks of 16: the mask of non-zeros and
// whether any is not 1; the indices come from the mask bits (put_lanes while 16 entries of room
// are left). Compiled per level because this is where the portable build lost most: on the AMD
// EPYC (one thread, rec epoch, --quick, perf) the baseline x86-64 copy (SSE2, popcount through
// libgcc) took 11 ms of a 55 ms step, the -march=native one 4 ms.
int64_t spike_scan_rows(const float* x, int64_t r0, int64_t r1, int64_t cols, int64_t budget,
                        const int* failed, int64_t* row_end, int32_t* active) {
  int64_t count = 0;
  [[maybe_unused]] const int64_t room = min64(budget, (r1 - r0) * cols) - 16;
  for (int64_t r = r0; r < r1; ++r) {
    if (__atomic_load_n(failed, __ATOMIC_RELAXED)) return -1;
    const float* row = x + r * cols;
    uint32_t bad_any = 0;
    for (int64_t j = 0; j < cols; j += 16) {
      uint32_t bad;
      uint32_t mask = nonzero_lanes(row + j, min64(16, cols - j), &bad);
      bad_any |= bad;
#if defined(__AVX2__)
      if (count <= room) {
        count += put_lanes(mask, j, active + count);
        continue;
      }
#endif
      if (!mask) continue;
      if (bad || count + __builtin_popcount(mask) > budget) return -1;
      for (; mask; mask &= mask - 1) active[count++] = int32_t(j + __builtin_ctz(mask));
    }
    if (bad_any || count > budget) return -1;
    row_end[r - r0] = count;
  }
  return count;
}

int64_t count_nonzero(const float* x, int64_t n) {
  int64_t count = 0;
  for (int64_t k = 0; k < n; ++k) count += x[k] != 0.0f;
  return count;
}

// ---- convolutions of spike images (conv_spikes.hpp) -------------------------------------------

// One image's spikes as bit masks over its zero-padded rows: bit (iw + pad) of
// rows[c * (h + 2 pad) + ih + pad] is x[c, ih, iw]. Output pixel (o, q) reads, through the
// taps (c, ki, kj), the kw bits from q * stride of padded row o * stride + ki. Both kernels
// gather rows of n floats (n a multiple of 64) in a 64-float register tile and write each
// destination row once: a scatter (one read-modify-write of a 64-float row per tap) was
// store-bound, 16 cycles a row on the AMD EPYC. Each gather walks the set bits of one 64-bit
// mask that covers several channels (forward) or output rows (weight gradient): a loop per
// kernel row ended in a mispredicted branch about every other row added, and ran no faster than
// the dense GEMM at 14% density.

// Adds the src rows (n floats apart) picked by the bits of m to the 64 floats at d. (Two sets of
// accumulators, alternating rows, measured no faster: the loads bound it, not the adds' latency.)
// In native vectors (4 at AVX-512, 8 below): with 16-float vectors GCC 12 kept the accumulators
// on the stack at v3, and the spike forward and weight gradient of ConvNet4's conv2 ran hardly
// faster than the dense GEMM there (47-56 ms against 51-70 for 512 images, busy machine).
constexpr int kGatherVecs = int(64 / kVecLanes);

inline void gather_rows(uint64_t m, const float* src, int64_t n, float* d) {
  LaneVec a[kGatherVecs];
#pragma GCC unroll 8
  for (int r = 0; r < kGatherVecs; ++r) a[r] = loadv(d + r * kVecLanes);
  for (; m; m &= m - 1) {
    const float* row = src + int64_t(__builtin_ctzll(m)) * n;
#pragma GCC unroll 8
    for (int r = 0; r < kGatherVecs; ++r) a[r] += loadv(row + r * kVecLanes);
  }
#pragma GCC unroll 8
  for (int r = 0; r < kGatherVecs; ++r) storev(d + r * kVecLanes, a[r]);
}

// dst (L x n) += W^T rows: dst[(o, q)] += sum over the active taps of the pixel of wt[tap].
// Groups of 64 / (kh kw) channels (kh kw <= 64) make one mask; groups outermost, so their taps
// (12.8 KB for ConvNet4's conv2) stay in L1 across the image's pixels.
void conv_spike_forward(const ConvTaps& g, const uint64_t* rows, const float* wt, float* dst,
                        int64_t n) {
  const int64_t hp = g.h + 2 * g.pad, taps = g.kh * g.kw, per = 64 / taps;
  const uint64_t window = g.kw >= 64 ? ~uint64_t(0) : (uint64_t(1) << g.kw) - 1;
  for (int64_t c0 = 0; c0 < g.cin; c0 += per) {
    const int64_t c1 = min64(g.cin, c0 + per);
    for (int64_t o = 0; o < g.oh; ++o)
      for (int64_t q = 0; q < g.ow; ++q) {
        uint64_t m = 0;
        for (int64_t c = c0; c < c1; ++c)
          for (int64_t ki = 0; ki < g.kh; ++ki)
            m |= (rows[c * hp + o * g.stride + ki] >> (q * g.stride) & window)
                 << ((c - c0) * taps + ki * g.kw);
        if (m)
          for (int64_t j = 0; j < n; j += 64)
            gather_rows(m, wt + c0 * taps * n + j, n, dst + (o * g.ow + q) * n + j);
      }
  }
}

// dst (K x n) += rows of gout^T (L x n): dst[(c, ki, kj)] += sum over the output pixels (o, q)
// whose tap (c, ki, kj) reads a spike of gt[(o, q)]. Groups of 64 / ow output rows make one
// mask of pixels.
void conv_spike_wgrad(const ConvTaps& g, const uint64_t* rows, const float* gt, float* dst,
                      int64_t n) {
  const int64_t hp = g.h + 2 * g.pad, per = 64 / g.ow;
  const uint64_t reach = g.ow >= 64 ? ~uint64_t(0) : (uint64_t(1) << g.ow) - 1;
  for (int64_t c = 0; c < g.cin; ++c)
    for (int64_t ki = 0; ki < g.kh; ++ki)
      for (int64_t kj = 0; kj < g.kw; ++kj)
        for (int64_t o0 = 0; o0 < g.oh; o0 += per) {
          uint64_t m = 0;
          for (int64_t o = o0; o < min64(g.oh, o0 + per); ++o) {
            const uint64_t r = rows[c * hp + o * g.stride + ki] >> kj;  // bit q * stride
            uint64_t bits = r & reach;
            if (g.stride > 1) {
              bits = 0;
              for (int64_t q = 0; q < g.ow; ++q) bits |= (r >> (q * g.stride) & 1) << q;
            }
            m |= bits << ((o - o0) * g.ow);
          }
          if (m)
            for (int64_t j = 0; j < n; j += 64)
              gather_rows(m, gt + o0 * g.ow * n + j, n,
                          dst + ((c * g.kh + ki) * g.kw + kj) * n + j);
        }
}

// ---- the current-based neuron scan (current_scan.hpp) ----------------------------------------

template <bool Spiking, bool ResetValue>
void forward_range(const CurrentScanConfig& c, ScanExtent e, int64_t k0, int64_t k1,
                   const float* __restrict x, float* __restrict v, float* __restrict i,
                   float* __restrict z, float* __restrict v_dec, float* __restrict trace) {
  const float am = c.am, keep = c.keep_i, leak = c.v_leak, th = c.v_th, vr = c.v_reset;
  for (int64_t t = 0; t < e.steps; ++t) {
    const int64_t o = t * e.step_stride();
    for (int64_t k = k0; k < k1; ++k) {
      float j = i[k] + x[o + k];
      float vd = v[k] + am * (leak - v[k] + j);
      i[k] = j * keep;
      float vn = vd;
      if constexpr (Spiking) {
        float zk = vd > th ? 1.0f : 0.0f;
        vn = ResetValue ? vd + zk * (vr - vd) : vd - zk * th;
        z[o + k] = zk;
        if (v_dec) v_dec[o + k] = vd;
      }
      v[k] = vn;
      if (trace) trace[o + k] = vn;
    }
  }
}

void scan_forward_range(const CurrentScanConfig& c, ScanExtent e, int64_t k0, int64_t k1,
                        const float* x, float* v, float* i, float* z, float* v_dec, float* trace) {
  if (!c.spiking)
    forward_range<false, false>(c, e, k0, k1, x, v, i, z, v_dec, trace);
  else if (c.reset == Reset::value)
    forward_range<true, true>(c, e, k0, k1, x, v, i, z, v_dec, trace);
  else
    forward_range<true, false>(c, e, k0, k1, x, v, i, z, v_dec, trace);
}

// scan_step_spikes (isa_kernels.hpp): forward_range's arithmetic on vectors, one step, with the
// spikes' columns packed from the compare mask (put_lanes) as each row is stepped.
// One vector of step_spikes at neuron k, m lanes (m = L: plain loads and stores; masked ones
// cost 2x at v3 on the AMD EPYC). Returns the spike mask.
// c by value: through a reference its fields were reloaded after every store (they might
// alias the arrays).
template <bool ResetValue, bool Full>
inline uint32_t step_vector(const CurrentScanConfig c, int64_t k, int64_t m,
                            const float* __restrict x, float* __restrict v, float* __restrict i,
                            float* __restrict z, float* __restrict v_dec) {
  const float am = c.am, keep = c.keep_i, leak = c.v_leak, th = c.v_th, vr = c.v_reset;
  auto load = [m](const float* p) { return Full ? loadv(p) : load_first(p, m); };
  auto store = [m](float* p, const LaneVec& a) {
    if (Full)
      storev(p, a);
    else
      store_first(p, a, m);
  };
  const LaneVec vv = load(v + k), jv = load(i + k) + load(x + k);
  const LaneVec vd = vv + am * (leak - vv + jv);
  const LaneVec zk = spike_of(vd, th);
  store(i + k, jv * keep);
  store(v + k, ResetValue ? vd + zk * (vr - vd) : vd - zk * th);
  store(z + k, zk);
  if (v_dec) store(v_dec + k, vd);
  return greater_bits(vd, th) & (Full ? ~uint32_t(0) : (uint32_t(1) << m) - 1);
}

// scan_step_spikes (isa_kernels.hpp): forward_range's arithmetic on vectors, one step, with the
// spikes' columns packed from the compare mask (put_lanes) as each row is stepped.
template <bool ResetValue>
int64_t step_spikes(const CurrentScanConfig c, int64_t rows, int64_t cols,
                    const float* __restrict x, float* __restrict v, float* __restrict i,
                    float* __restrict z, float* __restrict v_dec, int64_t* __restrict row_end,
                    int32_t* __restrict out) {
  constexpr int64_t L = kVecLanes;
  const int64_t full = cols / L * L;
  int64_t count = 0;
  auto put = [&](uint32_t mask, int64_t j) { count += put_vector_lanes(mask, j, out + count); };
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t o = r * cols;
    for (int64_t j = 0; j < full; j += L)
      put(step_vector<ResetValue, true>(c, o + j, L, x, v, i, z, v_dec), j);
    if (full < cols)
      put(step_vector<ResetValue, false>(c, o + full, cols - full, x, v, i, z, v_dec), full);
    row_end[r] = count;
  }
  return count;
}

int64_t scan_step_spikes(const CurrentScanConfig& c, int64_t rows, int64_t cols, const float* x,
                         float* v, float* i, float* z, float* v_dec, int64_t* row_end,
                         int32_t* out) {
  if (c.reset == Reset::value)
    return step_spikes<true>(c, rows, cols, x, v, i, z, v_dec, row_end, out);
  return step_spikes<false>(c, rows, cols, x, v, i, z, v_dec, row_end, out);
}

// Packs the lanes set in mask (< 2^L) of src[0, L) to dst, ascending; stores L floats.
inline void pack_lanes(uint32_t mask, const float* src, float* dst) {
#if defined(__AVX512F__)
  _mm512_storeu_ps(dst, _mm512_maskz_compress_ps(__mmask16(mask), _mm512_loadu_ps(src)));
#elif defined(__AVX2__)
  const __m256i nib = _mm256_srlv_epi32(_mm256_set1_epi32(int32_t(kLaneTable.packed[mask])),
                                        _mm256_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28));
  _mm256_storeu_ps(dst, _mm256_permutevar8x32_ps(_mm256_loadu_ps(src), nib));
#else
  for (int64_t k = 0, n = 0; k < kVecLanes; ++k)
    if (mask >> k & 1) dst[n++] = src[k];
#endif
}

// As pack_lanes, for the int32 ids[0, L): the ids of the set lanes, ascending, at out.
inline void pack_ids(uint32_t mask, const int32_t* ids, int32_t* out) {
#if defined(__AVX512F__)
  _mm512_storeu_si512(out, _mm512_maskz_compress_epi32(__mmask16(mask), _mm512_loadu_si512(ids)));
#elif defined(__AVX2__)
  const __m256i nib = _mm256_srlv_epi32(_mm256_set1_epi32(int32_t(kLaneTable.packed[mask])),
                                        _mm256_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28));
  _mm256_storeu_si256(
      reinterpret_cast<__m256i*>(out),
      _mm256_permutevar8x32_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(ids)), nib));
#else
  for (int64_t k = 0, n = 0; k < kVecLanes; ++k)
    if (mask >> k & 1) out[n++] = ids[k];
#endif
}

// The lanes of a compare's result (all ones or zeros per lane), as bits.
inline uint32_t lane_bits(const LaneInt& m) {
#if defined(__AVX512F__)
  return _mm512_movepi32_mask(__m512i(m));
#elif defined(__AVX2__)
  return uint32_t(_mm256_movemask_ps(_mm256_castsi256_ps(__m256i(m))));
#else
  uint32_t bits = 0;
  for (int k = 0; k < kVecLanes; ++k) bits |= uint32_t(m[k] != 0) << k;
  return bits;
#endif
}

// Which neurons of a constant-input scan can never spike, as bits (NaN anywhere: may spike).
// - rest (any v_leak <= v_th): x = 0, i = 0, v = v_leak is a fixed point, exactly:
//   v + am (v_leak - v + 0) = v.
// - sink (v_leak = 0 < v_th, 0 <= am <= 1, keep_i >= 0): x <= 0, i <= 0, v <= 0 stays so.
//   j = i + x <= 0; u = 0 - v = -v exactly; am fl(u + j) <= u, so v + am (u + j) <= v + u = 0
//   and its rounding too; no spike, and i' = j keep_i <= 0. The normalised MNIST background
//   (-0.42 with Norse's normalisation) sinks: 50-80% of the pixels.
// - under (v_leak = 0, keep_i = 0, 0 < am <= 1/2): i = 0, 0 <= v <= x <= v_th stays so.
//   j = x; d = fl(x - v) <= (x - v)(1 + 2^-24), fl(am d) <= (x - v)(1 + 2^-24)^2 / 2 < x - v
//   unless x = v (then it is 0), so v <= fl(v + fl(am d)) <= x: no spike, v' = v_dec, and
//   i' = x 0 = 0. The dim pixels of Fashion-MNIST (0 < x <= 1 = v_th: 14% of them) sit there.
struct SilentRules {
  float leak;
  bool rest, sink, under;
};
inline SilentRules silent_rules(const CurrentScanConfig& c) {
  const float leak = c.v_leak;
  return {leak, !(leak > c.v_th),
          leak == 0.0f && c.v_th > 0.0f && c.am >= 0.0f && c.am <= 1.0f && c.keep_i >= 0.0f,
          leak == 0.0f && c.keep_i == 0.0f && c.am > 0.0f && c.am <= 0.5f};
}
inline uint32_t silent_lanes(const LaneVec& x, const LaneVec& v, const LaneVec& i, float th,
                             SilentRules r) {
  const LaneInt rest = (x == 0.0f) & (i == 0.0f) & (v == r.leak);
  const LaneInt sink = (x <= 0.0f) & (i <= 0.0f) & (v <= 0.0f);
  const LaneInt under = (i == 0.0f) & (v >= 0.0f) & (v <= x) & (x <= th);
  return (r.rest ? lane_bits(rest) : 0u) | (r.sink ? lane_bits(sink) : 0u) |
         (r.under ? lane_bits(under) : 0u);
}

// One block of the constant-input scan, its live neurons packed: x, v, i hold n of them (plus
// L of room), ids their offsets in the block.
struct LiveBlock {
  alignas(64) float x[kConstantScanBlock + kVecLanes], v[kConstantScanBlock + kVecLanes],
      i[kConstantScanBlock + kVecLanes];
  alignas(64) int32_t ids[kConstantScanBlock + kVecLanes];
  int64_t n = 0;
};

// Packs the neurons of [b0, b0 + w) that can spike (silent_lanes: those that cannot).
inline void pack_live(const CurrentScanConfig& c, const float* x, const float* v, const float* i,
                      int64_t b0, int64_t w, LiveBlock& out) {
  constexpr int64_t L = kVecLanes;
  const SilentRules rules = silent_rules(c);
  const float leak = c.v_leak;
  alignas(64) float pad[3][L];
  out.n = 0;
  for (int64_t j = 0; j < w; j += L) {
    const int64_t m = min64(L, w - j);
    const float *xs = x + b0 + j, *vs = v + b0 + j, *is = i + b0 + j;
    if (m < L) {  // the tail, padded with resting neurons
      for (int64_t k = 0; k < L; ++k) {
        pad[0][k] = k < m ? xs[k] : 0.0f, pad[1][k] = k < m ? vs[k] : leak;
        pad[2][k] = k < m ? is[k] : 0.0f;
      }
      xs = pad[0], vs = pad[1], is = pad[2];
    }
    const uint32_t lanes = m < L ? (1u << m) - 1 : (1u << L) - 1;
    const uint32_t live = lanes & ~silent_lanes(loadv(xs), loadv(vs), loadv(is), c.v_th, rules);
    pack_lanes(live, xs, out.x + out.n), pack_lanes(live, vs, out.v + out.n);
    pack_lanes(live, is, out.i + out.n);
    put_vector_lanes(live, j, out.ids + out.n);
    out.n += __builtin_popcount(live);
  }
}

// One step of the constant-input scan on a vector of neurons (forward_range's arithmetic lane by
// lane): advances v, i and returns the pre-reset voltage.
template <bool ResetValue>
inline LaneVec constant_step(CurrentScanConfig c, const LaneVec& x, LaneVec& v, LaneVec& i) {
  const LaneVec j = i + x;
  const LaneVec vd = v + c.am * (c.v_leak - v + j);
  i = j * c.keep_i;
  const LaneVec zk = spike_of(vd, c.v_th);
  v = ResetValue ? vd + zk * (c.v_reset - vd) : vd - zk * c.v_th;
  return vd;
}

// Which lanes of a packed block's vectors are neurons: all of each vector but the last, which
// holds n % L of them (n > 0).
inline void lane_masks(int64_t n, uint32_t* keep) {
  const int64_t full = n / kVecLanes, vecs = (n + kVecLanes - 1) / kVecLanes;
  for (int64_t q = 0; q < vecs; ++q)
    keep[q] = q < full ? ~uint32_t(0) : (uint32_t(1) << (n - kVecLanes * full)) - 1;
}

// Vectors [q0, q0 + G) of a packed block over all steps, their state in registers; step t's
// spike offsets are appended at lanes + t * stride + counts[t]. Vector after vector, so each
// step's offsets stay ascending. keep: the lanes that are neurons (the block's last vector may
// be partial).
template <bool ResetValue, int G>
inline void constant_group(const CurrentScanConfig& c, int64_t steps, const LiveBlock& blk,
                           int64_t q0, const uint32_t* keep, int64_t stride,
                           int32_t* __restrict lanes, int64_t* __restrict counts) {
  constexpr int64_t L = kVecLanes;
  LaneVec v[G], i[G], xs[G];
  for (int g = 0; g < G; ++g) {
    const int64_t o = L * (q0 + g);
    v[g] = loadv(blk.v + o), i[g] = loadv(blk.i + o), xs[g] = loadv(blk.x + o);
  }
  for (int64_t t = 0; t < steps; ++t) {
    int32_t* out = lanes + t * stride;
    int64_t n = counts[t];
    for (int g = 0; g < G; ++g) {
      const LaneVec vd = constant_step<ResetValue>(c, xs[g], v[g], i[g]);
      const uint32_t m = greater_bits(vd, c.v_th) & keep[q0 + g];
      pack_ids(m, blk.ids + L * (q0 + g), out + n);  // L entries of room
      n += __builtin_popcount(m);
    }
    counts[t] = n;
  }
}

// The spiking scan of an input that is the same x[k] at every step (the constant-current
// encoders). Each lane's arithmetic is forward_range's, so the spikes are the same bits
// (tests/core/test_encoders.cpp). What it took to make it fast, on the AMD EPYC:
// - The spikes only, as lanes and counts: the dense 0/1 output is written, when anyone reads
//   it, from the index that constant_input_spikes builds of these lanes (Storage::deferred).
//   The MNIST rec encoder (8192 x 784 neuron-steps per batch) wrote 26 MB of mostly zeros
//   before, 40% of its time even with non-temporal stores.
// - Native vectors (LaneVec): on 16-float vectors at v3, GCC 12 split the compare through the
//   stack and the encoder took 12.5 ms of a 28 ms rec step (2.6 ms at v4).
// - Only the live neurons are scanned (pack_live), a group of vectors at a time over all steps
//   with the state in registers (a block's state went through L1 every step: 3 loads and 2
//   stores per vector-step), and the spikes' offsets are packed from the ids without a branch
//   (the loop over each mask's bits mispredicted on about every other vector). In a
//   Fashion-MNIST rec training step (batch 256, T 32, v4, one thread, machine loaded) the
//   encode phase went from 3.0-3.6 ms to 1.4-1.6 ms; with the normalised background skipped
//   as well (silent_lanes' sink), the encoder alone on such a batch (best of 200) went from
//   2.8 ms to 0.67-0.77 ms.
template <bool ResetValue>
void constant_range(const CurrentScanConfig& c, ScanExtent e, int64_t k0, int64_t k1,
                    const float* __restrict x, const float* __restrict v_,
                    const float* __restrict i_, int32_t* __restrict lanes,
                    int64_t* __restrict counts) {
  constexpr int64_t L = kVecLanes, kVecs = kConstantScanBlock / L;
  constexpr int G = L == 16 ? 8 : 4;  // v, i, x of G vectors: 24 of 32 zmm, 12 of 16 ymm
  const int64_t stride = k1 - k0 + 16;
  LiveBlock blk;
  pack_live(c, x, v_, i_, k0, k1 - k0, blk);
  const int64_t vecs = (blk.n + L - 1) / L;
  uint32_t keep[kVecs];
  lane_masks(blk.n, keep);
  for (int64_t t = 0; t < e.steps; ++t) counts[t] = 0;
  int64_t q = 0;
  for (; q + G <= vecs; q += G)
    constant_group<ResetValue, G>(c, e.steps, blk, q, keep, stride, lanes, counts);
  for (; q < vecs; ++q)
    constant_group<ResetValue, 1>(c, e.steps, blk, q, keep, stride, lanes, counts);
}

void scan_constant_range(const CurrentScanConfig& c, ScanExtent e, int64_t k0, int64_t k1,
                         const float* x, const float* v, const float* i, int32_t* lanes,
                         int64_t* counts) {
  if (c.reset == Reset::value)
    constant_range<true>(c, e, k0, k1, x, v, i, lanes, counts);
  else
    constant_range<false>(c, e, k0, k1, x, v, i, lanes, counts);
}

#if !defined(__EMSCRIPTEN__)
// Vectors [q0, q0 + G) of a packed block until each lane's first spike (or `steps`): first[a]
// = the step count of lane a's first spike (0: none). False when a lane's state right after its
// first spike is not its initial state bit for bit (its spikes need not repeat). Branch-free
// per lane: a branch on each vector's first spikes mispredicted about every other step.
template <bool ResetValue, int G>
inline bool period_group(const CurrentScanConfig& c, int64_t steps, const LiveBlock& blk,
                         int64_t q0, const uint32_t* keep, int32_t* __restrict first) {
  constexpr int64_t L = kVecLanes;
  LaneVec v[G], i[G], xs[G], v0[G], i0[G];
  LaneInt left[G], when[G], bad = {};
#pragma GCC unroll 4
  for (int g = 0; g < G; ++g) {
    const int64_t o = L * (q0 + g);
    v[g] = v0[g] = loadv(blk.v + o), i[g] = i0[g] = loadv(blk.i + o), xs[g] = loadv(blk.x + o);
    LaneInt mask = {};  // lane by lane into a zeroed vector (GCC 12 warned on left[g][l])
    for (int l = 0; l < L; ++l) mask[l] = keep[q0 + g] >> l & 1 ? -1 : 0;
    left[g] = mask;
    when[g] = LaneInt{};
  }
  for (int64_t t = 0; t < steps; ++t) {
    LaneInt any = {};
#pragma GCC unroll 4
    for (int g = 0; g < G; ++g) {
      const LaneVec vd = constant_step<ResetValue>(c, xs[g], v[g], i[g]);
      const LaneInt now = (vd > c.v_th) & left[g];  // lanes spiking for the first time
      when[g] |= now & int32_t(t + 1);
      bad |= now & ~(((LaneInt)v[g] == (LaneInt)v0[g]) & ((LaneInt)i[g] == (LaneInt)i0[g]));
      left[g] &= ~now;
      any |= left[g];
    }
    if (!lane_bits(any)) break;
  }
  if (lane_bits(bad)) return false;
#pragma GCC unroll 4
  for (int g = 0; g < G; ++g)
    storev(reinterpret_cast<float*>(first + L * (q0 + g)), (LaneVec)when[g]);
  return true;
}

// The memo's slot for a neuron's (x, v, i) bits.
inline uint32_t memo_slot(uint32_t xb, uint32_t vb, uint32_t ib) {
  return ((xb * 0x9E3779B1u) ^ (vb * 0x85EBCA77u) ^ (ib * 0xC2B2AE3Du)) >> (32 - kPeriodMemoBits);
}

// The periods of a constant-input scan's spikes on neurons [k0, k1) (isa_kernels.hpp). Neurons
// with the same input and state bits spike alike, so each distinct (x, v, i) is scanned once per
// call (an MNIST batch has at most 256 pixel values): the live neurons the memo knows take its
// period; the first of each new key goes to `todo`, and later ones point at it (first[a] =
// -1 - its place there) until the scan of `todo` resolves them.
template <bool ResetValue>
int64_t constant_periods(const CurrentScanConfig& c, int64_t steps, int64_t k0, int64_t k1,
                         const float* x, const float* v, const float* i, int32_t* ids,
                         uint16_t* periods, PeriodMemo& memo) {
  constexpr int64_t L = kVecLanes;
  constexpr int G = L == 16 ? 4 : 2;  // v, i, x, v0, i0 of G vectors: 20 of 32 zmm, 10 of 16 ymm
  LiveBlock blk, todo;
  pack_live(c, x, v, i, k0, k1 - k0, blk);
  alignas(64) int32_t first[kConstantScanBlock + kVecLanes], found[kConstantScanBlock + kVecLanes];
  todo.n = 0;
  for (int64_t a = 0; a < blk.n; ++a) {
    uint32_t xb, vb, ib;
    __builtin_memcpy(&xb, blk.x + a, 4), __builtin_memcpy(&vb, blk.v + a, 4);
    __builtin_memcpy(&ib, blk.i + a, 4);
    const uint32_t slot = memo_slot(xb, vb, ib);
    if (memo.value[slot] != kPeriodMemoEmpty && memo.x[slot] == xb && memo.v[slot] == vb &&
        memo.i[slot] == ib) {
      first[a] = memo.value[slot];
      continue;
    }
    const int32_t t = int32_t(todo.n++);
    todo.x[t] = blk.x[a], todo.v[t] = blk.v[a], todo.i[t] = blk.i[a], todo.ids[t] = int32_t(slot);
    memo.x[slot] = xb, memo.v[slot] = vb, memo.i[slot] = ib, memo.value[slot] = -1 - t;
    first[a] = -1 - t;
  }
  const int64_t vecs = (todo.n + L - 1) / L;
  for (int64_t a = todo.n; a < vecs * L; ++a) todo.x[a] = todo.v[a] = todo.i[a] = 0.0f;
  uint32_t keep[kConstantScanBlock / L];
  lane_masks(todo.n, keep);
  int64_t q = 0;
  for (; q + G <= vecs; q += G)
    if (!period_group<ResetValue, G>(c, steps, todo, q, keep, found)) return -1;
  for (; q < vecs; ++q)
    if (!period_group<ResetValue, 1>(c, steps, todo, q, keep, found)) return -1;
  for (int32_t t = 0; t < int32_t(todo.n); ++t)  // unless a later key took the slot
    if (memo.value[todo.ids[t]] == -1 - t) memo.value[todo.ids[t]] = found[t];
  int64_t n = 0;
  for (int64_t a = 0; a < blk.n; ++a) {
    const int32_t p = first[a] < 0 ? found[-1 - first[a]] : first[a];
    if (p) ids[n] = blk.ids[a], periods[n] = uint16_t(p), ++n;
  }
  return n;
}

int64_t scan_constant_periods(const CurrentScanConfig& c, int64_t steps, int64_t k0, int64_t k1,
                              const float* x, const float* v, const float* i, int32_t* ids,
                              uint16_t* periods, PeriodMemo& memo) {
  if (steps > 65535) return -1;
  return c.reset == Reset::value
             ? constant_periods<true>(c, steps, k0, k1, x, v, i, ids, periods, memo)
             : constant_periods<false>(c, steps, k0, k1, x, v, i, ids, periods, memo);
}
#else
constexpr auto scan_constant_periods = nullptr;  // the page's size budget: the step-by-step scan
#endif

// The surrogate derivatives the backward scan calls per element: SuperSpike's inlined, also on
// native vectors (kVector); the others through Surrogate::grad (compiled once, surrogate.cpp).
struct SuperSpikeGrad {
  static constexpr bool kVector = true;
  float alpha;
  float operator()(float x) const { return superspike_grad(x, alpha); }
  LaneVec operator()(LaneVec x) const {  // superspike_grad lane by lane: 1 / (alpha |x| + 1)^2
    const LaneVec d = alpha * (LaneVec)((LaneInt)x & 0x7fffffff) + 1.0f;
    return 1.0f / (d * d);
  }
};
struct AnySurrogateGrad {
  static constexpr bool kVector = false;
  Surrogate s;
  float operator()(float x) const { return s.grad(x); }
};

// One neuron's step of the backward scan on lanes (V = LaneVec) or one float (V = float).
// Detach: no gradient through the reset term (Norse's recurrent LIF, lif_recurrent.cpp).
template <bool Spiking, bool ResetValue, bool Detach, class V, class SurrogateGrad>
inline V backward_gvd(V gv, V vd, V gz, float th, float vr, SurrogateGrad surrogate) {
  if constexpr (!Spiking) return gv;
  const V zk = spike_of(vd, th), sg = surrogate(vd - th);
  if constexpr (Detach)
    return ResetValue ? gv * (1.0f - zk) + gz * sg : gv + gz * sg;
  else
    return ResetValue ? gv * (1.0f - zk) + (gv * (vr - vd) + gz) * sg : gv + (gz - gv * th) * sg;
}

// Native vectors where the surrogate has a vector form: GCC 12 left the scalar loop
// unvectorised at v3, where it took 2.1 ms of a Fashion-MNIST rec step (0.45 at v4).
template <bool Spiking, bool ResetValue, bool Detach, class SurrogateGrad>
void backward_range(const CurrentScanConfig& c, ScanExtent e, int64_t k0, int64_t k1,
                    const float* __restrict v_dec, const float* __restrict gz_,
                    const float* __restrict gtrace, float* __restrict gx, float* __restrict gv_,
                    float* __restrict gi_, SurrogateGrad surrogate) {
  const float am = c.am, keep = c.keep_i, th = c.v_th, vr = c.v_reset;
  constexpr int64_t L = kVecLanes;
  for (int64_t t = e.steps - 1; t >= 0; --t) {
    const int64_t o = t * e.step_stride();
    int64_t k = k0;
    if constexpr (SurrogateGrad::kVector) {
      for (; k + L <= k1; k += L) {
        LaneVec gv = loadv(gv_ + k);
        if (gtrace) gv += loadv(gtrace + o + k);
        const LaneVec vd = Spiking ? loadv(v_dec + o + k) : LaneVec{},
                      gz = Spiking ? loadv(gz_ + o + k) : LaneVec{};
        const LaneVec gvd =
            backward_gvd<Spiking, ResetValue, Detach, LaneVec>(gv, vd, gz, th, vr, surrogate);
        const LaneVec gj = gvd * am + loadv(gi_ + k) * keep;
        storev(gx + o + k, gj);
        storev(gi_ + k, gj);
        storev(gv_ + k, gvd * (1.0f - am));
      }
    }
    for (; k < k1; ++k) {
      float gv = gv_[k];
      if (gtrace) gv += gtrace[o + k];
      const float vd = Spiking ? v_dec[o + k] : 0.0f, gz = Spiking ? gz_[o + k] : 0.0f;
      const float gvd =
          backward_gvd<Spiking, ResetValue, Detach, float>(gv, vd, gz, th, vr, surrogate);
      float gj = gvd * am + gi_[k] * keep;
      gx[o + k] = gj;
      gi_[k] = gj;
      gv_[k] = gvd * (1.0f - am);
    }
  }
}

template <bool Detach, class SurrogateGrad>
void backward_with(const CurrentScanConfig& c, ScanExtent e, int64_t k0, int64_t k1,
                   const float* v_dec, ScanGrads g, SurrogateGrad sg) {
  if (!c.spiking)
    backward_range<false, false, false>(c, e, k0, k1, v_dec, g.gz, g.gtrace, g.gx, g.gv, g.gi, sg);
  else if (c.reset == Reset::value)
    backward_range<true, true, Detach>(c, e, k0, k1, v_dec, g.gz, g.gtrace, g.gx, g.gv, g.gi, sg);
  else
    backward_range<true, false, Detach>(c, e, k0, k1, v_dec, g.gz, g.gtrace, g.gx, g.gv, g.gi, sg);
}

template <bool Detach>
void backward_detach(const CurrentScanConfig& c, ScanExtent e, int64_t k0, int64_t k1,
                     const float* v_dec, ScanGrads g) {
  const Surrogate s = c.surrogate;
  if (s.method == SurrogateMethod::super)
    backward_with<Detach>(c, e, k0, k1, v_dec, g, SuperSpikeGrad{s.alpha});
  else
    backward_with<Detach>(c, e, k0, k1, v_dec, g, AnySurrogateGrad{s});
}

void scan_backward_range(const CurrentScanConfig& c, ScanExtent e, int64_t k0, int64_t k1,
                         const float* v_dec, ScanGrads g, bool detach_reset) {
  if (detach_reset)
    backward_detach<true>(c, e, k0, k1, v_dec, g);
  else
    backward_detach<false>(c, e, k0, k1, v_dec, g);
}

#include "core/backend/cpu/constant_pool_isa.inl"
#include "core/backend/cpu/conv_sparse_grad_isa.inl"
#include "core/backend/cpu/conv_spikes_wide_isa.inl"
#include "core/backend/cpu/learnable_isa.inl"
#if !defined(__EMSCRIPTEN__)
#include "core/backend/cpu/periodic_isa.inl"
#else
constexpr auto periodic_forward = nullptr;  // the page's size budget (no periodic trains there)
constexpr auto periodic_wgrad = nullptr;
#endif

// ---- sparse inference: the spike product fused with the current scan (spike_scan.hpp) --------
//
// cur[t, b, j] = bias[j] + sum over the active inputs a of row (t, b) of W^T[a, j], then the
// scan of forward_range on it, for one output tile of kLanes columns at a time: the tile's state
// (v, i) and current stay in registers across the steps of a batch row, so the currents never
// reach memory. Panels outermost within a block of kScanBlockRows rows: one panel of W^T
// (cols x 64 floats, 256 KB for 1000 inputs) stays in L2 while every row of the block adds its
// rows. Writing z tile by tile would store 256 bytes per page (rows 4 KB apart) and missed the
// TLB on every store (half the kernel's time); so z is staged as bit masks (1/32 of its size,
// in L1/L2) and written row by row after the block, past the caches. The arithmetic is
// forward_range's, lane by lane, on the same sums (ascending active inputs from zero, then
// + bias), so the outputs are the bits of spike_matmul + scan_forward_range
// (tests/core/test_spike_scan.cpp). Tiles per level: 4 registers of 16 floats (64 columns) at
// AVX-512, of 8 floats (32 columns) below, with state, current and bias in 16 registers.
// The product reads 0.03 T B N N floats from L2 (3.8 GB for bench_lif_layer's T = 1000,
// B = 32, N = 1000): about 20 ms of one core's loads, most of the layer's time.
// Whether stores past the caches exist at this level (v3, v4), and the fence that orders them
// before whatever tells another thread the data is ready.
#if defined(__AVX2__)
constexpr bool kStreams = true;
inline void stream_fence() {
  _mm_sfence();
}
#else
constexpr bool kStreams = false;
inline void stream_fence() {}
#endif

// Stored past the caches at a 32-byte aligned address (v3, v4): output rows of n = 1000 floats
// start 32 bytes, not 64, apart from a line.
inline void stream_32(float* p, const float* v, int64_t count) {
#if defined(__AVX2__)
  for (int64_t k = 0; k < count; k += 8) _mm256_stream_ps(p + k, _mm256_loadu_ps(v + k));
#else
  std::memcpy(p, v, size_t(count) * sizeof(float));
#endif
}

// Loads w <= NV L floats (the rest 0); stores the first w, streamed when asked.
template <int NV>
inline void load_tile(LaneVec* t, const float* p, int64_t w) {
  float pad[NV * kVecLanes] = {};
  const float* src = p;
  if (w < NV * kVecLanes)
    src = static_cast<const float*>(std::memcpy(pad, p, size_t(w) * sizeof(float)));
  for (int64_t q = 0; q < NV; ++q) t[q] = loadv(src + kVecLanes * q);
}

template <int NV>
inline void store_tile(float* p, const LaneVec* t, int64_t w, bool stream) {
  constexpr int64_t kW = NV * kVecLanes;
  if (w == kW && !stream) {
    for (int64_t q = 0; q < NV; ++q) storev(p + kVecLanes * q, t[q]);
    return;
  }
  float pad[kW];
  for (int64_t q = 0; q < NV; ++q) storev(pad + kVecLanes * q, t[q]);
  if (w == kW)
    stream_32(p, pad, kW);
  else
    std::memcpy(p, pad, size_t(w) * sizeof(float));
}

// Where one tile's outputs go: z as bit masks (stage, row (t, b) at (t width + b) bytes_per_row,
// bit k of the row for column k) and v_dec, trace as floats (row (t, b) at (t stride + b) n).
struct TileOut {
  uint8_t* stage;
  int64_t bytes_per_row;
  float *v_dec, *trace;
  int64_t w;
  bool stream;
};

// One batch row's tile over the steps of r: state (v, i) in registers.
// NV vectors per tile: 4 (kLanes columns), or 1 for layers of at most one vector of outputs
// (not in WebAssembly, for the page's 2 MiB budget).
#if defined(__EMSCRIPTEN__)
constexpr bool kOneVectorTiles = false;
#else
constexpr bool kOneVectorTiles = true;
#endif
template <bool Spiking, bool ResetValue, int NV>
void scan_tile(const CurrentScanConfig& c, CsrView s, SpikeScanRows r, int64_t b,
               const float* panel, const LaneVec* bias, int64_t n, float* v_, float* i_,
               TileOut o) {
  const float am = c.am, keep = c.keep_i, leak = c.v_leak, th = c.v_th, vr = c.v_reset;
  LaneVec v[NV], i[NV], cur[NV], dec[NV];
  load_tile<NV>(v, v_, o.w);
  load_tile<NV>(i, i_, o.w);
  for (int64_t t = 0; t < r.steps; ++t) {
    const int64_t row = r.first + t * r.stride + b, a0 = s.row_start[row];
    if constexpr (NV == 1)
      sum_rows1(cur, panel, s.cols + a0, s.row_start[row + 1] - a0);
    else
      sum_rows(cur, panel, s.cols + a0, s.row_start[row + 1] - a0);
    uint8_t* bits = o.stage ? o.stage + (t * r.width + b) * o.bytes_per_row : nullptr;
    for (int64_t q = 0; q < NV; ++q) {
      LaneVec j = i[q] + (bias[q] + cur[q]);
      LaneVec vd = v[q] + am * (leak - v[q] + j);
      i[q] = j * keep;
      LaneVec vn = vd;
      if constexpr (Spiking) {
        LaneVec zk = spike_of(vd, th);
        vn = ResetValue ? vd + zk * (vr - vd) : vd - zk * th;
        dec[q] = vd;
        const int64_t lanes = o.w - kVecLanes * q;  // a partial tile's last lanes are padding
        if (bits && lanes > 0) {
          const uint32_t m = greater_bits(vd, th) & (lanes >= 32 ? ~0u : (1u << lanes) - 1);
          std::memcpy(bits + q * kVecLanes / 8, &m, kVecLanes / 8);  // little-endian
        }
      }
      v[q] = vn;
    }
    const int64_t off = (t * r.stride + b) * n;
    if (Spiking && o.v_dec) store_tile<NV>(o.v_dec + off, dec, o.w, o.stream);
    if (o.trace) store_tile<NV>(o.trace + off, v, o.w, o.stream);
  }
  store_tile<NV>(v_, v, o.w, false);
  store_tile<NV>(i_, i, o.w, false);
}

// pad[0, 16) = bit k of bits as 0 or 1.
inline void spike_floats(uint32_t bits, float* pad) {
#if defined(__AVX512F__)
  _mm512_storeu_ps(pad, _mm512_maskz_mov_ps(__mmask16(bits), _mm512_set1_ps(1.0f)));
#elif defined(__AVX2__)
  const __m256i lane = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
  for (int h = 0; h < 2; ++h) {
    const __m256i m = _mm256_and_si256(_mm256_set1_epi32(int32_t(bits >> 8 * h)), lane);
    _mm256_storeu_ps(pad + 8 * h, _mm256_and_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(m, lane)),
                                                _mm256_set1_ps(1.0f)));
  }
#else
  for (int k = 0; k < 16; ++k) pad[k] = bits >> k & 1 ? 1.0f : 0.0f;
#endif
}

// z rows (t, b) of r (at (t stride + b) n) = the spikes of the stage's masks, as 0/1 floats.
inline void expand_spikes(const uint8_t* stage, SpikeScanRows r, int64_t n, float* z, bool stream) {
  const int64_t bytes = (n + 15) / 16 * 2;
  for (int64_t t = 0; t < r.steps; ++t)
    for (int64_t b = 0; b < r.width; ++b) {
      const uint8_t* m = stage + (t * r.width + b) * bytes;
      float* row = z + (t * r.stride + b) * n;
      for (int64_t q = 0; 16 * q < n; ++q) {
        uint16_t bits;
        std::memcpy(&bits, m + 2 * q, 2);
        float pad[16];
        spike_floats(bits, pad);
        const int64_t w = min64(16, n - 16 * q);
        if (w == 16 && stream)
          stream_32(row + 16 * q, pad, 16);
        else
          std::memcpy(row + 16 * q, pad, size_t(w) * sizeof(float));
      }
    }
}

// Whether outputs (null or 32-byte aligned with rows of n floats) of this size are streamed.
inline bool stream_outputs(SpikeScanRows r, int64_t n, const float* z, const float* v_dec,
                           const float* trace) {
  auto aligned = [](const float* p) { return reinterpret_cast<uintptr_t>(p) % 32 == 0; };
  return kStreams && r.steps * r.width * n >= (int64_t(1) << 20) && n % 8 == 0 && aligned(z) &&
         aligned(v_dec) && aligned(trace);
}

struct Masks {
  uint8_t* p;
  explicit Masks(int64_t n) : p(new uint8_t[size_t(n > 0 ? n : 1)]) {}
  ~Masks() { delete[] p; }
  Masks(const Masks&) = delete;
  Masks& operator=(const Masks&) = delete;
};

// Rows per block: the block's spike indices (30 per row at p = 0.03 of 1000 inputs) and its
// masks of z stay in L2 next to the panel in use, and each block reads the panels once.
constexpr int64_t kScanBlockRows = 1024;

template <bool Spiking, bool ResetValue>
void product_scan(const CurrentScanConfig& c, CsrView s, SpikeScanRows r, int64_t cols,
                  const float* packed, const float* bias, int64_t n, float* v, float* i, float* z,
                  float* v_dec, float* trace) {
  const bool stream = stream_outputs(r, n, z, v_dec, trace);
  const int64_t bytes = (n + 15) / 16 * 2, chunk = kScanBlockRows / r.width + 1;
  Masks stage(Spiking && z ? chunk * r.width * bytes : 0);
  for (int64_t t0 = 0; t0 < r.steps; t0 += chunk) {
    const SpikeScanRows part{r.first + t0 * r.stride, r.width, min64(chunk, r.steps - t0),
                             r.stride};
    const int64_t off = t0 * r.stride * n;
    auto at = [&](float* p, int64_t j) { return p ? p + off + j : nullptr; };
    if (kOneVectorTiles && n <= kVecLanes) {  // a quarter of the loads and arithmetic of a tile
      LaneVec b[1] = {};
      if (bias) load_tile<1>(b, bias, n);
      for (int64_t row = 0; row < r.width; ++row)
        scan_tile<Spiking, ResetValue, 1>(
            c, s, part, row, packed, b, n, v + row * n, i + row * n,
            {Spiking && z ? stage.p : nullptr, bytes, at(v_dec, 0), at(trace, 0), n, stream});
    } else {
      for (int64_t j0 = 0; j0 < n; j0 += kTile)
        for (int64_t j = j0; j < min64(n, j0 + kTile); j += kLanes) {
          const float* panel = packed + j0 * cols + (j - j0);
          const int64_t w = min64(kLanes, n - j);
          LaneVec b[4] = {};
          if (bias) load_tile<4>(b, bias + j, w);
          for (int64_t row = 0; row < r.width; ++row)
            scan_tile<Spiking, ResetValue, 4>(c, s, part, row, panel, b, n, v + row * n + j,
                                              i + row * n + j,
                                              {Spiking && z ? stage.p + j / 8 : nullptr, bytes,
                                               at(v_dec, j), at(trace, j), w, stream});
        }
    }
    if (Spiking && z) expand_spikes(stage.p, part, n, z + off, stream);
  }
  if (stream) stream_fence();
}

void spike_product_scan(const CurrentScanConfig& c, CsrView s, SpikeScanRows r, int64_t cols,
                        const float* packed, const float* bias, int64_t n, float* v, float* i,
                        float* z, float* v_dec, float* trace) {
  if (!c.spiking)
    product_scan<false, false>(c, s, r, cols, packed, bias, n, v, i, z, v_dec, trace);
  else if (c.reset == Reset::value)
    product_scan<true, true>(c, s, r, cols, packed, bias, n, v, i, z, v_dec, trace);
  else
    product_scan<true, false>(c, s, r, cols, packed, bias, n, v, i, z, v_dec, trace);
}
// ---- end sparse inference ---------------------------------------------------------------------

constexpr IsaKernels kTable{gemm,
                            spike_matmul_groups,
                            spike_matmul_t,
                            scatter_spike_row,
                            spike_scan_rows,
                            count_nonzero,
                            conv_spike_forward,
                            conv_spike_wgrad,
                            conv_spike_forward_packed,
                            conv_spike_wgrad_pair,
                            scan_forward_range,
                            scan_step_spikes,
                            scan_constant_range,
                            scan_constant_periods,
                            scan_backward_range,
                            conv_sparse_input_grad,
                            constant_pool_scan,
                            constant_pool_unpool,
                            constant_pool_sum,
                            learnable_forward_rows,
                            learnable_backward_rows,
                            spike_product_scan,
                            periodic_forward,
                            periodic_wgrad};

}  // namespace

const IsaKernels& kernels() {
  return kTable;
}

}  // namespace soma::SOMA_ISA_NS
