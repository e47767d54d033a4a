#pragma once
// A network as a runnable PyNN script, built the way the DSQN seed's PyNNAgent builds it:
// IF_curr_delta populations (cm 1 nF, tau_m 1e10 ms, v_thresh 1, v_reset = v_rest = 0,
// tau_refrac 0, i_offset = bias in nA, so dV/dt = I in mV/ms), the output population with a
// threshold that is never reached, FromListConnector projections with a 1 ms delay, negative
// weights as |w| on the inhibitory receptor. There are no generators: as PyNNAgent does, x W_0 is
// added to the first layer's i_offset. The script takes the back end as its first argument
// (brian2, the default, or nest) and prints JSON: each hidden layer's spike counts and the output
// potentials sampled every 1 ms ("v": one row per sample time 0, 1, ... ms).
//
// Brian2 (PyNN's brian2 back end) differs from NEST in two ways a comparison must allow for: a
// spike is delivered one time step later (Brian applies on_pre after the threshold test of the
// arrival step, NEST before it), and its threshold is strict (v > v_thresh, NEST: >=). Soma's
// simulator matches it with a layer delay of delay + h and IafPscDeltaParams::strict.
// PyNN 0.10.1's brian2 IF_curr_delta maps BOTH receptors to `v += weight`, so on brian2 the
// script passes inhibitory weights negative (on NEST, PyNN negates the |w| itself).
#include <string>
#include <vector>

#include "core/sim/dense_net.hpp"

namespace soma::dsqn {

struct PynnExportOptions {
  std::vector<double> input;  // the observation (with the bias 1 if the network takes one)
  double duration_ms = 100, timestep_ms = 0.1, delay_ms = 1;
};

std::string pynn_script(const sim::DenseNet& net, const PynnExportOptions& o);

// The network with x W_0 folded into the first layer's biases (what the script simulates).
sim::DenseNet fold_input(const sim::DenseNet& net, const std::vector<double>& x);

}  // namespace soma::dsqn
