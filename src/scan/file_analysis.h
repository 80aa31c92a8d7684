// The per-file step and writer analysis: bookkeeping done once, while a
// file is scanned, for every rule that needs it (TB301 overwritten steps,
// TB302 regressions, TB303 step ranges, TB401 writers, TB402 wall-time
// ranges, TB601/TB602 tag counts and kinds). O(tags) memory, never a list of
// steps: each tag keeps a handful of numbers in its 16-byte slot, or its
// TagCore when it needs more (rule/tag_map.h), and O(1) work per value
// however many tags the file has.
#ifndef TBLINT_SCAN_FILE_ANALYSIS_H_
#define TBLINT_SCAN_FILE_ANALYSIS_H_

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "event/event.h"
#include "record/record_reader.h"
#include "rule/model.h"
#include "scan/hparams_collect.h"

namespace tblint {

class FileAnalysis {
 public:
  explicit FileAnalysis(FileResult* file, bool sample_scalars = false)
      : file_(file), sample_scalars_(sample_scalars) {}

  void OnEvent(const event::EventView& ev, const Record& rec) {
    FileResult& f = *file_;
    if (ev.has_wall_time) OnWallTime(ev.wall_time, rec);
    // A file_version after the first is a second writer, unless the very
    // next event is a SessionLog START at the same step (torch purge_step).
    if (pending_fv_) {
      const bool purge =
          ev.what == event::What::kSessionLog && ev.session_status == kStart && ev.step == pending_fv_step_;
      if (!purge) CountExtraFileVersion();
      pending_fv_ = false;
    }
    if (ev.what == event::What::kFileVersion) {
      if (seen_fv_) {
        pending_fv_ = true;
        pending_fv_step_ = ev.step;
        pending_fv_offset_ = rec.offset;
        pending_fv_record_ = rec.index;
      }
      seen_fv_ = true;
    } else if (ev.what == event::What::kSessionLog && ev.session_status == kStart) {
      if (f.session_starts.size() < kMaxStartsKept) f.session_starts.push_back(ev.step);
      ++f.session_start_count;
      // TensorBoard purges steps >= the START's step: they are not re-logs.
      // Every tag's covered_max drops to step - 1, lazily (Purge).
      Purge(ev.step);
    }
    for (const event::Value& v : ev.values) UpdateTag(v, ev, rec);
  }

  void Finish() {
    if (pending_fv_) CountExtraFileVersion();
  }

  // The scan's fast path (ScalarTemplates::MatchHit): a record of one scalar
  // matched a template whose tag and kind an earlier record of the same
  // template told (TemplateTag). Does what OnEvent does with the EventView
  // Fill(hit) would give (a summary of that one value), without it.
  void OnScalarHit(const event::ScalarTemplates::Hit& hit, uint32_t tag, event::TagKind kind, const Record& rec) {
    OnWallTime(hit.wall_time, rec);
    if (pending_fv_) [[unlikely]] {  // a summary is no torch purge_step START
      CountExtraFileVersion();
      pending_fv_ = false;
    }
    prev_tag_ = tag;
    UpdateCore(tag, kind, hit.step, rec, true, hit.value);
  }

  // The tag index and kind of the template of `hit`, when RememberTemplate
  // was told them for the same learning of that template.
  bool TemplateTag(const event::ScalarTemplates::Hit& hit, uint32_t* tag, event::TagKind* kind) const {
    if (hit.id > template_tags_.size()) [[unlikely]] return false;
    const TemplateTagEntry& e = template_tags_[hit.id - 1];
    if (e.stamp != hit.stamp) [[unlikely]] return false;
    *tag = e.tag;
    *kind = e.kind;
    return true;
  }

  // After OnEvent of the EventView Fill(hit) gave, whose one value is `v`:
  // remembers the template's tag (the one OnEvent just updated) and kind.
  // Hparams values are left to OnEvent (they are collected from the payload).
  void RememberTemplate(const event::ScalarTemplates::Hit& hit, const event::Value& v) {
    if (prev_tag_ == kNoTag || !file_->tags.KeyIs(prev_tag_, v.tag)) return;  // not kept (a full map)
    const event::TagKind kind = v.tag_kind();
    if (kind == event::TagKind::kHparams) return;
    // Sized by the ids seen (a small file has a few templates; at most kMaxTemplates).
    if (hit.id > template_tags_.size()) {
      template_tags_.resize(std::clamp<size_t>(2 * template_tags_.size(), hit.id, event::ScalarTemplates::kMaxTemplates));
    }
    template_tags_[hit.id - 1] = TemplateTagEntry{hit.stamp, prev_tag_, kind};
  }

