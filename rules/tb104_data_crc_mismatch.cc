// TB104 data-crc-mismatch: a record's payload CRC is wrong. Rationale: docs/rules/TB104.md
#include <cstdio>
#include <string>

#include "rule/rule.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {"TB104", "data-crc-mismatch", Severity::kError, "a record's payload CRC is wrong",
                            Applicability::kUnsafe};

class Check : public FileCheck {
 public:
  Interest interest() const override { return kDamaged; }
  void OnRecord(const RecordView& view, Sink& sink) override {
    const Record& r = view.record;
    if (r.kind != RecordKind::kBadDataCrc) return;
    char crcs[64];
    std::snprintf(crcs, sizeof crcs, "stored 0x%08X, computed 0x%08X", r.stored_crc, r.expected_crc);
    Finding& f = sink.Add("data CRC mismatch in record " + std::to_string(r.index) + " (" + std::to_string(r.length) +
                          "-byte payload at offset " + std::to_string(r.offset + kHeaderSize) + "; " + crcs +
                          "): the payload was damaged after it was written");
    f.offset = r.offset;
    f.length = r.end - r.offset;
    f.record = r.index;
    f.impact = "Python reader: stuck at offset " + std::to_string(r.offset) +
               " for good, nothing after it is shown; Rust server: does not check data CRCs by default and "
               "shows the damaged value if the payload still decodes";
    f.fix.applicability = Applicability::kUnsafe;
    f.fix.kind = FixKind::kRewrite;
    if (r.hidden_records > 0) {
      // The declared length runs over complete records (a second writer's,
      // typically): dropping the span would drop them, so the salvage keeps
      // every valid record inside it and removes only the broken bytes.
      f.message += "; its declared span hides " + std::to_string(r.hidden_records) +
                   (r.hidden_records == 1 ? " valid record" : " valid records") + " (offsets " +
                   std::to_string(r.hidden_first) + " to " + std::to_string(r.hidden_end) + ")";
      f.fix.description = "salvage: rewrite the file without record " + std::to_string(r.index) +
                          "'s broken bytes, keeping the " + std::to_string(r.hidden_records) +
                          " valid records inside its span and every other record";
    } else {
      f.fix.description = "drop record " + std::to_string(r.index) + " (" + std::to_string(r.end - r.offset) +
                          " bytes), keep every other record";
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeTB104() { return MakeFileRule<Check>(kInfo); }

}  // namespace tblint
