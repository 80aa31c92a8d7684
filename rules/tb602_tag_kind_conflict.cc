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

constexpr uint8_t Bit(event::TagKind kind) { return static_cast<uint8_t>(1u << static_cast<unsigned>(kind)); }
// Every kind a file logged the tag as: kinds_seen covers mixed kinds within
// one file; Bit(kind) keeps this correct for cores filled without it.
uint8_t KindBits(const TagCore& c) { return static_cast<uint8_t>(c.kinds_seen() | Bit(c.kind())); }

class TB602 : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void CheckRun(const RunResult& run, const LintOptions&, Sink& sink) const override {
    // Per distinct tag (TagUnion: compact, however many tags): the kind of
    // its first point (TensorBoard files the tag under it), every kind, and
    // the files holding it. A run of one file (one of a million tags, say)
    // reads its map directly; only several files need the sums.
    std::vector<const TagMap*> maps;
    for (const FileResult* file : run.files) maps.push_back(&file->tags);
    const TagUnion tags(std::move(maps));
    const TagMap* only = run.files.size() == 1 ? &run.files.front()->tags : nullptr;
    std::vector<uint8_t> kind_bits;
    std::vector<event::TagKind> firsts;
    std::vector<uint32_t> files;
    if (only == nullptr) {
      kind_bits.assign(tags.size(), 0);
      firsts.assign(tags.size(), event::TagKind::kOther);
      files.assign(tags.size(), 0);
      for (size_t m = 0; m < run.files.size(); ++m) {
        const TagMap& file_tags = run.files[m]->tags;
        for (uint32_t i = 0; i < file_tags.size(); ++i) {
          const uint32_t id = tags.Id(m, i);
          const TagCore c = file_tags.Full(i);
          if (files[id]++ == 0) firsts[id] = c.kind();
          kind_bits[id] |= KindBits(c);
        }
      }
    }
    const auto bits_of = [&](uint32_t id) { return only ? KindBits(only->Full(id)) : kind_bits[id]; };
    const auto first_of = [&](uint32_t id) { return only ? only->Full(id).kind() : firsts[id]; };
    const auto files_of = [&](uint32_t id) -> uint64_t { return only ? 1 : files[id]; };
    std::vector<uint32_t> mixed;  // sorted: findings in tag order
    for (uint32_t id = 0; id < tags.size(); ++id) {
      const uint8_t bits = bits_of(id);
      if ((bits & (bits - 1)) != 0) mixed.push_back(id);
    }
    std::sort(mixed.begin(), mixed.end(), [&tags](uint32_t a, uint32_t b) { return tags.key(a) < tags.key(b); });
    for (const uint32_t id : mixed) {
      struct {
        event::TagKind first;
        uint8_t kinds;
        uint64_t files;
      } m{first_of(id), bits_of(id), files_of(id)};
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
