// Models in and out: every task network round-trips through NIR (export -> Soma's NIR executor
// gives the model's outputs on the same input; a fresh model set from the graph does too),
// networks NIR cannot express are refused by name, Norse-named checkpoints have Norse's keys
// and shapes, and the CLI commands work end to end.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>

#include "core/autograd/grad_mode.hpp"
#include "core/data/file_bytes.hpp"
#include "core/encode/encoders.hpp"
#include "core/io/safetensors.hpp"
#include "core/nir/network.hpp"
#include "core/nn/norse_names.hpp"
#include "core/ops/ops.hpp"
#include "core/random/rng.hpp"
#include "error_of.hpp"
#include "task_test_util.hpp"
#include "tasks/cartpole/policies.hpp"
#include "tasks/cifar10/model.hpp"
#include "tasks/memory/memory_task.hpp"
#include "tasks/mnist/models.hpp"
#include "temp_dir.hpp"

using namespace soma;

namespace {

using test::error_of;

float max_diff(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  float m = 0;
  for (int64_t k = 0; k < a.numel(); ++k) m = std::max(m, std::abs(a.data()[k] - b.data()[k]));
  return m;
}

float max_abs(const Tensor& a) {
  float m = 0;
  for (int64_t k = 0; k < a.numel(); ++k) m = std::max(m, std::abs(a.data()[k]));
  return m;
}

bool has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// Spikes with probability p, (T, B, shape...).
Tensor random_spikes(const Shape& shape, float p, Rng& rng) {
  Tensor u = Tensor::rand(shape, rng);
  std::vector<float> z(size_t(u.numel()));
  for (int64_t k = 0; k < u.numel(); ++k) z[size_t(k)] = u.data()[k] < p ? 1.0f : 0.0f;
  return Tensor::from(shape, std::move(z));
}

// Export `model`, run the graph on x, compare; then a `fresh` model set from the graph.
template <class M>
void check_round_trip(M& model, M& fresh, const Tensor& x, float tol) {
  NoGrad no_grad;
  model.eval();
  fresh.eval();
  nir::Builder b;
  model.export_nir(b);
  const Tensor want = model(x);
  CHECK(max_abs(want) > 0.01f);  // the read-out moved: spikes reached it
  const Tensor got = nir::Network(b.graph).run(x);
  CHECK(max_diff(got, want) <= tol);
  CHECK(max_diff(fresh(x), want) > 1e-3f);  // a different model before loading
  fresh.import_nir(nir::Loader(b.graph));
  CHECK(max_diff(fresh(x), want) <= tol);
}

}  // namespace

TEST_CASE("interop: mnist rec and conv round-trip through NIR") {
  Rng rng(1), other(2), data(3);
  RecurrentNet rec(16, 0.5f, Surrogate{}, rng), rec2(16, 0.5f, Surrogate{}, other);
  check_round_trip<MnistModel>(rec, rec2, random_spikes({10, 2, 1, 28, 28}, 0.2f, data), 1e-5f);
  ConvNet4 conv(Surrogate{}, rng), conv2(Surrogate{}, other);
  check_round_trip<MnistModel>(conv, conv2, random_spikes({16, 1, 1, 28, 28}, 0.5f, data), 1e-4f);
}

TEST_CASE("interop: cifar10 (4 conv + LIF, pools, LI read-out) round-trips through NIR") {
  Rng rng(11), other(12), data(13);
  // 4 channels: conv 3->4->8->16->16, Linear 256 -> 10; the image is the current of all steps.
  Cifar10Net net(4, 0.4f, Surrogate{}, rng), net2(4, 0.4f, Surrogate{}, other);
  const Tensor x = constant_current_encode(Tensor::rand({1, 3, 32, 32}, data) * 10.0f, 16);
  check_round_trip(net, net2, x, 1e-4f);
  // Through the file: the same graph back, the same outputs.
  test::TempDir dir;
  nir::Builder b;
  net.export_nir(b);
  nir::write_file(dir / "cifar.nir", b.graph);
  NoGrad no_grad;
  CHECK(max_diff(nir::Network(nir::read_file(dir / "cifar.nir")).run(x), net(x)) <= 1e-4f);
}

