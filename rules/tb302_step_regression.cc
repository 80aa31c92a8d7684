// TB302 step-regression: within one file a tag's step goes backwards. Rationale: docs/rules/TB302.md
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "rule/rule.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {"TB302", "step-regression", Severity::kWarning,
                            "within one file a tag's step goes backwards", Applicability::kNone};

class Check : public FileCheck {
 public:
  Interest interest() const override { return kNoRecords; }
  void OnEnd(const FileResult& file, Sink& sink) override {
    std::string_view first_tag;
    std::optional<TagStats> first;
    uint64_t tags = 0, regressions = 0, relogged = 0;
    for (const auto& [tag, s] : file.tags) {
      if (s.regressions == 0) continue;
      ++tags;
      regressions += s.regressions;
      relogged += s.overwritten;
      if (!first || s.first_regression_offset < first->first_regression_offset) {
        first = s;
        first_tag = tag;
      }
    }
    if (!first) return;
    std::string msg = std::string(first_tag) + " goes back from step " + std::to_string(first->first_regression_from) + " to " +
                      std::to_string(first->first_regression_to);
    if (first->regressions > 1) msg += " (" + std::to_string(first->regressions) + " times)";
    if (tags > 1) {
      msg += "; " + std::to_string(tags) + " tags go back " + std::to_string(regressions) + " times in all";
    }
    msg += ": a restart into the same file, a step counter that resets, or two writers";
    Finding& f = sink.Add(std::move(msg));
    f.offset = first->first_regression_offset;
    f.tag = std::string(first_tag);
    f.step = first->first_regression_to;
    f.impact = std::string(file.session_start_count == 0
                               ? "Python reader: keeps both series (there is no SessionLog START), so the plot runs "
                                 "backwards"
                               : "Python reader: purges steps at or after a SessionLog START unless it is the run's "
                                 "first, otherwise keeps both series and the plot runs backwards") +
               "; Rust server: at each regression drops every kept point at or after the new step (at least " +
               std::to_string(relogged) + " earlier points here)";
  }
};

}  // namespace

std::unique_ptr<Rule> MakeTB302() { return MakeFileRule<Check>(kInfo); }

}  // namespace tblint
