#include <doctest/doctest.h>

#include "tasks/memory/memory_data.hpp"
#include "tasks/memory/memory_task.hpp"
#include "tasks/registry.hpp"

using namespace soma;

TEST_CASE("memory data: the recall target is the bit shown at the store command") {
  MemoryDataOptions o;
  o.period_length = 40;
  o.periods = 6;
  o.repetitions = 2;
  o.rate_hz = 1000;  // every active input spikes every step: levels are readable
  std::vector<uint64_t> seeds{11, 12, 13};
  MemoryBatch m = make_memory_batch(o, seeds);
  CHECK(m.inputs.shape() == Shape{o.steps(), 3, 20});
  CHECK(m.labels.shape() == Shape{12, 3, 2});
  auto channel_on = [&](int64_t period, int64_t b, int64_t channel) {
    float spikes = 0;
    for (int64_t t = period * o.period_length; t < (period + 1) * o.period_length; ++t)
      for (int64_t k = 0; k < o.population; ++k)
        spikes += m.inputs.at({t, b, channel * o.population + k});
    return spikes > 0;
  };
  for (int64_t b = 0; b < 3; ++b)
    for (int64_t rep = 0; rep < 2; ++rep) {
      int64_t store = -1, recall = -1;
      for (int64_t k = rep * 6; k < rep * 6 + 6; ++k) {
        if (channel_on(k, b, 2)) store = k;
        if (channel_on(k, b, 3)) recall = k;
      }
      REQUIRE(store >= rep * 6);
      CHECK(store < rep * 6 + 3);  // first half of the block
      CHECK(recall >= rep * 6 + 3);
      CHECK(m.recall.at({recall, b, 0}) == 1);
      int bit = channel_on(store, b, 1) ? 1 : 0;
      CHECK(channel_on(store, b, bit));
      CHECK(m.labels.at({recall, b, bit}) == 1);
      CHECK_FALSE(channel_on(recall, b, 0));  // data silent during recall
      CHECK_FALSE(channel_on(recall, b, 1));
    }
  // The same seeds give the same batch.
  CHECK(make_memory_batch(o, seeds).inputs.to_vector() == m.inputs.to_vector());
}

TEST_CASE("memory task: trains a few steps and its recall accuracy rises above chance") {
  TaskPtr t = make_task("memory");
  ParamValues v(t->params());
  v.set_int("period_length", 10);
  v.set_int("periods", 2);  // recall right after store
  v.set_int("samples", 256);
  v.set_int("batch_size", 32);
  v.set_int("epochs", 30);
  v.set_float("learning_rate", 0.01);
  t->setup(v, {});
  while (!t->done()) t->step();
  const Series* acc = t->telemetry().find_series("val accuracy");
  REQUIRE(acc != nullptr);
  CHECK(acc->last() > 0.9);  // chance is 0.5
}

TEST_CASE("memory task: live parameters change without a restart") {
  MemoryTask t;
  ParamValues v(t.params());
  v.set_int("samples", 8);
  v.set_int("batch_size", 4);
  v.set_int("period_length", 5);
  v.set_int("epochs", 1);
  t.setup(v, {});
  CHECK(!t.done());
  v.set_int("epochs", 3);  // no restart flag: update_params takes it
  t.update_params(v);
  for (int i = 0; i < 2; ++i) t.step();
  CHECK(!t.done());                            // one epoch done, three asked for
  CHECK(t.telemetry().rasters().size() == 2);  // the training batch's first sample, live
}
