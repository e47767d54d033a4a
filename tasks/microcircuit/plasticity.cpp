#include "tasks/microcircuit/plasticity.hpp"

namespace soma::mc {

void update_high_pass(Model& m) {
  if (!m.c.noisy) return;
  const McParams& p = *m.p;
  const double a = p.dt / p.tau_hp();
  for (int k = 1; k < m.c.npyr; ++k) {
    const size_t i = size_t(k);
    if (p.pyr_hi_pass)
      m.rHI[i] += (m.rP[i] - m.rP_old[i]) - a * m.rHI[i];
    else
      m.rHI[i] = m.rP[i];
  }
}

namespace {

void forward_weights(Model& m) {
  const McParams& p = *m.p;
  const Config& c = m.c;
  for (int k = 0; k < c.npyr; ++k) {
    const size_t i = size_t(k);
    const double eta = per_layer(p.eta_fw, i);
    if (eta == 0 && !p.dWPP_low_pass) continue;
    const double g = k < c.nhid ? p.gbas / c.gtot_hid : p.gbas / (p.gl + p.gbas);
    Vec& e = m.err[i];
    e = g * m.vbas_old[i];
    phi(c.act[i], e, e);
    e = m.rP[i] - e;
    const Vec& in = k == 0 ? m.r0_old : m.rP_old[i - 1];
    if (p.dWPP_low_pass) {
      m.dW[i].noalias() = (p.dt * eta) * e * in.transpose();
      m.dW_lo[i] += (p.dt / p.tau_lo()) * (m.dW[i] - m.dW_lo[i]);
      m.W[i] += m.dW_lo[i];
    } else {
      m.W[i].noalias() += (p.dt * eta) * e * in.transpose();
    }
  }
}

void interneuron_weights(Model& m) {
  const McParams& p = *m.p;
  for (int j = 0; j < m.c.npop; ++j) {
    const size_t i = size_t(j);
    const double eta = per_layer(p.eta_IP, i);
    if (eta == 0) continue;
    const int mir = m.c.mirror[i];
    Vec& e = m.errI[i];
    e = (p.gden / (p.gl + p.gden)) * m.vden_old[i];
    phi(m.c.act[size_t(mir)], e, e);
    e = m.rI[i] - e;
    m.WIP[i].noalias() += (p.dt * eta) * e * m.rP_old[size_t(mir - 1)].transpose();
  }
  for (int k = 0; k < m.c.nhid; ++k) {
    const double eta = per_layer(p.eta_PI, size_t(k));
    if (eta != 0)
      m.BI[size_t(k)].noalias() -=
          (p.dt * eta) * m.vapi[size_t(k)] * m.rI_old[size_t(m.c.pop[size_t(k)])].transpose();
  }
}

// dB (without dt eta_bw) of hidden layer k for the noise rules.
void noise_rule(Model& m, int k) {
  const McParams& p = *m.p;
  const size_t i = size_t(k);
  const double eta = per_layer(p.eta_bw, i);
  if (eta == 0) return;
  const int top = m.c.top[i];
  Mat& dB = m.dB[i];
  const Vec& xi = m.xi[i];
  if (m.c.rule == Rule::DTPDRL) {
    Vec& e = m.std_xi[i];  // free until the next resampling
    const Vec& r = m.rHI[size_t(top)];
    e.noalias() = m.B[i] * r;
    if (!p.pyr_hi_pass) e.noalias() += m.BI[i] * m.rI[size_t(m.c.pop[i])];
    e -= xi;
    dB.noalias() = -e * r.transpose();
  } else {
    dB.noalias() = xi * m.rHI[size_t(top)].transpose();
  }
  const double alpha = per_layer(p.alpha, i);
  if (alpha != 0) {
    if (p.gate_regularizer) {
      for (Eigen::Index r = 0; r < dB.rows(); ++r)
        dB.row(r) -= (alpha * phi_prime(m.c.act[i], m.uP_breve[i][r])) * m.B[i].row(r);
    } else {
      dB -= alpha * m.B[i];
    }
  }
  m.B[i] += (p.dt * eta) * dB;
}

}  // namespace

void update_weights(Model& m) {
  forward_weights(m);
  interneuron_weights(m);
  switch (m.c.rule) {
    case Rule::BP:
      set_backprop(m);
      break;
    case Rule::FA:
      break;
    case Rule::PAL:
      for (int k = 0; k < m.c.nhid; ++k) noise_rule(m, k);
      break;
    case Rule::LDRL:
    case Rule::DTPDRL:
      noise_rule(m, m.active);
      break;
  }
}

}  // namespace soma::mc
