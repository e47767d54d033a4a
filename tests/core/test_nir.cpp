// NIR graphs in memory (no HDF5: these run in the web build too): the parameter mapping against
// hand-computed cases, the graph executor, and the layout checks of graph.hpp.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>

#include "core/nir/export.hpp"
#include "core/nir/load.hpp"
#include "core/nir/network.hpp"
#include "core/nir/neurons.hpp"
#include "core/ops/ops.hpp"
#include "core/random/rng.hpp"
#include "gradcheck.hpp"

using namespace soma;
using nir::Array;

namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

bool has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// The largest |a - b|; shapes must match.
float max_diff(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  float m = 0;
  for (int64_t k = 0; k < a.numel(); ++k) m = std::max(m, std::abs(a.data()[k] - b.data()[k]));
  return m;
}

Array f64(std::vector<double> v) {
  return Array::vector(std::move(v), Array::Kind::f64);
}

// Input(n) -> node -> Output(n).
nir::Graph one_node(const nir::Node& n, int64_t size) {
  nir::Graph g;
  g.add("in", {"Input", {{"shape", Array::vector({double(size)}, Array::Kind::i64)}}});
  g.add("n", n);
  g.add("out", {"Output", {{"shape", Array::vector({double(size)}, Array::Kind::i64)}}});
  g.connect("in", "n");
  g.connect("n", "out");
  return g;
}

}  // namespace

TEST_CASE("nir mapping: Norse's default LIF as a CubaLIF, by hand") {
  // dt 1e-3 s, tau_syn_inv 200 /s, tau_mem_inv 100 /s: tau_syn = 1/200 = 5 ms, tau_mem = 10 ms,
  // w_in = 1 / (dt tau_syn_inv) = 1 / 0.2 = 5, r = 1.
  nir::Node n = nir::neuron_node(lif_scan_config(LIFParameters{}, false, true), 1e-3f, {3});
  CHECK(n.type == "CubaLIF");
  CHECK(n.at("n", "tau_syn").values == std::vector<double>(3, n.at("n", "tau_syn").values[0]));
  CHECK(n.at("n", "tau_syn").values[0] == doctest::Approx(0.005).epsilon(1e-6));
  CHECK(n.at("n", "tau_mem").values[0] == doctest::Approx(0.010).epsilon(1e-6));
  CHECK(n.at("n", "w_in").values[0] == doctest::Approx(5.0).epsilon(1e-6));
  CHECK(n.at("n", "r").values[0] == 1.0);
  CHECK(n.at("n", "v_threshold").values[0] == 1.0);
  CHECK(n.at("n", "v_reset").values[0] == 0.0);
  CHECK(n.at("n", "tau_syn").shape == std::vector<int64_t>{3});
  // And back to Soma's per-step factors exactly, with an input gain of exactly 1.
  nir::ImportedNeuron back = nir::import_neuron("n", n, 1e-3f);
  CurrentScanConfig c = lif_scan_config(LIFParameters{}, false, true);
  CHECK(back.scan.am == c.am);
  CHECK(back.scan.keep_i == c.keep_i);
  CHECK(back.unit_gain);
  // The box models and IAF: LIF-box tau = 1 / tau_mem_inv; IF r = 1 / dt.
  LIFBoxParameters box;
  box.tau_mem_inv = 50;
  nir::Node b = nir::neuron_node(lif_box_scan_config(box), 1e-3f, {1});
  CHECK(b.type == "LIF");
  CHECK(b.at("b", "tau").values[0] == doctest::Approx(0.02).epsilon(1e-6));
  nir::Node f = nir::iaf_node(IAFParameters{}, 1e-3f, {1});
  CHECK(f.type == "IF");
  CHECK(f.at("f", "r").values[0] == doctest::Approx(1000.0).epsilon(1e-6));
  LIFParameters sub;
  sub.reset = Reset::subtract;
  CHECK(has(error_of([&] { nir::neuron_node(lif_scan_config(sub, false, true), 1e-3f, {1}); }),
            "subtraction"));
}

