// Included by kernels_isa.inl, inside its namespace: the per-plane kernels of
// constant_current_pool.hpp (ConvNet4's conv1 -> LIF -> 2 x 2 max-pool on an image current).
//
// constant_pool_scan: the spiking scan of one plane of n = h w neurons whose current x is the
// same at every step, a group of vectors at a time over all steps with the state in registers
// (forward_range's arithmetic lane by lane, so the same spikes), the spikes kept as bits, and
// the max-pool of each step taken on the bits: a window's output is the OR of its 4 bits
// (max of 0/1). Before, the plane's current was copied T times, the scan read it and wrote z as
// floats, and a scalar pool read z back (stride-2 loads).
// constant_pool_unpool: the pooled gradient onto the tap of each window that max_pool2d's
// backward picks (the first spike in row-major order, or the first tap if none), from the
// same bits: gz[t, tap] = g[t, window] where picked, +0 elsewhere (the products of 0/1 spikes
// before gave -0 for some; no sum changes).
// Measured: bench/mnist_epoch.cpp and constant_current_pool.hpp.

// Bits [off, off + len) of the bit array b (len <= 64; b has a word of padding, PoolPlane).
inline uint64_t bits_at(const uint64_t* b, int64_t off, int64_t len) {
  const int64_t word = off / 64, sh = off % 64;
  uint64_t r = b[word] >> sh;
  if (sh + len > 64) r |= b[word + 1] << (64 - sh);
  return len == 64 ? r : r & ((uint64_t(1) << len) - 1);
}

constexpr uint64_t kEvenBits = 0x5555555555555555ull;

// The even bits of x (bit 2q -> bit q), and the inverse (bit q -> bit 2q).
inline uint64_t even_bits(uint64_t x) {
#if defined(__AVX2__)
  return _pext_u64(x, kEvenBits);
#else
  x &= kEvenBits;
  x = (x | x >> 1) & 0x3333333333333333ull;
  x = (x | x >> 2) & 0x0F0F0F0F0F0F0F0Full;
  x = (x | x >> 4) & 0x00FF00FF00FF00FFull;
  x = (x | x >> 8) & 0x0000FFFF0000FFFFull;
  return (x | x >> 16) & 0x00000000FFFFFFFFull;
#endif
}

inline uint64_t spread_even(uint64_t x) {
#if defined(__AVX2__)
  return _pdep_u64(x, kEvenBits);
#else
  x &= 0x00000000FFFFFFFFull;
  x = (x | x << 16) & 0x0000FFFF0000FFFFull;
  x = (x | x << 8) & 0x00FF00FF00FF00FFull;
  x = (x | x << 4) & 0x0F0F0F0F0F0F0F0Full;
  x = (x | x << 2) & 0x3333333333333333ull;
  return (x | x << 1) & kEvenBits;
#endif
}

#if defined(__AVX2__) && !defined(__AVX512F__)
// All-ones lanes where bits 0-7 of m are set, zero lanes elsewhere.
inline __m256 lane_bits8(uint32_t m) {
  const __m256i bit = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
  const __m256i set = _mm256_and_si256(_mm256_set1_epi32(int32_t(m)), bit);
  return _mm256_castsi256_ps(_mm256_cmpeq_epi32(set, bit));
}

// The first m (0..3) floats of p, the others 0.
inline __m128 load_first4(const float* p, int64_t m) {
  const __m128i keep = _mm_cmpgt_epi32(_mm_set1_epi32(int32_t(m)), _mm_setr_epi32(0, 1, 2, 3));
  return _mm_maskload_ps(p, keep);
}
#endif

// out[q] = bit q of bits (1.0f or 0.0f), q < count <= 64. At v4 whole vectors of 16, then 8,
// lanes, and only the rest masked: 16-lane masked stores of conv1's 12-float rows made the pool
// and the unpool slower than the AVX2 code on the AMD EPYC.
inline void put_bit_floats(uint64_t bits, int64_t count, float* out) {
#if defined(__AVX512F__)
  int64_t q = 0;
  for (; q + 16 <= count; q += 16)
    _mm512_storeu_ps(out + q, _mm512_maskz_mov_ps(__mmask16(bits >> q), _mm512_set1_ps(1.0f)));
  if (q + 8 <= count)
    _mm256_storeu_ps(out + q, _mm256_maskz_mov_ps(__mmask8(bits >> q), _mm256_set1_ps(1.0f))),
        q += 8;
  if (q < count)
    _mm256_mask_storeu_ps(out + q, __mmask8((1u << (count - q)) - 1),
                          _mm256_maskz_mov_ps(__mmask8(bits >> q), _mm256_set1_ps(1.0f)));
#elif defined(__AVX2__)
  for (int64_t q = 0; q < count; q += 8) {
    const __m256 v = _mm256_and_ps(lane_bits8(uint32_t(bits >> q)), _mm256_set1_ps(1.0f));
    if (count - q >= 8)
      _mm256_storeu_ps(out + q, v);
    else
      store_first(out + q, LaneVec(v), count - q);
  }
#else
  for (int64_t q = 0; q < count; ++q) out[q] = float((bits >> q) & 1);
#endif
}

