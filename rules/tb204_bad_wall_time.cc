// TB204 bad-wall-time: NaN, infinite, non-positive or far-future wall_time. Rationale: docs/rules/TB204.md
#include <cmath>
#include <cstdio>
#include <string>

#include "rule/rule.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {"TB204", "bad-wall-time", Severity::kError,
                            "NaN wall_time (error); infinite, negative, zero or far-future (warning)",
                            Applicability::kNone};

constexpr double kFutureSlack = kWallTimeFutureSlack;  // one day past the file's mtime

enum Problem { kNan, kInfinite, kNonPositive, kFuture, kProblemCount };

class Check : public FileCheck {
 public:
  Interest interest() const override { return kOddWallTime; }
  explicit Check(const FileInfo& file) : mtime_(file.mtime) {}

  void OnRecord(const RecordView& view, Sink&) override {
    if (view.event == nullptr) return;
    const double t = view.event->wall_time;
    Problem p;
    if (std::isnan(t)) {
      p = kNan;
    } else if (std::isinf(t)) {
      p = kInfinite;
    } else if (t <= 0) {
      p = kNonPositive;
    } else if (t > mtime_ + kFutureSlack) {
      p = kFuture;
    } else {
      return;
    }
    Seen& s = seen_[p];
    if (s.count++ == 0) {
      s.offset = view.record.offset;
      s.record = view.record.index;
      s.step = view.event->step;
      s.value = t;
      s.missing = !view.event->has_wall_time;
    }
  }

  void OnEnd(const FileResult&, Sink& sink) override {
    for (int p = 0; p < kProblemCount; ++p) {
      const Seen& s = seen_[p];
      if (s.count == 0) continue;
      char value[64];
      std::snprintf(value, sizeof value, "%.17g", s.value);
      std::string what;
      std::string impact;
      switch (p) {
        case kNan:
          what = "NaN wall_time";
          impact = "Rust server: marks the file dead at record " + std::to_string(s.record) +
                   ", nothing after it is shown; Python reader: keeps the events";
          break;
        case kInfinite:
          what = std::string("infinite wall_time (") + value + ")";
          impact = "relative-time and wall-time axes break for this run";
          break;
        case kNonPositive:
          what = s.missing ? std::string("no wall_time (it reads as 0, 1970-01-01)")
                           : std::string("wall_time ") + value + " (not a time after 1970)";
          impact = "relative-time and wall-time axes start in 1970 for this run";
          break;
        default: {
          char days[32];
          std::snprintf(days, sizeof days, "%.1f", (s.value - mtime_) / 86400);
          what = std::string("wall_time ") + value + " is " + days + " days after the file was last modified";
          impact = "relative-time and wall-time axes are stretched by the far-future point";
          break;
        }
      }
      std::string msg = what + " in record " + std::to_string(s.record) + " (step " + std::to_string(s.step) + ")";
      if (s.count > 1) msg += " and " + std::to_string(s.count - 1) + " more records";
      Finding& f = sink.Add(p == kNan ? Severity::kError : Severity::kWarning, std::move(msg));
      f.offset = s.offset;
      f.record = s.record;
      f.step = s.step;
      f.impact = std::move(impact);
    }
  }

 private:
  struct Seen {
    uint64_t count = 0;
    uint64_t offset = 0;
    uint64_t record = 0;
    int64_t step = 0;
    double value = 0;
    bool missing = false;  // the field was not set at all
  };
  double mtime_;
  Seen seen_[kProblemCount];
};

}  // namespace

std::unique_ptr<Rule> MakeTB204() { return MakeFileRule<Check>(kInfo); }

}  // namespace tblint