TEST_CASE("nir mapping: continuous parameters to Soma's steps, by hand") {
  // CubaLIF tau_syn 2 ms, tau_mem 20 ms, r 2, w_in 0.5 at dt 1 ms: dt/tau_mem = 0.05,
  // 1 - dt/tau_syn = 0.5, input gain r w_in dt/tau_syn = 2 * 0.5 * 0.5 = 0.5.
  nir::Node n{"CubaLIF",
              {{"tau_syn", f64({0.002, 0.002})},
               {"tau_mem", f64({0.02, 0.02})},
               {"r", f64({2, 2})},
               {"w_in", f64({0.5, 0.5})},
               {"v_leak", f64({-0.1, -0.1})},
               {"v_threshold", f64({0.7, 0.7})},
               {"v_reset", f64({-0.2, -0.2})}}};
  nir::ImportedNeuron s = nir::import_neuron("cuba", n, 1e-3f);
  CHECK(s.scan.am == doctest::Approx(0.05));
  CHECK(s.scan.keep_i == doctest::Approx(0.5));
  CHECK(s.scan.v_leak == doctest::Approx(-0.1));
  CHECK(s.scan.v_th == doctest::Approx(0.7));
  CHECK(s.scan.v_reset == doctest::Approx(-0.2));
  test::check_close(s.gain, {0.5f, 0.5f}, 1e-6f);
  // LIF tau 4 ms, r 3: dt/tau = 0.25, no synapse, gain r = 3.
  nir::ImportedNeuron l = nir::import_neuron(
      "lif",
      {"LIF",
       {{"tau", f64({0.004})}, {"r", f64({3})}, {"v_leak", f64({0})}, {"v_threshold", f64({1})}}},
      1e-3f);
  CHECK(l.scan.am == doctest::Approx(0.25));
  CHECK(l.scan.keep_i == 0.0f);
  test::check_close(l.gain, {3.0f}, 1e-6f);
  CHECK(s.varying.empty());
  // Per-neuron time constants and thresholds (a learnable layer's export) are kept per neuron;
  // Soma's fixed layers refuse them with the node's name and the field.
  n.fields["tau_mem"] = f64({0.02, 0.04});
  n.fields["tau_syn"] = f64({0.002, 0.004});
  n.fields["v_threshold"] = f64({0.7, 0.9});
  nir::ImportedNeuron h = nir::import_neuron("cuba", n, 1e-3f);
  CHECK(h.varying == "tau_mem");
  test::check_close(h.am, {0.05f, 0.025f}, 1e-7f);
  test::check_close(h.keep_i, {0.5f, 0.75f}, 1e-7f);
  test::check_close(h.v_th, {0.7f, 0.9f}, 1e-7f);
  test::check_close(h.gain, {0.5f, 0.25f}, 1e-7f);  // r w_in dt / tau_syn per neuron
  CHECK(has(error_of([&] { h.require_uniform("cuba"); }), "'cuba'"));
  CHECK(has(error_of([&] { h.require_uniform("cuba"); }), "tau_mem"));
}

TEST_CASE("nir network: a CubaLIF from Soma's mapping gives Norse's golden LIF trace") {
  // Input 1 every step from rest: v = 0.1, 0.27, 0.487, 0.7335, 0.9963, spike, ...; a CubaLI
  // beside it shows the voltage.
  nir::Graph g =
      one_node(nir::neuron_node(lif_scan_config(LIFParameters{}, false, true), 1e-3f, {1}), 1);
  Tensor z = nir::Network(g).run(Tensor::ones({8, 1, 1}));
  test::check_close(reshape(z, {8}), {0, 0, 0, 0, 0, 1, 0, 0});
  LIParameters li;
  nir::Graph gv = one_node(nir::neuron_node(li_scan_config(li), 1e-3f, {1}), 1);
  Tensor v = nir::Network(gv).run(Tensor::ones({3, 1, 1}));
  // LI: v1 = 0.1, v2 = 0.1 + 0.1 (-0.1 + 1.8) = 0.27, v3 = 0.27 + 0.1 (-0.27 + 2.44) = 0.487.
  test::check_close(reshape(v, {3}), {0.1f, 0.27f, 0.487f}, 1e-5f);
}

TEST_CASE("nir network: Norse's own export convention (w_in = 1) by hand") {
  // CubaLI tau_syn 5 ms, tau_mem 10 ms, w_in 1, r 1 at dt 1 ms: gain dt/tau_syn = 0.2. Input 1:
  // j1 = 0.2, v1 = 0.1 * 0.2 = 0.02, i1 = 0.16; j2 = 0.36, v2 = 0.02 + 0.1 (0.36 - 0.02) = 0.054.
  nir::Node n{"CubaLI",
              {{"tau_syn", f64({0.005})},
               {"tau_mem", f64({0.01})},
               {"r", f64({1})},
               {"w_in", f64({1})},
               {"v_leak", f64({0})}}};
  Tensor v = nir::Network(one_node(n, 1)).run(Tensor::ones({2, 1, 1}));
  test::check_close(reshape(v, {2}), {0.02f, 0.054f}, 1e-6f);
}

