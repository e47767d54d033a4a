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

// The elementwise product of the named fields (each uniform or per neuron, or absent: 1), times k,
// or times k / field `per` (as k / tau_syn, first, as the gain's formula reads).
Tensor gain_of(const std::string& name, const Node& n, std::initializer_list<const char*> fields,
               double k, const std::vector<int64_t>& shape, const char* per = nullptr) {
  Array g = Array::full(shape, k);
  if (per) {
    const Array& a = n.at(name, per);
    if (a.numel() != 1 && a.numel() != g.numel())
      fail(name, n.type,
           std::string("field '") + per + "' has " + std::to_string(a.numel()) + " values for " +
               std::to_string(g.numel()) + " neurons");
    for (size_t j = 0; j < g.values.size(); ++j) g.values[j] = k / a.values[a.numel() == 1 ? 0 : j];
  }
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

// f(a) per neuron when a's values differ (and `varying` then names the first such field); an
// undefined tensor when they are all equal.
template <class F>
Tensor varying(ImportedNeuron& out, const std::string& field, const Array& a, F f) {
  bool same = true;
  for (double v : a.values) same = same && v == a.values.at(0);
  if (same) return {};
  if (out.varying.empty()) out.varying = field;
  std::vector<float> v;
  for (double x : a.values) v.push_back(float(f(x)));
  return Tensor::from(Shape(a.shape.begin(), a.shape.end()), std::move(v));
}

const Array& nonempty(const std::string& name, const Node& n, const std::string& field) {
  const Array& a = n.at(name, field);
  if (a.values.empty())
    throw std::runtime_error("node '" + name + "': field '" + field + "' is empty");
  return a;
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
    const std::string mem_field = synapse ? "tau_mem" : "tau";
    const Array& tau_mem = nonempty(name, n, mem_field);
    for (double tau : tau_mem.values)
      if (!(tau > 0)) fail(name, n.type, "the membrane time constant must be > 0");
    CurrentScanConfig& c = out.scan;
    c.am = float(t / tau_mem.values.at(0));
    out.am = varying(out, mem_field, tau_mem, [t](double tau) { return t / tau; });
    c.keep_i = 0;
    double tau_syn = 0;
    if (synapse) {
      const Array& syn = nonempty(name, n, "tau_syn");
      for (double tau : syn.values)
        if (!(tau > 0)) fail(name, n.type, "tau_syn must be > 0");
      tau_syn = syn.values.at(0);
      c.keep_i = float(1.0 - t / tau_syn);
      out.keep_i = varying(out, "tau_syn", syn, [t](double tau) { return 1.0 - t / tau; });
    }
    c.v_leak = float(n.at(name, "v_leak").uniform(name, "v_leak"));
    if (spiking) {
      const Array& th = nonempty(name, n, "v_threshold");
      c.v_th = float(th.values.at(0));
      out.v_th = varying(out, "v_threshold", th, [](double v) { return v; });
    }
    c.v_reset = spiking ? float(field_or(name, n, "v_reset", 0)) : 0.0f;
    c.reset = Reset::value;
    c.spiking = spiking;
    out.kind = "scan";
    out.gain = synapse ? gain_of(name, n, {"r", "w_in"}, t, out.shape, "tau_syn")
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

void ImportedNeuron::require_uniform(const std::string& name) const {
  if (!varying.empty())
    throw std::runtime_error("node '" + name + "': field '" + varying +
                             "' differs between neurons; Soma's layers share one value");
}

}  // namespace soma::nir
