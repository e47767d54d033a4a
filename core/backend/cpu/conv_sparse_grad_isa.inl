// Included by kernels_isa.inl, inside its namespace: conv_sparse_grad.hpp's kernel, a
// convolution's input gradient from a sparse output gradient (conv branch, issue 17).
//
// Output pixel by output pixel: its non-zero gradients g[co] (listed once) weight the rows of
// W laid out as (Cout, kh, kw, cp), and the pixel's sum over them, col[(ki, kj, c)] =
// sum over co of g[co] wt[co, ki, kj, c], is added onto the input pixels its taps read, in a
// channel-last copy of the image's gradient, which is then written to gx (not added). The sum
// runs in passes of native vectors held in registers. (Tap by tap with the accumulators at the
// input pixel, 2 multiply-adds per term for ConvNet4's 32 input channels, the loop over the mask
// bits and a mispredicted exit per tap and pixel bounded it: 18 ms of a 100 ms conv step at v4,
// and at v3 its 16-float accumulators went through the stack: 10x slower. conv_sparse_grad.hpp
// has the measurements.)
// Images come in groups (the same batch row at consecutive steps, whose non-zeros nest: the
// reverse scan carries a neuron's gradient to all earlier steps), summed together over the union
// of their non-zeros: each row of W loaded from L2 (204 KB for ConvNet4's conv2) feeds one
// multiply-add per image. Alone, one load per multiply-add bounded the kernel at 0.6
// multiply-adds per cycle (AMD EPYC, AVX-512). The union adds 1.5% terms to pairs and 4% to
// quadruples in a ConvNet4 training run (20% for two batch rows at one step).
#if defined(__AVX512F__)
constexpr int kPixelPass = 25;  // of 32 registers: 2 passes for ConvNet4's conv2 (5 x 5 x 32)
constexpr int kPairPass = 12;   // 24 accumulators
constexpr int kQuadPass = 6;    // 24 accumulators
constexpr int kGroupMax = 4;
#elif defined(__AVX2__)
constexpr int kPixelPass = 12;  // of 16
constexpr int kPairPass = 6;
constexpr int kQuadPass = 2;
constexpr int kGroupMax = 2;  // quadruples measured slower (4 x 2 or 4 x 3 accumulators: 7.9 ->
                              // 9.0-10.4 ms per 256 nested conv2 images)
#else
constexpr int kPixelPass = 4;
constexpr int kPairPass = 2;
constexpr int kQuadPass = 1;
constexpr int kGroupMax = 2;
#endif

// loadv into a register of its own: GCC otherwise folds the load into every multiply-add that
// uses it, K loads where one was meant (a load per multiply-add bounded the kernel).
inline LaneVec load_once(const float* p) {
  LaneVec v = loadv(p);
#if defined(__AVX2__)
  __asm__("" : "+v"(v));
#endif
  return v;
}

// For each of K images (values vals + k stride): col + k row_stride [0, R native vectors) =
// the sum over j < count of its vals[j] times the R vectors at wt + idx[j] row.
template <int K, int R>
inline void group_pass(const float* vals, int64_t stride, const int32_t* idx, int64_t count,
                       const float* wt, int64_t row, float* col) {
  LaneVec a[K][R];
#pragma GCC unroll 32
  for (int k = 0; k < K; ++k)
#pragma GCC unroll 32
    for (int r = 0; r < R; ++r) a[k][r] = LaneVec{};
  for (int64_t j = 0; j < count; ++j) {
    float x[K];
#pragma GCC unroll 4
    for (int k = 0; k < K; ++k) x[k] = vals[k * stride + j];
    const float* w = wt + int64_t(idx[j]) * row;
#pragma GCC unroll 32
    for (int r = 0; r < R; ++r) {
      const LaneVec u = K > 1 ? load_once(w + r * kVecLanes) : loadv(w + r * kVecLanes);
#pragma GCC unroll 4
      for (int k = 0; k < K; ++k) a[k][r] += x[k] * u;
    }
  }
#pragma GCC unroll 4
  for (int k = 0; k < K; ++k)
#pragma GCC unroll 32
    for (int r = 0; r < R; ++r) storev(col + k * row + r * kVecLanes, a[k][r]);
}

