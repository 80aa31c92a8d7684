// TB702 hparams-metric-not-logged: a metric of the experiment config that no
// session, or only some, logs. Rationale: docs/rules/TB702.md
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "rule/hparams_view.h"
#include "rule/rule.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {"TB702", "hparams-metric-not-logged", Severity::kWarning,
                            "the experiment config names a metric that no session logs (an empty column), or that "
                            "only some sessions log",
                            Applicability::kNone};

std::string MetricName(const HparamsMetric& m) {
  return m.group.empty() ? "'" + m.tag + "'" : "'" + m.tag + "' (group '" + m.group + "')";
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() > suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

class TB702 : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void CheckLogdir(const LogdirResult& logdir, const LintOptions&, Sink& sink) const override {
    const HparamsView view = BuildHparamsView(logdir);
    if (view.sessions.empty() || view.configs.empty()) return;
    // Every metric some config names, with the configs naming it (TensorBoard
    // takes one config: each may be the one).
    std::map<std::pair<std::string, std::string>, std::vector<std::string>> metrics;
    for (const HparamsConfigRef& c : view.configs) {
      for (const HparamsMetric& m : c.experiment->metrics) {
        auto& runs = metrics[{m.group, m.tag}];
        if (runs.empty() || runs.back() != c.run->name) runs.push_back(c.run->name);
      }
    }
    for (const auto& [key, config_runs] : metrics) {
      const HparamsMetric m{key.first, key.second};
      std::vector<std::string> missing, other_kind;
      size_t logged = 0, counted = 0;
      for (const HparamsSessionRef& s : view.sessions) {
        const std::string run = MetricRun(s.run->name, m.group);
        if (view.HasScalar(run, m.tag)) {
          ++logged;
          ++counted;
          continue;
        }
        if (s.may_still_be_written) continue;  // it may log the metric yet
        ++counted;
        missing.push_back(s.run->name);
        if (const std::string kind = view.OtherKind(run, m.tag); !kind.empty()) other_kind.push_back(kind);
      }
      if (missing.empty()) continue;
      const std::string where = config_runs.size() == 1 ? "the experiment config in run '" + config_runs[0] + "'"
                                                        : std::to_string(config_runs.size()) +
                                                              " experiment configs (runs " + NameList(config_runs, 3) +
                                                              ")";
      std::string msg;
      Finding* f = nullptr;
      if (logged == 0) {
        msg = "metric " + MetricName(m) + " of " + where + " is logged by none of the " + std::to_string(counted) +
              " sessions: TensorBoard reads it as scalar '" + m.tag + "' of run " +
              (m.group.empty() ? "<session>" : "<session>/" + m.group) + " (e.g. '" +
              MetricRun(view.sessions.front().run->name, m.group) + "')";
        if (!other_kind.empty()) msg += ", where it is logged as " + other_kind.front() + ", not as a scalar";
        if (const std::string hint = Hint(view, m); !hint.empty()) msg += "; " + hint;
        f = &sink.Add(std::move(msg));
        f->impact = "TensorBoard's HParams table shows an empty column for metric '" + m.tag +
                    "', and the parallel-coordinates and scatter views have no values on its axis";
      } else {
        msg = "metric " + MetricName(m) + " of " + where + " is logged by " + std::to_string(logged) + " of the " +
              std::to_string(counted) + " sessions; missing in " + NameList(missing, 3);
        f = &sink.Add(std::move(msg));
        f->impact = "TensorBoard's HParams table leaves metric '" + m.tag + "' blank for " +
                    std::to_string(missing.size()) + " session" + (missing.size() == 1 ? "" : "s") +
                    "; sorting or filtering by it puts them last or drops them";
      }
      f->path = config_runs.front();
      f->run = config_runs.front();
      f->tag = m.tag;
    }
  }

 private:
  // A scalar in the sessions' runs that may be the one meant: the same tag
  // in another group, or a tag ending in "/<tag>" or "_<tag>" (Keras logs
  // "epoch_accuracy" in <session>/train and <session>/validation). The same
  // tag first, then a validation or evaluation group.
  static std::string Hint(const HparamsView& view, const HparamsMetric& m) {
    std::string best;
    int best_score = -1;
    for (const HparamsSessionRef& s : view.sessions) {
      for (const auto& [name, run] : view.runs) {
        if (!RunWithin(name, s.run->name)) continue;
        const std::string group = name == s.run->name ? ""
                                  : s.run->name == "."  ? name
                                                        : name.substr(s.run->name.size() + 1);
        for (const std::string& tag : view.ScalarTags(name)) {
          if (tag != m.tag && !EndsWith(tag, "/" + m.tag) && !EndsWith(tag, "_" + m.tag)) continue;
          if (group == m.group && tag == m.tag) continue;
          const int score = (tag == m.tag ? 2 : 0) + (group.find("val") != std::string::npos ||
                                                              group.find("eval") != std::string::npos
                                                          ? 1
                                                          : 0);
          if (score <= best_score) continue;
          best_score = score;
          best = "session '" + s.run->name + "' logs scalar '" + tag + "'" +
                 (group.empty() ? "" : " in run '" + name + "'") + ": name that metric as tag '" + tag +
                 "', group '" + group + "' (hp.Metric(\"" + tag + "\", group=\"" + group + "\"))";
        }
      }
      if (!best.empty()) break;  // the first session that has one
    }
    return best;
  }
};

}  // namespace

std::unique_ptr<Rule> MakeTB702() { return std::make_unique<TB702>(); }

}  // namespace tblint
