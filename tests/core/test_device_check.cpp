// Ops refuse cuda tensors they cannot compute on, and mixed devices, naming the op. A CPU build
// cannot allocate cuda storage, so these tests tag host tensors as cuda by hand: the checks read
// only the tags, and throw before any kernel touches the data.
#include <doctest/doctest.h>

#include <functional>
#include <stdexcept>
#include <string>

#include "core/autograd/node.hpp"
#include "core/backend/cuda_runtime.hpp"
#include "core/backend/device_check.hpp"
#include "core/data/loader.hpp"
#include "core/neuron/ff_layer.hpp"
#include "core/neuron/lif.hpp"
#include "core/ops/conv.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/linalg.hpp"
#include "core/ops/loss.hpp"
#include "core/ops/norm.hpp"
#include "core/ops/reduce.hpp"
#include "core/plasticity/stdp_sensor.hpp"
#include "core/random/rng.hpp"
#include "error_of.hpp"

using namespace soma;

namespace {

using test::error_of;

// A host tensor that claims to be on cuda (its storage stays host memory).
Tensor tagged_cuda(const Shape& shape) {
  Tensor t = Tensor::zeros(shape);
  t.impl()->device = Device::cuda;
  return t;
}

}  // namespace

TEST_CASE("device check: the common device of the inputs, undefined inputs ignored") {
  Tensor a = Tensor::zeros({2}), c = tagged_cuda({2});
  CHECK(require_device("op", a, a, Tensor()) == Device::cpu);
  CHECK(require_device("op", c, Tensor(), c) == Device::cuda);
  CHECK(require_device("op") == Device::cpu);
  CHECK_NOTHROW(require_cpu("op", a, Tensor()));
}

TEST_CASE("device check: mixed devices throw invalid_argument naming the op") {
  Tensor a = Tensor::zeros({2}), c = tagged_cuda({2});
  CHECK_THROWS_AS(require_device("matmul", a, c), std::invalid_argument);
  const std::string msg = error_of([&] { require_device("matmul", a, c); });
  CHECK(msg.find("matmul") != std::string::npos);
  CHECK(msg.find("cpu and cuda") != std::string::npos);
  CHECK(error_of([&] { add(a, c); }).find("add") == 0);
  // Running statistics on another device than the input: refused before any kernel.
  Tensor x = Tensor::zeros({3, 2});
  CHECK(error_of([&] {
          batch_norm(x, tagged_cuda({2}), tagged_cuda({2}), Tensor(), Tensor(), true);
        }).find("batch_norm") == 0);
}

TEST_CASE("device check: an op without a CUDA kernel throws for cuda inputs, naming the op") {
  Tensor c = tagged_cuda({3});
  CHECK_THROWS_AS(require_cpu("relu", c), std::runtime_error);
  STDPSensorState s{tagged_cuda({1, 3}), tagged_cuda({1, 2})};
  const std::string msg = error_of([&] {
    stdp_sensor_step(tagged_cuda({1, 3}), tagged_cuda({1, 2}), s, {});
  });
  CHECK(msg.find("stdp_sensor_step") == 0);
  CHECK(msg.find("no CUDA implementation") != std::string::npos);
}

TEST_CASE("device check: cuda storage needs a CUDA build with a device") {
  if (cuda::available()) return;  // a GPU machine allocates it
  CHECK_THROWS_AS(Tensor::zeros({4}, Device::cuda), std::runtime_error);
  CHECK_THROWS_AS(Tensor::ones({4}).cuda(), std::runtime_error);
  Tensor t = Tensor::ones({4});
  CHECK(t.cpu().same_storage(t));  // already there: no copy
  CHECK(t.to(Device::cpu).same_storage(t));
}

TEST_CASE("device check: pinned host memory needs a CUDA build with a device, and says so") {
  if (cuda::available()) return;  // a GPU machine pins it (tests/cuda/test_cuda_pinned.cpp)
  CHECK(error_of([] { Tensor::ones({4}).pin_memory(); }).find("pinned host memory") == 0);
  CHECK_THROWS_AS(Tensor::uninitialized_pinned({4}), std::runtime_error);
  CHECK_FALSE(Tensor::ones({4}).is_pinned());
  auto data = std::make_shared<Dataset>();
  data->channels = data->height = data->width = 1;
  LoaderOptions o;
  o.pin_memory = true;
  CHECK(error_of([&] { DataLoader loader(data, o); }).find("DataLoader with pin_memory") == 0);
}

// A build without CUDA has no device path for the ops that have one in a CUDA build: they
// refuse cuda tensors by name too (a CUDA build would launch kernels on these host pointers).
TEST_CASE(
    "device check: without CUDA, conv2d, pooling, batch_norm and the conv layer refuse cuda") {
#ifndef SOMA_CUDA
  Tensor x = tagged_cuda({1, 1, 4, 4}), w = tagged_cuda({2, 1, 3, 3});
  Tensor seq = tagged_cuda({2, 1, 1, 4, 4}), state = tagged_cuda({1, 2, 2, 2});
  Tensor rm = tagged_cuda({1}), rv = tagged_cuda({1});
  const CurrentScanConfig lif_config = lif_scan_config(LIFParameters{}, false, true);
  for (const auto& entry :
       {std::pair<const char*, std::function<void()>>{"conv2d", [&] { conv2d(x, w); }},
        {"max_pool2d", [&] { max_pool2d(x, 2); }},
        {"avg_pool2d", [&] { avg_pool2d(x, 2); }},
        {"batch_norm", [&] { batch_norm(x, rm, rv, Tensor(), Tensor(), true); }},
        {"conv_neuron_sequence", [&] {
           conv_neuron_sequence(seq, w, Tensor(), {state, state}, lif_config);
         }}}) {
    const std::string name = entry.first, msg = error_of(entry.second);
    CAPTURE(name);
    CHECK(msg.find(name) == 0);
    CHECK(msg.find("no CUDA implementation") != std::string::npos);
  }
#endif
}

// backward(grad) must get grad on the tensor's own device: the engine hands it to the last op's
// backward as its output gradient, and a CUDA op's backward would launch its kernel on a host
// pointer (or, for a leaf, keep a cpu .grad that the optimizer's CUDA step then reads).
TEST_CASE("device check: backward refuses a gradient on another device than the tensor") {
  Tensor leaf = tagged_cuda({2}).requires_grad_();
  CHECK_THROWS_AS(leaf.backward(Tensor::zeros({2})), std::invalid_argument);
  CHECK(!leaf.grad().defined());

  bool called = false;
  Tensor out = record("cuda_op", tagged_cuda({2}), {leaf}, [&](const Tensor& g) {
    called = true;
    return Tensors{g};
  });
  const std::string msg = error_of([&] { out.backward(Tensor::zeros({2})); });
  CHECK(msg.find("cpu") != std::string::npos);
  CHECK(msg.find("cuda") != std::string::npos);
  CHECK(!called);
}
