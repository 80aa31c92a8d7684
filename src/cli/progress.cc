#include "cli/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "util/text.h"

namespace tblint {
namespace {

std::optional<std::string> Env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

bool NonEmpty(const std::optional<std::string>& v) { return v && !v->empty(); }

int TerminalWidth(int fd) {
  struct winsize ws {};
  if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

}  // namespace

TerminalEnv ProcessTerminalEnv(int fd) {
  TerminalEnv env;
  env.is_tty = ::isatty(fd) == 1;
  env.term = Env("TERM");
  env.no_color = Env("NO_COLOR");
  env.force_color = Env("FORCE_COLOR");
  return env;
}

bool UseColor(std::string_view when, const TerminalEnv& env) {
  if (when == "always") return true;
  if (when == "never") return false;
  if (NonEmpty(env.no_color)) return false;
  if (NonEmpty(env.force_color)) return true;
  if (env.term && *env.term == "dumb") return false;
  return env.is_tty;
}

bool ShowProgress(const TerminalEnv& env, bool quiet) {
  if (quiet || !env.is_tty) return false;
  return !(env.term && *env.term == "dumb");
}

std::string FormatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const uint64_t s = static_cast<uint64_t>(std::llround(seconds));
  char buf[48];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%llus", static_cast<unsigned long long>(s));
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%llum%02llus", static_cast<unsigned long long>(s / 60),
                  static_cast<unsigned long long>(s % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%lluh%02llum", static_cast<unsigned long long>(s / 3600),
                  static_cast<unsigned long long>(s / 60 % 60));
  }
  return buf;
}

std::string FormatProgress(const ProgressSnapshot& s, double elapsed_s, int width) {
  std::string line = "tblint: ";
  if (!s.started) {
    line += "discovering runs... " + FormatDuration(elapsed_s);
  } else if (s.finished) {
    line += "checking runs...";
  } else {
    line += std::to_string(s.files_done) + "/" + std::to_string(s.files_total) + " files, " + HumanBytes(s.bytes_done) +
            "/" + HumanBytes(s.bytes_total);
    if (s.bytes_total > 0) {
      const double fraction = static_cast<double>(s.bytes_done) / static_cast<double>(s.bytes_total);
      line += " (" + std::to_string(static_cast<int>(std::floor(std::min(fraction, 1.0) * 100))) + "%)";
    }
    if (elapsed_s > 0 && s.bytes_done > 0) {
      const double rate = static_cast<double>(s.bytes_done) / elapsed_s;
      line += ", " + HumanBytes(static_cast<uint64_t>(rate)) + "/s";
      const uint64_t left = s.bytes_total > s.bytes_done ? s.bytes_total - s.bytes_done : 0;
      line += ", ETA " + FormatDuration(static_cast<double>(left) / rate);
    }
  }
  // Never wrap: a wrapped line cannot be redrawn with "\r".
  const size_t max = width > 1 ? static_cast<size_t>(width - 1) : 0;
  if (line.size() > max) line.resize(max);
  return line;
}

double SteadySeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

ProgressMeter::ProgressMeter(std::ostream* out, Clock clock, Options options)
    : out_(out), clock_(std::move(clock)), options_(options), start_(clock_()) {
  if (options_.width <= 0) options_.width = 80;
  if (options_.start_ticker) {
    ticker_ = std::thread([this] {
      std::unique_lock lock(mu_);
      while (!stop_) {
        cv_.wait_for(lock, std::chrono::duration<double>(options_.interval_s));
        if (!stop_) Tick();
      }
    });
  }
}

ProgressMeter::~ProgressMeter() { Finish(); }

void ProgressMeter::OnScanStart(uint64_t files, uint64_t bytes) {
  // Several paths add up: the line counts the whole command's work.
  files_total_.fetch_add(files, std::memory_order_relaxed);
  bytes_total_.fetch_add(bytes, std::memory_order_relaxed);
  finished_.store(false, std::memory_order_relaxed);
  started_.store(true, std::memory_order_release);
}

void ProgressMeter::OnScanProgress(uint64_t files, uint64_t bytes) {
  files_done_.fetch_add(files, std::memory_order_relaxed);
  bytes_done_.fetch_add(bytes, std::memory_order_relaxed);
}

void ProgressMeter::OnScanEnd() { finished_.store(true, std::memory_order_release); }

ProgressSnapshot ProgressMeter::Snapshot() const {
  ProgressSnapshot s;
  s.started = started_.load(std::memory_order_acquire);
  s.finished = finished_.load(std::memory_order_acquire);
  s.files_done = files_done_.load(std::memory_order_relaxed);
  s.files_total = files_total_.load(std::memory_order_relaxed);
  s.bytes_done = bytes_done_.load(std::memory_order_relaxed);
  s.bytes_total = bytes_total_.load(std::memory_order_relaxed);
  return s;
}

bool ProgressMeter::Tick() {
  const double now = clock_();
  if (now - start_ < options_.delay_s) return false;
  // (A microsecond of slack: 101.1 - 101.0 is a hair under 0.1 in doubles.)
  if (last_draw_ >= 0 && now - last_draw_ < options_.interval_s - 1e-6) return false;
  last_draw_ = now;
  *out_ << "\r" << FormatProgress(Snapshot(), now - start_, options_.width) << "\033[K" << std::flush;
  drawn_ = true;
  return true;
}

void ProgressMeter::Finish() {
  if (ticker_.joinable()) {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    ticker_.join();
  }
  if (drawn_) {
    *out_ << "\r\033[K" << std::flush;
    drawn_ = false;
  }
}

std::unique_ptr<ProgressMeter> MaybeProgressMeter(std::ostream* err, bool quiet) {
  // Only the process's own standard error is a terminal we can redraw on.
  if (err != &std::cerr || !ShowProgress(ProcessTerminalEnv(STDERR_FILENO), quiet)) return nullptr;
  ProgressMeter::Options options;
  options.width = TerminalWidth(STDERR_FILENO);
  return std::make_unique<ProgressMeter>(err, SteadySeconds, options);
}

}  // namespace tblint