TEST_CASE("interop: memory (lif) and cart-pole (snn) round-trip; LSNN and ANN are refused") {
  Rng rng(4), other(5), data(6);
  MemoryNet mem("lif", 20, Surrogate{}, rng), mem2("lif", 20, Surrogate{}, other);
  check_round_trip(mem, mem2, random_spikes({30, 2, 20}, 0.3f, data), 1e-5f);
  MemoryNet lsnn("lsnnlif", 20, Surrogate{}, rng);
  nir::Builder b;
  std::string e = error_of([&] { lsnn.export_nir(b); });
  CHECK(has(e, "'lsnn'"));
  CHECK(has(e, "LSNNRecurrent"));

  NoGrad no_grad;
  auto policy = make_policy("snn", Surrogate{}, rng);
  policy->eval();
  nir::Builder pb;
  policy->export_nir(pb);
  // The encoder outside the graph, as policies.hpp: relu(+-50 obs) -> constant-current LIF.
  const CartPole::Observation obs{0.01, -0.2, 0.03, 0.4};
  std::vector<float> cur(8);
  for (int k = 0; k < 4; ++k) {
    cur[size_t(k)] = std::max(50.0f * float(obs[size_t(k)]), 0.0f);
    cur[size_t(k) + 4] = std::max(-50.0f * float(obs[size_t(k)]), 0.0f);
  }
  Tensor spikes = constant_current_lif_encode(Tensor::from({1, 8}, cur), 40);
  Tensor probs = softmax(max_decode(nir::Network(pb.graph).run(spikes)), 1);
  CHECK(max_diff(probs, policy->probabilities(obs)) <= 1e-6f);
  auto ann = make_policy("ann", Surrogate{}, rng);
  e = error_of([&] { ann->export_nir(pb); });
  CHECK(has(e, "'fc1'"));
  CHECK(has(e, "ReLU"));
}

TEST_CASE("interop: Norse state_dict names and shapes") {
  Rng rng(7);
  ConvNet4 conv(Surrogate{}, rng);
  nn::StateDict sd = nn::norse_state_dict(conv, conv.norse_module_names());
  // norse/torch/models/conv.py ConvNet4: conv1/conv2 torch Conv2d, fc1 torch Linear, out
  // LILinearCell (input_weights (out, in)); its LIFCells hold no tensors.
  const std::map<std::string, Shape> want{{"conv1.weight", {32, 1, 5, 5}},  {"conv1.bias", {32}},
                                          {"conv2.weight", {64, 32, 5, 5}}, {"conv2.bias", {64}},
                                          {"fc1.weight", {1024, 1024}},     {"fc1.bias", {1024}},
                                          {"out.input_weights", {10, 1024}}};
  REQUIRE(sd.size() == want.size());
  for (const auto& kv : want) {  // no structured binding: clang 14 cannot capture one
    const std::string& k = kv.first;
    REQUIRE_MESSAGE(sd.count(k), k);
    CHECK(sd.at(k).shape() == kv.second);
  }
  RecurrentNet rec(100, 1.0f, Surrogate{}, rng);
  nn::StateDict r = nn::norse_state_dict(rec);
  CHECK(r.at("rec.input_weights").shape() == Shape{100, 784});
  CHECK(r.at("rec.recurrent_weights").shape() == Shape{100, 100});
  CHECK(r.at("readout.input_weights").shape() == Shape{10, 100});
  CHECK(r.size() == 3);
}

