// TB101 truncated-record: the file ends inside a record. Rationale: docs/rules/TB101.md
#include <optional>
#include <string>

#include "rule/rule.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {"TB101", "truncated-record", Severity::kError,
                            "the file ends inside a record (a writer killed mid-write)", Applicability::kSafe};

std::string Describe(const Record& r, uint64_t file_size) {
  const uint64_t have = file_size - r.offset;
  switch (r.section) {
    case Section::kLength:
      return "the file ends " + std::to_string(have) + " bytes into its 8-byte length";
    case Section::kLengthCrc:
      return "the file ends " + std::to_string(have - 8) + " bytes into its 4-byte length CRC";
    case Section::kPayload:
      return "the file ends " + std::to_string(have - kHeaderSize) + " bytes into its " + std::to_string(r.length) +
             "-byte payload";
    case Section::kDataCrc:
      return "the file ends " + std::to_string(have - kHeaderSize - r.length) + " bytes into its 4-byte data CRC";
    case Section::kNone:
      break;
  }
  return "";
}

class Check : public FileCheck {
 public:
  Interest interest() const override { return kDamaged; }
  explicit Check(const FileInfo& file) : file_(file) {}

  void OnRecord(const RecordView& view, Sink& sink) override {
    const Record& r = view.record;
    if (r.kind != RecordKind::kTruncated) {
      if (r.kind != RecordKind::kOk && !first_damage_) first_damage_ = r.index;
      return;
    }
    const bool live = file_.MayStillBeWritten();
    std::string msg;
    if (r.hidden_records > 0) {
      // Not a plain cut tail: the declared length runs over complete, valid
      // records. Typically two writers appended to one file and the one that
      // wrote this header died mid-record (or the length is corrupt but its
      // CRC happens to check).
      msg = "record " + std::to_string(r.index) + " at offset " + std::to_string(r.offset) + " declares a " +
            std::to_string(r.length) + "-byte payload, more than the " + std::to_string(r.end - r.offset) +
            " bytes left in the file, and its span hides " + std::to_string(r.hidden_records) +
            (r.hidden_records == 1 ? " valid record" : " valid records") + " (offsets " +
            std::to_string(r.hidden_first) + " to " + std::to_string(r.hidden_end) +
            "): a writer died mid-record while another kept appending, or the length is corrupt";
    } else {
      msg = "truncated record " + std::to_string(r.index) + " at offset " + std::to_string(r.offset) + ": " +
            Describe(r, r.end);
    }
    if (live) {
      msg += file_.open_for_writing
                 ? "; a process has the file open for writing, so the rest may still come"
                 : "; the file was modified within the grace period, so a writer may still be appending";
    }
    Finding& f = sink.Add(live ? Severity::kInfo : Severity::kError, std::move(msg));
    f.offset = r.offset;
    f.length = r.end - r.offset;
    f.record = r.index;
    if (first_damage_) {
      f.impact = "neither reader gets this far: both stop at the damaged record " + std::to_string(*first_damage_);
    } else if (r.hidden_records > 0) {
      f.impact = "Python reader: shows the " + std::to_string(r.index) + " records before it and waits at offset " +
                 std::to_string(r.offset) + " for bytes that never come, so the " + std::to_string(r.hidden_records) +
                 " valid records inside are never shown; Rust server: the same, silently";
    } else {
      f.impact = "Python reader: shows the " + std::to_string(r.index) + " records before it and waits at offset " +
                 std::to_string(r.offset) + " for the rest; Rust server: the same, silently";
    }
    if (live) {
      f.fix.withheld = file_.open_for_writing
                           ? "a process has it open for writing; a live writer may still append to it"
                           : "modified within the grace period; a writer may still be appending to it";
      return;
    }
    if (first_damage_) {
      f.fix.applicability = Applicability::kUnsafe;
      f.fix.kind = FixKind::kRewrite;
      f.fix.description = "not a safe fix while record " + std::to_string(*first_damage_) +
                          " before it is damaged; salvage the file instead";
    } else if (r.hidden_records > 0) {
      // Cutting here would remove the hidden records: only a salvage, which
      // keeps every valid record, may touch this file.
      f.fix.applicability = Applicability::kUnsafe;
      f.fix.kind = FixKind::kRewrite;
      f.fix.description = "salvage: rewrite the file with every valid record, keeping the " +
                          std::to_string(r.hidden_records) + " inside the broken record's span (truncating at " +
                          std::to_string(r.offset) + " would lose them)";
    } else {
      f.fix.applicability = Applicability::kSafe;
      f.fix.kind = FixKind::kTruncate;
      f.fix.truncate_to = r.offset;
      f.fix.description = "truncate the file to " + std::to_string(r.offset) +
                          " bytes (the end of the last complete record), keeping the " +
                          std::to_string(r.end - r.offset) + " cut bytes in a side file";
    }
  }

 private:
  const FileInfo& file_;
  std::optional<uint64_t> first_damage_;  // first record with broken framing
};

}  // namespace

std::unique_ptr<Rule> MakeTB101() { return MakeFileRule<Check>(kInfo); }

}  // namespace tblint
