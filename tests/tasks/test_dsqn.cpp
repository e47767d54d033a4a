#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "core/autograd/grad_mode.hpp"
#include "gradcheck.hpp"
#include "task_test_util.hpp"
#include "tasks/dsqn/classifier.hpp"
#include "tasks/dsqn/conversion.hpp"
#include "tasks/dsqn/dqn_trainer.hpp"
#include "tasks/dsqn/evaluate.hpp"
#include "tasks/dsqn/pynn_export.hpp"
#include "temp_dir.hpp"

using namespace soma;
using namespace soma::dsqn;

TEST_CASE("dsqn conversion: robust normalisation of a tiny net, by hand") {
  // 1 input -> 2 ReLU -> 1 linear. W0 = [0.5, 1], b0 = [0, 0.1]; W1 = [1, 2], b1 = 0.3.
  // States 0, 1, 2, 3: layer-0 maxima x + 0.1 = .1, 1.1, 2.1, 3.1, element int(.99 * 3) = 2 ->
  // 2.1 (> max weight 1); outputs 2.5 x + .5 = .5, 3, 5.5, 8 -> 5.5 (> 2).
  sim::DenseNet ann{{1, 2, {0.5, 1.0}, {0.0, 0.1}}, {2, 1, {1.0, 2.0}, {0.3}}};
  ConversionResult r = robust_normalise(ann, {0, 1, 2, 3}, 0.99);
  REQUIRE(r.lambda.size() == 2);
  CHECK(r.lambda[0] == doctest::Approx(2.1));
  CHECK(r.lambda[1] == doctest::Approx(5.5));
  CHECK(r.net[0].w[1] == doctest::Approx(1.0 / 2.1));
  CHECK(r.net[0].bias[1] == doctest::Approx(0.1 / 2.1));
  CHECK(r.net[1].w[1] == doctest::Approx(2.0 * 2.1 / 5.5));
  CHECK(r.net[1].bias[0] == doctest::Approx(0.3 / 5.5));
  SUBCASE("the max-weight term wins over a low percentile") {
    ConversionResult low = robust_normalise(ann, {0, 1, 2, 3}, 0.3);  // element 0: 0.1
    CHECK(low.lambda[0] == doctest::Approx(1.0));                     // max of W0, b0
  }
  SUBCASE("the converted net's normalised activations stay below 1 on most states") {
    auto acts = ann_forward(r.net, {2.0});
    CHECK(acts[0][1] == doctest::Approx(1.0));
  }
  CHECK_THROWS_AS(robust_normalise(ann, {0, 1, 2}, 1.5), std::invalid_argument);
}

TEST_CASE("dsqn similarity: ties go to index 0; agreement = equal-argmax steps / all steps") {
  CHECK(greedy({1.0, 1.0}) == 0);
  CHECK(greedy({0.0, 2.0}) == 1);
  QFunction tie = [](const CartPole::Observation&) { return std::vector<double>{1, 1}; };
  QFunction left = [](const CartPole::Observation&) { return std::vector<double>{0.5, 0.2}; };
  QFunction right = [](const CartPole::Observation&) { return std::vector<double>{0, 1}; };
  ClosedLoop same(tie, left, 500, 1);
  for (int e = 0; e < 3; ++e) same.run_episode();
  CHECK(same.stats().agreement() == 1.0);
  CHECK(same.stats().steps == int64_t(same.stats().mean() * 3 + 0.5));  // steps = total reward
  ClosedLoop differ(tie, right, 500, 1);
  differ.run_episode();
  CHECK(differ.stats().agreement() == 0.0);
  EvalStats s;
  s.rewards = {10, 20, 30};
  CHECK(s.mean() == 20);
  CHECK(s.stddev() == doctest::Approx(10));  // sample std
}

TEST_CASE("dsqn state agreement: equal greedy actions on evenly spread stored states") {
  // Reference always pushes right; the tested policy pushes right only when x > 0.
  QFunction right = [](const CartPole::Observation&) { return std::vector<double>{0, 1}; };
  QFunction by_x = [](const CartPole::Observation& s) {
    return s[0] > 0 ? std::vector<double>{0, 1} : std::vector<double>{1, 0};
  };
  std::vector<double> states;
  for (int i = 0; i < 8; ++i) states.insert(states.end(), {i < 6 ? 1.0 : -1.0, 0, 0, 0});
  CHECK(state_agreement(by_x, right, states, 8) == doctest::Approx(0.75));
  CHECK(state_agreement(by_x, right, states, 100) == doctest::Approx(0.75));  // clamped to 8
  CHECK(state_agreement(by_x, right, states, 2) == doctest::Approx(1.0));     // states 0 and 4
  CHECK(state_agreement(right, right, states, 3) == 1.0);
  CHECK_THROWS_AS(state_agreement(by_x, right, {}, 5), std::invalid_argument);
}

