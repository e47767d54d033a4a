#include "tasks/microcircuit/model.hpp"

#include <cmath>
#include <stdexcept>

#include "tasks/microcircuit/noise.hpp"
#include "tasks/microcircuit/plasticity.hpp"

namespace soma::mc {

Act act_from_name(const std::string& n) {
  if (n == "linear") return Act::linear;
  if (n == "relu") return Act::relu;
  if (n == "soft_relu") return Act::soft_relu;
  if (n == "logistic") return Act::logistic;
  if (n == "tanh") return Act::tanh;
  if (n == "hard_sigmoid") return Act::hard_sigmoid;
  throw std::invalid_argument("unknown activation '" + n + "'");
}

double phi(Act a, double x) {
  switch (a) {
    case Act::linear:
      return x;
    case Act::relu:
      return x > 0 ? x : 0;
    case Act::soft_relu:  // log(1 + e^x) without overflow
      return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
    case Act::logistic:
      return 1 / (1 + std::exp(-x));
    case Act::tanh:
      return std::tanh(x);
    case Act::hard_sigmoid:
      return std::clamp(x / 6 + 0.5, 0.0, 1.0);
  }
  return x;
}

double phi_prime(Act a, double x) {
  switch (a) {
    case Act::linear:
      return 1;
    case Act::relu:
      return x > 0 ? 1 : 0;
    case Act::soft_relu:
    case Act::logistic:
      return a == Act::logistic ? phi(a, x) * (1 - phi(a, x)) : 1 / (1 + std::exp(-x));
    case Act::tanh: {
      double t = std::tanh(x);
      return 1 - t * t;
    }
    case Act::hard_sigmoid:
      return std::abs(x) < 3 ? 1.0 / 6 : 0;
  }
  return 1;
}

void phi(Act a, const Vec& in, Vec& out) {
  if (a == Act::linear) {
    out = in;
    return;
  }
  for (Eigen::Index i = 0; i < in.size(); ++i) out[i] = phi(a, in[i]);
}

void phi_prime(Act a, const Vec& in, Vec& out) {
  for (Eigen::Index i = 0; i < in.size(); ++i) out[i] = phi_prime(a, in[i]);
}

Config make_config(const McParams& p) {
  Config c;
  c.npyr = int(p.layers.size()) - 1;
  c.nhid = c.npyr - 1;
  for (int k = 0; k < c.npyr; ++k) {
    c.size.push_back(int(p.layers[size_t(k) + 1]));
    c.act.push_back(
        act_from_name(p.activation.size() == 1 ? p.activation[0] : p.activation[size_t(k)]));
  }
  const bool layered = p.topology == "layered";
  c.npop = layered ? c.nhid : 1;
  for (int k = 0; k < c.nhid; ++k) {
    c.top.push_back(layered ? k + 1 : c.npyr - 1);
    c.pop.push_back(layered ? k : 0);
  }
  for (int j = 0; j < c.npop; ++j) c.mirror.push_back(layered ? j + 1 : c.npyr - 1);
  const std::string& t = p.model_type;
  c.rule = t == "BP"       ? Rule::BP
           : t == "FA"     ? Rule::FA
           : t == "DTPDRL" ? Rule::DTPDRL
           : t == "LDRL"   ? Rule::LDRL
                           : Rule::PAL;
  c.noisy = c.rule == Rule::DTPDRL || c.rule == Rule::LDRL || c.rule == Rule::PAL;
  c.phased = c.rule == Rule::DTPDRL || c.rule == Rule::LDRL;
  // Integer step counts replace the seed's float modulo on the rounded time.
  c.steps_per_xi = std::max<int64_t>(1, std::llround(p.dtxi / p.dt));
  c.steps_per_Tbw = std::max<int64_t>(1, std::llround(p.Tbw / p.dt));
  c.gtot_hid = p.gl + p.gbas + p.gapi;
  c.gtot_out = p.gl + p.gbas + p.gntgt;
  c.gtot_int = p.gl + p.gden + p.gnI;
  c.tau_hid = 1 / c.gtot_hid;
  c.tau_out = 1 / c.gtot_out;
  c.tau_int = 1 / c.gtot_int;
  return c;
}

namespace {

Mat uniform(int rows, int cols, const Range& r, Rng& rng) {
  Mat m(rows, cols);
  // Row-major draw order, as numpy fills arrays.
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) m(i, j) = r[0] + (r[1] - r[0]) * double(rng.uniform());
  return m;
}

Vec normal(int n, Rng& rng) {
  Vec v(n);
  for (int i = 0; i < n; ++i) v[i] = rng.normal();
  return v;
}

}  // namespace

