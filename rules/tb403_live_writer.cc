// TB403 live-writer: a running process has the file open for writing. Rationale: docs/rules/TB403.md
#include "rule/rule.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {"TB403", "live-writer", Severity::kInfo, "a running process has the file open for writing",
                            Applicability::kNone};

class Check : public FileCheck {
 public:
  Interest interest() const override { return kNoRecords; }
  void OnEnd(const FileResult& file, Sink& sink) override {
    if (!file.info.open_for_writing) return;
    Finding& f = sink.Add("a running process has this file open for writing: a live run; tblint never fixes it");
    f.impact = "both readers pick up new records as they are flushed; a truncated tail here is normal";
  }
};

}  // namespace

std::unique_ptr<Rule> MakeTB403() { return MakeFileRule<Check>(kInfo); }

}  // namespace tblint
