#include "tasks/neurons/neuron_zoo.hpp"

#include <stdexcept>
#include <string>

#include "core/autograd/grad_mode.hpp"
#include "core/neuron/ada_lif.hpp"
#include "core/neuron/coba_lif.hpp"
#include "core/neuron/iaf.hpp"
#include "core/neuron/izhikevich_presets.hpp"
#include "core/neuron/lif.hpp"
#include "core/neuron/lif_adex.hpp"
#include "core/neuron/lif_adex_refrac.hpp"
#include "core/neuron/lif_box.hpp"
#include "core/neuron/lif_ex.hpp"
#include "core/neuron/lif_refrac.hpp"
#include "core/neuron/lsnn.hpp"

namespace soma {

namespace {

// One model's population: its parameters and the state between chunks.
template <class Model>
class ModelPopulation : public NeuronPopulation {
 public:
  ModelPopulation(typename Model::Parameters p, typename Model::State s0, const char* extra)
      : p_(p), s_(s0), extra_(extra ? extra : "") {}
  PopulationChunk run(const Tensor& x) override {
    NoGrad ng;
    Sequence<typename Model::State> r = model_sequence<Model>(x, s_, p_, true);
    s_ = r.state;
    PopulationChunk c{r.z, {}, {}};
    for (auto& [name, t] : named_states(r.states)) {
      if (name == "v") c.v = t;
      if (name == extra_) c.extra = t;
    }
    if (!c.v.defined()) throw std::logic_error("neurons: a model without a voltage");
    return c;
  }

 private:
  typename Model::Parameters p_;
  typename Model::State s_;
  std::string extra_;
};

template <class Model>
NeuronKind kind(const char* name, const char* about, double current_max, const char* input,
                const char* extra, double step_ms, typename Model::Parameters p = {}) {
  auto make = [p, step_ms, extra](int64_t n, const std::string&, double& ms) {
    ms = step_ms;
    return std::unique_ptr<NeuronPopulation>(
        new ModelPopulation<Model>(p, Model::initial_state({n}, p), extra));
  };
  return {name, about, current_max, input, "v (threshold 1)", extra, make};
}

NeuronKind izhikevich_kind() {
  auto make = [](int64_t n, const std::string& preset, double& ms) {
    const IzhikevichPreset& z = izhikevich_preset(preset);
    ms = z.step_ms();
    return std::unique_ptr<NeuronPopulation>(
        new ModelPopulation<IzhikevichModel>(z.p, izhikevich_initial_state({n}, z.v0, z.u0), "u"));
  };
  return {"izhikevich",
          "two variables (v, u) (Izhikevich 2003), 20 named behaviours (2004)",
          20,
          "current I",
          "v (mV, spike at 30)",
          "u",
          make};
}

CobaLIFParameters coba_ms() {
  CobaLIFParameters p;
  p.dt = 0.1f;
  return p;
}

NeuronKind coba_kind() {
  NeuronKind k =
      kind<CobaLIFModel>("coba_lif", "conductance synapses: x opens excitatory channels", 0.0015,
                         "excitatory conductance per step", "g_e", 0.1, coba_ms());
  k.voltage = "v (mV, threshold -10)";
  return k;
}

std::vector<NeuronKind> make_kinds() {
  const char* lif_in = "input current x";
  return {
      kind<LIFModel>("lif", "leaky integrate-and-fire with a current synapse", 0.6, lif_in, "i", 1),
      kind<LIFBoxModel>("lif_box", "LIF without the synapse: x drives v directly", 2.0, lif_in,
                        nullptr, 1),
      kind<IAFModel>("iaf", "integrate-and-fire: no leak, v += x", 0.5, lif_in, nullptr, 1),
      kind<LIFRefracModel>("lif_refrac", "LIF with 5 dead steps after each spike", 0.6, lif_in,
                           "rho", 1),
      kind<LSNNModel>("lsnn", "adaptive threshold b (Bellec 2018): spikes raise it", 4.0, lif_in,
                      "b", 1),
      kind<AdaLIFModel>("ada_lif", "adaptation current b subtracted from v", 4.0, lif_in, "b", 1),
      kind<LIFExModel>("lif_ex", "exponential spike onset (Delta_T 0.5)", 0.6, lif_in, "i", 1),
      kind<LIFAdExModel>("lif_adex", "exponential onset plus adaptation a", 1.0, lif_in, "a", 1),
      kind<LIFAdExRefracModel>("lif_adex_refrac", "AdEx with a refractory period", 1.0, lif_in, "a",
                               1),
      coba_kind(),
      izhikevich_kind(),
  };
}

}  // namespace

const std::vector<NeuronKind>& neuron_kinds() {
  static const std::vector<NeuronKind> kinds = make_kinds();
  return kinds;
}

std::vector<std::string> neuron_kind_names() {
  std::vector<std::string> names;
  for (const NeuronKind& k : neuron_kinds()) names.push_back(k.name);
  return names;
}

const NeuronKind& neuron_kind(const std::string& name) {
  std::string known;
  for (const NeuronKind& k : neuron_kinds()) {
    if (name == k.name) return k;
    known += (known.empty() ? "" : ", ") + std::string(k.name);
  }
  throw std::invalid_argument("neurons: unknown model '" + name + "' (known: " + known + ")");
}

}  // namespace soma
