// TB301 overwritten-step: a (tag, step) pair written more than once in one file. Rationale: docs/rules/TB301.md
#include <algorithm>
#include <string>
#include <vector>

#include "rule/rule.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {"TB301", "overwritten-step", Severity::kWarning,
                            "within one file, a (tag, step) pair written more than once", Applicability::kNone};

class Check : public FileCheck {
 public:
  Interest interest() const override { return kNoRecords; }
  void OnEnd(const FileResult& file, Sink& sink) override {
    struct Hit {
      std::string_view tag;
      TagStats s;
    };
    std::vector<Hit> hits;
    uint64_t points = 0;
    for (const auto& [tag, s] : file.tags) {
      if (s.overwritten == 0) continue;
      hits.push_back({tag, s});
      points += s.overwritten;
    }
    if (hits.empty()) return;
    // Report the tag whose first re-log comes first in the file.
    std::sort(hits.begin(), hits.end(),
              [](const Hit& a, const Hit& b) { return a.s.first_overwritten_offset < b.s.first_overwritten_offset; });
    const Hit& first = hits.front();
    std::string tags;
    for (size_t i = 0; i < hits.size() && i < 3; ++i) tags += (i ? ", " : "") + std::string(hits[i].tag);
    if (hits.size() > 3) tags += ", +" + std::to_string(hits.size() - 3) + " more";
    Finding& f = sink.Add(std::to_string(points) + " points re-log a step already written for the same tag (" +
                          std::to_string(hits.size()) + (hits.size() == 1 ? " tag: " : " tags: ") + tags +
                          "); first: " + std::string(first.tag) + " at step " + std::to_string(first.s.first_overwritten_step));
    f.offset = first.s.first_overwritten_offset;
    f.tag = std::string(first.tag);
    f.step = first.s.first_overwritten_step;
    f.impact =
        "Python reader: shows every value, so the line doubles back on itself; Rust server: keeps only "
        "the last value written for each step";
  }
};

}  // namespace

std::unique_ptr<Rule> MakeTB301() { return MakeFileRule<Check>(kInfo); }

}  // namespace tblint
