#include "core/nir/neurons.hpp"

#include <stdexcept>

namespace soma::nir {
namespace {

using Kind = Array::Kind;

[[noreturn]] void fail(const std::string& name, const std::string& type, const std::string& what) {
  throw std::runtime_error("node '" + name + "' (" + type + "): " + what);
}

double field_or(const std::string& name, const Node& n, const std::string& f, double fallback) {
  return n.has(f) ? n.at(name, f).uniform(name, f) : fallback;
}

// The elementwise product of the named fields (each uniform or per neuron, or absent: 1), times k.
Tensor gain_of(const std::string& name, const Node& n, std::initializer_list<const char*> fields,
               double k, const std::vector<int64_t>& shape) {
  Array g = Array::full(shape, k);
  for (const char* f : fields) {
    if (!n.has(f)) continue;
    const Array& a = n.at(name, f);
    if (a.numel() == 1)
      for (double& v : g.values) v *= a.values[0];
    else if (a.numel() == g.numel())
      for (size_t j = 0; j < g.values.size(); ++j) g.values[j] *= a.values[j];
    else
      fail(name, n.type,
           std::string("field '") + f + "' has " + std::to_string(a.numel()) + " values for " +
               std::to_string(g.numel()) + " neurons");
  }
  Tensor t = g.tensor();
  return t;
}

bool all_one(const Tensor& t) {
  for (int64_t k = 0; k < t.numel(); ++k)
    if (t.data()[k] != 1.0f) return false;
  return true;
}

}  // namespace

bool is_neuron(const std::string& type) {
  return type == "CubaLIF" || type == "CubaLI" || type == "LIF" || type == "LI" || type == "IF" ||
         type == "I";
}

Node neuron_node(const CurrentScanConfig& c, float dt, const std::vector<int64_t>& shape) {
  if (c.spiking && c.reset == Reset::subtract)
    throw std::invalid_argument("a LIF layer that resets by subtraction has no NIR equivalent");
  const double a_syn = 1.0 - double(c.keep_i), a_mem = double(c.am), t = double(dt);
  const bool synapse = c.keep_i != 0.0f;
  Node n;
  auto full = [&](double v) { return Array::full(shape, v); };
  if (synapse) {
    n.type = c.spiking ? "CubaLIF" : "CubaLI";
    n.fields["tau_syn"] = full(t / a_syn);
    n.fields["tau_mem"] = full(t / a_mem);
    n.fields["w_in"] = full(1.0 / a_syn);
  } else {
    n.type = c.spiking ? "LIF" : "LI";
    n.fields["tau"] = full(t / a_mem);
  }
  n.fields["r"] = full(1.0);
  n.fields["v_leak"] = full(double(c.v_leak));
  if (c.spiking) {
    n.fields["v_threshold"] = full(double(c.v_th));
    n.fields["v_reset"] = full(double(c.v_reset));
  }
  return n;
}

Node iaf_node(const IAFParameters& p, float dt, const std::vector<int64_t>& shape) {
  if (p.reset == Reset::subtract)
    throw std::invalid_argument("an IAF layer that resets by subtraction has no NIR equivalent");
  Node n{"IF", {}};
  n.fields["r"] = Array::full(shape, 1.0 / double(dt));
  n.fields["v_threshold"] = Array::full(shape, double(p.v_th));
  n.fields["v_reset"] = Array::full(shape, double(p.v_reset));
  return n;
}

ImportedNeuron import_neuron(const std::string& name, const Node& n, float dt) {
  if (!is_neuron(n.type)) fail(name, n.type, "not a neuron node");
  ImportedNeuron out;
  const std::string size_field = n.type == "IF" || n.type == "I" ? "r" : "v_leak";
  out.shape = n.at(name, size_field).shape;
  if (out.shape.empty()) out.shape = {1};
  const double t = double(dt);
  if (n.type == "IF" || n.type == "I") {
    out.kind = n.type == "IF" ? "if" : "integrator";
    out.iaf.v_th = float(field_or(name, n, "v_threshold", 0));
    out.iaf.v_reset = float(field_or(name, n, "v_reset", 0));
    out.gain = gain_of(name, n, {"r"}, t, out.shape);
  } else {
    const bool synapse = n.type == "CubaLIF" || n.type == "CubaLI";
    const bool spiking = n.type == "CubaLIF" || n.type == "LIF";
    const double tau_mem = n.at(name, synapse ? "tau_mem" : "tau").uniform(name, "tau_mem");
    if (!(tau_mem > 0)) fail(name, n.type, "the membrane time constant must be > 0");
    CurrentScanConfig& c = out.scan;
    c.am = float(t / tau_mem);
    c.keep_i = 0;
    double tau_syn = 0;
    if (synapse) {
      tau_syn = n.at(name, "tau_syn").uniform(name, "tau_syn");
      if (!(tau_syn > 0)) fail(name, n.type, "tau_syn must be > 0");
      c.keep_i = float(1.0 - t / tau_syn);
    }
    c.v_leak = float(n.at(name, "v_leak").uniform(name, "v_leak"));
    c.v_th = spiking ? float(n.at(name, "v_threshold").uniform(name, "v_threshold")) : 0.0f;
    c.v_reset = spiking ? float(field_or(name, n, "v_reset", 0)) : 0.0f;
    c.reset = Reset::value;
    c.spiking = spiking;
    out.kind = "scan";
    out.gain = synapse ? gain_of(name, n, {"r", "w_in"}, t / tau_syn, out.shape)
                       : gain_of(name, n, {"r"}, 1.0, out.shape);
  }
  for (const auto& [f, a] : n.fields)
    if (a.numel() != 1 && a.shape != out.shape && f != "input_type" && f != "output_type")
      fail(name, n.type,
           "field '" + f + "' has shape " + to_string(Shape(a.shape.begin(), a.shape.end())) +
               ", the neurons " + to_string(Shape(out.shape.begin(), out.shape.end())));
  out.unit_gain = all_one(out.gain);
  return out;
}

}  // namespace soma::nir
