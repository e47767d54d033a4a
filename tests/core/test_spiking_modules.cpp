#include <doctest/doctest.h>

#include <cmath>

#include "core/neuron/lif_mc.hpp"
#include "core/nn/nn.hpp"
#include "core/optim/adam.hpp"
#include "core/optim/sgd.hpp"
#include "gradcheck.hpp"

using namespace soma;

namespace {

const char* const kNames[] = {"v", "i", "b"};

// Each recorded state equals the step-by-step states `want` (name -> per-step tensors).
void check_recorded(const nn::SpikingModule& m, const std::vector<Tensors>& want,
                    const Shape& shape) {
  REQUIRE(m.recorded().size() == want.size());
  for (size_t k = 0; k < want.size(); ++k) {
    CHECK(m.recorded()[k].first == kNames[k]);
    CHECK(m.recorded()[k].second.shape() == shape);
    test::check_close(m.recorded()[k].second, stack(want[k]).to_vector(), 1e-5f);
  }
}

}  // namespace

TEST_CASE("spiking modules: LIF on Norse's golden input, records v and i") {
  nn::LIF lif;
  lif.record_states = true;
  Tensor z = lif(Tensor::ones({8, 1, 1}));
  CHECK(z.shape() == Shape{8, 1, 1});
  CHECK(sum(z).item() == 1.0f);
  test::check_close(lif.recorded()[0].second,
                    {0.1f, 0.27f, 0.487f, 0.7335f, 0.9963f, 0, 0.3951f, 0.7717f}, 1e-4f);
  CHECK(lif.state.v.item() == doctest::Approx(0.7717).epsilon(1e-4));
  lif.record_states = false;
  lif(Tensor::ones({8, 1, 1}));
  CHECK(lif.recorded().empty());
}

TEST_CASE("spiking modules: recorded states equal the step-by-step states") {
  Rng rng(61);
  const int64_t T = 12, B = 2, H = 3;
  Shape shape{T, B, H};
  Tensor x = Tensor::rand(shape, rng, 0, 6);
  SUBCASE("LIF") {
    nn::LIF m;
    m.record_states = true;
    Tensor z = m(x);
    LIFState s = lif_initial_state({B, H}, m.p);
    std::vector<Tensors> want(2);
    for (int64_t t = 0; t < T; ++t) {
      LIFStep st = lif_step(select(x, t), s, m.p);
      s = st.state;
      want[0].push_back(s.v), want[1].push_back(s.i);
      test::check_close(select(z, t), st.z.to_vector(), 0);
    }
    check_recorded(m, want, shape);
    test::check_close(m.state.i, s.i.to_vector(), 1e-5f);
  }
  SUBCASE("LIFBox") {
    nn::LIFBox m;
    m.record_states = true;
    Tensor z = m(x * 12.0f);
    Tensor v = Tensor::zeros({B, H});
    std::vector<Tensors> want(1);
    for (int64_t t = 0; t < T; ++t) {
      LIFBoxStep st = lif_box_step(select(x, t) * 12.0f, v, m.p);
      v = st.v;
      want[0].push_back(v);
      test::check_close(select(z, t), st.z.to_vector(), 0);
    }
    CHECK(sum(z).item() > 5);
    check_recorded(m, want, shape);
  }
  SUBCASE("LI: the output is the voltage") {
    nn::LI m;
    m.record_states = true;
    Tensor out = m(x);
    LIFState s{Tensor::zeros({B, H}), Tensor::zeros({B, H})};
    std::vector<Tensors> want(2);
    for (int64_t t = 0; t < T; ++t) {
      s = li_step(select(x, t), s, m.p);
      want[0].push_back(s.v), want[1].push_back(s.i);
    }
    check_recorded(m, want, shape);
    test::check_close(out, stack(want[0]).to_vector(), 1e-5f);
  }
  SUBCASE("IAF") {
    nn::IAF m;
    m.record_states = true;
    Tensor z = m(x * 0.2f);
    Tensor v = Tensor::zeros({B, H});
    std::vector<Tensors> want(1);
    for (int64_t t = 0; t < T; ++t) {
      v = iaf_step(select(x, t) * 0.2f, v, m.p).v;
      want[0].push_back(v);
    }
    CHECK(sum(z).item() > 5);
    check_recorded(m, want, shape);
  }
  SUBCASE("LSNN") {
    nn::LSNN m;
    m.p.tau_adapt_inv = 50;
    m.record_states = true;
    Tensor z = m(x);
    LSNNState s = lsnn_initial_state({B, H}, m.p);
    std::vector<Tensors> want(3);
    for (int64_t t = 0; t < T; ++t) {
      s = lsnn_step(select(x, t), s, m.p).state;
      want[0].push_back(s.v), want[1].push_back(s.i), want[2].push_back(s.b);
    }
    CHECK(sum(z).item() > 3);
    check_recorded(m, want, shape);
    test::check_close(m.state.b, s.b.to_vector(), 1e-5f);
  }
  SUBCASE("LIFMC") {
    Rng init(62);
    nn::LIFMC m(H, init);
    m.record_states = true;
    Tensor z = m(x);
    LIFState s = lif_initial_state({B, H}, m.p);
    std::vector<Tensors> want(2);
    for (int64_t t = 0; t < T; ++t) {
      s = lif_mc_step(select(x, t), s, m.g, m.p).state;
      want[0].push_back(s.v), want[1].push_back(s.i);
    }
    check_recorded(m, want, shape);
  }
}

