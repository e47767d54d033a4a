// Included by kernels_isa.inl, inside its namespace: conv_spikes.hpp's kernels with 128-bit
// masks, half as many gathers as with kernels_isa.inl's 64-bit ones. Each gather (conv2 of
// ConvNet4: 7-9 rows at 13-15% density) loads and stores its 64-float destination and ends in a
// mispredicted loop exit, which cost about as much as its rows (AMD EPYC, AVX-512).
//   forward: a mask covers two groups of channels; with the taps of a padded row kept wp bits
//     apart (isa_kernels.hpp's conv_tap_slot), each channel's mask at output pixel q is
//     (P >> q s) & window of one word P per channel and output row, built once: the 64-bit
//     kernel assembled kh pieces per channel and pixel.
//   weight gradient: a mask covers two images: their dL/dout^T rows side by side (64 + 64 rows
//     of L <= 64 pixels) are summed into the same gW^T row, in the order of the one-image
//     kernel (image a's pixels, then b's), so the sums are the same bits.

// The trailing zeros of x, 64 for 0.
inline int64_t trailing_zeros(uint64_t x) {
#if defined(__BMI__)
  return int64_t(_tzcnt_u64(x));
#else
  return x ? __builtin_ctzll(x) : 64;
#endif
}

// Adds the src rows (n floats apart) picked by the bits of the 128-bit mask (lo, hi) to the 64
// floats at d: bit k < 64 of lo is row k, bit k of hi row 64 + k. The lowest set bit without a
// branch between the words: with `lo ? ... : ...` GCC branched, a second mispredict per gather.
inline void gather_rows128(uint64_t lo, uint64_t hi, const float* src, int64_t n, float* d) {
  LaneVec a[kGatherVecs];
#pragma GCC unroll 8
  for (int r = 0; r < kGatherVecs; ++r) a[r] = loadv(d + r * kVecLanes);
  for (unsigned __int128 m = (unsigned __int128)hi << 64 | lo; m; m &= m - 1) {
    const int64_t t = trailing_zeros(uint64_t(m));  // 64 when the low word is done
    const int64_t bit = t + (trailing_zeros(uint64_t(m >> 64)) & -(t >> 6));
    const float* row = src + bit * n;
#pragma GCC unroll 8
    for (int r = 0; r < kGatherVecs; ++r) a[r] += loadv(row + r * kVecLanes);
  }
#pragma GCC unroll 8
  for (int r = 0; r < kGatherVecs; ++r) storev(d + r * kVecLanes, a[r]);
}

// conv_spike_forward for conv_taps_packed geometries, wt laid out by conv_tap_slot.
void conv_spike_forward_packed(const ConvTaps& g, const uint64_t* rows, const float* wt, float* dst,
                               int64_t n) {
  const int64_t hp = g.h + 2 * g.pad, wp = g.w + 2 * g.pad, per = wp / g.kw;
  const int64_t groups = (g.cin + per - 1) / per;
  uint64_t window = 0;  // the taps of channel 0 at pixel 0
  for (int64_t ki = 0; ki < g.kh; ++ki) window |= ((uint64_t(1) << g.kw) - 1) << (wp * ki);
  uint64_t p[128];  // per channel of a pair of groups: its kh rows for output row o, packed
  for (int64_t g0 = 0; g0 < groups; g0 += 2) {
    const int64_t c0 = g0 * per, c1 = min64(g.cin, c0 + 2 * per);
    for (int64_t o = 0; o < g.oh; ++o) {
      for (int64_t c = c0; c < c1; ++c) {
        uint64_t word = 0;
        for (int64_t ki = 0; ki < g.kh; ++ki) word |= rows[c * hp + o * g.stride + ki] << (wp * ki);
        p[c - c0] = word;
      }
      for (int64_t q = 0; q < g.ow; ++q) {
        uint64_t m[2] = {0, 0};
        for (int64_t half = 0; half < 2; ++half)
          for (int64_t j = 0; j < per && c0 + half * per + j < c1; ++j)
            m[half] |= (p[half * per + j] >> (q * g.stride) & window) << (j * g.kw);
        if (m[0] | m[1])
          for (int64_t j = 0; j < n; j += 64)
            gather_rows128(m[0], m[1], wt + g0 * 64 * n + j, n, dst + (o * g.ow + q) * n + j);
      }
    }
  }
}

