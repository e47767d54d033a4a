#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <string>

#include "core/nn/nn.hpp"
#include "gradcheck.hpp"

using namespace soma;
using nn::Linear;
using nn::Sequential;
using std::make_shared;

namespace {

std::vector<std::string> names_of(const nn::NamedTensors& named) {
  std::vector<std::string> out;
  for (const auto& [name, t] : named) out.push_back(name);
  return out;
}

std::shared_ptr<Sequential> small_mlp(uint64_t seed) {
  Rng rng(seed);
  return make_shared<Sequential>(make_shared<Linear>(3, 4, rng), make_shared<nn::Tanh>(),
                                 make_shared<Linear>(4, 2, rng));
}

}  // namespace

TEST_CASE("module: nested Sequential names parameters with dotted paths in order") {
  Rng rng(1);
  auto inner = make_shared<Sequential>(make_shared<Linear>(3, 4, rng),
                                       make_shared<Linear>(4, 1, false, rng));
  Sequential net(make_shared<Linear>(2, 3, rng), make_shared<nn::Tanh>(), inner);
  CHECK(names_of(net.named_parameters()) ==
        std::vector<std::string>{"0.weight", "0.bias", "2.0.weight", "2.0.bias", "2.1.weight"});
  CHECK(net.parameters().size() == 5);
  CHECK(net.num_parameters() == (6 + 3) + (12 + 4) + 4);
  CHECK(net.size() == 3);
  CHECK(net[2] == inner);
  for (const auto& p : net.parameters()) CHECK(p.requires_grad());
}

TEST_CASE("module: buffers are named, saved, and not parameters") {
  nn::BatchNorm2d bn(3);
  CHECK(names_of(bn.named_parameters()) == std::vector<std::string>{"weight", "bias"});
  CHECK(names_of(bn.named_buffers()) ==
        std::vector<std::string>{"running_mean", "running_var", "num_batches_tracked"});
  CHECK(bn.state_dict().size() == 5);
  test::check_close(bn.weight, {1, 1, 1});
  test::check_close(bn.running_var, {1, 1, 1});
  CHECK_FALSE(bn.running_mean.requires_grad());
  CHECK(nn::BatchNorm2d(3, 1e-5f, 0.1f, false).parameters().empty());
}

TEST_CASE("module: registration rejects bad and duplicate names") {
  nn::Module m;
  m.register_parameter("w", Tensor::zeros({2}));
  CHECK_THROWS_AS(m.register_parameter("w", Tensor::zeros({2})), std::invalid_argument);
  CHECK_THROWS_AS(m.register_buffer("w", Tensor::zeros({2})), std::invalid_argument);
  CHECK_THROWS_AS(m.register_parameter("a.b", Tensor::zeros({2})), std::invalid_argument);
  CHECK_THROWS_AS(m.register_module("", make_shared<nn::Tanh>()), std::invalid_argument);
  CHECK_THROWS_AS(m.forward(Tensor::zeros({1})), std::logic_error);
}

TEST_CASE("module: a layer used twice contributes its parameters once") {
  Rng rng(2);
  auto shared = make_shared<Linear>(3, 3, rng);
  Sequential net(shared, shared);
  CHECK(names_of(net.named_parameters()) == std::vector<std::string>{"0.weight", "0.bias"});
  CHECK(net.state_dict().size() == 4);  // state dicts keep every name, as torch's
}

TEST_CASE("module: state_dict / load_state_dict round trip copies values in place") {
  auto a = small_mlp(10), b = small_mlp(11);
  Tensor x = Tensor::from({1, 3}, {0.3f, -0.2f, 0.9f});
  Tensor b_weight = std::static_pointer_cast<Linear>((*b)[0])->weight;
  CHECK(a->forward(x).to_vector() != b->forward(x).to_vector());

  auto result = b->load_state_dict(a->state_dict());
  CHECK(result.missing_keys.empty());
  CHECK(result.unexpected_keys.empty());
  CHECK(a->forward(x).to_vector() == b->forward(x).to_vector());
  // Handles held by the layer still see the loaded values: the copy was in place.
  CHECK(b_weight.to_vector() == std::static_pointer_cast<Linear>((*a)[0])->weight.to_vector());
  CHECK_FALSE(b_weight.same_storage(std::static_pointer_cast<Linear>((*a)[0])->weight));
}

