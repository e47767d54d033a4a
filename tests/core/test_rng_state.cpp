#include <doctest/doctest.h>

#include <stdexcept>

#include "core/random/rng.hpp"

using namespace soma;

TEST_CASE("Rng: state() and set_state() continue the stream exactly, spare normal included") {
  Rng a(7);
  for (int i = 0; i < 5; ++i) a.uniform();
  a.normal();  // leaves a spare
  const std::string saved = a.state();
  Rng b(123);
  b.set_state(saved);
  for (int i = 0; i < 10; ++i) {
    CHECK(a.normal() == b.normal());
    CHECK(a.next_u32() == b.next_u32());
  }
  CHECK_THROWS_AS(b.set_state("abc"), std::invalid_argument);
  CHECK_THROWS_AS(b.set_state(saved + " 1"), std::invalid_argument);
  CHECK_THROWS_AS(b.set_state("xoshiro128ss 0 0 0 0 0 0"), std::invalid_argument);
}