TEST_CASE("nir network: affine, conv, pooling, threshold and a recurrent cycle") {
  // Input (1, 4, 4) -> Conv2d 1->2 k3 -> SumPool2d 2 -> Threshold -> Flatten -> Affine -> Output.
  nir::Graph g;
  g.add("x", {"Input", {{"shape", Array::vector({1, 4, 4}, Array::Kind::i64)}}});
  Tensor w = Tensor::ones({2, 1, 3, 3});
  w.data()[9] = -1;  // channel 1 starts with -1
  g.add("conv", {"Conv2d",
                 {{"weight", Array::of(w)},
                  {"bias", Array::vector({0, 0.5})},
                  {"stride", Array::vector({1, 1}, Array::Kind::i64)},
                  {"padding", Array::vector({1, 1}, Array::Kind::i64)},
                  {"dilation", Array::vector({1, 1}, Array::Kind::i64)},
                  {"groups", Array::scalar(1, Array::Kind::i64)}}});
  g.add("pool", {"SumPool2d",
                 {{"kernel_size", Array::vector({2, 2}, Array::Kind::i64)},
                  {"stride", Array::vector({2, 2}, Array::Kind::i64)},
                  {"padding", Array::vector({0, 0}, Array::Kind::i64)}}});
  g.add("th", {"Threshold", {{"threshold", Array::full({2, 2, 2}, 10.0, Array::Kind::f32)}}});
  g.add("flat", {"Flatten",
                 {{"start_dim", Array::scalar(0, Array::Kind::i64)},
                  {"end_dim", Array::scalar(-1, Array::Kind::i64)}}});
  g.add("aff",
        {"Affine", {{"weight", Array::of(Tensor::ones({1, 8}))}, {"bias", Array::vector({0.25})}}});
  g.add("y", {"Output", {{"shape", Array::vector({1}, Array::Kind::i64)}}});
  for (auto [a, b] : std::vector<nir::Edge>{{"x", "conv"},
                                            {"conv", "pool"},
                                            {"pool", "th"},
                                            {"th", "flat"},
                                            {"flat", "aff"},
                                            {"aff", "y"}})
    g.connect(a, b);
  Tensor x = Tensor::ones({1, 1, 1, 4, 4});
  Tensor y = nir::Network(g).run(x);
  // Ones through a 3x3 all-ones kernel with padding 1: corners 4, edges 6, inside 9; each 2x2
  // window sums to 4 + 6 + 6 + 9 = 25 > 10 (channel 0). Channel 1 (one tap -1, bias 0.5): the
  // top-left window 4.5 + 6.5 + 6.5 + 7.5 = 25, the others more. 8 ones, plus the bias 0.25.
  test::check_close(reshape(y, {1}), {8.25f}, 1e-6f);
  Tensor y_small = nir::Network(g).run(x * 0.1f);  // window sums 2.5 and <= 4.5: no ones
  test::check_close(reshape(y_small, {1}), {0.25f}, 1e-6f);

  // A recurrent cycle arrives one step late: LI-box <- Linear(2) <- itself.
  nir::Graph r;
  r.add("x", {"Input", {{"shape", Array::vector({1}, Array::Kind::i64)}}});
  r.add("li", {"LI", {{"tau", f64({0.001})}, {"r", f64({1})}, {"v_leak", f64({0})}}});
  r.add("rec", {"Linear", {{"weight", Array::of(Tensor::full({1, 1}, 2.0f))}}});
  r.add("y", {"Output", {{"shape", Array::vector({1}, Array::Kind::i64)}}});
  r.connect("x", "li");
  r.connect("li", "rec");
  r.connect("rec", "li");
  r.connect("li", "y");
  // tau = dt: v' = x + 2 v_prev -> 1, 3, 7 for unit input.
  test::check_close(reshape(nir::Network(r).run(Tensor::ones({3, 1, 1})), {3}), {1, 3, 7}, 1e-6f);
}

TEST_CASE("nir network: unsupported nodes and bad shapes are errors naming the node") {
  nir::Graph d = one_node({"Delay", {{"delay", f64({1})}}}, 1);
  std::string e = error_of([&] { nir::Network n(d); });
  CHECK(has(e, "'n'"));
  CHECK(has(e, "Delay"));
  nir::Graph a = one_node(
      {"Affine", {{"weight", Array::of(Tensor::ones({1, 2}))}, {"bias", Array::vector({0, 0, 0})}}},
      2);
  e = error_of([&] { nir::Network n(a); });
  CHECK(has(e, "bias has 3 values for 1 outputs"));
  nir::Graph l = one_node({"Linear", {{"weight", Array::of(Tensor::ones({1, 2}))}}}, 2);
  e = error_of([&] { nir::Network(l).run(Tensor::ones({1, 1, 3})); });
  CHECK(has(e, "gets 3 inputs, its weight takes 2"));
  nir::Graph two = one_node({"Linear", {{"weight", Array::of(Tensor::ones({1, 1}))}}}, 1);
  two.add("in2", {"Input", {}});
  CHECK(has(error_of([&] { nir::Network n(two); }), "2 Input"));
}