 private:
  static constexpr int32_t kStart = 1;

  void OnWallTime(double wall, const Record& rec) {
    FileResult& f = *file_;
    if (!f.has_wall_time) [[unlikely]] {
      f.min_wall = f.max_wall = wall;
      f.has_wall_time = true;
    }
    // NaN compares false both ways and is left out of the range.
    if (wall < f.min_wall) [[unlikely]] f.min_wall = wall;
    if (wall > f.max_wall) f.max_wall = wall;
    if (wall < last_wall_ && have_last_wall_) [[unlikely]] {
      if (f.wall_back_jumps++ == 0) {
        f.first_wall_back_jump_offset = rec.offset;
        f.first_wall_back_jump_record = rec.index;
      }
      f.largest_wall_back_jump = std::max(f.largest_wall_back_jump, last_wall_ - wall);
    }
    if (!std::isnan(wall)) [[likely]] {
      last_wall_ = wall;
      have_last_wall_ = true;
    }
  }

  void CountExtraFileVersion() {
    if (file_->extra_file_versions++ == 0) {
      file_->first_extra_file_version_offset = pending_fv_offset_;
      file_->first_extra_file_version_record = pending_fv_record_;
    }
  }

  // Finding a tag without hashing it, mostly: writers log a fixed sequence
  // of tags over and over, so the tag that follows each known tag is
  // predicted and checked first (a length and a memcmp). A miss goes to the
  // map's flat index, and the prediction is updated.
  static constexpr uint32_t kNoTag = TagMap::kNone;

  uint32_t Lookup(TagMap& tags, std::string_view tag) {
    if (prev_tag_ != kNoTag) {
      const uint32_t n = Predict(prev_tag_, static_cast<uint32_t>(tags.size()));
      if (n != kNoTag && tags.KeyIs(n, tag)) [[likely]] {
        prev_tag_ = n;
        return n;
      }
    }
    const uint32_t i = tags.Find(tag);
    if (i != kNoTag) {
      if (prev_tag_ != kNoTag) Learn(prev_tag_, i, static_cast<uint32_t>(tags.size()));
      prev_tag_ = i;
    }
    return i;
  }

  // The prediction: the tag that followed `prev` last time, when the table
  // remembers it, else the tag after it in order of first appearance (what a
  // fixed sequence gives). The table is direct-mapped by `prev` and grows
  // with the tags up to kMaxNext entries: exact up to that many tags, and a
  // bounded cache beyond (a file of a million tags in a fixed order needs
  // none of it).
  struct NextEntry {
    uint32_t from = kNoTag;
    uint32_t to = 0;
  };
  static constexpr size_t kMaxNext = size_t{1} << 16;

  uint32_t Predict(uint32_t prev, uint32_t size) const {
    if (!next_.empty()) {
      const NextEntry& e = next_[prev & (next_.size() - 1)];
      if (e.from == prev) return e.to;
    }
    return prev + 1 < size ? prev + 1 : kNoTag;
  }

  void Learn(uint32_t prev, uint32_t to, uint32_t size) {
    if (next_.size() < size && next_.size() < kMaxNext) {
      std::vector<NextEntry> grown(std::min(kMaxNext, std::bit_ceil(std::max<size_t>(size, 16))));
      for (const NextEntry& e : next_) {
        if (e.from != kNoTag) grown[e.from & (grown.size() - 1)] = e;
      }
      next_ = std::move(grown);
    }
    NextEntry& e = next_[prev & (next_.size() - 1)];
    // The default needs no entry: keep another tag's.
    if (e.from == prev || to != prev + 1) e = NextEntry{prev, to};
  }

