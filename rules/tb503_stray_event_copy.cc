// TB503 stray-event-copy: a copy or temporary named like an event file. Rationale: docs/rules/TB503.md
#include <memory>
#include <string>

#include "rule/rule.h"
#include "rule/writer_name.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {"TB503", "stray-event-copy", Severity::kWarning,
                            "a file named like an event file that no writer produced (.bak, ~, (1), rsync temporary)",
                            Applicability::kUnsafe};

// Decided from the name alone; the check only places the finding on the file.
class Check : public FileCheck {
 public:
  Interest interest() const override { return kNoRecords; }
  explicit Check(std::string reason) : reason_(std::move(reason)) {}
  void OnEnd(const FileResult& file, Sink& sink) override {
    Finding& f = sink.Add("'" + std::string(file.info.name()) + "' looks like " + reason_ +
                          ", not a name a writer produces (events.out.tfevents.<secs>.<host>...)");
    f.impact = "TensorBoard loads every file whose name contains 'tfevents': run '" + std::string(file.info.run()) +
               "' also shows this file's points, twice over when the original is there too";
    f.fix.applicability = Applicability::kUnsafe;
    f.fix.kind = FixKind::kMove;
    f.fix.description = "move the copy out of the logdir into the backup folder (never deleted)";
  }

 private:
  std::string reason_;
};

class TB503 : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  std::unique_ptr<FileCheck> NewFileCheck(const FileInfo& file, const LintOptions&) const override {
    std::string reason = StrayCopyReason(file.name());
    if (reason.empty()) return nullptr;
    return std::make_unique<Check>(std::move(reason));
  }
  std::unique_ptr<FileCheck> CloneFileCheck(const FileCheck& check) const override {
    return std::make_unique<Check>(static_cast<const Check&>(check));
  }
};

}  // namespace

std::unique_ptr<Rule> MakeTB503() { return std::make_unique<TB503>(); }

}  // namespace tblint
