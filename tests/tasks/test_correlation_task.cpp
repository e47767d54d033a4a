#include <doctest/doctest.h>

#include "tasks/registry.hpp"

using namespace soma;

TEST_CASE("correlation task: learning the plasticity maps lowers the loss by half") {
  TaskPtr t = make_task("correlation");
  ParamValues v(t->params());
  v.set_int("episodes", 6);
  v.set_int("seq_length", 200);
  t->setup(v, {});
  while (!t->done()) t->step();
  const Series* loss = t->telemetry().find_series("loss");
  REQUIRE(loss != nullptr);
  CHECK(loss->y.size() == 6);
  CHECK(loss->last() < 0.5 * loss->y.front());
}
