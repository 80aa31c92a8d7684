// TB601 downsampled-tag: tags with more points than TensorBoard keeps, one finding per run.
// Rationale: docs/rules/TB601.md
#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

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

// A run can have thousands of downsampled tags: the message lists this many.
constexpr size_t kMaxTagsListed = 20;

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
    std::vector<const TagMap*> maps;
    for (const FileResult* file : run.files) maps.push_back(&file->tags);
    const TagUnion tags(std::move(maps));
    const TagTotals totals(tags);
    // One finding per run, listing every downsampled tag: a run logged for
    // long has many, and one line each would bury everything else.
    struct Over {
      std::string_view tag;
      event::TagKind kind;
      uint64_t points, keeps;
    };
    std::vector<Over> over;
    for (uint32_t id = 0; id < tags.size(); ++id) {
      const TagTotals::Totals t = totals[id];
      // hparams are one summary per session, not a series.
      if (t.first == event::TagKind::kHparams) continue;
      const uint64_t keeps = PythonKeeps(t.first);
      if (t.points > keeps) over.push_back({tags.key(id), t.first, t.points, keeps});
    }
    if (over.empty()) return;
    // Findings in tag order.
    std::sort(over.begin(), over.end(), [](const Over& a, const Over& b) { return a.tag < b.tag; });
    std::set<std::string> plugins;  // the --samples_per_plugin keys, sorted
    for (const Over& o : over) plugins.insert(PluginKey(o.kind));
    std::string setting;
    for (const std::string& p : plugins) setting += (setting.empty() ? "" : ",") + p + "=0";
    std::string msg;
    if (over.size() == 1) {
      const Over& o = over.front();
      msg = "tag " + std::string(o.tag) + " has " + std::to_string(o.points) + " points (" + event::TagKindName(o.kind) +
            "); TensorBoard keeps " + std::to_string(o.keeps) + " by default and hides " +
            std::to_string(o.points - o.keeps);
    } else {
      msg = std::to_string(over.size()) + " tags have more points than TensorBoard keeps by default: ";
      for (size_t i = 0; i < over.size() && i < kMaxTagsListed; ++i) {
        const Over& o = over[i];
        msg += (i > 0 ? "; " : "") + std::string(o.tag) + " " + std::to_string(o.points) + " points (" +
               event::TagKindName(o.kind) + "), keeps " + std::to_string(o.keeps) + ", hides " +
               std::to_string(o.points - o.keeps);
      }
      if (over.size() > kMaxTagsListed) msg += "; and " + std::to_string(over.size() - kMaxTagsListed) + " more";
    }
    Finding& f = sink.Add(msg + "; `--samples_per_plugin " + setting + "` shows them all");
    f.path = run.name;
    f.tag = std::string(over.front().tag);  // the first, in tag order
    if (over.size() == 1) {
      const Over& o = over.front();
      const uint64_t rust = RustKeeps(o.kind);
      f.impact = "Python reader: shows a random sample of " + std::to_string(o.keeps) + " of the " +
                 std::to_string(o.points) + " points (always the latest), " +
                 (o.kind == event::TagKind::kScalar ? "so spikes between kept points can vanish from the chart; "
                                                    : "the hidden steps never appear; ") +
                 "Rust server: " +
                 (o.points > rust ? "keeps " + std::to_string(rust) + " of them the same way"
                                  : "keeps all " + std::to_string(o.points));
    } else {
      f.impact =
          "Python reader: shows a random sample of each tag's points (always the latest), so scalar spikes between "
          "kept points can vanish from the chart and hidden steps of other kinds never appear; Rust server: keeps " +
          std::to_string(kRustScalars) + " scalars, " + std::to_string(kRustTensors) + " points of other tensors and " +
          std::to_string(kRustBlobSequences) + " images or audio clips per tag the same way";
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeTB601() { return std::make_unique<TB601>(); }

}  // namespace tblint