TEST_CASE("module: load_state_dict names missing, unexpected and mismatched keys") {
  auto net = small_mlp(3);
  const auto before = net->state_dict()["0.weight"].clone().to_vector();
  auto source = small_mlp(4)->state_dict();

  auto missing = source;
  missing.erase("2.bias");
  CHECK_THROWS_WITH_AS(net->load_state_dict(missing), doctest::Contains("missing keys: 2.bias"),
                       std::invalid_argument);
  CHECK(net->state_dict()["0.weight"].to_vector() == before);  // nothing copied on error
  auto lenient = net->load_state_dict(missing, false);
  CHECK(lenient.missing_keys == std::vector<std::string>{"2.bias"});
  CHECK(net->state_dict()["0.weight"].to_vector() != before);  // the rest was loaded

  auto extra = source;
  extra["head.weight"] = Tensor::zeros({1});
  CHECK_THROWS_WITH_AS(net->load_state_dict(extra),
                       doctest::Contains("unexpected keys: head.weight"), std::invalid_argument);
  CHECK(net->load_state_dict(extra, false).unexpected_keys ==
        std::vector<std::string>{"head.weight"});

  auto wrong = source;
  wrong["0.weight"] = Tensor::zeros({3, 4});
  CHECK_THROWS_WITH_AS(net->load_state_dict(wrong, false),
                       doctest::Contains("0.weight (checkpoint (3, 4), module (4, 3))"),
                       std::invalid_argument);
}

TEST_CASE("module: train and eval propagate to every descendant") {
  Rng rng(5);
  auto leaf = make_shared<Linear>(2, 2, rng);
  auto inner = make_shared<Sequential>(leaf, make_shared<nn::Dropout>(0.5f, rng));
  Sequential net(make_shared<Linear>(2, 2, rng), inner);
  CHECK(leaf->is_training());
  net.eval();
  CHECK_FALSE(net.is_training());
  CHECK_FALSE(inner->is_training());
  CHECK_FALSE(leaf->is_training());
  net.train();
  CHECK(leaf->is_training());
  inner->train(false);
  CHECK(net.is_training());
  CHECK_FALSE(leaf->is_training());
}

TEST_CASE("module: zero_grad drops every gradient") {
  auto net = small_mlp(6);
  sum(net->forward(Tensor::ones({2, 3}))).backward();
  for (const auto& p : net->parameters()) CHECK(p.grad().defined());
  net->zero_grad();
  for (const auto& p : net->parameters()) CHECK_FALSE(p.grad().defined());
}

TEST_CASE("linear: init within +-1/sqrt(fan_in) and deterministic per seed") {
  Rng r1(42), r2(42), r3(43);
  Linear a(50, 20, r1), b(50, 20, r2), c(50, 20, r3);
  const float bound = 1.0f / std::sqrt(50.0f);
  for (const Tensor& t : {a.weight, a.bias}) {
    CHECK(t.array().abs().maxCoeff() <= bound);
    CHECK(t.array().abs().maxCoeff() > 0.9f * bound);  // spread over the range, not all tiny
  }
  CHECK(a.weight.shape() == Shape{20, 50});
  CHECK(a.bias.shape() == Shape{20});
  CHECK(a.weight.to_vector() == b.weight.to_vector());
  CHECK(a.bias.to_vector() == b.bias.to_vector());
  CHECK(a.weight.to_vector() != c.weight.to_vector());
  CHECK_FALSE(Linear(3, 2, false, r1).bias.defined());
  CHECK_THROWS_AS(Linear(0, 2, r1), std::invalid_argument);
}