// col + k row [0, row) = image k's sum for the pixel, in passes of P vectors, then of 8, 4, 2
// and 1 (those below P).
template <int K, int P>
void group_sum(const float* vals, int64_t stride, const int32_t* idx, int64_t count,
               const float* wt, int64_t row, float* col) {
  int64_t f = 0;
  for (; f + P * kVecLanes <= row; f += P * kVecLanes)
    group_pass<K, P>(vals, stride, idx, count, wt + f, row, col + f);
  for (; P > 8 && f + 8 * kVecLanes <= row; f += 8 * kVecLanes)
    group_pass<K, 8>(vals, stride, idx, count, wt + f, row, col + f);
  for (; P > 4 && f + 4 * kVecLanes <= row; f += 4 * kVecLanes)
    group_pass<K, 4>(vals, stride, idx, count, wt + f, row, col + f);
  for (; P > 2 && f + 2 * kVecLanes <= row; f += 2 * kVecLanes)
    group_pass<K, 2>(vals, stride, idx, count, wt + f, row, col + f);
  for (; f < row; f += kVecLanes) group_pass<K, 1>(vals, stride, idx, count, wt + f, row, col + f);
}

// The non-zero lanes of p[0, 16) as bits (NaN counts, as the scalar `!=`).
inline uint32_t nonzero16(const float* p) {
#if defined(__AVX2__)
  return lanes_not(load16(p), 0.0f);
#else
  uint32_t m = 0;
  for (int k = 0; k < 16; ++k) m |= uint32_t(p[k] != 0.0f) << k;
  return m;
#endif
}

// In place: bit j of a[r] becomes the old bit r of a[j]. Each round swaps the off-diagonal
// blocks of size s of every 2s x 2s block (the upper s bits of row r with the lower s bits of
// row r + s), halving s: 6 rounds of 32 row pairs, where setting the 4096 bits one at a time
// took 2.2 ms of a ConvNet4 step (v4).
inline void transpose_bits64(uint64_t* a) {
  uint64_t m = 0x00000000FFFFFFFFull;
  for (int s = 32; s > 0; s >>= 1, m ^= m << s)
    for (int r = 0; r < 64; r = (r + s + 1) & ~s) {
      const uint64_t t = ((a[r] >> s) ^ a[r + s]) & m;
      a[r] ^= t << s;
      a[r + s] ^= t;
    }
}

// masks[o * groups + co / 64] bit co % 64: gout[co, o] of any of the K images (gout + k
// stride) is not zero, for the l output pixels and cout channels. rows: scratch of 64 words.
template <int K>
void pixel_masks(const float* gout, int64_t stride, int64_t cout, int64_t l, uint64_t* masks,
                 uint64_t* rows) {
  const int64_t groups = (cout + 63) / 64;
  for (int64_t q = 0; q < groups; ++q)
    for (int64_t o0 = 0; o0 < l; o0 += 64) {
      const int64_t w = min64(64, l - o0);
      for (int64_t r = 0; r < 64; ++r) {
        const int64_t co = 64 * q + r;
        uint64_t bits = 0;
        for (int64_t j = 0; co < cout && j < w; j += 16) {
          const float* at = gout + co * l + o0 + j;
          uint32_t m = 0;
          for (int k = 0; k < K; ++k)
            if (j + 16 <= w)
              m |= nonzero16(at + k * stride);
            else
              for (int64_t e = j; e < w; ++e)
                m |= uint32_t(at[k * stride + e - j] != 0.0f) << (e - j);
          bits |= uint64_t(m) << j;
        }
        rows[r] = bits;
      }
      transpose_bits64(rows);
      for (int64_t j = 0; j < w; ++j) masks[(o0 + j) * groups + q] = rows[j];
    }
}