  // SessionLog START purges, O(1) amortised however many tags: each START
  // opens a purge epoch; a tag's covered_max is brought up to date when the
  // tag is next touched (Bring), with the lowest purge since its epoch. The
  // purges kept form a stack whose caps rise from bottom to top (a lower cap
  // makes the higher ones before it irrelevant), so that lowest purge is the
  // first one on the stack after the tag's epoch. When the stack grows past a
  // quarter of the tags (or the epoch counter would wrap), every tag is
  // brought up to date at once and the stack starts over.
  void Purge(int64_t start_step) {
    TagMap& tags = file_->tags;
    if (tags.empty()) return;
    // step - 1, wrapping like the two's complement it always computed.
    const auto cap = static_cast<int64_t>(static_cast<uint64_t>(start_step) - 1);
    ++epoch_;
    while (!purge_caps_.empty() && purge_caps_.back() >= cap) {
      purge_caps_.pop_back();
      purge_epochs_.pop_back();
    }
    purge_caps_.push_back(cap);
    purge_epochs_.push_back(epoch_);
    if (purge_caps_.size() > std::max<size_t>(64, tags.size() / 4) || epoch_ >= UINT32_MAX - 1) {
      for (uint32_t i = 0; i < tags.size(); ++i) {
        // A compact tag is up to date with epoch 0 (UpdateCore): the lowest
        // cap of all applies, and leaves it compact unless below its steps.
        if (tags.IsCompact(i) && tags.CompactMax(i) <= purge_caps_.front()) continue;
        TagCore& c = tags.Wide(i);
        Bring(c);
        c.epoch = 0;
      }
      epoch_ = 0;
      purge_caps_.clear();
      purge_epochs_.clear();
    }
  }

  void Bring(TagCore& c) const {
    if (c.epoch == epoch_) return;
    const auto k = std::upper_bound(purge_epochs_.begin(), purge_epochs_.end(), c.epoch) - purge_epochs_.begin();
    c.covered_max = std::min(c.covered_max, purge_caps_[static_cast<size_t>(k)]);
    c.epoch = epoch_;
  }

  void UpdateTag(const event::Value& v, const event::EventView& ev, const Record& rec) {
    TagMap& tags = file_->tags;
    const uint32_t i = Lookup(tags, v.tag);
    const event::TagKind kind = v.tag_kind();
    if (kind == event::TagKind::kHparams) [[unlikely]] CollectHparams(file_, rec.payload, &v - ev.values.data());
    const int64_t step = ev.step;
    if (i == kNoTag) {
      TagCore init;
      init.last_step = init.min_step = init.max_step = init.covered_max = step;
      init.points_kinds = TagCore::Pack(kind, 1);
      init.epoch = epoch_;
      const uint32_t j = tags.Add(v.tag, init);
      if (j == kNoTag) return;  // the map is full (hostile): counted in not_kept()
      if (prev_tag_ != kNoTag) Learn(prev_tag_, j, static_cast<uint32_t>(tags.size()));
      prev_tag_ = j;
      if (sample_scalars_ && v.has_scalar) tags.detail(j).sample.emplace_back(step, v.scalar);
      return;
    }
    UpdateCore(i, kind, step, rec, v.has_scalar, v.scalar);
  }

