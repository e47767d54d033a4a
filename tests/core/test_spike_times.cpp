#include <doctest/doctest.h>

#include <cmath>

#include "core/encode/spike_times.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/reduce.hpp"
#include "gradcheck.hpp"

using namespace soma;

TEST_CASE("spikes_to_times: the first k spike steps per neuron, ascending, inf when missing") {
  // T 5, two neurons: neuron 0 spikes at steps 1 and 3, neuron 1 never.
  Tensor z = Tensor::from({5, 1, 2}, {0, 0, 1, 0, 0, 0, 1, 0, 0, 0});
  Tensor idx = spikes_to_times(z, 2, false);
  CHECK(idx.shape() == Shape{2, 1, 2});
  CHECK(idx.at({0, 0, 0}) == 1);
  CHECK(idx.at({1, 0, 0}) == 3);
  CHECK(std::isinf(idx.at({0, 0, 1})));
  CHECK(std::isinf(idx.at({1, 0, 1})));
  Tensor t = spikes_to_times(z);  // k 1, in seconds at dt 1 ms
  CHECK(t.shape() == Shape{1, 1, 2});
  CHECK(t.at({0, 0, 0}) == doctest::Approx(1e-3));
  CHECK(spikes_to_times(z, 9, false).size(0) == 5);  // k is capped at T, as Norse
}

TEST_CASE("spikes_to_times: gradient -1 (times dt) at each returned spike, 0 elsewhere") {
  Tensor z = Tensor::from({4, 3}, {0, 1, 0, 1, 1, 0, 1, 0, 0, 0, 1, 0}).requires_grad_();
  // Returned with k 2: neuron 0 at steps 1, 2; neuron 1 at 0, 1 (its step-3 spike is not
  // returned); neuron 2 none.
  Tensor w = Tensor::from({2, 3}, {2, 3, 5, 7, 11, 13});
  sum(spikes_to_times(z, 2, true, 0.5f) * w).backward();
  test::check_close(z.grad(), {0, -1.5f, 0, -1, -5.5f, 0, -3.5f, 0, 0, 0, 0, 0});
}

TEST_CASE("spikes_to_times: bad arguments are named") {
  CHECK_THROWS_WITH_AS(spikes_to_times(Tensor::zeros({3, 2}), 0), doctest::Contains("spike_count"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(spikes_to_times(Tensor::scalar(1)), doctest::Contains("(T, ...)"),
                       std::invalid_argument);
}
