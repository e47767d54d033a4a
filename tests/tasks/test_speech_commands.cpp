// speech_commands is native only (espeak-ng, sox and kissfft; see CMakeLists.txt).
#ifndef __EMSCRIPTEN__
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/backend/cuda_runtime.hpp"
#include "core/data/speech_commands.hpp"
#include "core/data/wav.hpp"
#include "core/io/safetensors.hpp"
#include "core/random/rng.hpp"
#include "task_test_util.hpp"
#include "tasks/framework/trainer.hpp"
#include "tasks/registry.hpp"
#include "tasks/speech_commands/synthesize.hpp"
#include "temp_dir.hpp"

using namespace soma;
using soma::test::run_cli;

namespace {

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A tiny set in the Speech Commands layout that a network tells apart in seconds: each word is a
// steady tone of its own pitch over the whole second (yes 300 Hz, no 1200 Hz, up 3000 Hz, the
// "unknown" word wow a 600 + 2000 Hz chord), at a random amplitude with a little noise;
// 8 speakers per word train, `held_out` (3) validate and as many test. _background_noise_ holds
// 20 s of white noise.
void write_tone_set(const std::string& root, int held_out = 3) {
  namespace fs = std::filesystem;
  const std::vector<std::pair<std::string, std::vector<double>>> words = {
      {"yes", {300}}, {"no", {1200}}, {"up", {3000}}, {"wow", {600, 2000}}};
  Rng rng(5);
  std::string val, test;
  for (const auto& [word, freqs] : words) {
    fs::create_directories(root + "/" + word);
    for (int s = 0; s < 8 + 2 * held_out; ++s) {
      const std::string rel = word + "/spk" + std::to_string(s) + "_nohash_0.wav";
      Wav w;
      const double amp = rng.uniform(0.1f, 0.5f), phase = rng.uniform(0, 6);
      for (int64_t k = 0; k < kSpeechSamples; ++k) {
        double v = 0.01 * rng.normal();
        for (double f : freqs) v += amp * std::sin(2 * 3.14159265 * f * double(k) / 16000 + phase);
        w.samples.push_back(int16_t(std::lround(std::clamp(v, -1.0, 0.99) * 32767)));
      }
      write_wav(root + "/" + rel, w);
      if (s >= 8 + held_out)
        test += rel + "\n";
      else if (s >= 8)
        val += rel + "\n";
    }
  }
  std::ofstream(root + "/validation_list.txt") << val;
  std::ofstream(root + "/testing_list.txt") << test;
  fs::create_directories(root + "/_background_noise_");
  Wav noise;
  for (int64_t k = 0; k < 20 * kSpeechSamples; ++k)
    noise.samples.push_back(
        int16_t(std::lround(std::clamp(0.05 * rng.normal(), -1.0, 0.99) * 32767)));
  write_wav(root + "/_background_noise_/white.wav", noise);
}

ParamValues small_run(const Task& t, const std::string& dir) {
  ParamValues v(t.params());
  v.set_string("data_dir", dir);
  v.set_int("hidden", 32);
  v.set_int("batch_size", 8);
  v.set_float("learning_rate", 1e-2);
  return v;
}

}  // namespace

TEST_CASE("speech_commands task: learns to tell tones apart, held-out speakers") {
  test::TempDir dir;
  write_tone_set(dir.path.string());
  TaskPtr t = make_task("speech_commands");
  ParamValues v = small_run(*t, dir.path.string());
  v.set_int("epochs", 6);
  t->setup(v, {});
  while (!t->done()) t->step();
  const Series* acc = t->telemetry().find_series(TrainerKeys::val_accuracy);
  REQUIRE(acc != nullptr);
  // 3 words + unknown + background: chance is about 1 in 5.
  CHECK(acc->last() > 0.85);
  CHECK(has(t->finish(), "test accuracy"));
}

