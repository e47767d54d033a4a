#pragma once
// A small synthetic stand-in for Google Speech Commands, in its exact layout (core/data/
// speech_commands.hpp), spoken by Debian's espeak-ng and resampled to 16 kHz by sox. The real
// set (105,829 clips of 2,618 people) cannot be downloaded here.
//
// Voices: `accents` English accents of espeak-ng (en-us, en-gb, en-gb-scotland, en-gb-x-rp,
// en-gb-x-gbclan, en-gb-x-gbcwmd, en-029, en-us-nyc) times `variants` of its voice variants
// (m1-m8, f1-f5, klatt..klatt4, croak, and named ones: timbre, breathiness, formants, pitch
// range). A voice is one (accent, variant) pair; it says each of the ten command words and one
// "unknown" word (of bed, bird, cat, dog, happy, house, tree, wow), each at a random pitch
// (espeak -p 20-80), speed (130-190 words per minute), peak amplitude (0.2-0.9) and position
// in the one-second clip, over a white noise floor at -70 to -50 dB re full scale. Its files are
// <word>/<voice hash>_nohash_0.wav, as GSC names a speaker's clips. Held-out voices: the split goes
// by variant, so a test voice's timbre is never heard in training in any accent: variant i is test
// when i % 5 == 4 and validation when i % 10 == 2 (40 variants: 8 test, 4 validation, 28 training).
// _background_noise_/ gets 60 s each of white, pink and brown noise and a 50 Hz mains hum with
// harmonics, which the loader cuts into "background" samples and mixes into training clips.
// Defaults (8 x 40 voices): 3,520 clips, 117 MB, about 2 minutes on one core.
#include <cstdint>
#include <string>
#include <vector>

namespace soma {

struct SynthOptions {
  std::string dir;
  int64_t accents = 8;    // 1-8
  int64_t variants = 40;  // 5-40 (5 is the fewest with a test and a validation variant)
  uint64_t seed = 1234;
};

// The variant list in order, and the split of variant i: 0 train, 1 validation, 2 test.
const std::vector<std::string>& synth_variants();
int synth_variant_split(int64_t i);

class SpeechSynthesizer {
 public:
  // Checks that espeak-ng and sox run and that `dir` is absent or empty (a std::runtime_error
  // that says so otherwise), then plans every clip.
  explicit SpeechSynthesizer(const SynthOptions& o);
  int64_t total() const { return int64_t(jobs_.size()); }
  int64_t made() const { return next_; }
  bool finished() const { return finished_; }
  // Speaks up to n more clips; after the last one writes the lists and the noise files.
  void step(int64_t n);
  std::string summary() const;

 private:
  struct Job {
    std::string voice, word, file;
    int pitch, speed;
    float peak;
    uint32_t position_seed;
    int split;
  };
  void make(const Job& j) const;
  void write_lists_and_noise();
  SynthOptions o_;
  std::vector<Job> jobs_;
  int64_t next_ = 0;
  bool finished_ = false;
};

}  // namespace soma
