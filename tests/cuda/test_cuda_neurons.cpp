// Every neuron layer on cuda tensors: the same spikes (or voltages), final state and input
// gradient as on the CPU. The fused scans (LIF, LIF-box, LI, IAF, LSNN, recurrent LIF and LSNN) run
// as single kernels; the other models run Norse's step loop of composed device ops.
#include <doctest/doctest.h>

#include <functional>
#include <memory>
#include <string>

#include "core/neuron/ada_lif.hpp"
#include "core/neuron/coba_lif.hpp"
#include "core/neuron/iaf.hpp"
#include "core/neuron/izhikevich.hpp"
#include "core/neuron/li.hpp"
#include "core/neuron/lif.hpp"
#include "core/neuron/lif_adex.hpp"
#include "core/neuron/lif_adex_refrac.hpp"
#include "core/neuron/lif_box.hpp"
#include "core/neuron/lif_ex.hpp"
#include "core/neuron/lif_learnable.hpp"
#include "core/neuron/lif_mc.hpp"
#include "core/neuron/lif_mc_refrac.hpp"
#include "core/neuron/lif_recurrent.hpp"
#include "core/neuron/lif_refrac.hpp"
#include "core/neuron/lsnn.hpp"
#include "core/nn/init.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/reduce.hpp"
#include "core/random/rng.hpp"
#include "cuda_test_util.hpp"
#include "scale_close.hpp"

using namespace soma;

namespace {

using test::check_close_to_scale;
using test::random_tensor;

struct LayerCase {
  const char* name;
  std::function<std::unique_ptr<nn::SpikingModule>()> make;  // the same layer each call
  float lo = 0.0f, hi = 6.0f;                                // input range that makes spikes
};

template <class Layer, class... Args>
std::function<std::unique_ptr<nn::SpikingModule>()> maker(Args... args) {
  return [=] { return std::make_unique<Layer>(args...); };
}

template <class Layer>
std::function<std::unique_ptr<nn::SpikingModule>()> recurrent_maker(int64_t in, int64_t h) {
  return [=] {
    Rng rng(5);
    return std::make_unique<Layer>(in, h, rng);
  };
}

std::vector<LayerCase> layer_cases(int64_t h) {
  return {
      {"LIF", maker<nn::LIF>()},
      {"LIFBox", maker<nn::LIFBox>()},
      {"LI", maker<nn::LI>()},
      {"LSNN", maker<nn::LSNN>()},
      {"IAF", maker<nn::IAF>()},
      {"AdaLIF", maker<nn::AdaLIF>()},
      {"CobaLIF", maker<nn::CobaLIF>(), 0.0f, 2.0f},
      {"LIFAdEx", maker<nn::LIFAdEx>()},
      {"LIFAdExRefrac", maker<nn::LIFAdExRefrac>()},
      {"LIFEx", maker<nn::LIFEx>()},
      {"LIFRefrac", maker<nn::LIFRefrac>()},
      {"Izhikevich", maker<nn::Izhikevich>(), 0.0f, 20.0f},
      {"LIFMC",
       [=] {
         Rng rng(6);
         return std::make_unique<nn::LIFMC>(h, rng);
       }},
      {"LIFMCRefrac",
       [=] {
         Rng rng(7);
         auto m = std::make_unique<nn::LIFMCRefrac>(h, rng);
         nn::init::normal_(m->g, 0, 0.05f, rng);  // stable: its coupling has no dt
         return m;
       }},
      {"LIFRecurrent", recurrent_maker<nn::LIFRecurrent>(h, h)},
      {"LIFRecurrentLearnable", recurrent_maker<nn::LIFRecurrentLearnable>(h, h)},
      {"LSNNRecurrent", recurrent_maker<nn::LSNNRecurrent>(h, h)},
      {"CobaLIFRecurrent", recurrent_maker<nn::CobaLIFRecurrent>(h, h), 0.0f, 2.0f},
      {"LIFMCRecurrent", recurrent_maker<nn::LIFMCRecurrent>(h, h)},
      {"LIFMCRefracRecurrent",
       [=] {
         Rng rng(8);
         auto m = std::make_unique<nn::LIFMCRefracRecurrent>(h, h, rng);
         nn::init::normal_(m->g, 0, 0.05f, rng);
         return m;
       },
       0.0f, 30.0f},
  };
}

}  // namespace

