// TB602 tag-kind-conflict: one tag logged as different kinds in a run. Rationale: docs/rules/TB602.md
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "rule/rule.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {"TB602", "tag-kind-conflict", Severity::kWarning,
                            "one tag logged with different plugins or data kinds within a run", Applicability::kNone};

constexpr uint8_t Bit(event::TagKind kind) { return static_cast<uint8_t>(1u << static_cast<unsigned>(kind)); }

class TB602 : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void CheckRun(const RunResult& run, const LintOptions&, Sink& sink) const override {
    struct Merged {
      event::TagKind first;  // the kind of the tag's first point: TensorBoard files the tag under it
      uint8_t kinds = 0;
      uint64_t files = 0;
    };
    std::map<std::string, Merged, std::less<>> tags;  // sorted: findings in tag order
    for (const FileResult* file : run.files) {
      for (const auto& [tag, s] : file->tags) {
        auto it = tags.find(tag);
        if (it == tags.end()) it = tags.emplace(tag, Merged{s.kind}).first;
        // kinds_seen covers mixed_kinds within one file; Bit(kind) keeps this
        // correct for TagStats filled without it.
        it->second.kinds |= s.kinds_seen | Bit(s.kind);
        ++it->second.files;
      }
    }
    for (const auto& [tag, m] : tags) {
      if ((m.kinds & (m.kinds - 1)) == 0) continue;  // one kind
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
                            (m.files == 1 ? " in one file" : " across " + std::to_string(m.files) + " files") +
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
