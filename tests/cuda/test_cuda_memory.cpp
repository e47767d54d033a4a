// The memory task's pieces on the GPU against the CPU: cat (the LIF and LSNN halves of the
// hidden layer), softmax, binary cross-entropy, and training steps of its network.
#include <doctest/doctest.h>

#include <vector>

#include "core/backend/cuda_runtime.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/loss.hpp"
#include "core/ops/reduce.hpp"
#include "core/ops/shape_ops.hpp"
#include "core/optim/optim.hpp"
#include "core/random/rng.hpp"
#include "cuda_test_util.hpp"
#include "scale_close.hpp"
#include "tasks/memory/memory_task.hpp"
#include "tasks/registry.hpp"

using namespace soma;

namespace {

using test::check_close_to_scale;
using test::random_tensor;

using test::cuda_leaf;

}  // namespace

TEST_CASE("cuda: cat along each dimension equals the CPU's, values and gradients") {
  for (int dim = 0; dim < 3; ++dim) {
    CAPTURE(dim);
    Shape sa{3, 4, 5}, sb{3, 4, 5};
    sb[size_t(dim)] = 2;
    Tensor a = random_tensor(sa, 40).requires_grad_(), b = random_tensor(sb, 41).requires_grad_();
    Tensor da = cuda_leaf(a), db = cuda_leaf(b);
    Tensor y = cat({a, b}, dim), dy = cat({da, db}, dim);
    CHECK(y.to_vector() == dy.to_vector());
    Tensor g = random_tensor(y.shape(), 42);
    y.backward(g);
    dy.backward(g.cuda());
    CHECK(a.grad().to_vector() == da.grad().to_vector());
    CHECK(b.grad().to_vector() == db.grad().to_vector());
  }
}

TEST_CASE("cuda: softmax and binary cross-entropy equal the CPU's, values and gradients") {
  Tensor x = random_tensor({4, 3, 2}, 43, -2.0f, 2.0f).requires_grad_(), dx = cuda_leaf(x);
  Tensor t = random_tensor({4, 3, 2}, 44, 0.0f, 1.0f);
  for (Reduction r : {Reduction::none, Reduction::sum, Reduction::mean}) {
    Tensor y = binary_cross_entropy(softmax(x, 2), t, r);
    Tensor dy = binary_cross_entropy(softmax(dx, 2), t.cuda(), r);
    check_close_to_scale(y, dy);
    Tensor g = r == Reduction::none ? random_tensor(y.shape(), 45) : Tensor::scalar(0.7f);
    y.backward(g);
    dy.backward(g.cuda());
    check_close_to_scale(x.grad(), dx.grad());
    x.zero_grad();
    dx.zero_grad();
  }
}

// The store/recall network (10 LIF + 10 LSNN, LI read-out) on Poisson-like input, with the
// task's softmax over period means and its binary cross-entropy; the GPU model takes the CPU's
// weights after each Adam step (a spike at threshold may flip: compared loosely, as the conv
// models' tests).
TEST_CASE("cuda: the memory network's training steps (cat, LSNN, softmax, BCE, Adam)") {
  const int64_t T = 60, B = 4, P = 3, I = 20;
  Rng r1(8), r2(8);
  MemoryNet cpu("lsnnlif", I, Surrogate{}, r1), gpu("lsnnlif", I, Surrogate{}, r2);
  gpu.to_device(Device::cuda);
  optim::Adam opt(cpu.parameters(), {1e-2f}), dopt(gpu.parameters(), {1e-2f});
  std::vector<float> spikes = random_tensor({T, B, I}, 46, 0.0f, 1.0f).to_vector();
  for (float& v : spikes) v = v > 0.85f ? 1.0f : 0.0f;
  Tensor x = Tensor::from({T, B, I}, spikes);
  Tensor labels = random_tensor({P, B, 2}, 47, 0.0f, 1.0f);
  for (int step = 0; step < 3; ++step) {
    CAPTURE(step);
    auto loss_of = [&](MemoryNet& net, const Tensor& in, const Tensor& lab) {
      Tensor v = net(in);
      Tensor probs = softmax(mean(reshape(v, {P, T / P, B, 2}), 1), 2);
      return binary_cross_entropy(probs, lab) + mean(square(sum(net.spikes, 0) * 0.01f));
    };
    Tensor loss = loss_of(cpu, x, labels), dloss = loss_of(gpu, x.cuda(), labels.cuda());
    check_close_to_scale(loss, dloss, 1e-3f);
    test::backward_compare_step(loss, dloss, opt, dopt, cpu.parameters(), gpu.parameters(),
                                {1e-2f, true});
  }
}

// The task reads a step's loss, recall probabilities, voltages and spikes from the device in
// one transfer (to_host): the host waits for the GPU once per step, not five times.
TEST_CASE("cuda: a memory task's training step waits for the device once") {
  TaskPtr t = make_task("memory");
  ParamValues v(t->params());
  v.set_string("device", "cuda");
  v.set_int("period_length", 10);
  v.set_int("periods", 2);
  v.set_int("samples", 256);
  v.set_int("batch_size", 32);  // 8 steps an epoch: the steps below end none
  t->setup(v, {});
  t->step();
  const cuda::WorkCounts w0 = cuda::work_counts();
  t->step();
  CHECK(cuda::work_counts().waits - w0.waits == 1);
}
