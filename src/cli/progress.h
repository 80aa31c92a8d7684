// The terminal side of a scan: whether to colour and whether to show a
// progress line, decided from the stream's terminal and the environment, and
// the progress line itself (a ScanObserver the scan reports to; the scan
// never prints). Decisions and formatting are pure functions of their inputs,
// tested with a fake environment and a fake clock (tests/progress_test.cc).
#ifndef TBLINT_CLI_PROGRESS_H_
#define TBLINT_CLI_PROGRESS_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>

#include "scan/scanner.h"

namespace tblint {

// What decides colour and progress for one output stream.
struct TerminalEnv {
  bool is_tty = false;
  std::optional<std::string> term;         // $TERM
  std::optional<std::string> no_color;     // $NO_COLOR
  std::optional<std::string> force_color;  // $FORCE_COLOR
};

// The environment of this process for file descriptor `fd`.
TerminalEnv ProcessTerminalEnv(int fd);

// --color WHEN (auto, always, never) for a stream: always and never win;
// under auto, a non-empty NO_COLOR disables colour, else a non-empty
// FORCE_COLOR enables it (on a pipe or file too), else TERM=dumb disables it,
// else colour is on when the stream is a terminal.
bool UseColor(std::string_view when, const TerminalEnv& env);

// Whether to draw a progress line on a stream (standard error): only on a
// terminal that can redraw a line (not TERM=dumb), and not with --quiet.
// FORCE_COLOR and NO_COLOR do not matter: the line has no colour.
bool ShowProgress(const TerminalEnv& env, bool quiet);

// A point of a scan, as the progress line shows it.
struct ProgressSnapshot {
  bool started = false;   // discovery done (OnScanStart)
  bool finished = false;  // every file read (OnScanEnd)
  uint64_t files_done = 0, files_total = 0;
  uint64_t bytes_done = 0, bytes_total = 0;
};

// One progress line, at most `width` - 1 columns (ASCII only), with no
// control characters: "tblint: 120/800 files, 1.2 GiB/4.8 GiB (25%),
// 310.0 MiB/s, ETA 12s". `elapsed_s` is the time since the scan began.
std::string FormatProgress(const ProgressSnapshot& s, double elapsed_s, int width);

// "12s", "2m05s", "1h02m".
std::string FormatDuration(double seconds);

// A ScanObserver that draws FormatProgress on `out` (standard error), in
// place: "\r", the line, "\033[K" (clear to the end of the line). Nothing is
// drawn during the first `delay_s` seconds (a quick scan shows nothing), then
// at most every `interval_s`; Finish() erases the line. Counters are atomics:
// the scanning threads report concurrently; only the ticker thread (or the
// caller of Tick, in tests) writes to `out`.
class ProgressMeter : public ScanObserver {
 public:
  using Clock = std::function<double()>;  // seconds, monotonic
  struct Options {
    double delay_s = 1.0;
    double interval_s = 0.1;
    int width = 0;             // 0: the terminal's width (80 when unknown)
    bool start_ticker = true;  // false in tests: call Tick yourself
  };
  ProgressMeter(std::ostream* out, Clock clock, Options options);
  ~ProgressMeter() override;
  ProgressMeter(const ProgressMeter&) = delete;
  ProgressMeter& operator=(const ProgressMeter&) = delete;

  void OnScanStart(uint64_t files, uint64_t bytes) override;
  void OnScanProgress(uint64_t files, uint64_t bytes) override;
  void OnScanEnd() override;

  ProgressSnapshot Snapshot() const;
  // Redraws when due; returns whether it drew.
  bool Tick();
  // Stops the ticker and erases the line if one was drawn. Idempotent.
  void Finish();

 private:
  std::ostream* out_;
  Clock clock_;
  Options options_;
  double start_;
  double last_draw_ = -1;
  bool drawn_ = false;
  std::atomic<bool> started_{false}, finished_{false};
  std::atomic<uint64_t> files_done_{0}, files_total_{0}, bytes_done_{0}, bytes_total_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread ticker_;
};

// The real clock for ProgressMeter: steady, in seconds.
double SteadySeconds();

// A meter for a scan that reports to `err` (standard error) when it should
// (ShowProgress on its environment), else nullptr.
std::unique_ptr<ProgressMeter> MaybeProgressMeter(std::ostream* err, bool quiet);

}  // namespace tblint

#endif  // TBLINT_CLI_PROGRESS_H_
