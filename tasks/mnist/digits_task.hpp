#pragma once
// The drawing demo: a digit drawn with the mouse goes through the recurrent MNIST network
// (models.hpp, `rec`) trained natively; the task publishes what the network sees (the digit
// cropped, scaled to 20 px and centred by its centre of mass in 28 x 28, as MNIST was made), the
// hidden spike raster, the read-out voltages and the class probabilities (softmax of the voltage's
// maximum over time). Nothing trains here: step() does nothing and done() is true; infer() does the
// work.
//
// The weights: assets/mnist_demo/rec64.safetensors, the `model.` tensors of the checkpoint that
// `build/soma mnist --model rec --hidden 64 --seq_length 20 --epochs 6 --learning_rate 0.003`
// writes (91.4% on the test split), kept by scripts/strip_checkpoint.mjs;
// scripts/mnist_demo_weights.sh does both. The hidden size is read from the weights.
#include <memory>

#include "tasks/framework/task.hpp"
#include "tasks/mnist/models.hpp"

namespace soma {

// The telemetry the drawing demo publishes; ui/ finds it by these names.
struct DigitsKeys {
  static constexpr const char* probabilities = "class probabilities";  // 1 x 10 image
};

class DigitsTask : public Task {
 public:
  DigitsTask();
  std::string name() const override { return "digits"; }
  std::string description() const override {
    return "draw a digit: a spiking network trained on MNIST classifies it (inference only)";
  }
  std::optional<std::string> web_query() const override { return ""; }
  void setup(const ParamValues& v, const RunContext& ctx) override;
  void step() override {}
  bool done() const override { return true; }
  std::pair<int64_t, int64_t> input_shape() const override { return {28, 28}; }
  void infer(const Image& input) override;

  // MNIST's framing of a drawing: crop, scale the longer side to 20 px, centre of mass at the
  // middle of 28 x 28. Values stay in [0, 1].
  static std::vector<float> frame_like_mnist(const Image& input);

 private:
  std::shared_ptr<RecurrentNet> model_;
};

}  // namespace soma
