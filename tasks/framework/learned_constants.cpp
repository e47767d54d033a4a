#include "tasks/framework/learned_constants.hpp"

#include <algorithm>
#include <numeric>

#include "core/neuron/lif_learnable.hpp"

namespace soma {
namespace {

const nn::LIFRecurrentLearnable* find_learnable(const nn::Module& m) {
  if (auto* l = dynamic_cast<const nn::LIFRecurrentLearnable*>(&m)) return l;
  for (const auto& [name, child] : m.named_children())
    if (const nn::LIFRecurrentLearnable* l = find_learnable(*child)) return l;
  return nullptr;
}

}  // namespace

void publish_learned_constants(const nn::Module& m, Telemetry& telemetry) {
  const nn::LIFRecurrentLearnable* l = find_learnable(m);
  if (!l) return;
  const nn::LIFRecurrentLearnable::Constants c = l->constants();
  const int64_t H = int64_t(c.tau_mem.size());
  std::vector<int64_t> order(static_cast<size_t>(H));
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](int64_t a, int64_t b) { return c.tau_mem[a] < c.tau_mem[b]; });
  Traces taus{"learned time constants",
              H,
              2,
              {},
              {"tau_mem (ms)", "tau_syn (ms)"},
              "neuron (sorted by tau_mem)",
              "time constant (ms)"};
  Traces thresholds{"learned thresholds", H, 1, {}, {"v_th"}, "neuron (sorted by tau_mem)",
                    "threshold v_th"};
  for (int64_t k : order) {
    taus.values.push_back(float(1e3 * c.tau_mem[k]));
    taus.values.push_back(float(1e3 * c.tau_syn[k]));
    thresholds.values.push_back(float(c.v_th[k]));
  }
  telemetry.set(std::move(taus));
  telemetry.set(std::move(thresholds));
}

}  // namespace soma
