#include "tasks/speech_commands/synthesize.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "core/data/speech_commands.hpp"
#include "core/data/wav.hpp"
#include "core/io/atomic_write.hpp"
#include "core/random/rng.hpp"

namespace soma {
namespace fs = std::filesystem;
namespace {

const std::vector<std::string> kAccents = {"en-us",      "en-gb",          "en-gb-scotland",
                                           "en-gb-x-rp", "en-gb-x-gbclan", "en-gb-x-gbcwmd",
                                           "en-029",     "en-us-nyc"};
const std::vector<std::string> kUnknownWords = {"bed",   "bird",  "cat",  "dog",
                                                "happy", "house", "tree", "wow"};

// FNV-1a: a stable 8-hex-digit "speaker id" for a voice name.
std::string voice_hash(const std::string& s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", h);
  return buf;
}

// Runs a shell pipeline and returns its standard output; a non-zero exit is an error.
std::string run_pipeline(const std::string& cmd) {
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) throw std::runtime_error("cannot run: " + cmd);
  std::string out;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = pclose(p);
  if (status != 0)
    throw std::runtime_error("failed (status " + std::to_string(status) + "): " + cmd);
  return out;
}

// The samples without the silence espeak-ng puts around a word (10 ms kept on each side).
std::vector<float> trim(const std::vector<float>& s) {
  float peak = 0;
  for (float v : s) peak = std::max(peak, std::abs(v));
  const float th = 0.02f * peak;
  int64_t a = 0, b = int64_t(s.size());
  while (a < b && std::abs(s[size_t(a)]) <= th) ++a;
  while (b > a && std::abs(s[size_t(b - 1)]) <= th) --b;
  a = std::max<int64_t>(0, a - 160);
  b = std::min<int64_t>(int64_t(s.size()), b + 160);
  return {s.begin() + a, s.begin() + b};
}

Wav to_wav(const std::vector<float>& x) {
  Wav w;
  w.samples.resize(x.size());
  for (size_t k = 0; k < x.size(); ++k)
    w.samples[k] = int16_t(std::lround(std::clamp(x[k], -1.0f, 32767.0f / 32768.0f) * 32768.0f));
  return w;
}

// Scales x to the given RMS.
void set_rms(std::vector<float>& x, float rms) {
  double s = 0;
  for (float v : x) s += double(v) * v;
  const float g = rms / float(std::sqrt(s / double(x.size())) + 1e-12);
  for (float& v : x) v *= g;
}

// 60 s of each noise: white; pink (1/f) as the sum of eight one-pole low-passes of white noise
// with corner frequencies an octave apart; brown (1/f^2) as leaky integrated white noise; and
// a 50 Hz hum with harmonics 1/k plus a little white noise.
std::vector<std::pair<std::string, std::vector<float>>> noises(uint64_t seed) {
  const int64_t n = 60 * kSpeechRate;
  Rng rng(seed ^ 0xB0B);
  const size_t len = static_cast<size_t>(n);
  std::vector<float> white(len), pink(len, 0.0f), brown(len), hum(len);
  for (float& v : white) v = rng.normal();
  const double pi = 3.14159265358979323846;
  // Low-pass j: corner 40 * 2^j Hz, gain 2^(j/2) so each octave band carries equal power.
  std::vector<float> lp(8, 0), decay(8), gain(8);
  for (size_t j = 0; j < lp.size(); ++j) {
    decay[j] = float(std::exp(-2 * pi * 40.0 * std::pow(2.0, double(j)) / kSpeechRate));
    gain[j] = (1 - decay[j]) * float(std::pow(2.0, 0.5 * double(j)));
  }
  float b = 0;
  for (int64_t k = 0; k < n; ++k) {
    const float w = white[size_t(k)];
    for (size_t j = 0; j < lp.size(); ++j) {
      lp[j] = decay[j] * lp[j] + gain[j] * w;
      pink[size_t(k)] += lp[j];
    }
    b = 0.998f * b + w;
    brown[size_t(k)] = b;
    double h = 0;
    for (int r = 1; r <= 6; ++r) h += std::sin(2 * pi * 50.0 * r * double(k) / kSpeechRate) / r;
    hum[size_t(k)] = float(h) + 0.05f * rng.normal();
  }
  set_rms(white, 0.1f);
  set_rms(pink, 0.1f);
  set_rms(brown, 0.1f);
  set_rms(hum, 0.05f);
  return {{"white_noise", white}, {"pink_noise", pink}, {"brown_noise", brown}, {"mains_hum", hum}};
}

}  // namespace

const std::vector<std::string>& synth_variants() {
  static const std::vector<std::string> v = {
      "m1",      "m2",       "m3",     "m4",      "m5",     "m6",     "m7",     "m8",
      "f1",      "f2",       "f3",     "f4",      "f5",     "klatt",  "klatt2", "klatt3",
      "klatt4",  "croak",    "adam",   "Alex",    "Alicia", "Andy",   "Annie",  "aunty",
      "belinda", "benjamin", "boris",  "caleb",   "david",  "ed",     "edward", "john",
      "linda",   "max",      "michel", "norbert", "paul",   "quincy", "steph",  "travis"};
  return v;
}

int synth_variant_split(int64_t i) {
  return i % 5 == 4 ? 2 : i % 10 == 2 ? 1 : 0;
}

