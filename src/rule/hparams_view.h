// The logdir as TensorBoard's hparams plugin sees it (TB701-TB704), built from
// the scan's per-file hparams summaries (FileResult::hparams) and per-run tag
// summaries (RunResult::tag_summary; never FileResult::tags): its sessions
// (the runs holding `_hparams_/session_start_info`), its experiment configs
// (the runs holding `_hparams_/experiment`) and the scalar tags metrics are
// looked up in. Facts from tensorboard/plugins/hparams (backend_context.py,
// list_session_groups.py, metrics.py): per run and tag only the first
// metadata counts; a session's metric (group, tag) is the scalar `tag` of run
// os.path.join(session, group) (a trailing '/' dropped); with no experiment
// tag anywhere the experiment is synthesised from every session's hparams and
// every scalar tag of the sessions' runs and the runs below them.
#ifndef TBLINT_RULE_HPARAMS_VIEW_H_
#define TBLINT_RULE_HPARAMS_VIEW_H_

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "rule/model.h"

namespace tblint {

struct HparamsSessionRef {
  const RunResult* run = nullptr;
  const HparamsSessionStart* start = nullptr;  // the run's first, in TensorBoard's read order
  bool has_experiment = false;                 // the same run also holds an experiment (torch, tensorboardX)
  bool may_still_be_written = false;           // a file of the run may still be written
};

struct HparamsConfigRef {
  const RunResult* run = nullptr;
  const HparamsExperiment* experiment = nullptr;  // the run's first
};

struct HparamsView {
  std::vector<HparamsSessionRef> sessions;  // by run name
  std::vector<HparamsConfigRef> configs;    // by run name
  std::map<std::string, const RunResult*, std::less<>> runs;
  // A run's tags (RunResult::tag_summary, or made from its files when
  // first asked for, then kept); nullptr when there is no such run.
  const RunTagSummary* Tags(std::string_view run) const;

  // The scalar tags of a run (empty when there is no such run).
  std::set<std::string> ScalarTags(std::string_view run) const;
  bool HasScalar(std::string_view run, std::string_view tag) const;
  // A tag logged in the run as something else than a scalar: its kind's name, or "".
  std::string OtherKind(std::string_view run, std::string_view tag) const;
  // Groups of configs with the same hyperparameter names (first member stands for the group).
  std::vector<std::vector<const HparamsConfigRef*>> DistinctConfigs() const;

 private:
  mutable std::map<std::string_view, RunTagSummary> made_;  // summaries made from files
};

HparamsView BuildHparamsView(const LogdirResult& logdir);

// The run TensorBoard reads a session's metric from: os.path.join(session,
// group) without a trailing '/'.
std::string MetricRun(std::string_view session, std::string_view group);
// "a/b" -> "a"; "a" -> "."; "." -> "".
std::string ParentRun(std::string_view run);
// `run` is `root` or below it ("." is above every run).
bool RunWithin(std::string_view run, std::string_view root);
// Names for a message: the first `max` quoted and joined with ", ", then "+N more".
std::string NameList(const std::vector<std::string>& names, size_t max = 5);

}  // namespace tblint

#endif  // TBLINT_RULE_HPARAMS_VIEW_H_