Model make_model(const McParams& p, Rng& rng, bool teacher) {
  Model m;
  m.p = &p;
  m.c = make_config(p);
  const Config& c = m.c;
  const int n0 = int(p.layers[0]);
  auto zeros = [](int n) { return Vec::Zero(n); };
  for (int k = 0; k < c.npyr; ++k) {
    m.uP.push_back(normal(c.size[k], rng));
    for (auto* v : {&m.uP_breve, &m.rP, &m.rP_old, &m.vbas, &m.vbas_old, &m.rHI, &m.err})
      v->push_back(zeros(c.size[k]));
  }
  m.uP_old = m.uP;
  for (int j = 0; j < c.npop; ++j) {
    const int n = c.size[c.mirror[j]];
    m.uI.push_back(normal(n, rng));
    for (auto* v : {&m.uI_breve, &m.rI, &m.rI_old, &m.vden, &m.vden_old, &m.errI})
      v->push_back(zeros(n));
  }
  m.uI_old = m.uI;
  auto pick = [&](const Range& r, const std::optional<Range>& t) { return teacher && t ? *t : r; };
  for (int k = 0; k < c.npyr; ++k) {
    const int in = k == 0 ? n0 : c.size[k - 1];
    m.W.push_back(uniform(c.size[k], in, pick(p.init_WPP_range, p.init_teacher_WPP_range), rng));
    m.dW.push_back(Mat::Zero(c.size[k], in));
  }
  m.dW_lo = m.dW;
  for (int j = 0; j < c.npop; ++j) {
    const int mir = c.mirror[j];
    m.WIP.push_back(uniform(c.size[mir], c.size[mir - 1],
                            pick(p.init_WIP_range, p.init_teacher_WIP_range), rng));
  }
  for (int k = 0; k < c.nhid; ++k)
    m.B.push_back(uniform(c.size[k], c.size[c.top[k]],
                          pick(p.init_BPP_range, p.init_teacher_BPP_range), rng));
  for (int k = 0; k < c.nhid; ++k)
    m.BI.push_back(uniform(c.size[k], c.size[c.top[k]],
                           pick(p.init_BPI_range, p.init_teacher_BPI_range), rng));
  m.dB = m.B;
  for (int k = 0; k < c.nhid; ++k) {
    m.dB[size_t(k)].setZero();
    for (auto* v : {&m.vapi, &m.xi, &m.std_xi}) v->push_back(zeros(c.size[k]));
  }
  m.eps.assign(size_t(c.nhid), 0);
  m.eps_lo.assign(size_t(c.nhid), 0);
  m.r0 = zeros(n0);
  m.r0_old = zeros(n0);
  if (p.init_in_SPS) set_self_predicting(m);
  if (c.rule == Rule::BP) set_backprop(m);
  return m;
}

void set_self_predicting(Model& m) {
  const McParams& p = *m.p;
  for (int k = 0; k < m.c.nhid; ++k) m.BI[size_t(k)] = -m.B[size_t(k)];
  // uI's fixed point (gden f + gnI c) W r / (gl+gden+gnI) equals the mirrored pyramid's c W r
  // (c = gbas/(gl+gbas) for the output, gbas/(gl+gbas+gapi) for a hidden layer with vapi = 0)
  // when f = c (gl+gden)/gden: the seed's factor for the output, its analogue for hidden layers.
  for (int j = 0; j < m.c.npop; ++j) {
    const bool out = m.c.mirror[size_t(j)] == m.c.npyr - 1;
    const double c = p.gbas / (out ? p.gl + p.gbas : m.c.gtot_hid);
    m.WIP[size_t(j)] = (c * (p.gl + p.gden) / p.gden) * m.W[size_t(m.c.mirror[size_t(j)])];
  }
}

void set_backprop(Model& m) {
  for (int k = 0; k < m.c.nhid; ++k) {
    m.B[size_t(k)] = m.W[size_t(m.c.top[k])].transpose();
    m.BI[size_t(k)] = -m.B[size_t(k)];
  }
}

