// The GPU suite's comparison (scale_close.hpp) must fail where a kernel went wrong in the ways
// only a GPU shows: a NaN from uninitialised memory or a bad read, or an infinity, in the result.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "scale_close.hpp"

using soma::test::close_to_scale;

TEST_CASE(
    "close_to_scale: within tol of the scale, NaN and infinities only where the CPU has them") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  CHECK(close_to_scale({1.0f, -2.0f, 0.0f}, {1.0f, -2.00001f, 1e-9f}, 1e-5f));
  CHECK(!close_to_scale({1.0f, -2.0f}, {1.0f, -2.1f}, 1e-5f));
  CHECK(!close_to_scale({1.0f, 2.0f}, {1.0f, nan}, 1e-5f));  // NaN compares false: never "close"
  CHECK(!close_to_scale({nan, 2.0f}, {1.0f, 2.0f}, 1e-5f));
  CHECK(!close_to_scale({1.0f, 2.0f}, {inf, 2.0f}, 1e-5f));
  CHECK(!close_to_scale({inf, 2.0f}, {1.0f, 2.0f}, 1e-5f));  // an infinite scale excuses nothing
  CHECK(!close_to_scale({inf, 2.0f}, {inf, 3.0f}, 1e-5f));
  CHECK(!close_to_scale({inf}, {-inf}, 1e-5f));
  CHECK(close_to_scale({nan, inf, 2.0f}, {nan, inf, 2.0f}, 1e-5f));  // the same non-finite values
}
