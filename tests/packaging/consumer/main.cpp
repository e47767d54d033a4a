// Uses Soma's core library from outside: a LIF layer driven by a constant current, the
// checkpoint format, and the version. Prints "ok <version> <spikes>"; exits 1 on a wrong result.
#include <cstdio>

#include "core/io/safetensors.hpp"
#include "core/neuron/lif.hpp"
#include "core/version.hpp"

int main() {
  // Norse's golden LIF trace: input 1 from rest crosses v_th = 1 once in 8 steps.
  soma::Tensor x = soma::Tensor::full({8, 1}, 1.0f);
  soma::LIFParameters p;
  soma::LIFSequence s = soma::lif_sequence(x, soma::lif_initial_state({1}, p), p);
  float spikes = 0;
  for (int64_t t = 0; t < 8; ++t) spikes += s.z.data()[t];
  soma::SafetensorsData d =
      soma::decode_safetensors(soma::encode_safetensors({{"z", s.z}}, {{"from", "consumer"}}));
  const bool ok =
      spikes == 1 && d.tensors.at("z").numel() == 8 && d.metadata.at("from") == "consumer";
  std::printf("%s %s %g\n", ok ? "ok" : "FAILED", soma::version(), double(spikes));
  return ok ? 0 : 1;
}
