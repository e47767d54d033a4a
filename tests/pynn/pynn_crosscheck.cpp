// Cross-check of Soma's clock-driven simulator (core/sim, iaf mode) against an independent one:
// a converted-style network is exported as a PyNN script (tasks/dsqn/pynn_export.hpp), run on
// PyNN's brian2 back end (Debian: python3-pynn, python3-brian) for one fixed input, and its
// hidden spike counts and output potentials (every 1 ms) are compared with Soma's.
//
// Brian2 differs from NEST in two documented ways, and Soma is configured to match:
//   - a spike is delivered one step later: Brian applies on_pre after the threshold test of the
//     arrival step, NEST adds it before, so Soma runs with layer delay = 1 ms + h;
//   - the threshold is strict (v > v_thresh; NEST: >=): IafPscDeltaParams::strict.
// The script folds x W_0 into the first layer's i_offset (as the seed's PyNNAgent), so Soma
// simulates the same folded network with a zero input. Brian's StateMonitor samples v at the
// start of a step (t = 0, h, ...), so its sample at m ms is Soma's state after step 10 m - 1.
// PyNN 0.10.1's brian2 IF_curr_delta maps the inhibitory receptor to `v += weight` too, so the
// script passes inhibitory weights negative there (see pynn_export.hpp).
//
// Exit codes: 0 match, 1 mismatch, 77 skipped (no python3 with pyNN.brian2; CTest reports SKIP).
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/random/rng.hpp"
#include "core/sim/clock_sim.hpp"
#include "tasks/dsqn/pynn_export.hpp"

using namespace soma;

namespace {

std::string run_command(const std::string& cmd, int& status) {
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  if (!pipe) {
    status = -1;
    return out;
  }
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe.get())) > 0) out.append(buf.data(), n);
  status = pclose(pipe.release());
  return out;
}

// Debian's interpreter first: a python3 earlier on PATH (pyenv, venv) lacks Debian's packages.
std::string find_python() {
  for (const char* py : {"/usr/bin/python3", "python3"}) {
    int status = 0;
    run_command(std::string(py) + " -c 'import pyNN.brian2' >/dev/null 2>&1", status);
    if (status == 0) return py;
  }
  return "";
}

// A [4, 12, 10, 2] network with biases, weights scaled as a converted network's (a few spikes
// per ms per neuron, some negative weights on every layer).
sim::DenseNet test_network() {
  Rng rng(2024);
  const int64_t sizes[4] = {4, 12, 10, 2};
  sim::DenseNet net;
  for (int l = 0; l < 3; ++l) {
    sim::DenseLayer d{sizes[l], sizes[l + 1], {}, {}};
    for (int64_t i = 0; i < d.in * d.out; ++i) d.w.push_back(double(rng.uniform(-0.25f, 0.45f)));
    for (int64_t j = 0; j < d.out; ++j) d.bias.push_back(double(rng.uniform(-0.02f, 0.05f)));
    net.push_back(std::move(d));
  }
  return net;
}

}  // namespace

int main() {
  const std::string py = find_python();
  if (py.empty()) {
    std::cout << "SKIP: no python3 with PyNN's brian2 back end (Debian: apt-get install "
                 "python3-pynn python3-brian; scripts/setup.sh installs them)\n";
    return 77;
  }
  const sim::DenseNet net = test_network();
  dsqn::PynnExportOptions o;
  o.input = {0.03, -0.4, 0.05, 0.6};
  o.duration_ms = 20;
  const auto dir = std::filesystem::temp_directory_path() / "soma_pynn_crosscheck";
  std::filesystem::create_directories(dir);
  const std::string script = (dir / "net.py").string();
  std::ofstream(script) << dsqn::pynn_script(net, o);
  int status = 0;
  const std::string out = run_command(py + " " + script + " brian2 2>/dev/null", status);
  std::filesystem::remove_all(dir);
  const size_t brace = out.rfind("\n{");
  const std::string json_text = out.substr(brace == std::string::npos ? 0 : brace + 1);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json_text);
  } catch (const std::exception& e) {
    std::cerr << "FAIL: the PyNN script (status " << status << ") printed no JSON: " << out << "\n";
    return 1;
  }

  sim::ClockSimOptions so;
  so.duration_ms = o.duration_ms;
  // Brian delivers one step later (measured: with delay 1 ms exactly, output V differs by whole
  // weights, 0.25 mV; with 1 ms + h, by 8e-6 mV).
  so.layer_delay_ms = o.delay_ms + so.resolution_ms;
  so.iaf.strict = true;  // Brian: v > v_thresh
  sim::ClockSim soma_sim(dsqn::fold_input(net, o.input), so);
  soma_sim.forward(std::vector<double>(o.input.size(), 0.0));

  int failures = 0;
  const auto& counts = j.at("spike_counts");
  int64_t total = 0;
  for (size_t l = 0; l < soma_sim.spike_counts().size(); ++l)
    for (size_t n = 0; n < soma_sim.spike_counts()[l].size(); ++n) {
      const int64_t a = soma_sim.spike_counts()[l][n], b = counts.at(l).at(n).get<int64_t>();
      total += a;
      if (a != b && failures++ < 10)
        std::cerr << "spike count, layer " << l << " neuron " << n << ": Soma " << a << ", Brian "
                  << b << "\n";
    }
  double worst = 0;
  for (const auto& row : j.at("v")) {
    const double t = row.at(0).get<double>();
    const int m = int(std::lround(t));
    if (m < 1 || m > int(soma_sim.output_samples().size())) continue;
    for (size_t k = 0; k + 1 < row.size(); ++k) {
      const double a = soma_sim.output_samples()[size_t(m - 1)][k], b = row.at(k + 1).get<double>();
      worst = std::max(worst, std::abs(a - b));
      // Brian's exact update adds I tau (1 - exp(-h / tau)) with tau = 1e10 ms, which loses
      // about 1e-7 mV per step in double precision; NEST's propagator rounds differently.
      if (std::abs(a - b) > 1e-4 && failures++ < 10)
        std::cerr << "output V at " << m << " ms, neuron " << k << ": Soma " << a << ", Brian " << b
                  << "\n";
    }
  }
  std::cout << "PyNN/brian2 vs Soma (iaf, strict, delay 1 ms + h): " << total
            << " hidden spikes, largest output V difference " << worst << " mV, "
            << (failures ? "MISMATCH" : "match") << "\n";
  return failures ? 1 : 0;
}
