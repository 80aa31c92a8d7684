// TB102 zero-filled-tail: the file ends in a run of zero bytes. Rationale: docs/rules/TB102.md
#include <string>

#include "rules/registry.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {"TB102", "zero-filled-tail", Severity::kError,
                            "everything from some offset to the end of the file is zero bytes",
                            Applicability::kSafe};

class Check : public FileCheck {
 public:
  void OnRecord(const RecordView& view, Sink& sink) override {
    const Record& r = view.record;
    if (r.kind != RecordKind::kZeroFilled) return;
    const uint64_t zeros = r.end - r.zeros_from;
    std::string where = r.zeros_from == r.offset
                            ? " (record " + std::to_string(r.index) + ")"
                            : " (inside record " + std::to_string(r.index) + ", which starts at " +
                                  std::to_string(r.offset) + ")";
    Finding& f = sink.Add("zero-filled tail: " + std::to_string(zeros) + " zero bytes from offset " +
                          std::to_string(r.zeros_from) + where +
                          " to the end of the file; the size was extended but the data never reached the disk");
    f.offset = r.offset;
    f.record = r.index;
    f.impact = "both readers stop at offset " + std::to_string(r.offset) + " and show the " +
               std::to_string(r.index) + " records before it; the Rust server logs a length-CRC error";
    f.fix.applicability = Applicability::kSafe;
    f.fix.truncate_to = r.offset;
    f.fix.description = "truncate the file to " + std::to_string(r.offset) + " bytes, keeping the " +
                        std::to_string(r.end - r.offset) + " cut bytes in a side file";
  }
};

class TB102 : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }
  std::unique_ptr<FileCheck> NewFileCheck(const FileInfo&, const LintOptions&) const override {
    return std::make_unique<Check>();
  }
};

}  // namespace

std::unique_ptr<Rule> MakeTB102() { return std::make_unique<TB102>(); }

}  // namespace tblint