TEST_CASE("linear: forward equals x W^T + b computed by hand") {
  Rng rng(7);
  Linear lin(3, 2, rng);
  lin.weight.copy_(Tensor::from({2, 3}, {1, 2, 3, -1, 0, 0.5f}));
  lin.bias.copy_(Tensor::from({2}, {0.25f, -1}));
  Tensor x = Tensor::from({2, 3}, {1, 1, 1, 2, 0, -2});
  // row 0: (1+2+3)+0.25 = 6.25, (-1+0+0.5)-1 = -1.5
  // row 1: (2+0-6)+0.25 = -3.75, (-2+0-1)-1 = -4
  test::check_close(lin(x), {6.25f, -1.5f, -3.75f, -4});
}

TEST_CASE("module: gradcheck through Sequential(Linear, tanh, Linear)") {
  Rng rng(8);
  auto act = make_shared<nn::Lambda>([](const Tensor& x) { return soma::tanh(x); });
  Sequential net(make_shared<Linear>(3, 4, rng), act, make_shared<Linear>(4, 2, rng));
  Tensor x = test::param({5, 3}, rng);
  Tensors inputs{x};
  for (const auto& p : net.parameters())
    inputs.push_back(p);  // handles: perturbing them moves the net
  CHECK(test::gradcheck([&](const Tensors& t) { return net(t[0]); }, inputs));
}

TEST_CASE("module: conv, pool, flatten and batch norm layers compose") {
  Rng rng(9);
  auto conv = make_shared<nn::Conv2d>(2, 4, 3, 1, 1, true, rng);
  auto bn = make_shared<nn::BatchNorm2d>(4);
  Sequential net(conv, bn, make_shared<nn::ReLU>(), make_shared<nn::MaxPool2d>(2),
                 make_shared<nn::AvgPool2d>(2), make_shared<nn::Flatten>(),
                 make_shared<Linear>(4, 3, rng));
  CHECK(conv->weight.shape() == Shape{4, 2, 3, 3});
  const float bound = 1.0f / std::sqrt(2.0f * 3 * 3);
  CHECK(conv->weight.array().abs().maxCoeff() <= bound);
  CHECK(conv->bias.array().abs().maxCoeff() <= bound);

  Tensor x = Tensor::randn({2, 2, 4, 4}, rng);
  Tensor y = net(x);
  CHECK(y.shape() == Shape{2, 3});
  CHECK(bn->num_batches_tracked.item() == 1);
  CHECK(bn->running_mean.array().abs().sum() > 0);  // training updated the running stats
  net.eval();
  const auto mean_before = bn->running_mean.to_vector();
  net(x);
  CHECK(bn->running_mean.to_vector() == mean_before);
  CHECK(bn->num_batches_tracked.item() == 1);
}

TEST_CASE("module: dropout is active in training and the identity in eval") {
  Rng rng(12);
  nn::Dropout drop(0.5f, rng);
  Tensor x = Tensor::ones({1000});
  Tensor y = drop(x);
  int64_t zeros = (y.array() == 0).count();
  CHECK(zeros > 400);
  CHECK(zeros < 600);
  CHECK(((y.array() == 0) || (y.array() == 2)).all());
  drop.eval();
  CHECK(drop(x).to_vector() == x.to_vector());
  CHECK_THROWS_AS(nn::Dropout(1.5f, rng), std::invalid_argument);
}

TEST_CASE("module: init helpers") {
  Rng rng(13);
  CHECK(nn::init::calculate_fans({8, 3, 5, 5}) == std::pair<int64_t, int64_t>{75, 200});
  CHECK_THROWS_AS(nn::init::calculate_fans({4}), std::invalid_argument);
  Tensor w = nn::init::kaiming_uniform_(Tensor::zeros({64, 100}), rng);  // relu-ish: sqrt(6/100)
  CHECK(w.array().abs().maxCoeff() <= std::sqrt(6.0f / 100.0f) * (1 + 1e-6f));
  Tensor n = nn::init::normal_(Tensor::zeros({20000}), 1.0f, 2.0f, rng);
  CHECK(n.array().mean() == doctest::Approx(1.0f).epsilon(0.05));
  CHECK(std::sqrt((n.array() - n.array().mean()).square().mean()) ==
        doctest::Approx(2.0f).epsilon(0.05));
  test::check_close(nn::init::zeros_(Tensor::ones({2})), {0, 0});
}