namespace {

void check_layer(const LayerCase& c, int64_t T, int64_t B, int64_t H) {
  auto cpu = c.make(), gpu = c.make();
  gpu->to_device(Device::cuda);
  cpu->record_states = gpu->record_states = true;
  Tensor x = random_tensor({T, B, H}, 31, c.lo, c.hi).requires_grad_();
  Tensor dx = test::cuda_leaf(x);
  Tensor y = cpu->forward(x), dy = gpu->forward(dx);
  CHECK(dy.device() == Device::cuda);
  check_close_to_scale(y, dy, 1e-4f);
  const nn::NamedTensors &rec = cpu->recorded(), &drec = gpu->recorded();
  REQUIRE(rec.size() == drec.size());
  for (size_t k = 0; k < rec.size(); ++k) {
    CAPTURE(rec[k].first);
    CHECK(rec[k].first == drec[k].first);
    check_close_to_scale(rec[k].second, drec[k].second, 1e-4f);
  }
  // The loss reads the recorded states too: their gradients flow back through the steps.
  Tensor g = random_tensor({T, B, H}, 32), loss = sum(y * g), dloss = sum(dy * g.cuda());
  for (size_t k = 0; k < rec.size(); ++k) {
    Tensor gk = random_tensor({T, B, H}, 33 + k);
    loss = loss + sum(rec[k].second * gk);
    dloss = dloss + sum(drec[k].second * gk.cuda());
  }
  loss.backward();
  dloss.backward();
  check_close_to_scale(x.grad(), dx.grad(), 1e-3f);
}

}  // namespace

TEST_CASE("cuda: every neuron layer equals the CPU's: output, recorded states, input gradient") {
  const int64_t T = 12, B = 3, H = 20;
  for (const LayerCase& c : layer_cases(H)) {
    CAPTURE(std::string(c.name));
    try {
      check_layer(c, T, B, H);
    } catch (const std::exception& e) {
      const std::string message = std::string(c.name) + ": " + e.what();
      FAIL_CHECK(message);
    }
  }
}

TEST_CASE("cuda: the learnable LIF's per-neuron constants get the CPU's gradients") {
  const int64_t T = 10, B = 3, H = 12;
  Rng a(41), b(41);
  nn::LIFRecurrentLearnable cpu(H, H, a), gpu(H, H, b);
  for (int64_t k = 0; k < H; ++k)  // neurons with their own constants
    cpu.mem_logit.data()[k] = gpu.mem_logit.data()[k] = -2.5f + 0.1f * float(k),
    cpu.v_th.data()[k] = gpu.v_th.data()[k] = 0.8f + 0.03f * float(k);
  gpu.to_device(Device::cuda);
  Tensor x = random_tensor({T, B, H}, 42, 0.0f, 6.0f), g = random_tensor({T, B, H}, 43);
  cpu.record_states = gpu.record_states = true;
  Tensor y = cpu.forward(x), dy = gpu.forward(x.cuda());
  check_close_to_scale(y, dy, 1e-4f);
  (sum(y * g) + sum(cpu.recorded()[0].second * g)).backward();
  (sum(dy * g.cuda()) + sum(gpu.recorded()[0].second * g.cuda())).backward();
  for (auto [c, d] : {std::pair{cpu.mem_logit, gpu.mem_logit},
                      {cpu.syn_logit, gpu.syn_logit},
                      {cpu.v_th, gpu.v_th}}) {
    REQUIRE(d.grad().defined());
    CHECK(d.grad().device() == Device::cuda);
    check_close_to_scale(c.grad(), d.grad(), 1e-3f);
  }
}
