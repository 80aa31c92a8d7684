// TB401 duplicate-writer: one file written by more than one writer. Rationale: docs/rules/TB401.md
#include <cstdio>
#include <optional>
#include <string>

#include "rule/rule.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {"TB401", "duplicate-writer", Severity::kError, "one file written by more than one writer",
                            Applicability::kNone};

// One writer's wall time only goes forward; a single step back can be a clock
// adjustment, two or more are two writers taking turns.
constexpr uint64_t kWallJumpsForTwoWriters = 2;
// Steps that fall back and then overtake their old maximum, again and again.
constexpr uint64_t kInterleavesForTwoWriters = 3;

class Check : public FileCheck {
 public:
  Interest interest() const override { return kNoRecords; }
  void OnEnd(const FileResult& file, Sink& sink) override {
    std::string reasons;
    uint64_t offset = UINT64_MAX, record = 0;
    auto first_at = [&](uint64_t off, uint64_t rec) {
      if (off < offset) {
        offset = off;
        record = rec;
      }
    };
    if (file.extra_file_versions > 0) {
      reasons += std::to_string(file.extra_file_versions) + " more file_version " +
                 (file.extra_file_versions == 1 ? "record" : "records") + " after the first (record " +
                 std::to_string(file.first_extra_file_version_record) + ")";
      first_at(file.first_extra_file_version_offset, file.first_extra_file_version_record);
    }
    if (file.wall_back_jumps >= kWallJumpsForTwoWriters) {
      char largest[32];
      std::snprintf(largest, sizeof largest, "%.3g", file.largest_wall_back_jump);
      if (!reasons.empty()) reasons += "; ";
      reasons += "wall time jumps back " + std::to_string(file.wall_back_jumps) + " times (by up to " + largest +
                 " s), first at record " + std::to_string(file.first_wall_back_jump_record);
      first_at(file.first_wall_back_jump_offset, file.first_wall_back_jump_record);
    }
    std::string_view osc_tag;
    std::optional<TagStats> osc;
    for (const auto& [tag, s] : file.tags) {
      if (s.interleaves >= kInterleavesForTwoWriters && (!osc || s.interleaves > osc->interleaves)) {
        osc = s;
        osc_tag = tag;
      }
    }
    if (osc) {
      if (!reasons.empty()) reasons += "; ";
      reasons += "the steps of " + std::string(osc_tag) + " go back and forth " + std::to_string(osc->interleaves) + " times";
      first_at(osc->first_regression_offset, 0);
    }
    if (reasons.empty()) return;
    Finding& f = sink.Add("written by more than one writer: " + reasons +
                          " (two writers with the same file name, e.g. two tensorboardX writers started in the "
                          "same second)");
    f.offset = offset;
    if (offset != UINT64_MAX && record != 0) f.record = record;
    if (offset == UINT64_MAX) f.offset.reset();
    f.impact =
        "both readers show one interleaved series: curves zigzag between the writers' values, and the "
        "regions one writer overwrote are lost";
  }
};

}  // namespace

std::unique_ptr<Rule> MakeTB401() { return MakeFileRule<Check>(kInfo); }

}  // namespace tblint
