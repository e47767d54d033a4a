#pragma once
// The spike-input product on the GPU (spike_ops.hpp): an input of 0s and 1s times W^T as sums
// of the rows of W^T its ones pick, as the CPU's sparse path (core/backend/spike_matmul.hpp).
//
//   pack      one thread per 32 inputs of a row: their ones as a bit word, and counts of the
//             ones and of the values that are neither 0 nor 1 (the caller takes the sparse path
//             only when there are none of those and few ones).
//   product   one thread per 4 outputs of a row: for each set bit i of the row (ascending), the
//             4 floats W^T[i, c0 .. c0 + 4) added to registers. Threads of one warp share the row,
//             so the bit words are broadcast loads and the W^T loads coalesce. The threads go
//             column chunk by column chunk (kSpikeChunkGroups x 4 columns, all rows), so that
//             one chunk of W^T (k x 1024 floats: 20 MB at k = 5000) stays in the L2 cache while
//             every row reads it.
//
// Cost by estimate (not yet timed on a GPU: no machine was lent): Norse's inference bench (T
// 1000, B 32, N 5000, p 0.03) reads about 4.8 M spikes x 5000 floats = 96 GB, from L2, against
// the dense GEMM's 1.6 TFLOP (about 25-30 ms in fp32 on an H200). So the sparse path is
// expected below a density of about 5% in fp32 and 1% in TF32 (cuda_spike_linear.cpp).
#include "core/backend/cuda/spike_ops.hpp"

namespace soma::cuda {

constexpr int64_t kSpikeChunkGroups = 256;  // groups of 4 columns per chunk

SOMA_HD inline int lowest_bit(uint32_t m) {
#if defined(__CUDA_ARCH__)
  return __ffs(int(m)) - 1;
#else
  return __builtin_ctz(m);
#endif
}

// Word e of (rows, words).
SOMA_HD inline void spike_pack_word(const SpikeRows& s, const float* x, uint32_t* bits, float* ones,
                                    float* others, int64_t e) {
  const int64_t w = e % s.words(), k0 = w * 32, k1 = k0 + 32 < s.k ? k0 + 32 : s.k;
  const float* row = x + e / s.words() * s.k;
  uint32_t m = 0;
  float n1 = 0.0f, bad = 0.0f;
  for (int64_t j = k0; j < k1; ++j) {
    const float v = row[j];
    if (v == 1.0f) {
      m |= 1u << (j - k0);
      n1 += 1.0f;
    } else if (v != 0.0f) {
      bad += 1.0f;
    }
  }
  bits[e] = m;
  ones[e] = n1;
  others[e] = bad;
}

// The product's thread count: chunks x rows x kSpikeChunkGroups (the last chunk's surplus
// threads do nothing).
SOMA_HD inline int64_t spike_product_threads(const SpikeRows& s, int64_t n) {
  const int64_t groups = (n + 3) / 4;
  return (groups + kSpikeChunkGroups - 1) / kSpikeChunkGroups * s.rows * kSpikeChunkGroups;
}

// Thread e's 4 outputs of out (rows, n).
SOMA_HD inline void spike_product_at(const SpikeRows& s, const uint32_t* bits, const float* wt,
                                     const float* bias, int64_t n, float* out, int64_t e) {
  const int64_t per_chunk = s.rows * kSpikeChunkGroups, in_chunk = e % per_chunk;
  const int64_t r = in_chunk / kSpikeChunkGroups;
  const int64_t c0 = (e / per_chunk * kSpikeChunkGroups + in_chunk % kSpikeChunkGroups) * 4;
  if (c0 >= n) return;
  const int cols = n - c0 < 4 ? int(n - c0) : 4;
  float acc[4] = {0.0f, 0.0f, 0.0f, 0.0f};
  const uint32_t* rb = bits + r * s.words();
  for (int64_t w = 0; w < s.words(); ++w)
    for (uint32_t m = rb[w]; m != 0; m &= m - 1) {
      const float* wr = wt + (w * 32 + lowest_bit(m)) * n + c0;
      SOMA_UNROLL
      for (int j = 0; j < 4; ++j)
        if (j < cols) acc[j] += wr[j];
    }
  SOMA_UNROLL
  for (int j = 0; j < 4; ++j)
    if (j < cols) out[r * n + c0 + j] = bias ? acc[j] + bias[c0 + j] : acc[j];
}

// Element e of dst (cols, rows) = src (rows, cols)^T; consecutive threads read consecutive
// floats of src.
SOMA_HD inline void transpose_at(int64_t rows, int64_t cols, const float* src, float* dst,
                                 int64_t e) {
  dst[e % cols * rows + e / cols] = src[e];
}

}  // namespace soma::cuda
