#pragma once
// The cortical microcircuit of Sacramento et al. (2018) with Latent-Equilibrium rates, as in the
// seed code (Phaseless-Alignment-Learning 713a899) and the published PAL version.
//
// Pyramidal layers k = 0..N-1 (layers[k+1] neurons) with soma uP, basal vbas and, for hidden
// layers (k < N-1), apical vapi. Interneuron populations j with soma uI and dendrite vden:
//   skip (seed):     one population mirroring the output layer; every hidden layer's top-down
//                    input comes from the output layer and that population;
//   layered (PAL):   population j mirrors pyramidal layer j+1; hidden layer k gets top-down input
//                    from layer k+1 and population k.
// Prospective voltages and rates: u_breve = u_old + tau_eff (u - u_old)/dt, r = phi(u_breve).
// Dendrites: vbas_k = W_k r_{k-1} (r_{-1} = input), vden_j = WIP_j r_{in(j)},
// vapi_k = BPP_k r_top(k) + BPI_k rI_pop(k). Somata (forward Euler, capacitance 1):
//   hidden:      du = dt (gbas vbas + gapi (vapi + xi) - (gl+gbas+gapi) u)
//   interneuron: du = dt (gden vden + gnI u_breve_mirror - (gl+gden+gnI) u)
//   output:      du = dt (gbas vbas + gntgt u_tgt - (gl+gbas+gntgt) u)          with a target
//                du = dt (gl+gbas+gntgt) (gbas/(gl+gbas) vbas - u)             without (seed quirk)
// Step order (seed noise model): cycle phase; store old rates and dendrites; u_breve and rates;
// u_old = u; dendrites; noise; du applied; high-pass; weight updates (plasticity.hpp).
#include <Eigen/Core>
#include <vector>

#include "core/random/rng.hpp"
#include "tasks/microcircuit/params.hpp"

namespace soma::mc {

using Vec = Eigen::VectorXd;
using Mat = Eigen::MatrixXd;

enum class Act { linear, relu, soft_relu, logistic, tanh, hard_sigmoid };
Act act_from_name(const std::string& name);
double phi(Act a, double x);
double phi_prime(Act a, double x);
void phi(Act a, const Vec& in, Vec& out);
void phi_prime(Act a, const Vec& in, Vec& out);

enum class Rule { BP, FA, DTPDRL, LDRL, PAL };

// Scalars derived once from McParams.
struct Config {
  int npyr = 0, nhid = 0, npop = 0;
  std::vector<int> size;    // size[k]: neurons of pyramidal layer k
  std::vector<int> top;     // hidden k: pyramidal layer its top-down input comes from
  std::vector<int> pop;     // hidden k: its interneuron population
  std::vector<int> mirror;  // population j: the pyramidal layer it mirrors
  std::vector<Act> act;     // per pyramidal layer
  Rule rule = Rule::FA;
  bool noisy = false;   // DTPDRL, LDRL, PAL
  bool phased = false;  // DTPDRL, LDRL: one active hidden layer at a time
  int64_t steps_per_xi = 1, steps_per_Tbw = 100;
  double tau_hid = 0, tau_out = 0, tau_int = 0;  // effective time constants
  double gtot_hid = 0, gtot_out = 0, gtot_int = 0;
};
Config make_config(const McParams& p);

struct Model {
  const McParams* p = nullptr;
  Config c;
  // Pyramidal layers.
  std::vector<Vec> uP, uP_old, uP_breve, rP, rP_old, vbas, vbas_old, rHI, err;
  std::vector<Mat> W, dW, dW_lo;
  // Hidden layers.
  std::vector<Vec> vapi, xi, std_xi;
  std::vector<Mat> B, BI, dB;
  std::vector<double> eps, eps_lo;
  // Interneuron populations.
  std::vector<Vec> uI, uI_old, uI_breve, rI, rI_old, vden, vden_old, errI;
  std::vector<Mat> WIP;
  Vec r0, r0_old;  // the input now and one step ago
  int active = 0;  // the hidden layer with noise in the phased rules
  int64_t steps = 0;
};

// Draws the state as init_MC does: u ~ N(0,1), weights uniform in their ranges (the teacher
// ranges when `teacher` and given), then the self-predicting state if init_in_SPS.
Model make_model(const McParams& p, Rng& rng, bool teacher = false);
void set_self_predicting(Model& m);
// Sets B = W^T and BPI = -B (the BI reset the seed's BP mode lacks).
void set_backprop(Model& m);
// One Euler step. `tgt` (output size) nudges the output layer when not null; `learn` switches
// all plasticity. `rng` draws the noise.
void step(Model& m, const Vec& input, const Vec* tgt, bool learn, Rng& rng);

}  // namespace soma::mc