// The output pixels of one image whose tap (c, ki, kj) reads a spike, as bits o ow + q (L <= 64).
inline uint64_t tap_pixels(const ConvTaps& g, const uint64_t* rows, int64_t c, int64_t ki,
                           int64_t kj) {
  const int64_t hp = g.h + 2 * g.pad;
  const uint64_t reach = g.ow >= 64 ? ~uint64_t(0) : (uint64_t(1) << g.ow) - 1;
  uint64_t m = 0;
  for (int64_t o = 0; o < g.oh; ++o) {
    const uint64_t r = rows[c * hp + o * g.stride + ki] >> kj;  // bit q * stride
    uint64_t bits = r & reach;
    if (g.stride > 1) {
      bits = 0;
      for (int64_t q = 0; q < g.ow; ++q) bits |= (r >> (q * g.stride) & 1) << q;
    }
    m |= bits << (o * g.ow);
  }
  return m;
}

// m[kj] = tap_pixels(g, rows, c, ki, kj) for kj < kw: at v4, for stride 1 and at most 8 x 8
// output pixels, the oh rows in one register, shifted per kj, their low bytes packed (vpmovqb),
// then compacted to ow bits a row (pext). Built one bit row at a time, the masks took 1.3 ms of
// conv2's weight gradient per ConvNet4 step (v4).
inline void tap_pixels_row(const ConvTaps& g, const uint64_t* rows, int64_t c, int64_t ki,
                           uint64_t* m) {
#if defined(__AVX512F__)
  if (g.stride == 1 && g.oh <= 8 && g.ow <= 8) {
    const __m512i r =
        _mm512_maskz_loadu_epi64(__mmask8((1u << g.oh) - 1), rows + c * (g.h + 2 * g.pad) + ki);
    const uint64_t reach = (uint64_t(1) << g.ow) - 1, pack = 0x0101010101010101ull * reach;
    for (int64_t kj = 0; kj < g.kw; ++kj) {
      const __m512i bits = _mm512_and_si512(_mm512_srlv_epi64(r, _mm512_set1_epi64(kj)),
                                            _mm512_set1_epi64(int64_t(reach)));
      const uint64_t bytes = uint64_t(_mm_cvtsi128_si64(_mm512_cvtepi64_epi8(bits)));
      m[kj] = g.ow == 8 ? bytes : _pext_u64(bytes, pack);
    }
    return;
  }
#endif
  for (int64_t kj = 0; kj < g.kw; ++kj) m[kj] = tap_pixels(g, rows, c, ki, kj);
}

// conv_spike_wgrad for images a and b (L <= 64): gt holds a's dL/dout^T in rows [0, L) and b's
// in rows [64, 64 + L).
void conv_spike_wgrad_pair(const ConvTaps& g, const uint64_t* rows_a, const uint64_t* rows_b,
                           const float* gt, float* dst, int64_t n) {
  uint64_t a[64], b[64];  // kw <= 64: one kernel row's taps (L <= 64 at stride 1)
  for (int64_t c = 0; c < g.cin; ++c)
    for (int64_t ki = 0; ki < g.kh; ++ki) {
      tap_pixels_row(g, rows_a, c, ki, a);
      tap_pixels_row(g, rows_b, c, ki, b);
      for (int64_t kj = 0; kj < g.kw; ++kj)
        if (a[kj] | b[kj])
          for (int64_t j = 0; j < n; j += 64)
            gather_rows128(a[kj], b[kj], gt + j, n, dst + ((c * g.kh + ki) * g.kw + kj) * n + j);
    }
}
