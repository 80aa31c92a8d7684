// TB106 not-an-event-file: named like an event file, not TFRecord inside. Rationale: docs/rules/TB106.md
#include <string>

#include "rule/rule.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {"TB106", "not-an-event-file", Severity::kError,
                            "the name contains tfevents but the content is not TFRecord", Applicability::kUnsafe};

class Check : public FileCheck {
 public:
  Interest interest() const override { return kDamaged; }
  void OnRecord(const RecordView& view, Sink&) override {
    if (view.record.offset == 0 && view.record.kind == RecordKind::kBadLengthCrc) bad_first_header_ = true;
  }

  void OnEnd(const FileResult& file, Sink& sink) override {
    const FileFormat fmt = file.info.format;
    std::string what;
    if (fmt != FileFormat::kTfRecord && fmt != FileFormat::kEmpty) {
      what = std::string("the content is ") + FileFormatName(fmt) + ", not TFRecord";
    } else if (bad_first_header_ && file.records == 0) {
      what = "the first 12 bytes are not a TFRecord header and no valid record follows (unrecognised binary data)";
    } else {
      return;
    }
    Finding& f = sink.Add("not an event file: " + what);
    f.offset = 0;
    f.fix.applicability = Applicability::kUnsafe;
    f.fix.kind = FixKind::kMove;
    f.fix.description = "move the file out of the logdir into the backup folder (never deleted)";
    if (file.info.name().find("tfevents") != std::string::npos) {
      f.impact = "TensorBoard still loads it as part of run '" + std::string(file.info.run()) +
                 "': the Python reader stops at once, the Rust server marks the file dead";
    }
  }

 private:
  bool bad_first_header_ = false;
};

}  // namespace

std::unique_ptr<Rule> MakeTB106() { return MakeFileRule<Check>(kInfo); }

}  // namespace tblint
