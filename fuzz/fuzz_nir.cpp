// libFuzzer target: NIR graphs as a file's contents would give them, through the graph checks
// (nir::from_tree) and the interpreter that runs them (nir::Network), on a short input.
//
// The bytes are decoded into the HDF5 layout (nir::Tree) rather than fed to libhdf5: what Soma
// owns is the meaning of the groups and datasets, and HDF5 guarantees what the decoder keeps
// (a dataset's values fill its shape). Node types and field names come from NIR's vocabulary so
// that most inputs reach the interpreter; values include NaN, infinities, huge and negative sizes.
#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/nir/graph.hpp"
#include "core/nir/network.hpp"
#include "fuzz_util.hpp"

namespace {

using namespace soma;

const std::vector<std::string> kTypes{"Input",   "Output",    "Affine",    "Linear", "Conv2d",
                                      "Flatten", "SumPool2d", "AvgPool2d", "Scale",  "Threshold",
                                      "CubaLIF", "CubaLI",    "LIF",       "LI",     "IF",
                                      "I",       "Delay",     "NIRGraph"};
const std::vector<std::string> kFields{
    "shape",       "weight",    "bias",    "stride",      "padding",   "dilation", "groups",
    "kernel_size", "start_dim", "end_dim", "scale",       "threshold", "tau",      "tau_mem",
    "tau_syn",     "r",         "v_leak",  "v_threshold", "v_reset",   "w_in",     "input_type"};

const std::string& pick(FuzzedDataProvider& p, const std::vector<std::string>& from) {
  return from[p.ConsumeIntegralInRange<size_t>(0, from.size() - 1)];
}

double value(FuzzedDataProvider& p) {
  switch (p.ConsumeIntegralInRange(0, 9)) {
    case 0:
      return std::nan("");
    case 1:
      return std::numeric_limits<double>::infinity();
    case 2:
      return -1e300;
    case 3:
      return 9.3e18;  // past int64
    case 4:
      return p.ConsumeFloatingPoint<double>();
    default:
      return double(p.ConsumeIntegralInRange<int>(-4, 40)) / 4;
  }
}

nir::Array array(FuzzedDataProvider& p) {
  nir::Array a;
  const int rank = p.ConsumeIntegralInRange(0, 4);
  int64_t n = 1;
  for (int d = 0; d < rank; ++d) {
    // Mostly small; sometimes a size that only an empty dataset can have.
    int64_t dim = p.ConsumeIntegralInRange<int64_t>(0, 6);
    if (p.ConsumeIntegralInRange(0, 15) == 0) dim = n == 0 ? int64_t(1) << 40 : 0;
    a.shape.push_back(dim);
    n = dim == 0 ? 0 : n * dim;
  }
  for (int64_t k = 0; k < n; ++k) a.values.push_back(value(p));
  return a;
}

nir::Tree tree(FuzzedDataProvider& p) {
  nir::Tree root;
  root.strings["version"] = {{}, {"1.0.0"}};
  nir::Tree& node = root.groups["node"];
  node.strings["type"] = {{}, {"NIRGraph"}};
  nir::Tree& nodes = node.groups["nodes"];
  const int count = p.ConsumeIntegralInRange(0, 10);
  std::vector<std::string> names;
  for (int k = 0; k < count; ++k) {
    names.push_back("n" + std::to_string(k));
    nir::Tree& t = nodes.groups[names.back()];
    t.strings["type"] = {{}, {pick(p, kTypes)}};
    const int fields = p.ConsumeIntegralInRange(0, 6);
    for (int f = 0; f < fields; ++f) t.arrays[pick(p, kFields)] = array(p);
  }
  nir::Strings edges{{0, 2}, {}};
  const int count_edges = names.empty() ? 0 : p.ConsumeIntegralInRange(0, 16);
  for (int e = 0; e < count_edges; ++e) {
    edges.values.push_back(pick(p, names));
    edges.values.push_back(p.ConsumeBool() ? pick(p, names) : "missing");
  }
  edges.shape[0] = count_edges;
  node.strings["edges"] = edges;
  return root;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider p(data, size);
  const nir::Tree t = tree(p);
  const int64_t steps = p.ConsumeIntegralInRange(1, 3);
  soma::fuzz::rejects_cleanly([&] {
    nir::Network net(nir::from_tree(t, "fuzz.nir"));
    Shape x{steps, 1};
    int64_t numel = steps;
    for (int64_t d : net.input_shape()) {
      if (d < 0 || d > 4096 || numel * std::max<int64_t>(d, 1) > 65536) return;  // not ours to run
      x.push_back(d);
      numel *= d;
    }
    (void)net.run(Tensor::ones(x));
    (void)net.summary();
  });
  return 0;
}