TEST_CASE("nir network: sizes, strides and dims that are not whole numbers in range are errors") {
  // NaN, 1e300 or 2.5 converted to int64 is undefined behaviour (UBSan's float-cast-overflow);
  // a stride or kernel of 0 divides by zero. Each is an error naming the node and field.
  for (double bad : {std::nan(""), 1e300, 2.5, -1.0}) {
    CAPTURE(bad);
    nir::Graph g = one_node({"Linear", {{"weight", Array::of(Tensor::ones({1, 1}))}}}, 1);
    g.nodes.at("in").fields["shape"] = f64({bad});
    CHECK(has(error_of([&] { nir::Network n(g); }), "field 'shape' holds"));
  }
  for (const char* field : {"stride", "kernel_size"}) {
    CAPTURE(field);
    nir::Node pool{
        "SumPool2d",
        {{"kernel_size", f64({2, 2})}, {"stride", f64({2, 2})}, {"padding", f64({0, 0})}}};
    pool.fields[field] = f64({0, 0});
    CHECK(
        has(error_of([&] { nir::Network n(one_node(pool, 1)); }), "'" + std::string(field) + "'"));
  }
  nir::Graph flat = one_node({"Flatten", {{"start_dim", f64({std::nan("")})}}}, 1);
  CHECK(has(error_of([&] { nir::Network n(flat); }), "field 'start_dim' holds"));
}

TEST_CASE("nir graph: the tree layout round-trips and malformed trees are clear errors") {
  nir::Graph g = one_node({"Linear", {{"weight", Array::of(Tensor::ones({1, 1}))}}}, 1);
  g.metadata["soma.task"] = "demo";
  nir::Tree t = nir::to_tree(g);
  nir::Graph back = nir::from_tree(t, "mem");
  CHECK(back.nodes.size() == 3);
  CHECK(back.edges == g.edges);
  CHECK(back.metadata.at("soma.task") == "demo");
  nir::Tree no_node = t;
  no_node.groups.erase("node");
  CHECK(has(error_of([&] { nir::from_tree(no_node, "f.nir"); }),
            "f.nir: the file has no 'node' group"));
  nir::Tree no_edges = t;
  no_edges.groups["node"].strings.erase("edges");
  CHECK(has(error_of([&] { nir::from_tree(no_edges, "f.nir"); }), "no 'edges'"));
  nir::Tree bad_edge = t;
  bad_edge.groups["node"].strings["edges"].values[1] = "nowhere";
  CHECK(has(error_of([&] { nir::from_tree(bad_edge, "f.nir"); }), "no node 'nowhere'"));
  nir::Tree bad_shape = t;
  bad_shape.groups["node"].strings["edges"].shape = {4, 1};
  CHECK(has(error_of([&] { nir::from_tree(bad_shape, "f.nir"); }), "(E, 2)"));
  nir::Tree untyped = t;
  untyped.groups["node"].groups["nodes"].groups["n"].strings.erase("type");
  CHECK(has(error_of([&] { nir::from_tree(untyped, "f.nir"); }), "node 'n' has no 'type'"));
}

TEST_CASE("nir export/load: Soma layers round-trip through a graph") {
  Rng rng(3);
  LIFParameters p;
  p.v_th = 0.5f;
  auto rec = std::make_shared<nn::LIFRecurrent>(3, 4, rng, p);
  auto readout = nn::li_linear(4, 2, rng);
  nir::Builder b;
  b.output(b.spiking_linear("readout", *readout, b.lif_recurrent("rec", *rec, b.input({3}))), {2});
  Rng drng(9);
  Tensor x = Tensor::rand({12, 2, 3}, drng) * 3.0f;
  Tensor want = (*readout)((*rec)(x));
  CHECK(max_diff(nir::Network(b.graph).run(x), want) < 1e-5f);
  // Fresh layers set from the graph compute the same.
  Rng other(77);
  auto rec2 = std::make_shared<nn::LIFRecurrent>(3, 4, other);
  auto readout2 = nn::li_linear(4, 2, other);
  nir::Loader l(b.graph);
  l.lif_recurrent("rec", *rec2);
  l.spiking_linear("readout", *readout2);
  CHECK(rec2->p.v_th == 0.5f);
  CHECK(rec2->p.tau_syn_inv == p.tau_syn_inv);
  CHECK(rec2->p.tau_mem_inv == p.tau_mem_inv);
  CHECK(max_diff((*readout2)((*rec2)(x)), want) < 1e-6f);
  // A model of another size is refused, naming the node and both shapes.
  auto wide = std::make_shared<nn::LIFRecurrent>(3, 5, other);
  std::string e = error_of([&] { l.lif_recurrent("rec", *wide); });
  CHECK(has(e, "rec.input"));
  CHECK(has(e, "(4, 3)"));
  CHECK(has(e, "(5, 3)"));
}
