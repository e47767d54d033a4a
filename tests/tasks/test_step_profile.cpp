#include <doctest/doctest.h>

#include "core/encode/encoders.hpp"
#include "core/random/rng.hpp"
#include "tasks/framework/step_profile.hpp"

using namespace soma;

TEST_CASE("step profile: spike densities are counted from the spike index, values unwritten") {
  Rng rng(9);
  const Tensor z = constant_current_lif_encode(Tensor::rand({4, 300}, rng, 0, 2), 12);
  REQUIRE(z.values_deferred());
  double ones = 0, count = 0;
  count_nonzeros(z, ones, count);
  CHECK(z.values_deferred());
  CHECK(ones == double(z.spike_index()->size()));
  CHECK(count == double(z.numel()));
  double ones_read = 0, count_read = 0;
  count_nonzeros(z.clone(), ones_read, count_read);  // no index: the values are counted
  CHECK(ones_read == ones);
  CHECK(ones > 100);
}
