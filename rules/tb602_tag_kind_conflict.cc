// TB602 tag-kind-conflict: one tag logged as different kinds in a run. Rationale: docs/rules/TB602.md
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "rule/rule.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {"TB602", "tag-kind-conflict", Severity::kWarning,
                            "one tag logged with different plugins or data kinds within a run", Applicability::kNone};

class TB602 : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void CheckRun(const RunResult& run, const LintOptions&, Sink& sink) const override {
    // Per distinct tag, over the run's files: the kind of its first point
    // (TensorBoard files the tag under it), every kind, and the files
    // holding it.
    std::vector<const TagMap*> maps;
    for (const FileResult* file : run.files) maps.push_back(&file->tags);
    const TagUnion tags(std::move(maps));
    const TagTotals totals(tags);
    std::vector<uint32_t> mixed;  // sorted: findings in tag order
    for (uint32_t id = 0; id < tags.size(); ++id) {
      const uint8_t bits = totals[id].kinds;
      if ((bits & (bits - 1)) != 0) mixed.push_back(id);
    }
    std::sort(mixed.begin(), mixed.end(), [&tags](uint32_t a, uint32_t b) { return tags.key(a) < tags.key(b); });
    for (const uint32_t id : mixed) {
      const TagTotals::Totals m = totals[id];
      const std::string tag(tags.key(id));
      std::vector<std::string> names;
      for (unsigned k = 0; k < 8; ++k) {
        if (m.kinds & (1u << k)) names.push_back(event::TagKindName(static_cast<event::TagKind>(k)));
      }
      std::string kinds;
      for (size_t i = 0; i < names.size(); ++i) {
        kinds += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + names[i];
      }
      const std::string first = event::TagKindName(m.first);
      Finding& f = sink.Add("tag " + tag + " is logged as " + kinds +
                            (m.maps == 1 ? " in one file" : " across " + std::to_string(m.maps) + " files") +
                            "; TensorBoard files it under " + first + ", the kind of its first point");
      f.path = run.name;
      f.tag = tag;
      f.impact = "both readers keep one series per tag, typed by its first point: " + tag + " appears on the " + first +
                 " dashboard only, and the points of the other kind are dropped "
                 "or misread there";
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeTB602() { return std::make_unique<TB602>(); }

}  // namespace tblint
