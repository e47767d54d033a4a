#include "tasks/dsqn/pynn_export.hpp"

#include <cstdio>
#include <sstream>
#include <stdexcept>
#include <string>

namespace soma::dsqn {
namespace {

std::string num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string list(const std::vector<double>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + num(v[i]);
  return s + "]";
}

}  // namespace

sim::DenseNet fold_input(const sim::DenseNet& net, const std::vector<double>& x) {
  if (net.empty() || int64_t(x.size()) != net.front().in)
    throw std::invalid_argument("pynn export: the input has " + std::to_string(x.size()) +
                                " values, the network takes " +
                                std::to_string(net.empty() ? 0 : net.front().in));
  sim::DenseNet folded = net;
  sim::DenseLayer& first = folded.front();
  if (first.bias.empty()) first.bias.assign(size_t(first.out), 0.0);
  for (int64_t j = 0; j < first.out; ++j)
    for (int64_t i = 0; i < first.in; ++i)
      first.bias[size_t(j)] += x[size_t(i)] * first.weight(i, j);
  return folded;
}

std::string pynn_script(const sim::DenseNet& net, const PynnExportOptions& o) {
  const sim::DenseNet folded = fold_input(net, o.input);
  std::ostringstream s;
  s << "#!/usr/bin/env python3\n"
       "# Written by `soma dsqn --stage export`: a DSQN network as PyNN builds it (PyNNAgent).\n"
       "# Run: python3 THIS.py [brian2|nest]; prints JSON with the hidden spike counts and the\n"
       "# output potentials every 1 ms. Brian2 delivers spikes one step later than NEST and\n"
       "# uses a strict threshold (v > v_thresh).\n"
       "import json\nimport sys\n\n"
       "backend = sys.argv[1] if len(sys.argv) > 1 else 'brian2'\n"
       "if backend == 'nest':\n    import pyNN.nest as sim\n"
       "elif backend == 'brian2':\n    import brian2\n"
       "    brian2.prefs.codegen.target = 'numpy'  # no C compiler run: starts in seconds\n"
       "    import pyNN.brian2 as sim\n"
       "else:\n    sys.exit('unknown back end ' + backend + ' (brian2 or nest)')\n\n"
    << "DT = " << num(o.timestep_ms) << "\nDURATION = " << num(o.duration_ms)
    << "\nDELAY = " << num(o.delay_ms) << "\nINPUT = " << list(o.input) << "\n";
  s << "# WEIGHTS[l][i][j]: input i -> neuron j; BIASES[l][j] in nA (layer 0: bias + x W_0)\n";
  s << "WEIGHTS = [\n";
  for (const sim::DenseLayer& l : folded) {
    s << "    [";
    for (int64_t i = 0; i < l.in; ++i)
      s << (i ? ",\n     " : "")
        << list(std::vector<double>(l.w.begin() + long(i * l.out),
                                    l.w.begin() + long((i + 1) * l.out)));
    s << "],\n";
  }
  s << "]\nBIASES = [\n";
  for (const sim::DenseLayer& l : folded)
    s << "    " << list(l.bias.empty() ? std::vector<double>(size_t(l.out), 0.0) : l.bias) << ",\n";
  s << "]\n\n"
       "# Inhibitory weights go in as |w| (PyNN's convention; pyNN.nest negates them). PyNN "
       "0.10.1's\n"
       "# brian2 IF_curr_delta maps both receptors to `v += weight`, so there they go in "
       "negative.\n"
       "INH_SIGN = 1.0 if backend == 'brian2' else -1.0\n"
       "sim.setup(timestep=DT, min_delay=DELAY)\n"
       "base = dict(cm=1.0, tau_m=1e10, v_rest=0.0, v_reset=0.0, tau_refrac=0.0)\n"
       "layers = []\n"
       "for l, bias in enumerate(BIASES):\n"
       "    last = l == len(BIASES) - 1\n"
       "    cell = sim.IF_curr_delta(v_thresh=1e9 if last else 1.0, i_offset=bias, **base)\n"
       "    pop = sim.Population(len(bias), cell, label='layer%d' % l)\n"
       "    pop.initialize(v=0.0)\n"
       "    pop.record('v' if last else 'spikes')\n"
       "    layers.append(pop)\n"
       "for l in range(1, len(layers)):\n"
       "    w = WEIGHTS[l]\n"
       "    exc = [(i, j, w[i][j], DELAY) for i in range(len(w)) for j in range(len(w[i])) if "
       "w[i][j] > 0]\n"
       "    inh = [(i, j, INH_SIGN * w[i][j], DELAY) for i in range(len(w)) for j in "
       "range(len(w[i])) if w[i][j] < 0]\n"
       "    for conns, receptor in ((exc, 'excitatory'), (inh, 'inhibitory')):\n"
       "        if conns:\n"
       "            sim.Projection(layers[l - 1], layers[l], sim.FromListConnector(conns),\n"
       "                           synapse_type=sim.StaticSynapse(), receptor_type=receptor)\n"
       "sim.run(DURATION)\n"
       "counts = []\n"
       "for pop in layers[:-1]:\n"
       "    trains = pop.get_data('spikes').segments[0].spiketrains\n"
       "    counts.append([len(t) for t in trains])\n"
       "sig = layers[-1].get_data('v').segments[0].filter(name='v')[0]\n"
       "times = [float(t) for t in sig.times.rescale('ms').magnitude]\n"
       "values = sig.magnitude\n"
       "every = int(round(1.0 / DT))\n"
       "v = [[times[k]] + [float(x) for x in values[k]] for k in range(0, len(times), every)]\n"
       "sim.end()\n"
       "print(json.dumps({'backend': backend, 'spike_counts': counts, 'v': v}))\n";
  return s.str();
}

}  // namespace soma::dsqn
