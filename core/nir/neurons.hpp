#pragma once
// Soma's discrete neuron layers <-> NIR's continuous neuron nodes.
//
// Soma steps a current-based layer with dt (1e-3 s) and per-step factors (core/neuron/lif.hpp):
//   j = i + x;  v~ = v + dt tau_mem_inv (v_leak - v + j);  i' = j (1 - dt tau_syn_inv)
// NIR's CubaLIF is the ODE pair (nir/ir/neuron.py)
//   tau_syn dI/dt = -I + w_in S,   tau_mem dv/dt = (v_leak - v) + r I,   spike v > v_threshold,
//   then v = v_reset
// with times in seconds. Reading a step's input x as held for the step (S = x on [t, t + dt),
// as time-stepped simulators and Norse's importer feed it), one step of the ODE adds
// w_in x dt / tau_syn to I, where Soma adds x to i. So, with v the same and i = r I:
//   tau_syn = 1 / tau_syn_inv    tau_mem = 1 / tau_mem_inv    r = 1
//   w_in = 1 / (dt tau_syn_inv)  (5 at Norse's defaults)      v_threshold, v_leak, v_reset as is
// and back: tau_syn_inv = 1 / tau_syn, tau_mem_inv = 1 / tau_mem, and the input is scaled by the
// gain r w_in dt / tau_syn (1 for what Soma wrote). The other models:
//   Soma LI (with synapse)   <-> CubaLI  (the same without threshold)
//   Soma LIF-box             <-> LIF     tau = 1 / tau_mem_inv, r = 1 (input acts on v directly)
//   Soma LI-box              <-> LI      tau = 1 / tau_mem_inv, r = 1
//   Soma IAF (v' = v + x)    <-> IF      r = 1 / dt (dv/dt = r I over one step adds dt r x)
// Import gains: r for LIF/LI, r dt for IF and I (Integrator, dv/dt = r I).
// Reset by subtraction has no NIR equivalent: exporting one is an error.
#include <string>

#include "core/neuron/current_scan.hpp"
#include "core/neuron/iaf.hpp"
#include "core/nir/graph.hpp"

namespace soma::nir {

// The node of a layer of neurons with shape `shape` (per sample) and Soma's scan constants.
Node neuron_node(const CurrentScanConfig& c, float dt, const std::vector<int64_t>& shape);
Node iaf_node(const IAFParameters& p, float dt, const std::vector<int64_t>& shape);

struct ImportedNeuron {
  std::string kind;  // "scan" (CubaLIF, CubaLI, LIF, LI), "if" or "integrator"
  CurrentScanConfig scan{};
  IAFParameters iaf{};
  Tensor gain;                 // (shape...): multiplies the node's input each step
  std::vector<int64_t> shape;  // per sample
  // True where the node's fields fully describe the layer with this gain of exactly 1.
  bool unit_gain = false;
  // Where tau_mem, tau_syn or v_threshold differ between neurons (a learnable layer's export),
  // each neuron's dt / tau_mem, 1 - dt / tau_syn and v_threshold (shape), and `varying` names the
  // first such field; scan then holds neuron 0's. The interpreter (network.hpp) steps them;
  // Soma's fixed layers share one value and call require_uniform.
  Tensor am, keep_i, v_th;
  std::string varying;
  void require_uniform(const std::string& name) const;  // a std::runtime_error naming the field
};

// Reads CubaLIF, CubaLI, LIF, LI, IF and I nodes; another type, a missing field, or other
// constants (v_leak, v_reset, an IF's) that differ between neurons are a std::runtime_error
// naming the node.
ImportedNeuron import_neuron(const std::string& name, const Node& n, float dt);
bool is_neuron(const std::string& type);

}  // namespace soma::nir
