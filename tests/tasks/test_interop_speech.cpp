// speech_commands through NIR (native only, as the task): model lif round-trips at its own dt,
// the graph's input being the standardised features x input_scale and its output the read-out
// voltages; lsnn and lstm are refused by layer name and type, on export and on import.
#ifndef __EMSCRIPTEN__
#include <doctest/doctest.h>

#include <cmath>

#include "core/autograd/grad_mode.hpp"
#include "core/nir/network.hpp"
#include "core/ops/ops.hpp"
#include "core/random/rng.hpp"
#include "tasks/speech_commands/models.hpp"

using namespace soma;

namespace {

float max_diff(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  float m = 0;
  for (int64_t k = 0; k < a.numel(); ++k) m = std::max(m, std::abs(a.data()[k] - b.data()[k]));
  return m;
}

SpeechModelOptions tiny(const std::string& kind) {
  SpeechModelOptions o;
  o.kind = kind;
  o.inputs = 8;
  o.hidden = 16;
  o.dt = 2e-3f;  // not the default, so the graph must carry the model's dt
  o.input_scale = 3;
  return o;
}

std::string export_error(SpeechModel& m) {
  nir::Builder b(m.dt());
  try {
    m.export_nir(b);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("interop: speech_commands lif round-trips through NIR at its dt") {
  NoGrad no_grad;
  Rng rng(21), other(22), data(23);
  SpeechModel model(tiny("lif"), rng), fresh(tiny("lif"), other);
  model.eval();
  fresh.eval();
  const Tensor x = Tensor::randn({30, 2, 8}, data);
  model(x);
  const Tensor want = model.readout_voltages;
  CHECK(want.shape() == Shape{30, 2, 13});
  nir::Builder b(model.dt());
  model.export_nir(b);
  // The standardisation (mean 0, std 1 here) and input_scale are outside the graph.
  const Tensor got = nir::Network(b.graph, model.dt()).run(x * 3.0f);
  CHECK(max_diff(got, want) <= 1e-5f);
  fresh(x);
  CHECK(max_diff(fresh.readout_voltages, want) > 1e-3f);
  fresh.import_nir(nir::Loader(b.graph, fresh.dt()));
  fresh(x);
  CHECK(max_diff(fresh.readout_voltages, want) <= 1e-5f);
}

TEST_CASE("interop: speech_commands lsnn and lstm are refused by layer and type") {
  Rng rng(24);
  SpeechModel lsnn(tiny("lsnn"), rng), lstm(tiny("lstm"), rng), lif(tiny("lif"), rng);
  std::string e = export_error(lsnn);
  CHECK(e.find("'rec'") != std::string::npos);
  CHECK(e.find("LSNNRecurrent") != std::string::npos);
  e = export_error(lstm);
  CHECK(e.find("'lstm'") != std::string::npos);
  CHECK(e.find("LSTM") != std::string::npos);
  nir::Builder b(lif.dt());
  lif.export_nir(b);
  CHECK_THROWS_WITH_AS(lsnn.import_nir(nir::Loader(b.graph, lsnn.dt())),
                       doctest::Contains("LSNNRecurrent"), std::invalid_argument);
}
#endif
