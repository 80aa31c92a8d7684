// TB404 short-lived-writers: many event files from one process in a run, each with a few steps. Rationale:
// docs/rules/TB404.md
#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "rule/rule.h"
#include "rule/writer_name.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {"TB404", "short-lived-writers", Severity::kWarning,
                            "many event files from one process in a run, each holding a few steps (a writer created "
                            "per step or epoch)",
                            Applicability::kNone};

// Thresholds (docs/rules/TB404.md): at least this many files with data from
// one host and pid in one run ...
constexpr size_t kMinFiles = 5;
// ... whose median file holds at most this many points of its busiest tag.
constexpr uint64_t kMaxMedianSteps = 10;
// First steps listed in the message.
constexpr size_t kStepsShown = 8;

// Points of the file's busiest tag: about the number of steps it holds.
uint64_t StepsIn(const FileResult& f) {
  uint64_t most = 0;
  for (const auto& [tag, s] : f.tags) most = std::max(most, s.points);
  return most;
}

int64_t FirstStep(const FileResult& f) {
  int64_t first = INT64_MAX;
  for (const auto& [tag, s] : f.tags) first = std::min(first, s.min_step);
  return first;
}

class TB404 : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void CheckRun(const RunResult& run, const LintOptions&, Sink& sink) const override {
    // Files with tagged data, by writer process, in TensorBoard's read order.
    std::map<std::pair<std::string, int64_t>, std::vector<const FileResult*>> by_process;
    for (const FileResult* f : run.files) {
      if (f->tags.empty()) continue;
      WriterName w = ParseWriterName(f->info.name());
      if (!w.standard || !w.pid || w.profile_empty) continue;
      by_process[{std::move(w.host), *w.pid}].push_back(f);
    }
    for (const auto& [process, files] : by_process) {
      if (files.size() < kMinFiles) continue;
      std::vector<uint64_t> steps;
      for (const FileResult* f : files) steps.push_back(StepsIn(*f));
      std::nth_element(steps.begin(), steps.begin() + static_cast<std::ptrdiff_t>(steps.size() / 2), steps.end());
      const uint64_t median = steps[steps.size() / 2];
      if (median > kMaxMedianSteps) continue;
      Report(run, process.first, process.second, files, median, sink);
    }
  }

 private:
  static void Report(const RunResult& run, const std::string& host, int64_t pid,
                     const std::vector<const FileResult*>& files, uint64_t median, Sink& sink) {
    std::string order;
    bool in_order = true;
    for (size_t k = 0; k < files.size(); ++k) {
      const int64_t first = FirstStep(*files[k]);
      if (k > 0 && first < FirstStep(*files[k - 1])) in_order = false;
      if (k < kStepsShown) order += (k > 0 ? ", " : "") + std::to_string(first);
    }
    if (files.size() > kStepsShown) order += ", ...";
    const std::string reading =
        in_order ? "TensorBoard reads them in name order (first steps " + order + ")"
                 : "TensorBoard reads them in name order, so steps come back out of order as " + order;
    Finding& f =
        sink.Add(std::to_string(files.size()) + " event files in run '" + run.name + "' come from one process (" +
                 host + " pid " + std::to_string(pid) + "), each holding few " + "steps (median " +
                 std::to_string(median) + "): a SummaryWriter created inside the loop and never reused or closed; " +
                 reading + "; create the writer once, outside the loop, and close it at the end (writer.close())");
    f.path = run.name;
    f.impact = in_order ? "Python reader: follows only the newest file of a run, so a writer left open in an older "
                          "file adds nothing after the next file appears; every file is a separate read at load time"
                        : "Python reader: reads a run's files in name order and never goes back, so a file created "
                          "later whose name sorts earlier (counter .10 after .9) is not loaded while TensorBoard "
                          "runs; after a restart the points come back in name order, out of step order";
  }
};

}  // namespace

std::unique_ptr<Rule> MakeTB404() { return std::make_unique<TB404>(); }

}  // namespace tblint