namespace {

// u_breve = u_old + tau (u - u_old)/dt; r = phi(u_breve); u_old = u.
void prospective(Vec& u, Vec& u_old, Vec& u_breve, Vec& r, double tau_over_dt, Act a) {
  u_breve = u_old + tau_over_dt * (u - u_old);
  phi(a, u_breve, r);
  u_old = u;
}

void dendrites(Model& m) {
  const Config& c = m.c;
  const McParams& p = *m.p;
  m.vbas[0].noalias() = m.W[0] * m.r0;
  for (int k = 1; k < c.npyr; ++k)
    m.vbas[size_t(k)].noalias() = m.W[size_t(k)] * m.rP[size_t(k - 1)];
  for (int j = 0; j < c.npop; ++j) {
    const Vec& in = m.rP[size_t(c.mirror[j] - 1)];
    if (p.inter_low_pass)  // vden relaxes to WIP r with tausyn
      m.vden[size_t(j)] += (p.dt / p.tausyn) * (m.WIP[size_t(j)] * in - m.vden[size_t(j)]);
    else
      m.vden[size_t(j)].noalias() = m.WIP[size_t(j)] * in;
  }
  for (int k = 0; k < c.nhid; ++k) {
    Vec& v = m.vapi[size_t(k)];
    v.noalias() = m.B[size_t(k)] * m.rP[size_t(c.top[k])];
    v.noalias() += m.BI[size_t(k)] * m.rI[size_t(c.pop[k])];
  }
}

void somata(Model& m, const Vec* tgt) {
  const Config& c = m.c;
  const McParams& p = *m.p;
  const double dt = p.dt;
  for (int k = 0; k < c.nhid; ++k)
    m.uP[size_t(k)] +=
        dt * (p.gbas * m.vbas[size_t(k)] + p.gapi * (m.vapi[size_t(k)] + m.xi[size_t(k)]) -
              c.gtot_hid * m.uP[size_t(k)]);
  Vec& uo = m.uP[size_t(c.npyr - 1)];
  const Vec& vo = m.vbas[size_t(c.npyr - 1)];
  if (tgt)
    uo += dt * (p.gbas * vo + p.gntgt * *tgt - c.gtot_out * uo);
  else
    uo += (dt * c.gtot_out) * ((p.gbas / (p.gl + p.gbas)) * vo - uo);
  for (int j = 0; j < c.npop; ++j)
    m.uI[size_t(j)] += dt * (p.gden * m.vden[size_t(j)] + p.gnI * m.uP_breve[size_t(c.mirror[j])] -
                             c.gtot_int * m.uI[size_t(j)]);
}

}  // namespace

void step(Model& m, const Vec& input, const Vec* tgt, bool learn, Rng& rng) {
  const Config& c = m.c;
  const double dt = m.p->dt;
  if (c.phased && c.nhid > 1 && m.steps > 0 && m.steps % c.steps_per_Tbw == 0)
    m.active = (m.active + 1) % c.nhid;
  for (int k = 0; k < c.npyr; ++k) {
    m.rP_old[size_t(k)] = m.rP[size_t(k)];
    m.vbas_old[size_t(k)] = m.vbas[size_t(k)];
  }
  for (int j = 0; j < c.npop; ++j) {
    m.rI_old[size_t(j)] = m.rI[size_t(j)];
    m.vden_old[size_t(j)] = m.vden[size_t(j)];
  }
  m.r0_old = m.r0;
  m.r0 = input;
  for (int k = 0; k < c.npyr; ++k)
    prospective(m.uP[size_t(k)], m.uP_old[size_t(k)], m.uP_breve[size_t(k)], m.rP[size_t(k)],
                (k < c.nhid ? c.tau_hid : c.tau_out) / dt, c.act[size_t(k)]);
  for (int j = 0; j < c.npop; ++j)
    prospective(m.uI[size_t(j)], m.uI_old[size_t(j)], m.uI_breve[size_t(j)], m.rI[size_t(j)],
                c.tau_int / dt, c.act[size_t(c.mirror[j])]);
  dendrites(m);
  if (c.noisy && m.steps % c.steps_per_xi == 0) resample_noise(m, rng);
  somata(m, tgt);
  update_high_pass(m);
  if (learn) update_weights(m);
  ++m.steps;
}

}  // namespace soma::mc
