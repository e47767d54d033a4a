// The memory policies of native programs (core/backend/malloc_policy.hpp) keep every value.
#include <doctest/doctest.h>

#include <cstddef>
#include <vector>

#include "core/backend/malloc_policy.hpp"

using namespace soma;

TEST_CASE("use_huge_pages moves a table into a new buffer with the same values") {
  std::vector<float> v(size_t(3) << 20);  // 12 MB: at least one whole 2 MB page inside
  for (size_t i = 0; i < v.size(); ++i) v[i] = float(i % 1009) - 0.5f;
  [[maybe_unused]] const float* before = v.data();  // compared on Linux only
  const bool advised = use_huge_pages(v);
  REQUIRE(v.size() == size_t(3) << 20);
  bool same = true;
  for (size_t i = 0; i < v.size(); ++i) same = same && v[i] == float(i % 1009) - 0.5f;
  CHECK(same);
#if defined(__linux__)
  CHECK(advised);  // kernels without transparent huge pages would refuse; Debian's have them
  CHECK(v.data() != before);
#else
  CHECK_FALSE(advised);
#endif
}

TEST_CASE("use_huge_pages leaves small tables where they are") {
  std::vector<float> v = {1, 2, 3};
  const float* before = v.data();
  CHECK_FALSE(use_huge_pages(v));
  CHECK(v.data() == before);
  CHECK(v == std::vector<float>{1, 2, 3});
}