// acc (h w x cp, channel-last) += col (kh kw x cp) at the input pixels the taps of output
// pixel o read.
void add_taps(const ConvTaps& g, int64_t o, const float* col, int64_t cp, float* acc) {
  const int64_t y = o / g.ow, x = o % g.ow;
  for (int64_t ki = 0; ki < g.kh; ++ki) {
    const int64_t ih = y * g.stride - g.pad + ki;
    if (ih < 0 || ih >= g.h) continue;
    for (int64_t kj = 0; kj < g.kw; ++kj) {
      const int64_t iw = x * g.stride - g.pad + kj;
      if (iw < 0 || iw >= g.w) continue;
      float* d = acc + (ih * g.w + iw) * cp;
      const float* s = col + (ki * g.kw + kj) * cp;
      for (int64_t c = 0; c < cp; c += kVecLanes) storev(d + c, loadv(d + c) + loadv(s + c));
    }
  }
}

// gx (cin x h w) = acc (h w x cp)^T.
void write_channels(const ConvTaps& g, const float* acc, int64_t cp, float* gx) {
  const int64_t hw = g.h * g.w;
  for (int64_t c = 0; c < g.cin; ++c)
    for (int64_t p = 0; p < hw; ++p) gx[c * hw + p] = acc[p * cp + c];
}

// K images at once: gout + k gout_stride -> gx + k gx_stride.
template <int K>
void sparse_grad_group(const ConvTaps& g, int64_t cout, const float* gout, int64_t gout_stride,
                       const float* wt, int64_t cp, float* gx, int64_t gx_stride) {
  constexpr int P = K == 1 ? kPixelPass : K == 2 ? kPairPass : kQuadPass;
  const int64_t l = g.oh * g.ow, groups = (cout + 63) / 64, row = g.kh * g.kw * cp;
  const int64_t image = g.h * g.w * cp;  // of acc
  Buffer acc(K * image), col(K * row), vals(K * cout);
  IntBuffer idx(cout);
  uint64_t* masks = new uint64_t[size_t(l * groups + 64)];
  for (int64_t k = 0; k < K * image; ++k) acc.p[k] = 0.0f;
  pixel_masks<K>(gout, gout_stride, cout, l, masks, masks + l * groups);
  for (int64_t o = 0; o < l; ++o) {
    int64_t count = 0;
    for (int64_t q = 0; q < groups; ++q)
      for (uint64_t m = masks[o * groups + q]; m; m &= m - 1) {
        const int64_t co = 64 * q + __builtin_ctzll(m);
#pragma GCC unroll 4
        for (int k = 0; k < K; ++k) vals.p[k * cout + count] = gout[k * gout_stride + co * l + o];
        idx.p[count++] = int32_t(co);
      }
    if (count == 0) continue;
    group_sum<K, P>(vals.p, cout, idx.p, count, wt, row, col.p);
    for (int k = 0; k < K; ++k) add_taps(g, o, col.p + k * row, cp, acc.p + k * image);
  }
  delete[] masks;
  for (int k = 0; k < K; ++k) write_channels(g, acc.p + k * image, cp, gx + k * gx_stride);
}

void conv_sparse_input_grad(const ConvTaps& g, int64_t cout, const float* gout, int64_t images,
                            int64_t gout_stride, const float* wt, int64_t cp, float* gx,
                            int64_t gx_stride) {
  while (images > 0) {
    const int64_t k = images >= 4 && kGroupMax >= 4 ? 4 : images >= 2 ? 2 : 1;
    if (k == 4)
      sparse_grad_group<4>(g, cout, gout, gout_stride, wt, cp, gx, gx_stride);
    else if (k == 2)
      sparse_grad_group<2>(g, cout, gout, gout_stride, wt, cp, gx, gx_stride);
    else
      sparse_grad_group<1>(g, cout, gout, gout_stride, wt, cp, gx, gx_stride);
    gout += k * gout_stride, gx += k * gx_stride, images -= k;
  }
}