// Each neuron's own time constants (Perez-Nieves et al. 2021 found such heterogeneity helps most
// on temporal tasks like this one): the learnable layer learns the tones as well, and its
// constants move apart.
TEST_CASE("speech_commands task: --learn_neuron_params learns the tones") {
  test::TempDir dir;
  write_tone_set(dir.path.string());
  TaskPtr t = make_task("speech_commands");
  ParamValues v = small_run(*t, dir.path.string());
  v.set_int("epochs", 6);
  v.set_bool("learn_neuron_params", true);
  t->setup(v, {});
  while (!t->done()) t->step();
  CHECK(t->telemetry().find_series(TrainerKeys::val_accuracy)->last() > 0.85);
  const nn::Module* m = t->network();
  REQUIRE(m != nullptr);
  bool found = false;
  for (const auto& [name, p] : m->named_parameters()) {
    if (name != "rec.mem_logit") continue;
    found = true;
    const std::vector<float> x = p.to_vector();
    CHECK(*std::max_element(x.begin(), x.end()) - *std::min_element(x.begin(), x.end()) > 1e-3f);
  }
  CHECK(found);
}

// The feature statistics are registered buffers: the checkpoint saves them and --device cuda moves
// them. Set by rebinding the model's handles, they left the registered tensors at 0 and 1 (a
// checkpoint without the statistics) and on cuda the model subtracted a CPU mean (the host
// emulator's short run of speech_commands --device cuda failed at its first step).
TEST_CASE("speech_commands task: the feature statistics are the model's registered buffers") {
  test::TempDir dir;
  write_tone_set(dir.path.string());
  auto r = run_cli({"speech_commands", "--data_dir", dir.path.string(), "--hidden", "16",
                    "--batch_size", "8", "--max_steps", "1", "--out", dir / "run", "--quiet"});
  REQUIRE(r.code == 0);
  const SafetensorsData saved = load_safetensors(dir / "run/checkpoint.safetensors");
  std::vector<float> mean, stddev;
  for (const auto& [name, t] : saved.tensors) {
    if (name.find("feature_mean") != std::string::npos) mean = t.to_vector();
    if (name.find("feature_std") != std::string::npos) stddev = t.to_vector();
  }
  REQUIRE(!mean.empty());
  REQUIRE(!stddev.empty());
  // The tones' log mel energies differ from filter to filter: neither the 0 nor the 1 that the
  // buffers start at.
  CHECK(*std::max_element(mean.begin(), mean.end()) != *std::min_element(mean.begin(), mean.end()));
  CHECK(*std::max_element(stddev.begin(), stddev.end()) !=
        *std::min_element(stddev.begin(), stddev.end()));
}

// Validation ran over the whole split whatever --limit_val_batches said (a --max_steps run on the
// real data set validated all 9,981 clips). 17 held-out speakers per word: 68 clips, 2 batches
// of 64.
TEST_CASE("speech_commands task: --limit_val_batches, and each evaluated batch is reported") {
  test::TempDir dir;
  write_tone_set(dir.path.string(), 17);
  for (int64_t limit : {0, 1}) {
    CAPTURE(limit);
    TaskPtr t = make_task("speech_commands");
    ParamValues v = small_run(*t, dir.path.string());
    v.set_int("epochs", 1);
    v.set_int("limit_val_batches", limit);
    t->setup(v, {});
    std::vector<std::pair<int64_t, int64_t>> reported;
    t->listen_to_phases([&](const std::string& phase, int64_t done, int64_t total) {
      CHECK(phase == "validation");
      reported.push_back({done, total});
    });
    while (!t->done()) t->step();
    using Reports = std::vector<std::pair<int64_t, int64_t>>;
    CHECK(reported == (limit ? Reports{{1, 1}} : Reports{{1, 2}, {2, 2}}));
  }
}

TEST_CASE("speech_commands task: lsnn and lstm models train a few steps") {
  test::TempDir dir;
  write_tone_set(dir.path.string());
  for (const char* model : {"lsnn", "lstm"}) {
    TaskPtr t = make_task("speech_commands");
    ParamValues v = small_run(*t, dir.path.string());
    v.set_string("model", model);
    v.set_int("max_steps", 2);
    t->setup(v, {});
    while (!t->done()) t->step();
    const Series* loss = t->telemetry().find_series(TrainerKeys::loss);
    REQUIRE(loss != nullptr);
    CHECK(std::isfinite(loss->last()));
  }
}

