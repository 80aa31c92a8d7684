// TB205 non-finite-value: NaN or infinite scalar values. Rationale: docs/rules/TB205.md
#include <cmath>
#include <set>
#include <string>

#include "rule/rule.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {"TB205", "non-finite-value", Severity::kWarning, "NaN or infinite scalar values",
                            Applicability::kNone};

class Check : public FileCheck {
 public:
  Interest interest() const override { return kNonFiniteScalar; }
  void OnRecord(const RecordView& view, Sink&) override {
    if (view.event == nullptr) return;
    for (const event::Value& v : view.event->values) {
      if (!v.has_scalar || std::isfinite(v.scalar)) continue;
      if (v.tag_kind() != event::TagKind::kScalar) continue;
      if (count_++ == 0) {
        first_tag_ = std::string(v.tag);
        first_step_ = view.event->step;
        first_offset_ = view.record.offset;
        first_record_ = view.record.index;
        first_value_ = std::isnan(v.scalar) ? "nan" : (v.scalar > 0 ? "inf" : "-inf");
      }
      std::isnan(v.scalar) ? ++nans_ : ++infs_;
      // Bounded: one entry per tag, never per step.
      if (tags_.size() < 10000) tags_.emplace(v.tag);
    }
  }

  void OnEnd(const FileResult&, Sink& sink) override {
    if (count_ == 0) return;
    std::string msg = std::to_string(count_) + " non-finite scalar " + (count_ == 1 ? "value" : "values") + " (" +
                      std::to_string(nans_) + " NaN, " + std::to_string(infs_) + " infinite) in " +
                      std::to_string(tags_.size()) + (tags_.size() == 1 ? " tag" : " tags") + "; first: " + first_tag_ +
                      " = " + first_value_ + " at step " + std::to_string(first_step_);
    Finding& f = sink.Add(std::move(msg));
    f.offset = first_offset_;
    f.record = first_record_;
    f.tag = first_tag_;
    f.step = first_step_;
    f.impact =
        "both readers keep the points; the charts leave gaps or clip them, and smoothing turns the "
        "rest of the line into NaN";
  }

 private:
  uint64_t count_ = 0;
  uint64_t nans_ = 0;
  uint64_t infs_ = 0;
  std::set<std::string, std::less<>> tags_;
  std::string first_tag_;
  std::string first_value_;
  int64_t first_step_ = 0;
  uint64_t first_offset_ = 0;
  uint64_t first_record_ = 0;
};

}  // namespace

std::unique_ptr<Rule> MakeTB205() { return MakeFileRule<Check>(kInfo); }

}  // namespace tblint
