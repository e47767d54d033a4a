#include <doctest/doctest.h>

#include <cmath>
#include <numeric>

#include "core/io/safetensors.hpp"
#include "core/random/rng.hpp"
#include "tasks/mnist/digits_task.hpp"
#include "temp_dir.hpp"

using namespace soma;

namespace {

Image blank() {
  return Image{"input", 28, 28, std::vector<float>(28 * 28, 0.0f)};
}

// A filled rectangle drawn at rows [r0, r1), cols [c0, c1).
Image rect(int r0, int r1, int c0, int c1) {
  Image img = blank();
  for (int r = r0; r < r1; ++r)
    for (int c = c0; c < c1; ++c) img.values[size_t(r * 28 + c)] = 1;
  return img;
}

}  // namespace

TEST_CASE("digits: a drawing is framed as MNIST was, scaled to 20 px and centred") {
  // A 4 x 8 bar in the top-left corner becomes 10 x 20, centred on (14, 14).
  std::vector<float> px = DigitsTask::frame_like_mnist(rect(1, 5, 2, 10));
  double mass = 0, my = 0, mx = 0;
  int rows = 0, cols = 0;
  for (int r = 0; r < 28; ++r)
    for (int c = 0; c < 28; ++c) {
      double v = px[size_t(r * 28 + c)];
      mass += v, my += v * r, mx += v * c;
    }
  for (int r = 0; r < 28; ++r) rows += px[size_t(r * 28 + 14)] > 0.5f;
  for (int c = 0; c < 28; ++c) cols += px[size_t(14 * 28 + c)] > 0.5f;
  CHECK(cols == 20);
  CHECK(rows == 10);
  CHECK(std::abs(my / mass - 13.5) <= 1.0);
  CHECK(std::abs(mx / mass - 13.5) <= 1.0);
  CHECK(DigitsTask::frame_like_mnist(blank()) == std::vector<float>(28 * 28, 0.0f));
}

TEST_CASE("digits: infer publishes probabilities, the hidden raster and the read-out") {
  test::TempDir dir;
  // Weights of a rec model with 12 hidden neurons, in a checkpoint with an optimizer entry that
  // the demo must skip.
  Rng rng(3);
  RecurrentNet net(12, 1.0f, Surrogate{}, rng);
  std::map<std::string, Tensor> t{{"optim.step", Tensor::zeros({1})}};
  for (const auto& [k, v] : net.state_dict()) t["model." + k] = v;
  save_safetensors(dir / "w.safetensors", t, {});

  DigitsTask task;
  ParamValues v(task.params());
  v.set_string("weights", dir / "w.safetensors");
  v.set_int("seq_length", 7);
  task.setup(v, {});
  CHECK(task.done());
  CHECK(task.input_shape() == std::make_pair<int64_t, int64_t>(28, 28));
  task.infer(rect(4, 24, 12, 16));  // a "1"
  const Telemetry& tm = task.telemetry();
  REQUIRE(tm.rasters().size() == 1);
  CHECK(tm.rasters()[0].steps == 7);
  CHECK(tm.rasters()[0].neurons == 12);
  REQUIRE(tm.traces().size() == 1);
  CHECK(tm.traces()[0].channels == 10);
  const Image* probs = nullptr;
  for (const Image& i : tm.images())
    if (i.name == "class probabilities") probs = &i;
  REQUIRE(probs != nullptr);
  CHECK(std::accumulate(probs->values.begin(), probs->values.end(), 0.0) ==
        doctest::Approx(1.0).epsilon(1e-5));
  REQUIRE(tm.find_series("predicted digit") != nullptr);
  CHECK(tm.traces()[0].labels.size() == 10);  // the playground's legend names each digit
  // An empty pad (the Clear button) is no digit: once "it is a 0 (10%)", now no vote at all.
  task.infer(Image{"input", 28, 28, std::vector<float>(28 * 28, 0.0f)});
  CHECK(tm.status == "draw a digit in the pad");
  CHECK(tm.find_image("class probabilities") == nullptr);
  CHECK(tm.rasters().empty());

  v.set_string("weights", dir / "missing.safetensors");
  CHECK_THROWS(task.setup(v, {}));
}
