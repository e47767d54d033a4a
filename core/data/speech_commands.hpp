#pragma once
// Google Speech Commands v2 on disk (Warden 2018, arXiv:1804.03209):
//   ROOT/<word>/<speaker>_nohash_<n>.wav    one folder per word; 16 kHz, 16-bit, mono, <= 1 s
//   ROOT/validation_list.txt                 "<word>/<file>.wav" per line: the validation split
//   ROOT/testing_list.txt                    the same for the test split; every other clip trains
//   ROOT/_background_noise_/*.wav            long noise recordings (folders starting with '_'
//                                            are not words)
// Labels as Norse's speech task (norse/dataset/speech_commands.py) numbers them: the ten command
// words yes, no, up, down, left, right, on, off, stop, go are 0-9, "background" (1 s chunks of
// the noise files, i.e. silence) is 10, and every other word is "unknown", 12. Index 11 is
// never a target: Norse maps its 11 known labels to 0-10 and unknown to 12, and sizes its read-out
// for 13 outputs; we keep the 13 outputs so that Norse's models and numbers carry over.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace soma {

constexpr int kSpeechClasses = 13;
constexpr int kSpeechBackground = 10;
constexpr int kSpeechUnknown = 12;
constexpr int64_t kSpeechRate = 16000;     // samples per second
constexpr int64_t kSpeechSamples = 16000;  // a clip: one second
inline const std::array<const char*, 10> kSpeechCommandWords = {
    "yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"};

// 0-9 for a command word, kSpeechBackground for "background", else kSpeechUnknown.
int speech_label(const std::string& word);
// "yes", ..., "background", "(unused)", "unknown".
std::string speech_class_name(int label);

struct SpeechClip {
  std::string path;  // relative to the root: "<word>/<file>.wav", as the lists write it
  int label = 0;
};

struct SpeechCommandsIndex {
  std::string root;
  std::vector<SpeechClip> train, validation, test;  // sorted by path
  std::vector<std::string> background;              // absolute-or-root-joined paths, sorted
};

// Scans ROOT. Errors (std::runtime_error) name the folder or list and say what is missing: no
// ROOT, no word folders, a list that is absent, or a list line naming a clip that does not exist
// ("testing_list.txt line 7: yes/abc_nohash_0.wav does not exist").
SpeechCommandsIndex index_speech_commands(const std::string& root);

// A clip's samples, zero-padded at the end to kSpeechSamples (Norse pads the same way); a clip
// longer than one second is cut to its first second. The file must be
// 16 kHz mono 16-bit (core/data/wav.hpp says which field is wrong otherwise).
std::vector<int16_t> read_speech_clip(const std::string& path);

}  // namespace soma
