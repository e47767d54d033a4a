#pragma once
// A clock-driven simulator for converted or directly trained feed-forward SNNs, faithful to how
// the DSQN seed ran them in NEST 2.16 (Nestwork), with a second mode that reproduces the SQN
// training semantics exactly.
//
// mode nest (NEST-like), per forward:
//   - ResetNetwork: every neuron back to its initial state, pending events dropped (the pp
//     noise generator keeps running across forwards, as NEST's does);
//   - inputs are dc generators: input i sends x_i pA to every first-layer neuron j with weight
//     W0[i][j] and the input delay (1 ms), so the current is due at step d_in and acts from the
//     NEXT step (NEST's y0 <- current after the membrane update);
//   - each neuron's bias is its I_e (pA), acting from step 0, output layer included;
//   - hidden layers are iaf_psc_delta or pp_psc_delta (nest_models.hpp); a spike emitted in step
//     k jumps the next layer's V by w mV in step k + d (the layer delay, 1 ms);
//   - the output layer is iaf_psc_delta with V_th = +inf (never spikes);
//   - the result is what the seed's `Vms[-1]` reads from NEST's multimeter (1 ms interval): the
//     newest sample DELIVERED when Simulate returns. NEST 2.16's multimeter requests a slice's
//     samples at the start of the next min_delay slice (multimeter.cpp, universal_data_logger),
//     so the last slice's samples never arrive (ResetNetwork then drops them): with min_delay
//     1 ms, a T ms forward reads V_m at T - 1 ms (19 ms of 20, 99 of 100). `Readout::at_end`
//     reads the state after the final step instead. All 1 ms samples are kept as a trace.
//   Defaults: h 0.1 ms, duration 100 ms, both delays 1 ms (NEST's defaults, never changed by the
//   seed). So input reaches layer 1 after 1 ms, each layer adds 1 ms, and an iaf neuron can fire
//   every 0.1 ms (up to 10 spikes per SQN step).
// mode sqn_exact: the SQN recurrence (core/neuron/sqn.hpp) with T = duration / 1 ms steps:
//   pre-update strict > test, old-current update, subtract-1 or zero reset, U_L[T] read out.
#include <cstdint>
#include <string>
#include <vector>

#include "core/neuron/sqn.hpp"
#include "core/random/rng.hpp"
#include "core/sim/dense_net.hpp"
#include "core/sim/nest_models.hpp"

namespace soma::sim {

enum class SimMode { nest, sqn_exact };
enum class HiddenModel { iaf, pp };
// multimeter: the newest sample at or before the last min_delay slice's start (the seed's NEST
// read-out); at_end: V after the last step (t = duration).
enum class Readout { multimeter, at_end };

struct ClockSimOptions {
  SimMode mode = SimMode::nest;
  HiddenModel model = HiddenModel::iaf;
  double duration_ms = 100, resolution_ms = 0.1;
  double input_delay_ms = 1, layer_delay_ms = 1;
  Readout readout = Readout::multimeter;  // nest mode only
  IafPscDeltaParams iaf;
  PpPscDeltaParams pp;
  SqnReset sqn_reset = SqnReset::subtract;  // sqn_exact only
  uint64_t seed = 1;                        // pp's escape noise
};

SimMode parse_sim_mode(const std::string& s);          // "nest" | "sqn_exact"
HiddenModel parse_hidden_model(const std::string& s);  // "iaf" | "pp"
Readout parse_readout(const std::string& s);           // "multimeter" | "at_end"

class ClockSim {
 public:
  ClockSim(DenseNet net, const ClockSimOptions& opt);
  // One forward from a fresh state; returns the output layer's potentials.
  std::vector<double> forward(const std::vector<double>& x);

  // Of the last forward: spikes per hidden neuron (layer by layer), and the output potentials
  // at every 1 ms sample (samples x outputs; nest mode only).
  const std::vector<std::vector<int64_t>>& spike_counts() const { return counts_; }
  const std::vector<std::vector<double>>& output_samples() const { return samples_; }
  const DenseNet& net() const { return net_; }
  const ClockSimOptions& options() const { return opt_; }
  int64_t steps() const { return steps_; }

 private:
  std::vector<double> forward_nest(const std::vector<double>& x);
  std::vector<double> forward_sqn(const std::vector<double>& x);
  DenseNet net_;
  ClockSimOptions opt_;
  int64_t steps_ = 0, input_delay_ = 0, layer_delay_ = 0, sample_every_ = 0;
  int64_t readout_sample_ = -1;  // index into samples_ of the read-out (-1: the final state)
  IafPscDelta iaf_, output_;
  PpPscDelta pp_;
  Rng rng_;
  std::vector<std::vector<int64_t>> counts_;
  std::vector<std::vector<double>> samples_;
};

}  // namespace soma::sim