TEST_CASE("spiking modules: recurrent layers record their states and map (T, B, I) -> (T, B, H)") {
  Rng rng(63);
  const int64_t T = 10, B = 2, I = 4, H = 5;
  Tensor x = Tensor::rand({T, B, I}, rng, 0, 1);
  SUBCASE("LIFRecurrent") {
    nn::LIFRecurrent m(I, H, rng);
    m.record_states = true;
    Tensor z = m(x * 3.0f);
    LIFRecurrentState s = lif_recurrent_initial_state({B, H}, m.p);
    std::vector<Tensors> want(2);
    for (int64_t t = 0; t < T; ++t) {
      Tensor x_in = linear(select(x, t) * 3.0f, m.input_weights);
      s = lif_recurrent_step(x_in, m.recurrent_weights, s, m.p).state;
      want[0].push_back(s.v), want[1].push_back(s.i);
    }
    CHECK(z.shape() == Shape{T, B, H});
    CHECK(sum(z).item() > 3);
    check_recorded(m, want, {T, B, H});
    test::check_close(m.state.z, s.z.to_vector(), 0);
  }
  SUBCASE("LSNNRecurrent") {
    nn::LSNNRecurrent m(I, H, rng);
    m.record_states = true;
    Tensor z = m(x * 3.0f);
    LSNNState s = lsnn_initial_state({B, H}, m.p);
    std::vector<Tensors> want(3);
    for (int64_t t = 0; t < T; ++t) {
      Tensor x_in = linear(select(x, t) * 3.0f, m.input_weights);
      s = lsnn_recurrent_step(x_in, m.recurrent_weights, s, m.p).state;
      want[0].push_back(s.v), want[1].push_back(s.i), want[2].push_back(s.b);
    }
    CHECK(z.shape() == Shape{T, B, H});
    CHECK(sum(z).item() > 3);
    check_recorded(m, want, {T, B, H});
  }
}

TEST_CASE("spiking modules: recurrent init as Norse, no autapses before and after training") {
  Rng rng(64);
  const int64_t T = 20, B = 4, I = 6, H = 48;
  nn::LIFRecurrent lif(I, H, rng);
  nn::LSNNRecurrent lsnn(I, H, rng);
  CHECK(lif.named_parameters()[0].first == "input_weights");
  CHECK(lif.named_parameters()[1].first == "recurrent_weights");
  // randn * sqrt(2 / H), off the diagonal.
  double ss = 0;
  for (int64_t r = 0; r < H; ++r)
    for (int64_t c = 0; c < H; ++c)
      if (r != c) ss += double(lif.recurrent_weights.at({r, c})) * lif.recurrent_weights.at({r, c});
  CHECK(std::sqrt(ss / double(H * (H - 1))) == doctest::Approx(std::sqrt(2.0 / H)).epsilon(0.05));
  Tensor x = Tensor::rand({T, B, I}, rng, 0, 1) * 20.0f;
  for (nn::RecurrentSpikingModule* m : {static_cast<nn::RecurrentSpikingModule*>(&lif),
                                        static_cast<nn::RecurrentSpikingModule*>(&lsnn)}) {
    Tensor before = m->recurrent_weights.clone();
    optim::SGD sgd(m->parameters(), {0.02f, 0.9f, 0, 1e-2f});
    for (int step = 0; step < 2; ++step) {
      sgd.zero_grad();
      Tensor z = m->forward(x);
      if (step == 0) CHECK(sum(z).item() > 10);
      sum(z * z + z).backward();
      sgd.step();
    }
    for (int64_t k = 0; k < H; ++k) {
      CHECK(m->recurrent_weights.grad().at({k, k}) == 0.0f);
      CHECK(m->recurrent_weights.at({k, k}) == 0.0f);
    }
    CHECK(sum(abs(m->recurrent_weights - before)).item() > 0);  // the rest did train
  }
  nn::LIFRecurrent with(I, H, rng, {}, true);
  CHECK(with.autapses());
  double diag = 0;
  for (int64_t k = 0; k < H; ++k) diag += std::abs(with.recurrent_weights.at({k, k}));
  CHECK(diag > 0);
}

TEST_CASE("spiking modules: shape errors") {
  Rng rng(65);
  nn::LIFRecurrent m(3, 4, rng);
  CHECK_THROWS(m(Tensor::zeros({5, 2, 4})));
  nn::LIF lif;
  CHECK_THROWS(lif(Tensor::zeros({5})));
}
