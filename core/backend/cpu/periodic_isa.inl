// Included by kernels_isa.inl, inside its namespace: the per-image kernels of
// periodic_matmul.hpp (a linear layer's products with periodic spike trains). Each image's
// spiking pixels are first sorted by period (a counting sort); then, a tile of up to 8 native
// vectors of output columns at a time, with the sums in registers:
// - forward: Q[p] = the sum of W^T's rows of the pixels of period p, kept in an L1 scratch, and
//   each step's output row = beta row + the sum of Q[p] over the periods p that divide t + 1;
// - weight gradient: P = the sum of dL/dout's rows at the steps of period p, added to the
//   gW^T row of each pixel of that period.
// A call per image and tile: a library call per row sum (sum_rows' first version) cost more
// than the gathers it saved.

// Image b's pixels k in [k0, k1) by period: period p's are pixels[first[p], first[p + 1]).
// first: steps + 2 entries; pixels: room for the image's entries.
inline void sort_by_period(const PeriodicImages& s, int64_t b, int64_t k0, int64_t k1,
                           int32_t* __restrict first, int32_t* __restrict pixels) {
  const int64_t a0 = s.start[b], a1 = s.start[b + 1], base = b * s.in;
  for (int64_t p = 0; p < s.steps + 2; ++p) first[p] = 0;
  for (int64_t a = a0; a < a1; ++a) {
    const int64_t k = s.neuron[a] - base;
    first[s.period[a] + 1] += k >= k0 && k < k1;
  }
  for (int64_t p = 1; p <= s.steps; ++p) first[p + 1] += first[p];
  for (int64_t a = a0; a < a1; ++a) {  // first[p] runs ahead, then shifts back below
    const int64_t k = s.neuron[a] - base;
    if (k >= k0 && k < k1) pixels[first[s.period[a]]++] = int32_t(k);
  }
  for (int64_t p = s.steps; p >= 1; --p) first[p] = first[p - 1];
  first[0] = first[1] = 0;
}

// One image's output rows out + t row_stride, columns [0, w), w in ((V - 1) L, V L]; wt and out
// at the tile's first column; q: (steps + 1) x kPass floats of scratch.
template <int V>
void periodic_tile_forward(const PeriodicImages& s, const int32_t* first, const int32_t* pixels,
                           const float* wt, int64_t n, int64_t w, float beta, float* q, float* out,
                           int64_t row_stride) {
  constexpr int64_t L = kVecLanes;
  const int64_t tail = w - (V - 1) * L;
  for (int64_t p = 1; p <= s.steps; ++p) {
    if (first[p + 1] == first[p]) continue;
    LaneVec acc[V] = {};
    for (int32_t a = first[p]; a < first[p + 1]; ++a) {
      const float* src = wt + int64_t(pixels[a]) * n;
#pragma GCC unroll 8
      for (int v = 0; v < V - 1; ++v) acc[v] += loadv(src + L * v);
      acc[V - 1] += load_first(src + L * (V - 1), tail);
    }
#pragma GCC unroll 8
    for (int v = 0; v < V; ++v) storev(q + p * kPass + L * v, acc[v]);
  }
  for (int64_t t = 0; t < s.steps; ++t) {
    LaneVec acc[V] = {};
    for (int64_t d = s.div_at[t]; d < s.div_at[t + 1]; ++d) {
      const int64_t p = s.divisors[d];
      if (first[p + 1] == first[p]) continue;
#pragma GCC unroll 8
      for (int v = 0; v < V; ++v) acc[v] += loadv(q + p * kPass + L * v);
    }
    float* row = out + t * row_stride;
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

void periodic_forward(const PeriodicImages& s, int64_t b0, int64_t b1, const float* wt, int64_t n,
                      float beta, float* out, int64_t row_stride, float* q, int32_t* ints) {
  int32_t *first = ints, *pixels = ints + s.steps + 2;
  for (int64_t b = b0; b < b1; ++b) {
    sort_by_period(s, b, 0, s.in, first, pixels);
    for (int64_t h = 0; h < n; h += kPass)
      by_vectors(min64(kPass, n - h), [&](auto v, int64_t c, int64_t wc) {
        periodic_tile_forward<decltype(v)::value>(s, first, pixels, wt + h + c, n, wc, beta, q,
                                                  out + b * n + h + c, row_stride);
      });
  }
}

// One image's share of gW^T (rows ldw floats apart, columns [0, w) of the tile; the lanes past w
// add zeros into the padding): g at the image's first row and the tile's first column.
template <int V>
void periodic_tile_wgrad(const PeriodicImages& s, const int32_t* first, const int32_t* pixels,
                         const float* g, int64_t row_stride, int64_t w, float* gwt, int64_t ldw) {
  constexpr int64_t L = kVecLanes;
  const int64_t tail = w - (V - 1) * L;
  for (int64_t p = 1; p <= s.steps; ++p) {
    if (first[p + 1] == first[p]) continue;
    LaneVec acc[V] = {};
    for (int64_t t = p - 1; t < s.steps; t += p) {
      const float* src = g + t * row_stride;
#pragma GCC unroll 8
      for (int v = 0; v < V - 1; ++v) acc[v] += loadv(src + L * v);
      acc[V - 1] += load_first(src + L * (V - 1), tail);
    }
    for (int32_t a = first[p]; a < first[p + 1]; ++a) {
      float* dst = gwt + int64_t(pixels[a]) * ldw;
#pragma GCC unroll 8
      for (int v = 0; v < V; ++v) storev(dst + L * v, loadv(dst + L * v) + acc[v]);
    }
  }
}

void periodic_wgrad(const PeriodicImages& s, int64_t images, int64_t k0, int64_t k1, const float* g,
                    int64_t n, float* gwt, int64_t ldw, int32_t* ints) {
  int32_t *first = ints, *pixels = ints + s.steps + 2;
  for (int64_t b = 0; b < images; ++b) {
    sort_by_period(s, b, k0, k1, first, pixels);
    if (first[s.steps + 1] == 0) continue;
    for (int64_t h = 0; h < n; h += kPass)
      by_vectors(min64(kPass, n - h), [&](auto v, int64_t c, int64_t wc) {
        periodic_tile_wgrad<decltype(v)::value>(s, first, pixels, g + b * n + h + c, images * n, wc,
                                                gwt + h + c, ldw);
      });
  }
}
