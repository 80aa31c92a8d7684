// TB102 zero-filled-tail: the file ends in a run of zero bytes. Rationale: docs/rules/TB102.md
#include <optional>
#include <string>

#include "rule/rule.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {"TB102", "zero-filled-tail", Severity::kError,
                            "everything from some offset to the end of the file is zero bytes", Applicability::kSafe};

class Check : public FileCheck {
 public:
  Interest interest() const override { return kDamaged; }
  explicit Check(const FileInfo& file) : file_(file) {}

  void OnRecord(const RecordView& view, Sink& sink) override {
    const Record& r = view.record;
    if (r.kind != RecordKind::kZeroFilled) {
      if (r.kind != RecordKind::kOk && !first_damage_) first_damage_ = r.index;
      return;
    }
    const bool live = file_.MayStillBeWritten();
    const uint64_t zeros = r.end - r.zeros_from;
    std::string where = r.zeros_from == r.offset ? " (record " + std::to_string(r.index) + ")"
                                                 : " (inside record " + std::to_string(r.index) + ", which starts at " +
                                                       std::to_string(r.offset) + ")";
    std::string hidden;
    if (r.hidden_records > 0) {
      hidden = "; record " + std::to_string(r.index) + "'s declared span hides " + std::to_string(r.hidden_records) +
               (r.hidden_records == 1 ? " valid record" : " valid records") + " before the zeros (offsets " +
               std::to_string(r.hidden_first) + " to " + std::to_string(r.hidden_end) + ")";
    }
    Finding& f = sink.Add(
        "zero-filled tail: " + std::to_string(zeros) + " zero bytes from offset " + std::to_string(r.zeros_from) +
        where + " to the end of the file; the size was extended but the data never reached the disk" + hidden +
        (live ? std::string("; the file is still being written, so the zeros may yet be filled in") : std::string()));
    if (live) f.severity = Severity::kInfo;
    f.offset = r.offset;
    f.length = r.end - r.offset;
    f.record = r.index;
    f.impact = "both readers stop at offset " + std::to_string(r.offset) + " and show the " + std::to_string(r.index) +
               " records before it" +
               (r.hidden_records > 0 ? ", never the " + std::to_string(r.hidden_records) + " valid records after it"
                                     : std::string()) +
               "; the Rust server logs a length-CRC error";
    if (live) return;
    if (first_damage_) {
      f.fix.applicability = Applicability::kUnsafe;
      f.fix.kind = FixKind::kRewrite;
      f.fix.description = "not a safe fix while record " + std::to_string(*first_damage_) +
                          " before it is damaged; salvage the file instead";
      return;
    }
    if (r.hidden_records > 0) {
      f.fix.applicability = Applicability::kUnsafe;
      f.fix.kind = FixKind::kRewrite;
      f.fix.description = "salvage: rewrite the file with every valid record, keeping the " +
                          std::to_string(r.hidden_records) + " before the zeros (truncating at " +
                          std::to_string(r.offset) + " would lose them)";
      return;
    }
    f.fix.applicability = Applicability::kSafe;
    f.fix.kind = FixKind::kTruncate;
    f.fix.truncate_to = r.offset;
    f.fix.description = "truncate the file to " + std::to_string(r.offset) + " bytes, keeping the " +
                        std::to_string(r.end - r.offset) + " cut bytes in a side file";
  }

 private:
  const FileInfo& file_;
  std::optional<uint64_t> first_damage_;
};

}  // namespace

std::unique_ptr<Rule> MakeTB102() { return MakeFileRule<Check>(kInfo); }

}  // namespace tblint
