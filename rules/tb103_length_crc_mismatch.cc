// TB103 length-crc-mismatch: a record's length CRC is wrong. Rationale: docs/rules/TB103.md
#include <cstdio>
#include <optional>
#include <string>

#include "rule/rule.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {"TB103", "length-crc-mismatch", Severity::kError,
                            "a record's length CRC is wrong; both readers lose the rest of the file",
                            Applicability::kUnsafe};

std::string Hex(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", v);
  return buf;
}

// Reports each bad length once the records a resynchronising scan recovers
// after it are counted: at the next damage or at the end of the file.
class Check : public FileCheck {
 public:
  Interest interest() const override { return kDamaged; }
  void OnRecord(const RecordView& view, Sink& sink) override {
    const Record& r = view.record;
    if (r.kind == RecordKind::kOk && pending_) {
      if (recovered_ == 0) first_recovered_ = r.offset;
      ++recovered_;
      recovered_end_ = r.end;
      return;
    }
    if (r.kind == RecordKind::kOk) return;
    if (pending_) Flush(sink);
    if (r.kind == RecordKind::kBadLengthCrc) {
      pending_ = r;
      recovered_ = 0;
      size_ = r.end;
    }
  }

  void OnEnd(const FileResult& file, Sink& sink) override {
    // A file whose very first header is bad and that holds no valid record at
    // all is not TFRecord: TB106 reports it.
    if (pending_ && pending_->offset == 0 && file.records == 0) return;
    if (pending_) Flush(sink);
  }

 private:
  void Flush(Sink& sink) {
    const Record& r = *pending_;
    const uint64_t after = size_ - r.offset;
    std::string msg = "length CRC mismatch at record " + std::to_string(r.index) + " (stored " + Hex(r.stored_crc) +
                      ", computed " + Hex(r.expected_crc) + "): its length cannot be trusted; " +
                      std::to_string(after) + " bytes from here to the end of the file";
    if (recovered_ > 0) {
      msg += "; a resynchronising scan finds " + std::to_string(recovered_) + " valid records from offset " +
             std::to_string(first_recovered_) + " to " + std::to_string(recovered_end_);
    } else {
      msg += "; a resynchronising scan finds no valid record after it";
    }
    Finding& f = sink.Add(std::move(msg));
    f.offset = r.offset;
    f.record = r.index;
    f.impact = "Python reader: stuck at offset " + std::to_string(r.offset) +
               " for good, the rest of the file is never shown; Rust server: marks the file dead with one warning";
    f.fix.applicability = Applicability::kUnsafe;
    f.fix.kind = FixKind::kRewrite;
    f.fix.description = recovered_ > 0 ? "salvage: rewrite the file with every valid record, including the " +
                                             std::to_string(recovered_) + " found after the damage"
                                       : "salvage: rewrite the file with the valid records before the damage";
    pending_.reset();
  }

  std::optional<Record> pending_;
  uint64_t recovered_ = 0;
  uint64_t first_recovered_ = 0;
  uint64_t recovered_end_ = 0;
  uint64_t size_ = 0;
};

}  // namespace

std::unique_ptr<Rule> MakeTB103() { return MakeFileRule<Check>(kInfo); }

}  // namespace tblint
