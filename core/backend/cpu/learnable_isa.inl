// Included by kernels_isa.inl, inside its namespace: the learnable recurrent LIF's row kernels
// (lif_learnable_scan.cpp runs them through cell_scan). The step and its adjoint are
// lif_learnable_step.inl's, included here into this level's namespace; the loops over a row
// are plain C with restrict pointers and the reset as a template argument, which the compiler
// vectorises at the level's width (with the state reached through pointer arrays it ran
// scalar, and inlined into the scan the backward did too). What the level's width gains is
// small (bench_mnist_epoch --quick --learn_neuron_params: 2-3% of the epoch at AVX-512 against
// the baseline width; lif_learnable.hpp has the times): these loops are memory-bound.
#include "core/backend/cuda/lif_learnable_step.inl"

template <bool ResetValue>
void learnable_forward(const LearnableRows& c, int64_t n, const float* __restrict x,
                       float* __restrict v, float* __restrict i, float* __restrict z,
                       float* __restrict vd, float* __restrict u, float* __restrict j) {
  const float* __restrict a = c.a;
  const float* __restrict k = c.k;
  const float* __restrict th = c.th;
  const float v_leak = c.v_leak, v_reset = c.v_reset;  // locals: no reload after each store
  const int64_t H = c.H;
  for (int64_t r = 0; r < n; r += H)
    for (int64_t h = 0; h < H; ++h) {
      const int64_t e = r + h;
      z[e] = learnable_lif_forward<ResetValue>(v_leak, v_reset, a[h], k[h], th[h], x[e], v[e], i[e],
                                               vd[e], u[e], j[e]);
    }
}

void learnable_forward_rows(const LearnableRows& c, int64_t n, const float* x, float* v, float* i,
                            float* z, float* vd, float* u, float* j) {
  (c.reset_value ? learnable_forward<true> : learnable_forward<false>)(c, n, x, v, i, z, vd, u, j);
}

template <bool ResetValue, class SurrogateGrad>
[[gnu::noinline]] void learnable_backward(const LearnableRows& c, int64_t n,
                                          const float* __restrict vd, const float* __restrict u,
                                          const float* __restrict j, const float* __restrict gz,
                                          float* __restrict gv, float* __restrict gi,
                                          float* __restrict gx, float* __restrict gp,
                                          SurrogateGrad surrogate) {
  const float* __restrict a = c.a;
  const float* __restrict k = c.k;
  const float* __restrict th = c.th;
  const int64_t H = c.H;
  for (int64_t r = 0; r < n; r += H)
    for (int64_t h = 0; h < H; ++h) {
      const int64_t e = r + h;
      float ga, gk, gth;
      gx[e] = learnable_lif_backward<ResetValue>(a[h], k[h], th[h], vd[e], u[e], j[e],
                                                 surrogate(vd[e] - th[h]), gz[e], gv[e], gi[e], ga,
                                                 gk, gth);
      gp[h] += ga;
      gp[H + h] += gk;
      gp[2 * H + h] += gth;
    }
}

template <bool ResetValue>
void learnable_backward_reset(const LearnableRows& c, int64_t n, const float* vd, const float* u,
                              const float* j, const float* gz, float* gv, float* gi, float* gx,
                              float* gp) {
  if (c.surrogate.method == SurrogateMethod::super)  // inlined: the common case
    learnable_backward<ResetValue>(c, n, vd, u, j, gz, gv, gi, gx, gp,
                                   SuperSpikeGrad{c.surrogate.alpha});
  else
    learnable_backward<ResetValue>(c, n, vd, u, j, gz, gv, gi, gx, gp,
                                   AnySurrogateGrad{c.surrogate});
}

void learnable_backward_rows(const LearnableRows& c, int64_t n, const float* vd, const float* u,
                             const float* j, const float* gz, float* gv, float* gi, float* gx,
                             float* gp) {
  (c.reset_value ? learnable_backward_reset<true>
                 : learnable_backward_reset<false>)(c, n, vd, u, j, gz, gv, gi, gx, gp);
}
