#include <doctest/doctest.h>

#include <filesystem>
#include <stdexcept>

#include "core/data/speech_commands.hpp"
#include "core/data/wav.hpp"
#include "temp_dir.hpp"

using namespace soma;

namespace {

void clip(const test::TempDir& d, const std::string& rel, int64_t samples = 8000) {
  std::filesystem::create_directories(std::filesystem::path(d / rel).parent_path());
  Wav w;
  w.samples.assign(size_t(samples), 100);
  write_wav(d / rel, w);
}

std::string error_of(const std::string& root) {
  try {
    index_speech_commands(root);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("speech commands: Norse's 13 labels, 11 never used") {
  CHECK(speech_label("yes") == 0);
  CHECK(speech_label("go") == 9);
  CHECK(speech_label("background") == kSpeechBackground);
  CHECK(speech_label("marvin") == kSpeechUnknown);
  CHECK(kSpeechClasses == 13);
  CHECK(speech_class_name(11) == "(unused)");
  CHECK(speech_class_name(12) == "unknown");
}

TEST_CASE("speech commands: the lists split the clips; other folders and '_' folders do not") {
  test::TempDir d;
  clip(d, "yes/a_nohash_0.wav");
  clip(d, "yes/b_nohash_0.wav");
  clip(d, "no/a_nohash_0.wav");
  clip(d, "wow/c_nohash_0.wav");
  clip(d, "_background_noise_/white.wav", 40000);
  d.file("validation_list.txt", "no/a_nohash_0.wav\n");
  d.file("testing_list.txt", "yes/b_nohash_0.wav\r\n\n");
  SpeechCommandsIndex idx = index_speech_commands(d.path.string());
  REQUIRE(idx.train.size() == 2);
  CHECK(idx.train[0].path == "wow/c_nohash_0.wav");
  CHECK(idx.train[0].label == kSpeechUnknown);
  CHECK(idx.train[1].path == "yes/a_nohash_0.wav");
  REQUIRE(idx.validation.size() == 1);
  CHECK(idx.validation[0].label == 1);
  REQUIRE(idx.test.size() == 1);
  CHECK(idx.test[0].path == "yes/b_nohash_0.wav");
  REQUIRE(idx.background.size() == 1);
  // A short clip is padded with zeros to one second.
  std::vector<int16_t> s = read_speech_clip(d / "yes/a_nohash_0.wav");
  CHECK(s.size() == 16000);
  CHECK(s[7999] == 100);
  CHECK(s[8000] == 0);
}

TEST_CASE("speech commands: a missing folder, list or listed clip is a clear error") {
  test::TempDir d;
  CHECK(error_of(d / "nope").find("nope is not a folder") != std::string::npos);
  clip(d, "yes/a_nohash_0.wav");
  CHECK(error_of(d.path.string()).find("validation_list.txt is missing") != std::string::npos);
  d.file("validation_list.txt", "");
  d.file("testing_list.txt", "yes/a_nohash_0.wav\nyes/zzz_nohash_0.wav\n");
  CHECK(error_of(d.path.string())
            .find("testing_list.txt line 2: yes/zzz_nohash_0.wav does not exist") !=
        std::string::npos);
}
