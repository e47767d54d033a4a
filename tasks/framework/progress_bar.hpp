#pragma once
// A one-line progress bar for long runs:  [#########.........]  47%  12.3 it/s  ETA 0:41  <status>
// On a terminal it redraws in place at most 10 times a second; otherwise (CI logs, pipes) it
// prints a plain line at every 10% so logs stay short. A bar for a phase that may be short (the
// test pass) waits `quiet_s` seconds before it draws, and then finish() prints nothing if it
// never drew, so a quick phase leaves no line.
#include <chrono>
#include <cstdio>
#include <string>

namespace soma {

class ProgressBar {
 public:
  explicit ProgressBar(std::FILE* out = stderr, double quiet_s = 0);
  // fraction in [0, 1]; `steps` is the caller's count of work units so far (for the rate).
  void update(double fraction, int64_t steps, const std::string& status);
  void finish(int64_t steps, const std::string& status);  // draws 100% and ends the line

 private:
  std::string line(double fraction, int64_t steps, const std::string& status) const;
  std::FILE* out_;
  bool tty_;
  double quiet_s_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
  int last_decile_ = -1;
};

// v with `digits` significant digits, for status lines and summaries; never "-0".
std::string format_number(double v, int digits = 4);
// "1:02:03" or "2:03".
std::string format_duration(double seconds);

}  // namespace soma
