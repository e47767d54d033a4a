// to_host on the CPU: the tensors themselves, detached (the one-wait packing on cuda is
// tests/cuda/test_cuda_ops.cpp's).
#include <doctest/doctest.h>

#include "core/ops/elementwise.hpp"
#include "core/ops/host_readback.hpp"

using namespace soma;

TEST_CASE("to_host: CPU tensors come back as they are, without history") {
  const Tensor w = Tensor::from({2}, {1, 2}).requires_grad_();
  const Tensor y = w * 3.0f;
  const Tensors h = to_host({y, Tensor::scalar(5.0f), Tensor::zeros({0, 2})});
  REQUIRE(h.size() == 3);
  CHECK(h[0].to_vector() == std::vector<float>{3, 6});
  CHECK(!h[0].requires_grad());
  CHECK(h[0].data() == y.data());  // shared storage: no copy on the CPU
  CHECK(h[1].item() == 5.0f);
  CHECK(h[2].shape() == Shape{0, 2});
}