TEST_CASE("interop CLI: --version, and the export commands' usage errors") {
  auto v = test::run_cli({"--version"});
  CHECK(v.code == 0);
  CHECK(has(v.out, "soma 0."));
  CHECK(test::run_cli({"export-nir"}).code == 2);
  CHECK(test::run_cli({"export-checkpoint", "a", "b", "--format", "keras"}).code == 2);
  CHECK(test::run_cli({"import-nir", "--help"}).code == 0);
  auto missing = test::run_cli({"export-checkpoint", "/nonexistent/run", "x.safetensors"});
  CHECK(missing.code == 1);
  CHECK(has(missing.err, "/nonexistent/run"));
}

TEST_CASE("interop CLI: export-checkpoint --format norse of a cart-pole run") {
  test::TempDir dir;
  const std::string run = dir / "run";
  REQUIRE(test::run_cli({"cartpole", "--episodes", "2", "--out", run, "--quiet"}).code == 0);
  auto r = test::run_cli({"export-checkpoint", run, dir / "norse.safetensors"});
  REQUIRE(r.code == 0);
  SafetensorsData d = load_safetensors(dir / "norse.safetensors");
  CHECK(d.tensors.at("rec.input_weights").shape() == Shape{128, 8});
  CHECK(d.tensors.at("rec.recurrent_weights").shape() == Shape{128, 128});
  CHECK(d.tensors.at("readout.input_weights").shape() == Shape{2, 128});
  CHECK(d.tensors.size() == 3);
}

TEST_CASE("interop CLI: export-nir, import-nir and --init_from on a cart-pole run") {
  test::TempDir dir;
  const std::string run = dir / "run", file = dir / "policy.nir";
  REQUIRE(test::run_cli({"cartpole", "--episodes", "2", "--out", run, "--quiet"}).code == 0);
  auto e = test::run_cli({"export-nir", run, file});
  REQUIRE_MESSAGE(e.code == 0, e.err);
  nir::Graph g = nir::read_file(file);
  CHECK(g.metadata.at("soma.task") == "cartpole");
  CHECK(g.nodes.at("rec").type == "CubaLIF");
  // The graph on the encoder's spikes through import-nir --input, against the executor.
  Rng rng(8);
  Tensor x = random_spikes({40, 1, 8}, 0.3f, rng);
  save_safetensors(dir / "in.safetensors", {{"input", x}});
  auto i = test::run_cli(
      {"import-nir", file, "--input", dir / "in.safetensors", "--output", dir / "out.safetensors"});
  REQUIRE_MESSAGE(i.code == 0, i.err);
  CHECK(has(i.out, "rec  CubaLIF"));
  Tensor y = load_safetensors(dir / "out.safetensors").tensors.at("output");
  CHECK(max_diff(y, nir::Network(g).run(x)) == 0.0f);
  // Without --input, the file's own task evaluates the file's weights.
  auto ev = test::run_cli({"import-nir", file});
  CHECK(ev.code == 0);
  CHECK(has(ev.out, "task cartpole with the file's weights"));
  // A new run starts from the file: after one episode at the smallest learning rate (Adam moves
  // each weight by at most about lr = 1e-7), its exported weights are still the file's.
  auto init = test::run_cli({"cartpole", "--episodes", "1", "--learning_rate", "1e-7",
                             "--init_from", file, "--out", dir / "run2", "--quiet"});
  REQUIRE_MESSAGE(init.code == 0, init.err);
  REQUIRE(test::run_cli({"export-nir", dir / "run2", dir / "again.nir"}).code == 0);
  nir::Graph again = nir::read_file(dir / "again.nir");
  for (const char* n : {"rec.input", "rec.recurrent", "readout.synapse"}) {
    const auto& w1 = again.nodes.at(n).fields.at("weight").values;
    const auto& w0 = g.nodes.at(n).fields.at("weight").values;
    REQUIRE(w1.size() == w0.size());
    double m = 0;
    for (size_t k = 0; k < w0.size(); ++k) m = std::max(m, std::abs(w1[k] - w0[k]));
    CHECK(m < 1e-5);
    CHECK(m > 0);  // it did train one episode
  }
  // A file that does not fit is an error naming the file and the node.
  auto bad = test::run_cli(
      {"memory", "--model", "lif", "--init_from", file, "--out", dir / "run3", "--quiet"});
  CHECK(bad.code == 1);
  CHECK(has(bad.err, "--init_from " + file));
  CHECK(has(bad.err, "'lif"));
}

