// TB402 concurrent-writers: files of one run written at the same time. Rationale: docs/rules/TB402.md
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "rule/rule.h"
#include "rule/writer_name.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {"TB402", "concurrent-writers", Severity::kWarning,
                            "two or more event files in one run written at the same time", Applicability::kNone};

class TB402 : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void CheckRun(const RunResult& run, const LintOptions&, Sink& sink) const override {
    // Files that logged something (a bare header is a point, not a range).
    std::vector<const FileResult*> files;
    for (const FileResult* f : run.files) {
      if (f->has_wall_time && !f->tags.empty()) files.push_back(f);
    }
    if (files.size() < 2) return;
    std::sort(files.begin(), files.end(),
              [](const FileResult* a, const FileResult* b) { return a->min_wall < b->min_wall; });
    // Sweep: groups of files whose wall-time ranges chain into each other.
    size_t i = 0;
    while (i < files.size()) {
      size_t j = i + 1;
      double end = files[i]->max_wall;
      double overlap = 0;
      while (j < files.size() && files[j]->min_wall < end) {
        overlap = std::max(overlap, std::min(end, files[j]->max_wall) - files[j]->min_wall);
        end = std::max(end, files[j]->max_wall);
        ++j;
      }
      if (j - i >= 2) Report(run, files, i, j, overlap, sink);
      i = j;
    }
  }

 private:
  static void Report(const RunResult& run, const std::vector<const FileResult*>& files, size_t from, size_t to,
                     double overlap, Sink& sink) {
    std::string writers;
    for (size_t k = from; k < to; ++k) {
      if (k - from == 4) {
        writers += ", +" + std::to_string(to - from - 4) + " more";
        break;
      }
      const WriterName w = ParseWriterName(files[k]->info.name());
      writers += (k > from ? ", " : "") + std::string(files[k]->info.name()) + " (" +
                 (w.standard ? w.Describe() : "unknown writer") + ")";
    }
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.3g", overlap);
    Finding& f =
        sink.Add(std::to_string(to - from) + " event files in run '" + run.name +
                 "' were written at the same time (wall-time ranges overlap by up to " + secs + " s): " + writers +
                 "; give each writer a run directory of its own, side by side (e.g. exp1/train and exp1/eval, with no "
                 "event file left in exp1 itself), not a sub-folder of this run (TB502)");
    f.path = run.name;
    f.impact =
        "Python reader: reads one file at a time and never goes back, so once it moves to the newest "
        "file the others stop updating; Rust server: reads them all and merges their points per tag";
  }
};

}  // namespace

std::unique_ptr<Rule> MakeTB402() { return std::make_unique<TB402>(); }

}  // namespace tblint