SpeechSynthesizer::SpeechSynthesizer(const SynthOptions& o) : o_(o) {
  if (o.accents < 1 || o.accents > int64_t(kAccents.size()) || o.variants < 5 ||
      o.variants > int64_t(synth_variants().size()))
    throw std::invalid_argument("synthesis: accents must be 1-8 and variants 5-40");
  if (fs::exists(o.dir) && !(fs::is_directory(o.dir) && fs::is_empty(o.dir)))
    throw std::runtime_error(o.dir +
                             " exists and is not an empty folder: --synthesize writes a "
                             "new data set and never overwrites one");
  try {
    run_pipeline("espeak-ng --version >/dev/null 2>&1 && sox --version >/dev/null 2>&1");
  } catch (const std::exception&) {
    throw std::runtime_error(
        "--synthesize needs espeak-ng and sox (scripts/setup.sh installs "
        "them: apt-get install espeak-ng sox)");
  }
  Rng rng(o.seed);
  for (int64_t a = 0; a < o.accents; ++a)
    for (int64_t v = 0; v < o.variants; ++v) {
      const std::string voice = kAccents[size_t(a)] + "+" + synth_variants()[size_t(v)];
      std::vector<std::string> words(kSpeechCommandWords.begin(), kSpeechCommandWords.end());
      words.push_back(kUnknownWords[rng.below(uint32_t(kUnknownWords.size()))]);
      for (const std::string& w : words)
        jobs_.push_back({voice, w, w + "/" + voice_hash(voice) + "_nohash_0.wav",
                         int(rng.uniform(20, 80)), int(rng.uniform(130, 190)),
                         rng.uniform(0.2f, 0.9f), rng.next_u32(), synth_variant_split(v)});
    }
  fs::create_directories(o.dir + "/_background_noise_");
  for (const char* w : kSpeechCommandWords) fs::create_directories(o.dir + "/" + w);
  for (const std::string& w : kUnknownWords) fs::create_directories(o.dir + "/" + w);
}

void SpeechSynthesizer::make(const Job& j) const {
  // Voice names and words come from the fixed lists above: nothing in the command is user input.
  const std::string raw = run_pipeline(
      "espeak-ng -v '" + j.voice + "' -p " + std::to_string(j.pitch) + " -s " +
      std::to_string(j.speed) + " --stdout '" + j.word +
      "' 2>/dev/null | sox -q -t wav - -t raw -r 16000 -e signed-integer -b 16 -c 1 -L - "
      "2>/dev/null");
  if (raw.size() < 2)
    throw std::runtime_error("espeak-ng said nothing for " + j.voice + " '" + j.word + "'");
  std::vector<float> s(raw.size() / 2);
  for (size_t k = 0; k < s.size(); ++k)
    s[k] = float(int16_t(uint16_t(uint8_t(raw[2 * k])) | uint16_t(uint8_t(raw[2 * k + 1])) << 8)) /
           32768.0f;
  s = trim(s);
  if (int64_t(s.size()) > kSpeechSamples) s.resize(size_t(kSpeechSamples));
  float peak = 1e-6f;
  for (float v : s) peak = std::max(peak, std::abs(v));
  // A microphone's noise floor: white noise at -70 to -50 dB re full scale. Without it the
  // silence around a word is digital zero, which no recording has and which the log-mel front
  // end maps to its floor, far from where training noise puts it.
  Rng rng(j.position_seed);
  const float floor_rms = float(std::pow(10.0, rng.uniform(-3.5f, -2.5f)));
  std::vector<float> clip(static_cast<size_t>(kSpeechSamples));
  for (float& v : clip) v = floor_rms * rng.normal();
  const int64_t start = rng.below(uint32_t(kSpeechSamples - int64_t(s.size()) + 1));
  for (size_t k = 0; k < s.size(); ++k) clip[size_t(start) + k] += s[k] * j.peak / peak;
  write_wav(o_.dir + "/" + j.file, to_wav(clip));
}

void SpeechSynthesizer::step(int64_t n) {
  for (; n > 0 && next_ < total(); --n) make(jobs_[size_t(next_++)]);
  if (next_ == total() && !finished_) {
    write_lists_and_noise();
    finished_ = true;
  }
}

void SpeechSynthesizer::write_lists_and_noise() {
  std::string val, test;
  for (const Job& j : jobs_) {
    if (j.split == 1) val += j.file + "\n";
    if (j.split == 2) test += j.file + "\n";
  }
  write_file_atomic(o_.dir + "/validation_list.txt", val);
  write_file_atomic(o_.dir + "/testing_list.txt", test);
  for (auto& [name, x] : noises(o_.seed))
    write_wav(o_.dir + "/_background_noise_/" + name + ".wav", to_wav(x));
}

std::string SpeechSynthesizer::summary() const {
  int64_t counts[3] = {0, 0, 0};
  for (const Job& j : jobs_) ++counts[j.split];
  return "synthesised " + std::to_string(total()) + " clips (" + std::to_string(counts[0]) +
         " train, " + std::to_string(counts[1]) + " validation, " + std::to_string(counts[2]) +
         " test; " + std::to_string(o_.accents * o_.variants) + " voices) and 4 noise files into " +
         o_.dir + "; train with: soma speech_commands --data_dir " + o_.dir;
}

}  // namespace soma
