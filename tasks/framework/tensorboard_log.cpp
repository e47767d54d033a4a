#include "tasks/framework/tensorboard_log.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace soma {
namespace {

const std::string& make_dir(const std::string& dir) {
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace

int64_t tensorboard_step(double x, size_t index) {
  // 2^53: beyond it every double is a whole number, but no run counts that far.
  if (std::isfinite(x) && x == std::floor(x) && std::fabs(x) < 9007199254740992.0)
    return int64_t(x);
  return int64_t(index);
}

TensorBoardLog::TensorBoardLog(const std::string& dir, const Telemetry& t, bool resumed)
    : writer_(make_dir(dir)) {
  // A resumed run restarts after the last step its checkpoint restored, in any series.
  int64_t restart = 0;
  if (resumed) {
    for (const Series& s : t.series()) {
      points_written_[s.name] = s.y.size();
      for (size_t i = 0; i < s.y.size(); ++i)
        restart = std::max(restart, tensorboard_step(s.x[i], i) + 1);
    }
    for (const Histogram& h : t.histograms()) {
      histogram_step_[h.name] = h.step;
      restart = std::max(restart, h.step + 1);
    }
  }
  writer_.add_session_start(restart);
  writer_.flush();
}

void TensorBoardLog::sync(const Telemetry& t) {
  bool wrote = false;
  for (const Series& s : t.series()) {
    size_t& done = points_written_[s.name];
    for (size_t i = done; i < s.y.size(); ++i, wrote = true)
      writer_.add_scalar(s.name, tensorboard_step(s.x[i], i), float(s.y[i]));
    done = s.y.size();
  }
  for (const Histogram& h : t.histograms()) {
    auto it = histogram_step_.find(h.name);
    if (it != histogram_step_.end() && it->second == h.step) continue;
    writer_.add_histogram(h.name, h.step, h.summary);
    histogram_step_[h.name] = h.step;
    wrote = true;
  }
  if (wrote) writer_.flush();
}

}  // namespace soma