// out[k] = bit k of m ? g[k / 2] : 0, k < count <= 64 (count even): a pooled row's gradient
// onto the picked taps of one row of windows.
inline void put_picked(uint64_t m, const float* g, int64_t count, float* out) {
#if defined(__AVX512F__)
  const __m512i pairs = _mm512_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
  int64_t k = 0;
  for (; k + 16 <= count; k += 16) {
    const __m512 half = _mm512_castps256_ps512(_mm256_loadu_ps(g + k / 2));
    _mm512_storeu_ps(out + k, _mm512_maskz_permutexvar_ps(__mmask16(m >> k), pairs, half));
  }
  if (k < count) {  // 2 to 14 lanes: a ymm of 8, the rest masked
    const __m256i pairs8 = _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3);
    for (; k < count; k += 8) {
      const int64_t left = count - k;
      const __m256 half = _mm256_castps128_ps256(
          left >= 8 ? _mm_loadu_ps(g + k / 2)
                    : _mm_maskz_loadu_ps(__mmask8((1u << (left / 2)) - 1), g + k / 2));
      const __m256 v = _mm256_maskz_permutexvar_ps(__mmask8(m >> k), pairs8, half);
      if (left >= 8)
        _mm256_storeu_ps(out + k, v);
      else
        _mm256_mask_storeu_ps(out + k, __mmask8((1u << left) - 1), v);
    }
  }
#elif defined(__AVX2__)
  const __m256i pairs = _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3);
  for (int64_t k = 0; k < count; k += 8) {
    const int64_t left = count - k;
    const __m128 half = left >= 8 ? _mm_loadu_ps(g + k / 2) : load_first4(g + k / 2, left / 2);
    const __m256 v = _mm256_and_ps(_mm256_permutevar8x32_ps(_mm256_castps128_ps256(half), pairs),
                                   lane_bits8(uint32_t(m >> k)));
    if (left >= 8)
      _mm256_storeu_ps(out + k, v);
    else
      store_first(out + k, LaneVec(v), left);
  }
#else
  for (int64_t k = 0; k < count; ++k) out[k] = (m >> k) & 1 ? g[k / 2] : 0.0f;
#endif
}

// G vectors of neurons from k0 (m lanes in all, m <= G L) over all steps, state in registers.
template <bool ResetValue, int G>
inline void plane_group(const CurrentScanConfig c, PoolPlane p, int64_t k0, int64_t m,
                        const float* __restrict x, float* __restrict v_, float* __restrict i_,
                        uint64_t* __restrict bits, float* __restrict v_dec) {
  constexpr int64_t L = kVecLanes;
  const float am = c.am, keep_i = c.keep_i, leak = c.v_leak, th = c.v_th, vr = c.v_reset;
  const int64_t n = p.h * p.w, words = pool_plane_words(n);
  LaneVec v[G], i[G], xs[G];
  uint32_t keep[G];
  for (int g = 0; g < G; ++g) {
    const int64_t lanes = m - g * L, k = k0 + g * L;
    keep[g] = lanes >= L ? ~uint32_t(0) : lanes > 0 ? (uint32_t(1) << lanes) - 1 : 0;
    v[g] = i[g] = xs[g] = LaneVec{};
    if (lanes > 0) v[g] = load_first(v_ + k, min64(lanes, L));
    if (lanes > 0) i[g] = load_first(i_ + k, min64(lanes, L));
    if (lanes > 0) xs[g] = load_first(x + k, min64(lanes, L));
  }
  for (int64_t t = 0; t < p.steps; ++t) {
    uint64_t word = 0;
    for (int g = 0; g < G; ++g) {
      LaneVec j = i[g] + xs[g];
      LaneVec vd = v[g] + am * (leak - v[g] + j);
      i[g] = j * keep_i;
      LaneVec zk = spike_of(vd, th);
      v[g] = ResetValue ? vd + zk * (vr - vd) : vd - zk * th;
      word |= uint64_t(greater_bits(vd, th) & keep[g]) << (g * L);
      const int64_t lanes = m - g * L;
      if (v_dec && lanes > 0) store_first(v_dec + t * n + k0 + g * L, vd, min64(lanes, L));
    }
    bits[t * words + k0 / 64] |= word << (k0 % 64);
  }
  for (int g = 0; g < G; ++g) {
    const int64_t lanes = m - g * L;
    if (lanes > 0) store_first(v_ + k0 + g * L, v[g], min64(lanes, L));
    if (lanes > 0) store_first(i_ + k0 + g * L, i[g], min64(lanes, L));
  }
}

