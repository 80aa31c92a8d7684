// TB107 oversized-record: a record over 64 MiB. Rationale: docs/rules/TB107.md
#include <string>

#include "rule/rule.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {"TB107", "oversized-record", Severity::kWarning,
                            "a record larger than 64 MiB (configurable)", Applicability::kNone};

class Check : public FileCheck {
 public:
  Check(const FileInfo&, const LintOptions& options) : limit_(options.oversized_record_bytes) {}
  Interest interest() const override { return kLargeRecord; }
  void OnRecord(const RecordView& view, Sink& sink) override {
    const Record& r = view.record;
    if (!r.has_length || r.length <= limit_) return;
    if (r.kind != RecordKind::kOk && r.kind != RecordKind::kBadDataCrc) return;
    Finding& f = sink.Add("record " + std::to_string(r.index) + " holds a " + HumanBytes(r.length) +
                          " payload, over the " + HumanBytes(limit_) + " limit");
    f.offset = r.offset;
    f.record = r.index;
    f.impact = "older readers refuse protobuf messages over 64 MiB and stop at this record";
  }

 private:
  uint64_t limit_;
};

}  // namespace

std::unique_ptr<Rule> MakeTB107() { return MakeFileRule<Check>(kInfo); }

}  // namespace tblint
