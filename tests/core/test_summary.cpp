// The model summary the CLI prints before training (core/nn/summary.hpp), in Lightning's form.
#include <doctest/doctest.h>

#include "core/nn/activation.hpp"
#include "core/nn/batch_norm.hpp"
#include "core/nn/linear.hpp"
#include "core/nn/sequential.hpp"
#include "core/nn/summary.hpp"
#include "core/random/rng.hpp"

using namespace soma;
using namespace soma::nn;

TEST_CASE("model summary: counts as Lightning prints them") {
  CHECK(short_count(0) == "0");
  CHECK(short_count(832) == "832");
  CHECK(short_count(1000) == "1.0 K");
  CHECK(short_count(51264) == "51.3 K");
  CHECK(short_count(1199882) == "1.2 M");
  CHECK(short_count(999999) == "1.0 M");  // not "1000.0 K"
  CHECK(short_count(3400000000) == "3.4 B");
}

TEST_CASE("model summary: one row per layer, then the totals") {
  Rng rng(1);
  Sequential m(std::make_shared<Linear>(4, 3, rng), std::make_shared<BatchNorm2d>(3),
               std::make_shared<Linear>(300, 2000, rng));
  CHECK(type_name(*m[0]) == "Linear");
  CHECK(model_summary(m) ==
        "  | Name | Type        | Params\n"
        "--------------------------------\n"
        "0 | 0    | Linear      | 15\n"
        "1 | 1    | BatchNorm2d | 6\n"
        "2 | 2    | Linear      | 602.0 K\n"
        "--------------------------------\n"
        "602.0 K   Trainable params\n"
        "7         Non-trainable params (buffers)\n"
        "2.408     Total estimated model params size (MB)\n");
  // BatchNorm2d's buffers: running mean and variance (3 each), and its batch count.
  Linear alone(2, 2, rng);  // a model that is one layer is its own row
  CHECK(model_summary(alone).find("0 | (own) | Linear | 6\n") != std::string::npos);
}
