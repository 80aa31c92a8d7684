// TB502 events-beside-runs: a run directory that also holds runs. Rationale: docs/rules/TB502.md
#include <string>
#include <vector>

#include "rule/rule.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {"TB502", "events-beside-runs", Severity::kWarning,
                            "a directory holds event files and also has sub-directories that are runs",
                            Applicability::kNone};

// A run that is an hparams session (it holds `_hparams_/session_start_info`:
// hp.hparams in a trial's run above Keras' train/ and validation/ runs), or
// whose files hold nothing but hparams data (TF's hp.hparams_config at a
// sweep's root). The hparams plugin reads a session's metrics from the runs
// below it (`<session>/<group>`): this nesting is the layout it expects.
bool HparamsLayout(const LogdirResult& logdir, const RunResult& run) {
  for (size_t i : run.file_indices) {
    const FileResult& f = logdir.files[i];
    if (f.hparams->session_start_count > 0) return true;
  }
  // The run's tags as the scan summarised them (the files' own may be
  // released by now): at least one, all of kind hparams.
  return run.tag_summary.done ? run.tag_summary.only_hparams : OnlyHparamsTags(run.files);
}

class TB502 : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void CheckLogdir(const LogdirResult& logdir, const LintOptions&, Sink& sink) const override {
    for (const RunResult& run : logdir.runs) {
      if (HparamsLayout(logdir, run)) continue;
      // Runs are sorted by name, but "a/b" and "a-c/..." interleave, so
      // compare against every run rather than only the following ones.
      const std::string prefix = run.name == "." ? "" : run.name + "/";
      std::vector<const std::string*> inner;
      for (const RunResult& other : logdir.runs) {
        if (&other != &run && other.name.compare(0, prefix.size(), prefix) == 0) inner.push_back(&other.name);
      }
      if (inner.empty()) continue;
      std::string names;
      for (size_t i = 0; i < inner.size(); ++i) {
        if (i == 3) {
          names += ", +" + std::to_string(inner.size() - 3) + " more";
          break;
        }
        names += (i > 0 ? ", " : "") + *inner[i];
      }
      const size_t files = run.file_indices.size();
      Finding& f = sink.Add("run '" + run.name + "' holds " + std::to_string(files) + " event file" +
                            (files == 1 ? "" : "s") + " and also " + std::to_string(inner.size()) + " nested run" +
                            (inner.size() == 1 ? "" : "s") + ": " + names);
      f.path = run.name;
      f.run = run.name;
      f.impact = run.name == "."
                     ? "TensorBoard shows the logdir's own files as run '.' beside the others; tools that "
                       "expect runs only in sub-directories skip them"
                     : "TensorBoard shows '" + run.name +
                           "' as a run of its own beside its nested runs; tools that treat a directory either "
                           "as a run or as a folder of runs skip one or the other";
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeTB502() { return std::make_unique<TB502>(); }

}  // namespace tblint