TEST_CASE("dsqn: DQN learns to balance a little (100 episodes of at most 100 steps)") {
  Rng rng(1);
  DqnOptions o;
  o.episodes = 100;
  o.max_steps = 100;
  o.seed = 1;
  DqnTrainer t(std::make_shared<AnnQNet>(rng), o);
  while (!t.done()) t.run_episode();
  double first = 0, last = 0;
  for (int i = 0; i < 20; ++i) first += t.rewards()[size_t(i)], last += t.rewards()[size_t(80 + i)];
  MESSAGE("DQN: first 20 episodes " << first / 20 << ", last 20 " << last / 20);
  CHECK(last > 2.5 * first);
  CHECK(std::isfinite(t.last_loss()));
}

TEST_CASE("dsqn: the DSQN trains a few steps; the target copy and epsilon follow the recipe") {
  Rng rng(2);
  DqnOptions o;
  o.episodes = 4;
  o.batch = 16;
  o.seed = 2;
  SqnOptions so;
  so.steps = 6;
  auto net = std::make_shared<SqnQNet>(rng, so);
  Tensor before = net->parameters()[0].clone();
  DqnTrainer t(net, o);
  while (!t.done()) t.run_episode();
  int64_t steps = 0;
  for (double r : t.rewards()) steps += int64_t(r);
  CHECK(t.epsilon() == doctest::Approx(std::max(0.05, std::pow(0.999, double(steps)))));
  CHECK(std::isfinite(t.last_loss()));
  CHECK((net->parameters()[0].array() - before.array()).abs().maxCoeff() > 0);
  CHECK(t.solved_at() == -1);
}

TEST_CASE("dsqn: network files round-trip (ann, sqn) and bad files are named") {
  test::TempDir dir;
  Rng rng(3);
  AnnQNet ann(rng);
  SqnQNet sqn(rng, SqnOptions{});
  save_net(dir / "a.safetensors", ann);
  save_net(dir / "s.safetensors", sqn);
  NoGrad ng;
  Tensor obs = obs_tensor({{0.01, -0.2, 0.03, 0.4}, {0.1, 0.2, -0.05, -0.3}});
  for (auto* pair : {static_cast<QNetwork*>(&ann), static_cast<QNetwork*>(&sqn)}) {
    std::string file = dir / (pair == &ann ? "a.safetensors" : "s.safetensors");
    auto back = make_qnet(load_net(file));
    test::check_close(back->q_values(obs), pair->q_values(obs).to_vector(), 1e-5f);
  }
  std::string bad = dir.file("bad.safetensors", "not a file");
  CHECK_THROWS_WITH_AS(load_net(bad), doctest::Contains("bad.safetensors"), std::runtime_error);
}

TEST_CASE("dsqn: a classifier learns a linear rule from a replay set") {
  ReplaySet r;
  Rng rng(4);
  r.n = 400;
  for (int64_t i = 0; i < r.n; ++i) {
    double th = rng.uniform(-0.2f, 0.2f), thd = rng.uniform(-1, 1);
    r.states.insert(r.states.end(), {rng.uniform(-1, 1), rng.uniform(-1, 1), th, thd});
    double push_right = th + 0.3 * thd;
    r.q.insert(r.q.end(), {-push_right, push_right});
  }
  ClassifierOptions o;
  o.iterations = 1500;
  o.lr = 1e-2;
  ClassifierTrainer t(std::make_shared<AnnQNet>(rng), r, o);
  t.train(1500);
  CHECK(t.accuracy() > 0.9);
}

TEST_CASE("dsqn: the PyNN script builds the seed's network") {
  sim::DenseNet net{{2, 2, {1.0, -0.5, 0.25, 2.0}, {0.1, 0.0}}, {2, 1, {0.5, -0.75}, {}}};
  sim::DenseNet folded = fold_input(net, {1.0, 2.0});
  CHECK(folded[0].bias[0] == doctest::Approx(0.1 + 1.0 + 0.5));
  CHECK(folded[0].bias[1] == doctest::Approx(-0.5 + 4.0));
  PynnExportOptions o;
  o.input = {1.0, 2.0};
  std::string s = pynn_script(net, o);
  for (const char* want : {"IF_curr_delta", "FromListConnector", "'inhibitory'", "DELAY = 1",
                           "pyNN.brian2", "pyNN.nest"})
    CHECK_MESSAGE(s.find(want) != std::string::npos, want);
  CHECK_THROWS_AS(fold_input(net, {1.0}), std::invalid_argument);
}

