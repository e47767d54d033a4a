// Pinned host memory and asynchronous host-to-device copies (the GPU suite; the fenced pool's
// policy is checked on the host by tests/core/test_fenced_pool.cpp). What a GPU must show:
// a pageable source may be overwritten as soon as to() returns, a pinned source's block is not
// reused before its copy ran, and a loop of copies stops pinning new memory.
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <numeric>
#include <vector>

#include "core/backend/cuda_runtime.hpp"
#include "core/data/loader.hpp"
#include "core/ops/elementwise.hpp"
#include "scale_close.hpp"

using namespace soma;

namespace {

// Enough work on the stream (a chain of adds on a large tensor) that a copy queued behind it
// is still waiting when the host goes on: the races below would show.
Tensor busy_stream() {
  Tensor x = Tensor::full({1 << 24}, 1.0f, Device::cuda);
  for (int k = 0; k < 20; ++k) x = x + x * 0.5f;
  return x;
}

}  // namespace

TEST_CASE("cuda pinned: a pageable source may be overwritten as soon as to() returns") {
  Tensor busy = busy_stream();
  std::vector<Tensor> hosts, devices;
  for (int k = 0; k < 50; ++k) {
    Tensor h = Tensor::full({1000 + k}, float(k));
    devices.push_back(h.cuda());
    h.fill_(-1.0f);  // the staged copy read h already
    hosts.push_back(h);
  }
  for (int k = 0; k < 50; ++k) {
    const std::vector<float> v = devices[size_t(k)].to_vector();
    CHECK(std::all_of(v.begin(), v.end(), [k](float x) { return x == float(k); }));
  }
}

TEST_CASE("cuda pinned: pin_memory copies, to() from it round-trips, and freed blocks wait") {
  Tensor a = Tensor::from({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor p = a.pin_memory();
  CHECK(p.is_pinned());
  CHECK_FALSE(a.is_pinned());
  CHECK(p.pin_memory().same_storage(p));
  CHECK(p.to_vector() == a.to_vector());
  CHECK(p.cuda().cpu().to_vector() == a.to_vector());
  // Many pinned tensors copied and dropped while the stream is busy: a block must not be
  // refilled before the copy that reads it ran.
  Tensor busy = busy_stream();
  std::vector<Tensor> devices;
  for (int k = 0; k < 64; ++k) {
    Tensor h = Tensor::uninitialized_pinned({4096});
    h.fill_(float(k));
    devices.push_back(h.cuda());
  }  // each h is released here, behind a fence
  for (int k = 0; k < 64; ++k) {
    const std::vector<float> v = devices[size_t(k)].to_vector();
    CHECK(std::all_of(v.begin(), v.end(), [k](float x) { return x == float(k); }));
  }
}

TEST_CASE("cuda pinned: a loop of staged copies stops pinning new memory after its first turn") {
  auto turn = [] {
    for (int k = 0; k < 8; ++k) (void)Tensor::full({200000}, 1.0f).cuda();
  };
  // The first turn queues behind a busy stream, so each of its copies takes a block of its own:
  // the most any turn can need. (Without it, how many blocks a turn needs depends on how fast
  // the copies finish, and a later, faster turn could need one more.)
  {
    Tensor busy = busy_stream(), busier = busy_stream();  // ~2x the turn's host time
    turn();
  }
  cuda::synchronize();
  turn();
  const int64_t allocs = cuda::pinned_stats().blocks.raw_allocs;
  for (int r = 0; r < 5; ++r) {
    cuda::synchronize();
    turn();
  }
  CHECK(cuda::pinned_stats().blocks.raw_allocs == allocs);
}

TEST_CASE("cuda pinned: DataLoader with pin_memory gives the same batches, pinned") {
  auto data = std::make_shared<Dataset>();
  data->channels = 1, data->height = 2, data->width = 3;
  data->images.resize(50 * 6);
  std::iota(data->images.begin(), data->images.end(), 0.0f);
  for (int i = 0; i < 50; ++i) data->labels.push_back(i % 10);
  LoaderOptions plain{8, true, false, 3, true, false}, pinned{8, true, false, 3, true, true};
  DataLoader a(data, plain), b(data, pinned);
  a.start_epoch(1);
  b.start_epoch(1);
  while (auto x = a.next()) {
    auto y = b.next();
    REQUIRE(y);
    CHECK(y->images.is_pinned());
    CHECK(y->targets.is_pinned());
    CHECK(y->images.cuda().to_vector() == x->images.to_vector());
    CHECK(y->targets.to_vector() == x->targets.to_vector());
  }
  CHECK_FALSE(b.next());
}