TEST_CASE("interop CLI: export-nir, import-nir and --init_from on a tiny cifar10 run") {
  test::TempDir dir;
  const std::string data = dir / "data", run = dir / "run", file = dir / "cifar.nir";
  std::filesystem::create_directories(data);
  test::write_colours_cifar10(data, 4, 3);
  const std::vector<std::string> tiny{"--data_dir", data, "--channels",   "2", "--seq_length", "4",
                                      "--epochs",   "1",  "--batch_size", "4", "--quiet"};
  auto with = [&](std::vector<std::string> a) {
    a.insert(a.begin() + 1, tiny.begin(), tiny.end());
    return test::run_cli(a);
  };
  REQUIRE(with({"cifar10", "--out", run}).code == 0);
  auto e = test::run_cli({"export-nir", run, file});
  REQUIRE_MESSAGE(e.code == 0, e.err);
  nir::Graph g = nir::read_file(file);
  CHECK(g.metadata.at("soma.task") == "cifar10");
  CHECK(g.nodes.at("conv4.synapse").type == "Conv2d");
  auto ev = test::run_cli({"import-nir", file});
  CHECK_MESSAGE(ev.code == 0, ev.err);
  CHECK(has(ev.out, "task cifar10 with the file's weights"));
  auto init = with({"cifar10", "--init_from", file, "--out", dir / "run2"});
  CHECK_MESSAGE(init.code == 0, init.err);
  // Another width does not fit: an error naming the file and the node.
  auto bad = test::run_cli({"cifar10", "--data_dir", data, "--channels", "3", "--epochs", "1",
                            "--init_from", file, "--out", dir / "run3", "--quiet"});
  CHECK(bad.code == 1);
  CHECK(has(bad.err, "--init_from " + file));
  CHECK(has(bad.err, "'conv1"));
}

// The checkpoint is device-independent, so a run trained with --device cuda exports, and its
// NIR file evaluates, on any machine: the interop commands rebuilt the model on the device in
// config.json, and read its weights' host data there (or found no CUDA backend).
TEST_CASE("interop CLI: a run trained on cuda exports and imports on the CPU") {
  test::TempDir dir;
  const std::string run = dir / "run", file = dir / "memory.nir";
  REQUIRE(test::run_cli({"memory", "--model",
                         "lif",    "--samples",
                         "8",      "--batch_size",
                         "4",      "--period_length",
                         "4",      "--periods",
                         "4",      "--epochs",
                         "1",      "--limit_val_batches",
                         "1",      "--limit_test_batches",
                         "1",      "--out",
                         run,      "--quiet"})
              .code == 0);
  // What a cuda run writes: its config names the device.
  std::string config = read_file_bytes(run + "/config.json");
  const size_t at = config.find("\"cpu\"");
  REQUIRE(at != std::string::npos);
  config.replace(at, 5, "\"cuda\"");
  std::ofstream(run + "/config.json", std::ios::trunc) << config;
  auto e = test::run_cli({"export-nir", run, file});
  CHECK_MESSAGE(e.code == 0, e.err);
  auto c = test::run_cli({"export-checkpoint", run, dir / "norse.safetensors"});
  CHECK_MESSAGE(c.code == 0, c.err);
  auto i = test::run_cli({"import-nir", file});
  CHECK_MESSAGE(i.code == 0, i.err);
  CHECK(has(i.out, "task memory with the file's weights"));
}
