// TB505 no-event-files: the given path holds no event file. Rationale: docs/rules/TB505.md
#include <string>

#include "rule/rule.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {"TB505", "no-event-files", Severity::kError, "the given path holds no event file at all",
                            Applicability::kNone};

class TB505 : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void CheckLogdir(const LogdirResult& logdir, const LintOptions&, Sink& sink) const override {
    if (logdir.single_file || !logdir.files.empty()) return;
    std::string msg = "no event files: nothing under " + logdir.given + " has a name containing 'tfevents'";
    if (!logdir.problems.empty()) {
      msg += " (" + std::to_string(logdir.problems.size()) + " paths could not be read, see TB504)";
    }
    Finding& f = sink.Add(std::move(msg));
    f.path = ".";
    f.run = ".";
    f.impact = "TensorBoard shows \"No dashboards are active for the current data set\"";
  }
};

}  // namespace

std::unique_ptr<Rule> MakeTB505() { return std::make_unique<TB505>(); }

}  // namespace tblint