  // A point of known tag i. Inline for the common case: a compact tag (its
  // last step and covered_max are its highest step), a step above that, no
  // purge pending (epoch 0, which compact tags are up to date with) and no
  // sampling. Otherwise the tag becomes wide; wide tags have a common case of
  // their own (up to date with the purges, no details, a step above every
  // one shown), which the general case below reduces to.
  void UpdateCore(uint32_t i, event::TagKind kind, int64_t step, const Record& rec, bool has_scalar, double scalar) {
    if (epoch_ == 0 && !sample_scalars_ && file_->tags.BumpCompact(i, kind, step)) [[likely]] return;
    UpdateWide(i, kind, step, rec, has_scalar, scalar);
  }
  [[gnu::noinline]] void UpdateWide(uint32_t i, event::TagKind kind, int64_t step, const Record& rec, bool has_scalar,
                                    double scalar) {
    TagCore& c = file_->tags.Wide(i);
    if (c.epoch == epoch_ && c.detail == 0 && step > c.last_step && step > c.covered_max && !sample_scalars_)
        [[likely]] {
      c.points_kinds = (c.points_kinds | TagCore::KindBit(kind)) + 1;
      c.last_step = step;
      c.min_step = std::min(c.min_step, step);
      c.max_step = std::max(c.max_step, step);
      c.covered_max = step;
      return;
    }
    UpdateCoreSlow(c, kind, step, rec, has_scalar, scalar);
  }
  [[gnu::noinline]] void UpdateCoreSlow(TagCore& c, event::TagKind kind, int64_t step, const Record& rec,
                                        bool has_scalar, double scalar) {
    TagMap& tags = file_->tags;
    if (c.epoch != epoch_) [[unlikely]] Bring(c);
    c.points_kinds = (c.points_kinds | TagCore::KindBit(kind)) + 1;
    // The details (regressions, re-logs) are rare: allocated on first need.
    TagDetail* d = tags.DetailOf(c);
    if (step < c.last_step) [[unlikely]] {
      if (d == nullptr) d = &tags.DetailFor(c);
      if (d->regressions++ == 0) {
        d->first_regression_from = c.last_step;
        d->first_regression_to = step;
        d->first_regression_offset = rec.offset;
      }
      if (!d->awaiting_new_peak) {
        d->awaiting_new_peak = true;
        d->peak_at_regression = c.max_step;
      }
    }
    if (d != nullptr && d->awaiting_new_peak && step > d->peak_at_regression) {
      ++d->interleaves;
      d->awaiting_new_peak = false;
    }
    // A step at or below the highest one still shown, within the covered
    // range, re-logs a step (exact for writers that log every step in order).
    if (step >= c.min_step && step <= c.covered_max) [[unlikely]] {
      if (d == nullptr) d = &tags.DetailFor(c);
      if (d->overwritten++ == 0) {
        d->first_overwritten_step = step;
        d->first_overwritten_offset = rec.offset;
      }
    }
    c.last_step = step;
    c.min_step = std::min(c.min_step, step);
    c.max_step = std::max(c.max_step, step);
    c.covered_max = std::max(c.covered_max, step);
    if (sample_scalars_ && has_scalar) [[unlikely]] Sample(tags.DetailFor(c), c.points(), step, scalar);
  }

  // --format html's sparklines (LintOptions::sample_scalars): every
  // sample_stride-th point; when full, every other one is dropped and the
  // stride doubles, so the sample stays evenly spread and bounded.
  static void Sample(TagDetail& s, uint64_t points, int64_t step, double value) {
    if ((points - 1) % s.sample_stride != 0) return;
    if (s.sample.size() >= kMaxScalarSample) {
      size_t kept = 0;
      for (size_t i = 0; i < s.sample.size(); i += 2) s.sample[kept++] = s.sample[i];
      s.sample.resize(kept);
      s.sample_stride *= 2;
      if ((points - 1) % s.sample_stride != 0) return;
    }
    s.sample.emplace_back(step, value);
  }

  struct TemplateTagEntry {
    uint64_t stamp = 0;  // ScalarTemplates::Hit::stamp; 0 is never one
    uint32_t tag = kNoTag;
    event::TagKind kind = event::TagKind::kOther;
  };
  std::vector<TemplateTagEntry> template_tags_;  // by template id - 1; grown as ids are seen
  std::vector<NextEntry> next_;                  // the prediction (Predict); a power of two
  uint32_t prev_tag_ = kNoTag;  // the tag of the previous value
  uint32_t epoch_ = 0;          // purge epochs opened since the last full update (Purge)
  std::vector<int64_t> purge_caps_;     // rising from bottom to top
  std::vector<uint32_t> purge_epochs_;  // the epoch each cap was opened in
  FileResult* file_;
  bool sample_scalars_ = false;
  bool have_last_wall_ = false;
  double last_wall_ = 0;
  bool seen_fv_ = false;
  bool pending_fv_ = false;
  int64_t pending_fv_step_ = 0;
  uint64_t pending_fv_offset_ = 0;
  uint64_t pending_fv_record_ = 0;
};

}  // namespace tblint

#endif  // TBLINT_SCAN_FILE_ANALYSIS_H_
