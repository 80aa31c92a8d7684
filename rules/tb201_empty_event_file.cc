// TB201 empty-event-file: a 0-byte event file. Rationale: docs/rules/TB201.md
#include <string>

#include "rule/rule.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {"TB201", "empty-event-file", Severity::kWarning,
                            "a 0-byte event file: the writer never flushed or closed", Applicability::kUnsafe};

class Check : public FileCheck {
 public:
  Interest interest() const override { return kNoRecords; }
  void OnEnd(const FileResult& file, Sink& sink) override {
    if (!file.io_error.empty() || file.info.format != FileFormat::kEmpty) return;
    const bool live = file.info.MayStillBeWritten();
    std::string msg =
        live ? "empty event file (0 bytes), modified recently or still open: its writer has not "
               "flushed yet (tensorboardX buffers 4 KiB before the first write)"
             : "empty event file (0 bytes): the writer was created but never flushed or closed "
               "(tensorboardX buffers 4 KiB before the first write), or the job died before its first flush";
    Finding& f = sink.Add(live ? Severity::kInfo : Severity::kWarning, std::move(msg));
    f.offset = 0;
    if (!live) {
      f.fix.applicability = Applicability::kUnsafe;
      f.fix.kind = FixKind::kMove;
      f.fix.description = "move the empty file out of the logdir into the backup folder";
    }
    f.impact = "TensorBoard lists run '" + std::string(file.info.run()) +
               "' only if another file holds data; this file adds nothing";
  }
};

}  // namespace

std::unique_ptr<Rule> MakeTB201() { return MakeFileRule<Check>(kInfo); }

}  // namespace tblint