// pooled[t * stride + r * ow + q] = the OR of window (r, q)'s spikes at step t.
void pool_bits(PoolPlane p, const uint64_t* bits, float* pooled, int64_t stride) {
  const int64_t n = p.h * p.w, words = pool_plane_words(n), oh = p.h / 2, ow = p.w / 2;
  for (int64_t t = 0; t < p.steps; ++t)
    for (int64_t r = 0; r < oh; ++r)
      for (int64_t q0 = 0; q0 < ow; q0 += 32) {  // 64 columns at a time
        const int64_t cols = min64(64, 2 * (ow - q0)), at = 2 * r * p.w + 2 * q0;
        const uint64_t* b = bits + t * words;
        const uint64_t any = bits_at(b, at, cols) | bits_at(b, at + p.w, cols);
        put_bit_floats(even_bits(any | any >> 1), cols / 2, pooled + t * stride + r * ow + q0);
      }
}

// The spiking scan of a constant current in groups of 4 vectors (v, i, x: 12 of 32 zmm or of
// 16 ymm; 2 at the generic level, whose vectors are pairs of SSE registers).
template <bool ResetValue>
void pool_scan(const CurrentScanConfig& c, PoolPlane p, const float* x, float* v, float* i,
               uint64_t* bits, float* v_dec, float* pooled, int64_t stride) {
#if defined(__AVX2__)
  constexpr int G = 4;
#else
  constexpr int G = 2;
#endif
  constexpr int64_t span = G * kVecLanes;  // divides 64
  const int64_t n = p.h * p.w, words = pool_plane_words(n);
  for (int64_t k = 0; k < p.steps * words; ++k) bits[k] = 0;
  for (int64_t k0 = 0; k0 < n; k0 += span)
    plane_group<ResetValue, G>(c, p, k0, min64(span, n - k0), x, v, i, bits, v_dec);
  if (pooled) pool_bits(p, bits, pooled, stride);
}

void constant_pool_scan(const CurrentScanConfig& c, PoolPlane p, const float* x, float* v, float* i,
                        uint64_t* bits, float* v_dec, float* pooled, int64_t stride) {
  if (c.reset == Reset::value)
    pool_scan<true>(c, p, x, v, i, bits, v_dec, pooled, stride);
  else
    pool_scan<false>(c, p, x, v, i, bits, v_dec, pooled, stride);
}

void constant_pool_unpool(PoolPlane p, const uint64_t* bits, const float* gpooled, int64_t stride,
                          float* gz) {
  const int64_t n = p.h * p.w, words = pool_plane_words(n), oh = p.h / 2, ow = p.w / 2;
  for (int64_t t = 0; t < p.steps; ++t) {
    float* gt = gz + t * n;
    if (p.h % 2 || p.w % 2)  // taps of no window
      for (int64_t k = 0; k < n; ++k) gt[k] = 0.0f;
    const uint64_t* b = bits + t * words;
    for (int64_t r = 0; r < oh; ++r)
      for (int64_t q0 = 0; q0 < ow; q0 += 32) {
        const int64_t cols = min64(64, 2 * (ow - q0)), at = 2 * r * p.w + 2 * q0;
        const uint64_t top = bits_at(b, at, cols), bottom = bits_at(b, at + p.w, cols);
        const uint64_t a = even_bits(top), bb = even_bits(top >> 1), cc = even_bits(bottom),
                       d = even_bits(bottom >> 1), none = ~(a | bb | cc | d);
        const uint64_t pa = a | none, pb = ~a & bb, pc = ~(a | bb) & cc, pd = ~(a | bb | cc) & d;
        const float* g = gpooled + t * stride + r * ow + q0;
        put_picked(spread_even(pa) | spread_even(pb) << 1, g, cols, gt + 2 * r * p.w + 2 * q0);
        put_picked(spread_even(pc) | spread_even(pd) << 1, g, cols,
                   gt + (2 * r + 1) * p.w + 2 * q0);
      }
  }
}

// out[k] = the sum over t of gx[t n + k], last step first (the order in which the autograd
// engine adds the T gradients of a stack's copies), 4 vectors at a time in registers. The
// portable loop (out reloaded per step, SSE2) took 1.5 ms of conv1's backward per ConvNet4 step.
void constant_pool_sum(int64_t steps, int64_t n, const float* gx, float* out) {
  constexpr int64_t L = kVecLanes;
  int64_t k = 0;
  for (; k + 4 * L <= n; k += 4 * L) {
    LaneVec a[4];
    for (int r = 0; r < 4; ++r) a[r] = loadv(gx + (steps - 1) * n + k + r * L);
    for (int64_t t = steps - 2; t >= 0; --t)
      for (int r = 0; r < 4; ++r) a[r] += loadv(gx + t * n + k + r * L);
    for (int r = 0; r < 4; ++r) storev(out + k + r * L, a[r]);
  }
  for (; k < n; k += L) {
    const int64_t m = min64(L, n - k);
    LaneVec a = load_first(gx + (steps - 1) * n + k, m);
    for (int64_t t = steps - 2; t >= 0; --t) a += load_first(gx + t * n + k, m);
    store_first(out + k, a, m);
  }
}
