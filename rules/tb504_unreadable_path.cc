// TB504 unreadable-path: a file or directory that cannot be read. Rationale: docs/rules/TB504.md
#include <string>

#include "rules/registry.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {"TB504", "unreadable-path", Severity::kError,
                            "a directory or file that cannot be read", Applicability::kNone};

class TB504 : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void CheckLogdir(const LogdirResult& logdir, const LintOptions&, Sink& sink) const override {
    for (const PathProblem& p : logdir.problems) {
      Finding& f = sink.Add("unreadable path: " + p.what);
      f.path = p.rel_path;
      f.impact = "TensorBoard skips it (a FIFO can block the Python reader for good); whatever it holds is not shown";
    }
    for (const FileResult& file : logdir.files) {
      if (file.io_error.empty()) continue;
      Finding& f = sink.Add("unreadable event file: " + file.io_error);
      f.path = file.info.rel_path;
      f.run = file.info.run;
      f.impact = "TensorBoard cannot read it either; its data is not shown";
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeTB504() { return std::make_unique<TB504>(); }

}  // namespace tblint
