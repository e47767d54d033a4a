#include "core/data/speech_commands.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>

#include "core/data/wav.hpp"

namespace soma {
namespace fs = std::filesystem;
namespace {

// The clips a list names, checked to exist; blank lines and a trailing newline are fine.
std::set<std::string> read_list(const std::string& root, const std::string& name) {
  const std::string path = root + "/" + name;
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error(
        path +
        " is missing: a Speech Commands folder has validation_list.txt "
        "and testing_list.txt (soma speech_commands --synthesize DIR makes one)");
  std::set<std::string> clips;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty()) continue;
    if (!fs::is_regular_file(root + "/" + line))
      throw std::runtime_error(path + " line " + std::to_string(n) + ": " + line +
                               " does not exist");
    clips.insert(line);
  }
  return clips;
}

}  // namespace

int speech_label(const std::string& word) {
  for (size_t i = 0; i < kSpeechCommandWords.size(); ++i)
    if (word == kSpeechCommandWords[i]) return int(i);
  return word == "background" ? kSpeechBackground : kSpeechUnknown;
}

std::string speech_class_name(int label) {
  if (label >= 0 && label < 10) return kSpeechCommandWords[size_t(label)];
  if (label == kSpeechBackground) return "background";
  if (label == kSpeechUnknown) return "unknown";
  return "(unused)";
}

SpeechCommandsIndex index_speech_commands(const std::string& root) {
  if (!fs::is_directory(root))
    throw std::runtime_error(root +
                             " is not a folder: give --data_dir a Speech Commands folder "
                             "(soma speech_commands --synthesize DIR makes a small one)");
  SpeechCommandsIndex idx;
  idx.root = root;
  const std::set<std::string> val = read_list(root, "validation_list.txt");
  const std::set<std::string> test = read_list(root, "testing_list.txt");
  std::vector<SpeechClip> all;
  for (const auto& dir : fs::directory_iterator(root)) {
    if (!dir.is_directory()) continue;
    const std::string word = dir.path().filename().string();
    if (word.empty() || word[0] == '_') continue;
    for (const auto& f : fs::directory_iterator(dir.path()))
      if (f.is_regular_file() && f.path().extension() == ".wav")
        all.push_back({word + "/" + f.path().filename().string(), speech_label(word)});
  }
  if (all.empty()) throw std::runtime_error(root + " has no word folders with .wav clips");
  std::sort(all.begin(), all.end(), [](auto& a, auto& b) { return a.path < b.path; });
  for (SpeechClip& c : all)
    (val.count(c.path) ? idx.validation : test.count(c.path) ? idx.test : idx.train).push_back(c);
  const fs::path noise = fs::path(root) / "_background_noise_";
  if (fs::is_directory(noise))
    for (const auto& f : fs::directory_iterator(noise))
      if (f.is_regular_file() && f.path().extension() == ".wav")
        idx.background.push_back(f.path().string());
  std::sort(idx.background.begin(), idx.background.end());
  return idx;
}

std::vector<int16_t> read_speech_clip(const std::string& path) {
  std::vector<int16_t> s = read_wav_16k_mono(path).samples;
  s.resize(size_t(kSpeechSamples), 0);
  return s;
}

}  // namespace soma
