// The progress line and the colour decision, without a terminal and without
// timing: a fake environment for the decisions, a fake clock and a string
// stream for the meter.
#include "cli/progress.h"

#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "test_util.h"

namespace tblint {
namespace {

TerminalEnv Env(bool tty, std::optional<std::string> term = std::nullopt,
                std::optional<std::string> no_color = std::nullopt,
                std::optional<std::string> force_color = std::nullopt) {
  TerminalEnv env;
  env.is_tty = tty;
  env.term = std::move(term);
  env.no_color = std::move(no_color);
  env.force_color = std::move(force_color);
  return env;
}

TEST_CASE("progress: colour follows --color, NO_COLOR, FORCE_COLOR, TERM=dumb and the terminal, in that order") {
  // --color always / never win over everything.
  CHECK(UseColor("always", Env(false, "dumb", "1")));
  CHECK_FALSE(UseColor("never", Env(true, "xterm", std::nullopt, "1")));
  // auto: a terminal.
  CHECK(UseColor("auto", Env(true, "xterm-256color")));
  CHECK(UseColor("auto", Env(true)));
  CHECK_FALSE(UseColor("auto", Env(false, "xterm")));
  // NO_COLOR, when not empty, disables; FORCE_COLOR then cannot enable.
  CHECK_FALSE(UseColor("auto", Env(true, "xterm", "1")));
  CHECK_FALSE(UseColor("auto", Env(true, "xterm", "1", "1")));
  CHECK(UseColor("auto", Env(true, "xterm", "")));  // empty: as if unset
  // FORCE_COLOR, when not empty, enables on a pipe, and over TERM=dumb.
  CHECK(UseColor("auto", Env(false, std::nullopt, std::nullopt, "1")));
  CHECK(UseColor("auto", Env(false, "dumb", std::nullopt, "true")));
  CHECK_FALSE(UseColor("auto", Env(false, std::nullopt, std::nullopt, "")));
  // TERM=dumb disables on a terminal.
  CHECK_FALSE(UseColor("auto", Env(true, "dumb")));
}

TEST_CASE("progress: shown only on a terminal that can redraw, and never with --quiet") {
  CHECK(ShowProgress(Env(true, "xterm"), false));
  CHECK(ShowProgress(Env(true), false));
  CHECK_FALSE(ShowProgress(Env(true, "xterm"), true));
  CHECK_FALSE(ShowProgress(Env(false, "xterm"), false));
  CHECK_FALSE(ShowProgress(Env(true, "dumb"), false));
  // Colour variables do not matter: the line has no colour.
  CHECK(ShowProgress(Env(true, "xterm", "1"), false));
  CHECK_FALSE(ShowProgress(Env(false, "xterm", std::nullopt, "1"), false));
}

TEST_CASE("progress: the line shows files and bytes done of total, the rate and the ETA, within the width") {
  ProgressSnapshot s;
  CHECK(FormatProgress(s, 2.4, 80) == "tblint: discovering runs... 2s");
  s.started = true;
  s.files_total = 800;
  s.bytes_total = 4ull << 30;
  s.files_done = 120;
  s.bytes_done = 1ull << 30;
  // 1 GiB in 4 s: 256 MiB/s, 3 GiB left: 12 s.
  CHECK(FormatProgress(s, 4.0, 120) == "tblint: 120/800 files, 1.00 GiB/4.00 GiB (25%), 256.0 MiB/s, ETA 12s");
  CHECK(FormatProgress(s, 4.0, 30).size() == 29);  // never wraps
  CHECK(FormatProgress(s, 4.0, 30) == std::string("tblint: 120/800 files, 1.00 GiB/4.00 GiB").substr(0, 29));
  s.bytes_done = 0;
  s.files_done = 0;
  CHECK(FormatProgress(s, 4.0, 120) == "tblint: 0/800 files, 0 B/4.00 GiB (0%)");
  s.finished = true;
  CHECK(FormatProgress(s, 9.0, 120) == "tblint: checking runs...");
  CHECK(FormatDuration(0) == "0s");
  CHECK(FormatDuration(125) == "2m05s");
  CHECK(FormatDuration(3725) == "1h02m");
}

TEST_CASE("progress: the meter waits a second, redraws at most every 0.1 s in place, and erases itself") {
  double now = 100.0;
  std::ostringstream out;
  ProgressMeter::Options options;
  options.start_ticker = false;
  options.width = 200;
  ProgressMeter meter(
      &out, [&] { return now; }, options);
  meter.OnScanStart(4, 4000);
  now = 100.5;
  CHECK_FALSE(meter.Tick());  // a quick scan shows nothing
  CHECK(out.str().empty());
  // The scanning threads report at once.
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 250; ++i) meter.OnScanProgress(0, 1);
      meter.OnScanProgress(1, 750);
    });
  }
  for (auto& t : threads) t.join();
  const ProgressSnapshot s = meter.Snapshot();
  CHECK(s.files_done == 4);
  CHECK(s.bytes_done == 4000);
  now = 101.0;
  CHECK(meter.Tick());
  CHECK(out.str().rfind("\r", 0) == 0);
  CHECK(out.str().find("4/4 files") != std::string::npos);
  CHECK(out.str().substr(out.str().size() - 3) == "\033[K");
  now = 101.05;
  CHECK_FALSE(meter.Tick());  // at most ten times a second
  now = 101.1;
  CHECK(meter.Tick());
  out.str("");
  meter.Finish();
  CHECK(out.str() == "\r\033[K");
  out.str("");
  meter.Finish();  // once only
  CHECK(out.str().empty());
}

TEST_CASE("progress: a meter that never drew erases nothing; the scan reports every file and byte") {
  double now = 0;
  std::ostringstream out;
  ProgressMeter::Options options;
  options.start_ticker = false;
  {
    ProgressMeter meter(
        &out, [&] { return now; }, options);
    test::TempDir dir;
    for (int i = 0; i < 5; ++i) {
      test::WriteFile(dir / ("r" + std::to_string(i) + "/events.out.tfevents.1795298000.h.1.0"),
                      test::SmallEventFile(10 + i));
    }
    ScanConfig config;
    config.observer = &meter;
    config.jobs = 3;
    LintResult result;
    std::string error;
    REQUIRE(Lint(dir.path(), config, &result, &error));
    const ProgressSnapshot s = meter.Snapshot();
    CHECK(s.started);
    CHECK(s.finished);
    CHECK(s.files_total == 5);
    CHECK(s.files_done == 5);
    CHECK(s.bytes_done == s.bytes_total);
    CHECK(s.bytes_total == result.bytes);
  }
  CHECK(out.str().empty());
  // Not a terminal (the tests' stderr is not ours to judge, but an in-memory
  // stream never is): no meter.
  std::ostringstream err;
  CHECK(MaybeProgressMeter(&err, false) == nullptr);
}

}  // namespace
}  // namespace tblint
