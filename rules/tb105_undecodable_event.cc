// TB105 undecodable-event: framing and CRCs are fine, the payload is not an Event. Rationale: docs/rules/TB105.md
#include <string>

#include "rule/rule.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {"TB105", "undecodable-event", Severity::kError,
                            "framing and CRCs are fine but the payload is not a valid Event", Applicability::kUnsafe};

class Check : public FileCheck {
 public:
  Interest interest() const override { return kDamaged; }
  void OnRecord(const RecordView& view, Sink& sink) override {
    if (view.decode_error == nullptr) return;
    const Record& r = view.record;
    Finding& f =
        sink.Add("record " + std::to_string(r.index) + " is not a valid Event: " + view.decode_error->what +
                 " at payload byte " + std::to_string(view.decode_error->offset) + " of " + std::to_string(r.length));
    f.offset = r.offset;
    f.length = r.end - r.offset;
    f.record = r.index;
    f.impact =
        "Python reader: raises a DecodeError (tensorboard --inspect crashes, the run may stop loading); "
        "Rust server: marks the file dead, nothing after record " +
        std::to_string(r.index) + " is shown";
    // A payload that itself holds complete, valid records (a file logged as
    // a blob, say) is not dropped: that would remove valid records.
    uint64_t nested = 0;
    if (r.payload_in_memory) {
      MemorySource inner(r.payload);
      RecordReader reader(&inner);
      std::error_code ec;
      nested = reader.ScanForValid(0, r.payload.size(), &ec).count;
    }
    if (nested > 0) {
      f.message += "; its payload holds " + std::to_string(nested) +
                   (nested == 1 ? " complete record" : " complete records") + ", so no fix drops it";
      return;
    }
    f.fix.applicability = Applicability::kUnsafe;
    f.fix.kind = FixKind::kRewrite;
    f.fix.description = "drop record " + std::to_string(r.index) + " (" + std::to_string(r.end - r.offset) +
                        " bytes), keep every other record";
  }
};

}  // namespace

std::unique_ptr<Rule> MakeTB105() { return MakeFileRule<Check>(kInfo); }

}  // namespace tblint
