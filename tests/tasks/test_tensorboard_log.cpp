// The run folder's TensorBoard log (tasks/framework/tensorboard_log.hpp): every series point
// once, at its step, with the trainer's weight and gradient histograms; a resumed run adds only
// what its checkpoint did not hold, after a SessionLog.START that hides what a killed run logged
// after its checkpoint; --overwrite removes the old logs. The files are read back by
// a protobuf reader written here (the writer's bytes are checked against protobuf's own in
// tests/core/test_tfevents.cpp).
#include <doctest/doctest.h>

#include <cstring>
#include <fstream>
#include <map>
#include <set>

#include "core/data/file_bytes.hpp"
#include "core/io/tfevents.hpp"
#include "task_test_util.hpp"
#include "tasks/framework/tensorboard_log.hpp"
#include "temp_dir.hpp"

using namespace soma;
using soma::test::run_cli;

namespace {

struct LoggedValue {
  std::string tag;  // kStart: a SessionLog.START

  int64_t step = 0;
  float scalar = 0;
  double histogram_num = -1;  // -1: a scalar
};

const std::string kStart = "<session start>";

// One protobuf message's fields: number -> raw bytes (varints decoded into `varints`).
struct Fields {
  std::multimap<int, std::string> bytes;
  std::map<int, uint64_t> varints;
};

uint64_t varint(const std::string& s, size_t& i) {
  uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    REQUIRE(i < s.size());
    const uint8_t b = uint8_t(s[i++]);
    v |= uint64_t(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
}

Fields parse(const std::string& s) {
  Fields f;
  for (size_t i = 0; i < s.size();) {
    const uint64_t key = varint(s, i);
    const int field = int(key >> 3), wire = int(key & 7);
    size_t n = wire == 1 ? 8 : wire == 5 ? 4 : 0;
    if (wire == 0) {
      f.varints[field] = varint(s, i);
      continue;
    }
    if (wire == 2) n = size_t(varint(s, i));
    REQUIRE(i + n <= s.size());
    f.bytes.emplace(field, s.substr(i, n));
    i += n;
  }
  return f;
}

template <class T>
T fixed(const std::string& b) {
  T v;
  REQUIRE(b.size() == sizeof v);
  std::memcpy(&v, b.data(), sizeof v);
  return v;
}

// Every summary value in one event file, its records' CRCs checked; the first record must be
// the file version.
std::vector<LoggedValue> read_events(const std::string& path) {
  const std::string data = read_file_bytes(path);
  std::vector<LoggedValue> out;
  bool first = true;
  for (size_t i = 0; i < data.size();) {
    REQUIRE(i + 12 <= data.size());
    const uint64_t n = fixed<uint64_t>(data.substr(i, 8));
    CHECK(fixed<uint32_t>(data.substr(i + 8, 4)) == masked_crc32c(data.substr(i, 8)));
    REQUIRE(i + 16 + n <= data.size());
    const std::string event = data.substr(i + 12, n);
    CHECK(fixed<uint32_t>(data.substr(i + 12 + n, 4)) == masked_crc32c(event));
    i += 16 + n;
    Fields e = parse(event);
    if (first) CHECK(e.bytes.find(3)->second == "brain.Event:2");
    first = false;
    if (auto log = e.bytes.find(7); log != e.bytes.end()) {
      CHECK(parse(log->second).varints[1] == 1);  // START
      out.push_back({kStart, int64_t(e.varints[2])});
    }
    auto summary = e.bytes.find(5);
    if (summary == e.bytes.end()) continue;
    const Fields values = parse(summary->second);
    for (auto [it, end] = values.bytes.equal_range(1); it != end; ++it) {
      Fields v = parse(it->second);
      LoggedValue lv{v.bytes.find(1)->second, int64_t(e.varints[2])};
      if (auto s = v.bytes.find(2); s != v.bytes.end()) lv.scalar = fixed<float>(s->second);
      if (auto h = v.bytes.find(5); h != v.bytes.end())
        lv.histogram_num = fixed<double>(parse(h->second).bytes.find(3)->second);
      out.push_back(lv);
    }
  }
  return out;
}

std::vector<LoggedValue> all_events(const std::string& dir) {
  std::vector<LoggedValue> all;
  for (const std::string& f : event_files(dir))
    for (const LoggedValue& v : read_events(f)) all.push_back(v);
  return all;
}

// What TensorBoard's Python loader keeps: the files in name order, and at each SessionLog.START
// after the first, every value read before with a step >= its step dropped.
std::vector<LoggedValue> shown_events(const std::string& dir) {
  std::vector<LoggedValue> shown;
  bool started = false;
  for (const LoggedValue& v : all_events(dir)) {
    if (v.tag != kStart) {
      shown.push_back(v);
    } else if (started) {
      std::erase_if(shown, [&](const LoggedValue& old) { return old.step >= v.step; });
    }
    started = started || v.tag == kStart;
  }
  return shown;
}

std::vector<int64_t> starts(const std::string& file) {
  std::vector<int64_t> at;
  for (const LoggedValue& v : read_events(file))
    if (v.tag == kStart) at.push_back(v.step);
  return at;
}

std::vector<std::string> memory_args(const std::string& out, const std::string& max_steps) {
  return {"memory",
          "--samples",
          "8",
          "--batch_size",
          "4",
          "--period_length",
          "4",
          "--periods",
          "4",
          "--quiet",
          "--max_steps",
          max_steps,
          "--out",
          out,
          "--limit_val_batches",
          "1",
          "--limit_test_batches",
          "1"};
}

// The same run resumed from `out` up to max_steps (--resume names the folder: no --out).
std::vector<std::string> resume_args(const std::string& out, const std::string& max_steps) {
  std::vector<std::string> a = memory_args(out, max_steps);
  a.erase(a.end() - 6, a.end() - 4);
  a.insert(a.end(), {"--resume", out});
  return a;
}

}  // namespace

TEST_CASE("tensorboard log: a point's step is its whole-number x, else its index") {
  CHECK(tensorboard_step(3.0, 7) == 3);
  CHECK(tensorboard_step(0.25, 7) == 7);
  CHECK(tensorboard_step(NAN, 2) == 2);
}

TEST_CASE("tensorboard log: a run's series and histograms, each once, at their steps") {
  test::TempDir dir;
  const std::string out = dir / "run";
  REQUIRE(run_cli(memory_args(out, "4")).code == 0);
  REQUIRE(event_files(out).size() == 1);
  std::map<std::string, std::vector<int64_t>> steps;
  std::map<std::string, double> num;
  for (const LoggedValue& v : all_events(out)) {
    steps[v.tag].push_back(v.step);
    if (v.histogram_num >= 0) num[v.tag] = v.histogram_num;
  }
  CHECK(steps["loss"] == std::vector<int64_t>{1, 2, 3, 4});
  CHECK(steps["train accuracy"] == std::vector<int64_t>{1, 2});  // per epoch, x: epoch
  // The histograms at the run's end (step 4): the memory model's read-out is 20 -> 2.
  CHECK(steps["weights/readout.synapse.weight"] == std::vector<int64_t>{4});
  CHECK(num["weights/readout.synapse.weight"] == 40);
  CHECK(num["gradients/readout.synapse.weight"] == 40);
}

TEST_CASE("tensorboard log: a resumed run adds only what is new; --overwrite starts afresh") {
  test::TempDir dir;
  const std::string out = dir / "run";
  REQUIRE(run_cli(memory_args(out, "2")).code == 0);
  const std::vector<std::string> resume = resume_args(out, "4");
  REQUIRE(run_cli(resume).code == 0);
  REQUIRE(event_files(out).size() == 2);
  CHECK(starts(event_files(out)[0]) == std::vector<int64_t>{0});
  CHECK(starts(event_files(out)[1]) == std::vector<int64_t>{3});  // steps 1-2 were restored
  std::multiset<int64_t> loss_steps;
  for (const LoggedValue& v : all_events(out))
    if (v.tag == "loss") loss_steps.insert(v.step);
  CHECK(loss_steps == std::multiset<int64_t>{1, 2, 3, 4});

  std::vector<std::string> again = memory_args(out, "2");
  again.push_back("--overwrite");
  REQUIRE(run_cli(again).code == 0);
  CHECK(event_files(out).size() == 1);
}

// A run killed after it logged steps 3 and 4 but before it wrote their checkpoint: the resumed
// run logs them again, and its SessionLog.START makes TensorBoard drop the first copies.
TEST_CASE("tensorboard log: what a killed run logged after its checkpoint is shown once") {
  test::TempDir dir;
  const std::string out = dir / "run", ckpt = out + "/checkpoint.safetensors";
  REQUIRE(run_cli(memory_args(out, "2")).code == 0);
  const std::string at_step_2 = read_file_bytes(ckpt);
  const std::vector<std::string> resume = resume_args(out, "4");
  REQUIRE(run_cli(resume).code == 0);
  {
    std::ofstream back(ckpt, std::ios::binary | std::ios::trunc);  // the kill: step 2's state
    back << at_step_2;
  }
  REQUIRE(run_cli(resume).code == 0);
  std::multiset<int64_t> logged, shown;
  for (const LoggedValue& v : all_events(out))
    if (v.tag == "loss") logged.insert(v.step);
  for (const LoggedValue& v : shown_events(out))
    if (v.tag == "loss") shown.insert(v.step);
  CHECK(logged == std::multiset<int64_t>{1, 2, 3, 3, 4, 4});
  CHECK(shown == std::multiset<int64_t>{1, 2, 3, 4});
}