TEST_CASE("dsqn: the stages chain through the command line") {
  test::TempDir dir;
  const std::string d = dir.path.string();
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "dsqn");
    args.push_back("--quiet");
    return test::run_cli(args);
  };
  auto r = run({"--stage", "dqn", "--episodes", "3", "--batch_size", "8", "--out", d + "/dqn"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  r = run({"--stage", "replay", "--net", d + "/dqn/dqn.safetensors", "--replay_set_size", "200",
           "--out", d + "/replay"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  CHECK(r.out.find("200 states") != std::string::npos);
  r = run({"--stage", "classifier", "--replay", d + "/replay/replay.safetensors", "--iterations",
           "20", "--model", "sqn", "--seq_length", "5", "--out", d + "/cls"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  r = run({"--stage", "convert", "--net", d + "/dqn/dqn.safetensors", "--replay",
           d + "/replay/replay.safetensors", "--out", d + "/conv"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  CHECK(r.out.find("replay agreement") != std::string::npos);
  // Several candidates: each is converted and checked on replay states, the best one is kept.
  r = run({"--stage", "convert", "--net",
           d + "/dqn/dqn.safetensors," + d + "/dqn/dqn_final.safetensors", "--replay",
           d + "/replay/replay.safetensors", "--check_states", "40", "--duration_ms", "5", "--out",
           d + "/conv2"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  CHECK(r.out.find("dqn.safetensors: replay agreement") != std::string::npos);
  CHECK(r.out.find("dqn_final.safetensors: replay agreement") != std::string::npos);
  CHECK(load_net(d + "/conv2/converted.safetensors").meta.count("replay_agreement") == 1);
  r = run({"--stage", "convert", "--net",
           d + "/dqn/dqn.safetensors," + d + "/dqn/dqn_final.safetensors", "--replay",
           d + "/replay/replay.safetensors", "--check_states", "0", "--out", d + "/conv3"});
  CHECK(r.code != 0);
  CHECK(r.err.find("--check_states") != std::string::npos);
  r = run({"--stage", "evaluate", "--net", d + "/conv/converted.safetensors", "--reference",
           d + "/dqn/dqn.safetensors", "--eval_episodes", "2", "--duration_ms", "5", "--out",
           d + "/eval"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  CHECK(r.out.find("agreement") != std::string::npos);
  CHECK(std::filesystem::exists(d + "/eval/results.json"));
  r = run({"--stage", "evaluate", "--net", d + "/cls/classifier_sqn.safetensors", "--runner", "sim",
           "--neuron", "pp", "--eval_episodes", "1", "--duration_ms", "3", "--out", d + "/eval2"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  r = run({"--stage", "export", "--net", d + "/conv/converted.safetensors", "--export_pynn",
           d + "/net.py", "--out", d + "/exp"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  CHECK(std::filesystem::exists(d + "/net.py"));
  r = run({"--stage", "play", "--net", d + "/cls/classifier_sqn.safetensors", "--eval_episodes",
           "1", "--chunk", "50", "--out", d + "/play"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  CHECK(run({"--stage", "evaluate", "--out", d + "/x"}).err.find("needs --net") !=
        std::string::npos);
  CHECK(run({"--stage", "nonsense"}).code == 2);
  r = run({"--stage", "evaluate", "--net", d + "/conv/converted.safetensors", "--resolution_ms",
           "0.3", "--out", d + "/y"});  // 100 ms is no multiple of 0.3 ms
  CHECK(r.code == 1);
  CHECK(r.err.find("multiple of the resolution") != std::string::npos);
  // The seed's multimeter has no sample to deliver from a 1 ms run (min delay 1 ms); at_end does.
  r = run({"--stage", "evaluate", "--net", d + "/conv/converted.safetensors", "--duration_ms", "1",
           "--out", d + "/z"});
  CHECK(r.code == 1);
  CHECK(r.err.find("min delay") != std::string::npos);
  r = run({"--stage", "evaluate", "--net", d + "/conv/converted.safetensors", "--duration_ms", "1",
           "--readout", "at_end", "--eval_episodes", "1", "--out", d + "/z2"});
  CHECK_MESSAGE(r.code == 0, r.err);
  CHECK(r.out.find("read-out at_end") != std::string::npos);
}
