#include "tasks/mnist/digits_task.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/autograd/grad_mode.hpp"
#include "core/encode/encoders.hpp"
#include "core/io/safetensors.hpp"
#include "core/ops/ops.hpp"
#include "core/random/rng.hpp"
#include "tasks/framework/class_names.hpp"

namespace soma {

DigitsTask::DigitsTask() {
  table_
      .add_string("weights", "assets/mnist_demo/rec64.safetensors",
                  "the recurrent network's weights (a `soma mnist --model rec` checkpoint)")
      .restart();
  table_.add_int("seq_length", 20, "time steps per digit (as trained)").range(1, 1000);
  table_.add_float("input_scale", 1.0, "encoder current per normalised pixel").range(0, 10);
}

void DigitsTask::setup(const ParamValues& v, const RunContext&) {
  keep_values(v);
  telemetry_.clear();
  const std::string path = v.get_string("weights");
  SafetensorsData d = load_safetensors(path);
  nn::StateDict state;
  for (const auto& [k, t] : d.tensors)
    if (k.rfind("model.", 0) == 0) state[k.substr(6)] = t;
  auto out = state.find("readout.synapse.weight");
  if (out == state.end())
    throw std::runtime_error(path + ": no model.readout.synapse.weight (a rec model?)");
  Rng rng(0);
  model_ = std::make_shared<RecurrentNet>(out->second.size(1), 1.0f, Surrogate{}, rng);
  model_->load_state_dict(state);
  model_->eval();
  telemetry_.status = "draw a digit in the pad";
}

std::vector<float> DigitsTask::frame_like_mnist(const Image& in) {
  const int64_t R = in.rows, C = in.cols;
  int64_t r0 = R, r1 = -1, c0 = C, c1 = -1;
  for (int64_t r = 0; r < R; ++r)
    for (int64_t c = 0; c < C; ++c)
      if (in.values[size_t(r * C + c)] > 0.05f)
        r0 = std::min(r0, r), r1 = std::max(r1, r), c0 = std::min(c0, c), c1 = std::max(c1, c);
  std::vector<float> box(20 * 20, 0), out(28 * 28, 0);
  if (r1 < 0) return out;
  // Area sampling of the bounding box into at most 20 x 20, keeping the aspect ratio.
  const double side = double(std::max(r1 - r0 + 1, c1 - c0 + 1)), s = 20.0 / side;
  const int64_t h = std::max<int64_t>(1, std::llround(double(r1 - r0 + 1) * s));
  const int64_t w = std::max<int64_t>(1, std::llround(double(c1 - c0 + 1) * s));
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x) {
      double sum = 0;
      int n = 0;
      for (double sy = y / s; sy < (y + 1) / s; sy += 0.25)
        for (double sx = x / s; sx < (x + 1) / s; sx += 0.25, ++n)
          sum += in.values[size_t((r0 + std::min<int64_t>(int64_t(sy), r1 - r0)) * C + c0 +
                                  std::min<int64_t>(int64_t(sx), c1 - c0))];
      box[size_t(y * 20 + x)] = float(sum / std::max(n, 1));
    }
  double mass = 0, my = 0, mx = 0;
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x) {
      double v = box[size_t(y * 20 + x)];
      mass += v, my += v * double(y), mx += v * double(x);
    }
  const int64_t oy = 14 - std::llround(my / mass), ox = 14 - std::llround(mx / mass);
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x)
      if (y + oy >= 0 && y + oy < 28 && x + ox >= 0 && x + ox < 28)
        out[size_t((y + oy) * 28 + x + ox)] = box[size_t(y * 20 + x)];
  return out;
}

void DigitsTask::infer(const Image& input) {
  if (!model_) return;
  NoGrad no_grad;
  std::vector<float> px = frame_like_mnist(input);
  if (std::all_of(px.begin(), px.end(), [](float v) { return v == 0; })) {
    // An empty pad is no digit: nothing to classify (the network would still vote).
    telemetry_.clear();
    telemetry_.status = "draw a digit in the pad";
    return;
  }
  telemetry_.set(Image{"what the network sees", 28, 28, px});
  for (float& p : px) p = (p - 0.1307f) / 0.3081f;  // MNIST's standard normalisation
  const int64_t T = values_->get_int("seq_length");
  Tensor x = Tensor::from({1, 1, 28, 28}, std::move(px)) * float(values_->get_float("input_scale"));
  Tensor v = (*model_)(constant_current_lif_encode(x, T));  // (T, 1, 10)
  Tensor p = softmax(max_decode(v), 1);
  const Tensor& z = model_->hidden_spikes;
  Raster r{"hidden spikes", T, z.size(2), {}};
  for (int64_t i = 0; i < z.numel(); ++i) r.spikes.push_back(z.data()[i] > 0);
  telemetry_.set(std::move(r));
  Traces volts{"read-out voltages", T, 10, v.to_vector(), {}, "time step", {}};
  volts.labels = image_class_names("mnist");
  telemetry_.set(std::move(volts));
  Image probs{DigitsKeys::probabilities, 1, 10, p.to_vector()};
  int best = int(std::max_element(probs.values.begin(), probs.values.end()) - probs.values.begin());
  telemetry_.add("predicted digit",
                 double(telemetry_.series().empty() ? 1 : telemetry_.series().front().x.size() + 1),
                 best);
  telemetry_.set(std::move(probs));
  char buf[64];
  std::snprintf(buf, sizeof buf, "it is a %d (%.0f%%)", best, 100 * p.data()[best]);
  telemetry_.status = buf;
}

}  // namespace soma
