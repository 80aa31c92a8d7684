// TB601 downsampled-tag: a tag with more points than TensorBoard keeps. Rationale: docs/rules/TB601.md
#include <cstdint>
#include <map>
#include <string>

#include "rule/rule.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {"TB601", "downsampled-tag", Severity::kInfo,
                            "a tag has more points than TensorBoard keeps by default", Applicability::kNone};

// Reservoir sizes (format.md, "How TensorBoard reads, and what it hides").
// The Python reader's defaults, which `--samples_per_plugin` overrides:
constexpr uint64_t kPythonScalars = 1000;
constexpr uint64_t kPythonHistograms = 500;
constexpr uint64_t kPythonImages = 10;
constexpr uint64_t kPythonAudio = 10;
constexpr uint64_t kPythonOthers = 10;  // text and other tensors
// The Rust data server's, by data class:
constexpr uint64_t kRustScalars = 1000;
constexpr uint64_t kRustTensors = 100;       // histograms, text, other tensors
constexpr uint64_t kRustBlobSequences = 10;  // images, audio

uint64_t PythonKeeps(event::TagKind kind) {
  switch (kind) {
    case event::TagKind::kScalar:
      return kPythonScalars;
    case event::TagKind::kHistogram:
      return kPythonHistograms;
    case event::TagKind::kImage:
      return kPythonImages;
    case event::TagKind::kAudio:
      return kPythonAudio;
    default:
      return kPythonOthers;
  }
}

uint64_t RustKeeps(event::TagKind kind) {
  switch (kind) {
    case event::TagKind::kScalar:
      return kRustScalars;
    case event::TagKind::kImage:
    case event::TagKind::kAudio:
      return kRustBlobSequences;
    default:
      return kRustTensors;
  }
}

// The `--samples_per_plugin` key: the plugin's name.
std::string PluginKey(event::TagKind kind) {
  switch (kind) {
    case event::TagKind::kScalar:
    case event::TagKind::kHistogram:
    case event::TagKind::kImage:
    case event::TagKind::kAudio:
    case event::TagKind::kText:
      return event::TagKindName(kind);
    default:
      return "<plugin>";
  }
}

class TB601 : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void CheckRun(const RunResult& run, const LintOptions&, Sink& sink) const override {
    // Both readers keep one reservoir per tag and run, across all its files,
    // sized by the kind of the tag's first point (files in read order).
    struct Merged {
      event::TagKind kind;
      uint64_t points = 0;
    };
    std::map<std::string, Merged, std::less<>> tags;  // sorted: findings in tag order
    for (const FileResult* file : run.files) {
      for (const auto& [tag, s] : file->tags) {
        auto it = tags.find(tag);
        if (it == tags.end()) it = tags.emplace(tag, Merged{s.kind}).first;
        it->second.points += s.points;
      }
    }
    for (const auto& [tag, m] : tags) {
      // hparams are one summary per session, not a series.
      if (m.kind == event::TagKind::kHparams) continue;
      const uint64_t keeps = PythonKeeps(m.kind);
      if (m.points <= keeps) continue;
      const std::string kind = event::TagKindName(m.kind);
      const std::string plugin = PluginKey(m.kind);
      Finding& f =
          sink.Add("tag " + tag + " has " + std::to_string(m.points) + " points (" + kind + "); TensorBoard keeps " +
                   std::to_string(keeps) + " by default and hides " + std::to_string(m.points - keeps) +
                   "; `--samples_per_plugin " + plugin + "=0` shows them all");
      f.path = run.name;
      f.tag = tag;
      const uint64_t rust = RustKeeps(m.kind);
      f.impact = "Python reader: shows a random sample of " + std::to_string(keeps) + " of the " +
                 std::to_string(m.points) + " points (always the latest), " +
                 (m.kind == event::TagKind::kScalar ? "so spikes between kept points can vanish from the chart; "
                                                    : "the hidden steps never appear; ") +
                 "Rust server: " +
                 (m.points > rust ? "keeps " + std::to_string(rust) + " of them the same way"
                                  : "keeps all " + std::to_string(m.points));
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeTB601() { return std::make_unique<TB601>(); }

}  // namespace tblint
