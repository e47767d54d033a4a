// The learnable recurrent LIF's step and its adjoint (equations: lif_learnable_body.hpp), with
// no namespace of its own: lif_learnable_body.hpp includes it in soma::cuda (the GPU's kernels
// and the host tests), core/backend/cpu/learnable_isa.inl in each instruction-set level's
// namespace, so that no copy compiled for AVX-512 can stand in for another level's at link time.
// Needs SOMA_HD (host_device.hpp).

// One step of neuron with constants (a, k, th): v and i in/out, saved = (v~, u, j); returns z.
template <bool ResetValue>
SOMA_HD inline float learnable_lif_forward(float v_leak, float v_reset, float a, float k, float th,
                                           float x, float& v, float& i, float& vd, float& u,
                                           float& j) {
  j = i + x;
  u = v_leak - v + j;
  vd = v + u * a;
  const bool spike = vd - th > 0.0f;
  v = spike ? (ResetValue ? v_reset : vd - th) : vd;
  i = j * k;
  return spike ? 1.0f : 0.0f;
}

// The adjoint of that step, sg = the surrogate at v~ - th: gv, gi in dL/d(v', i'), out dL/d(v,
// i); g_a, g_k, g_th get this step's terms of the constants' gradients; returns g_x = g_j.
template <bool ResetValue>
SOMA_HD inline float learnable_lif_backward(float a, float k, float th, float vd, float u, float j,
                                            float sg, float gz, float& gv, float& gi, float& g_a,
                                            float& g_k, float& g_th) {
  const float z = vd - th > 0.0f ? 1.0f : 0.0f, gv_new = gv, gi_new = gi, gzs = gz * sg;
  const float gvd = (ResetValue ? gv_new * (1.0f - z) : gv_new) + gzs;
  const float gj = gvd * a + gi_new * k;
  g_a = gvd * u;
  g_k = gi_new * j;
  g_th = ResetValue ? -gzs : -(gzs + gv_new * z);
  gv = gvd * (1.0f - a);
  gi = gj;
  return gj;
}