TEST_CASE("speech_commands --device cuda: every model runs there, the LSTM included") {
  TaskPtr t = make_task("speech_commands");
  ParamValues v(t->params());
  for (const char* model : {"lif", "lsnn", "lstm"}) {
    CAPTURE(model);
    v.set_string("model", model);
    CHECK(t->runs_on_cuda(v));
  }
  test::TempDir dir;
  auto lstm = run_cli({"speech_commands", "--device", "cuda", "--model", "lstm", "--data_dir",
                       dir / "none", "--out", dir / "run", "--quiet"});
#ifndef SOMA_CUDA
  CHECK(lstm.code == 2);
  CHECK(has(lstm.err, "no CUDA backend"));  // refused before the data set is looked for
#else
  // Accepted where a GPU is: the data set is what is missing, a failed run (1); refused at setup
  // where none is, a usage error (2). (The emulator's build found this test expecting 2 on a GPU.)
  const bool gpu = cuda::available();
  CHECK(lstm.code == (gpu ? 1 : 2));
  CHECK(has(lstm.err, gpu ? "none is not a folder" : "no CUDA device"));
#endif
}

TEST_CASE("speech_commands CLI: --help, a missing data set and a corrupt clip") {
  auto help = run_cli({"speech_commands", "--help"});
  CHECK(help.code == 0);
  CHECK(has(help.out, "--synthesize"));
  CHECK(has(help.out, "--model"));
  test::TempDir dir;
  auto missing =
      run_cli({"speech_commands", "--data_dir", dir / "none", "--out", dir / "run1", "--quiet"});
  CHECK(missing.code == 1);
  CHECK(has(missing.err, "none is not a folder"));
  CHECK(has(missing.err, "--synthesize"));
  const std::string data = dir / "data";
  write_tone_set(data);
  std::string bad = encode_wav(read_wav(data + "/no/spk3_nohash_0.wav"));
  bad[24] = char(0x44);  // sample rate 16000 -> 16068
  std::ofstream(data + "/no/spk3_nohash_0.wav", std::ios::binary) << bad;
  auto corrupt = run_cli({"speech_commands", "--data_dir", data, "--out", dir / "run2", "--quiet"});
  CHECK(corrupt.code == 1);
  CHECK(has(corrupt.err, "spk3_nohash_0.wav"));
  CHECK(has(corrupt.err, "fmt.byte_rate"));
}

TEST_CASE("speech_commands --synthesize: espeak-ng voices in the Speech Commands layout") {
  if (std::system("espeak-ng --version >/dev/null 2>&1 && sox --version >/dev/null 2>&1") != 0) {
    // scripts/setup.sh installs both; without them --synthesize must say so.
    test::TempDir dir;
    auto r =
        run_cli({"speech_commands", "--synthesize", dir / "s", "--out", dir / "run", "--quiet"});
    CHECK(r.code == 1);
    CHECK(has(r.err, "espeak-ng and sox"));
    return;
  }
  test::TempDir dir;
  auto r = run_cli({"speech_commands", "--synthesize", dir / "s", "--synth_accents", "1",
                    "--synth_variants", "5", "--out", dir / "run", "--quiet"});
  REQUIRE(r.code == 0);
  CHECK(has(r.out, "synthesised 55 clips (33 train, 11 validation, 11 test; 5 voices)"));
  SpeechCommandsIndex idx = index_speech_commands(dir / "s");
  CHECK(idx.train.size() == 33);
  CHECK(idx.validation.size() == 11);
  CHECK(idx.test.size() == 11);
  CHECK(idx.background.size() == 4);
  // Held-out voices: the test speakers (variant m5) never occur in training.
  auto speaker = [](const SpeechClip& c) { return c.path.substr(c.path.find('/') + 1, 8); };
  for (const SpeechClip& a : idx.test)
    for (const SpeechClip& b : idx.train) CHECK(speaker(a) != speaker(b));
  // Every clip is one second of 16 kHz mono speech, not silence.
  Wav w = read_wav_16k_mono(dir / "s" + "/" + idx.test[0].path);
  CHECK(w.frames() == kSpeechSamples);
  int peak = 0;
  for (int16_t s : w.samples) peak = std::max(peak, std::abs(int(s)));
  CHECK(peak > 0.15 * 32768);
  // A second run never overwrites a data set.
  auto again =
      run_cli({"speech_commands", "--synthesize", dir / "s", "--out", dir / "run2", "--quiet"});
  CHECK(again.code == 1);
  CHECK(has(again.err, "not an empty folder"));
}
#endif
