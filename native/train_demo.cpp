// A small real training run through Soma's autograd: an MLP learns the two-moons problem with
// Adam and cross-entropy, printing its loss as it falls and its accuracy on held-out points.
// `make run` starts it until the task framework replaces it with `soma run <task>`.
#include <cmath>
#include <cstdio>
#include <numbers>
#include <vector>

#include "core/autograd/grad_mode.hpp"
#include "core/nn/nn.hpp"
#include "core/ops/ops.hpp"
#include "core/optim/adam.hpp"
#include "core/random/rng.hpp"

using namespace soma;

struct Dataset {
  Tensor x;  // (n, 2)
  Tensor y;  // (n), class index 0 or 1 as float
};

// Two interleaving half circles with Gaussian noise, as scikit-learn's make_moons.
Dataset two_moons(int64_t n, float noise, Rng& rng) {
  std::vector<float> x(2 * n), y(n);
  for (int64_t i = 0; i < n; ++i) {
    const int label = int(i % 2);
    const float t = float(std::numbers::pi) * rng.uniform();
    const float px = label == 0 ? std::cos(t) : 1 - std::cos(t);
    const float py = label == 0 ? std::sin(t) : 0.5f - std::sin(t);
    x[2 * i] = px + noise * rng.normal();
    x[2 * i + 1] = py + noise * rng.normal();
    y[i] = float(label);
  }
  return {Tensor::from({n, 2}, std::move(x)), Tensor::from({n}, std::move(y))};
}

float accuracy(nn::Module& model, const Dataset& d) {
  NoGrad no_grad;
  const Tensor pred = argmax(model(d.x), 1);
  int64_t correct = 0;
  for (int64_t i = 0; i < d.y.numel(); ++i) correct += pred.data()[i] == d.y.data()[i];
  return float(correct) / float(d.y.numel());
}

int main() {
  Rng rng(42);
  const Dataset train = two_moons(1024, 0.15f, rng);
  const Dataset test = two_moons(512, 0.15f, rng);

  auto model = std::make_shared<nn::Sequential>(
      std::make_shared<nn::Linear>(2, 32, rng), std::make_shared<nn::Tanh>(),
      std::make_shared<nn::Linear>(32, 32, rng), std::make_shared<nn::Tanh>(),
      std::make_shared<nn::Linear>(32, 2, rng));
  optim::Adam opt(model->parameters(), {.lr = 0.005f});

  const int64_t batch = 64, n = train.y.numel();
  std::vector<int64_t> order(n);
  for (int64_t i = 0; i < n; ++i) order[i] = i;

  std::printf("two-moons: MLP 2-32-32-2 (%lld parameters), Adam lr 0.005, batch %lld\n",
              (long long)model->num_parameters(), (long long)batch);
  for (int epoch = 1; epoch <= 30; ++epoch) {
    rng.shuffle(order);
    double total = 0;
    for (int64_t start = 0; start < n; start += batch) {
      const std::vector<int64_t> idx(order.begin() + start,
                                     order.begin() + std::min(start + batch, n));
      const Tensor loss =
          cross_entropy((*model)(index_select(train.x, idx)), index_select(train.y, idx));
      opt.zero_grad();
      loss.backward();
      opt.step();
      total += loss.item() * double(idx.size());
    }
    if (epoch == 1 || epoch % 5 == 0)
      std::printf("epoch %2d  loss %.4f  train acc %.3f\n", epoch, total / double(n),
                  accuracy(*model, train));
  }
  const float acc = accuracy(*model, test);
  std::printf("test accuracy %.3f on %lld held-out points\n", acc, (long long)test.y.numel());
  return acc > 0.9f ? 0 : 1;
}
