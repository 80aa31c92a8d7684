// TB701 hparams-run-missing: a trial's run with metrics but no hparams session. Rationale: docs/rules/TB701.md
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "rule/hparams_view.h"
#include "rule/rule.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {"TB701", "hparams-run-missing", Severity::kWarning,
                            "a run beside the hparams sessions that logs metrics but has no session start info: "
                            "missing from the HParams table",
                            Applicability::kNone};

class TB701 : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void CheckLogdir(const LogdirResult& logdir, const LintOptions&, Sink& sink) const override {
    const HparamsView view = BuildHparamsView(logdir);
    if (view.sessions.empty()) return;
    // The directory each trial owns. torch's and tensorboardX's add_hparams
    // write the session (with its own experiment) into a new run inside the
    // writer's run: that writer's run, and whatever else it wrote below it,
    // belong to the trial. Otherwise the session's run is the trial.
    std::vector<std::string> trial_roots, session_names;
    std::set<std::string> trial_parents;
    for (const HparamsSessionRef& s : view.sessions) {
      std::string root = s.run->name;
      const std::string parent = ParentRun(root);
      if (s.has_experiment && !parent.empty() && view.runs.count(parent) > 0) root = parent;
      trial_roots.push_back(root);
      session_names.push_back(s.run->name);
      trial_parents.insert(ParentRun(root));
    }
    std::set<std::string> metric_tags;
    for (const HparamsConfigRef& c : view.configs) {
      for (const HparamsMetric& m : c.experiment->metrics) metric_tags.insert(m.tag);
    }
    for (const auto& [name, run] : view.runs) {
      const std::set<std::string> scalars = view.ScalarTags(name);
      if (scalars.empty()) continue;
      bool covered = false;
      for (const std::string& root : trial_roots) covered = covered || RunWithin(name, root);
      for (const std::string& s : session_names) covered = covered || RunWithin(s, name);  // a parent of sessions
      if (covered) continue;
      // Only where the trials are (beside a trial's run), or a run logging a
      // metric an experiment config names: another experiment sharing the
      // logdir is not a missing trial.
      std::vector<std::string> named;
      for (const std::string& tag : scalars) {
        if (metric_tags.count(tag) > 0) named.push_back(tag);
      }
      const bool beside = trial_parents.count(ParentRun(name)) > 0;
      if (!beside && named.empty()) continue;
      bool live = false;
      for (const FileResult* f : run->files) live = live || f->info.MayStillBeWritten();
      std::vector<std::string> others;
      for (const HparamsSessionRef& s : view.sessions) others.push_back(s.run->name);
      std::string msg = "run '" + name + "' logs " + std::to_string(scalars.size()) + " scalar tag" +
                        (scalars.size() == 1 ? "" : "s");
      if (!named.empty()) msg += " (" + NameList(named, 3) + ", a metric of the experiment config)";
      msg += " but holds no hparams session (_hparams_/session_start_info), while " +
             std::to_string(view.sessions.size()) + " other run" + (view.sessions.size() == 1 ? " does" : "s do") +
             " (" + NameList(others, 3) + ")";
      msg += live ? ": the trial is still being written; with torch's or tensorboardX's add_hparams the session "
                    "appears only when add_hparams is called, at the end"
                  : ": a trial that stopped before it logged its hyperparameters, or whose hyperparameters were "
                    "written to another directory; log them into this run (TF: hp.hparams(...) at the start, "
                    "under the run's writer; torch: add_hparams(..., run_name=...) from this run's writer)";
      Finding& f = sink.Add(live ? Severity::kInfo : kInfo.default_severity, std::move(msg));
      f.path = name;
      f.run = name;
      f.impact = "TensorBoard's HParams dashboard has no row for run '" + name +
                 "': its metrics are in no table, parallel-coordinates or scatter-plot view (the Scalars "
                 "dashboard still shows them)";
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeTB701() { return std::make_unique<TB701>(); }

}  // namespace tblint
