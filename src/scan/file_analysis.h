// The per-file step and writer analysis: bookkeeping done once, while a
// file is scanned, for every rule that needs it (TB301 overwritten steps,
// TB302 regressions, TB303 step ranges, TB401 writers, TB402 wall-time
// ranges, TB601/TB602 tag counts and kinds). O(tags) memory, never a list of
// steps: each tag keeps a handful of numbers in its TagStats.
#ifndef TBLINT_SCAN_FILE_ANALYSIS_H_
#define TBLINT_SCAN_FILE_ANALYSIS_H_

#include <algorithm>
#include <array>
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
    if (ev.has_wall_time) {
      if (!f.has_wall_time) {
        f.min_wall = f.max_wall = ev.wall_time;
        f.has_wall_time = true;
      }
      // NaN compares false both ways and is left out of the range.
      if (ev.wall_time < f.min_wall) f.min_wall = ev.wall_time;
      if (ev.wall_time > f.max_wall) f.max_wall = ev.wall_time;
      if (have_last_wall_ && ev.wall_time < last_wall_) {
        if (f.wall_back_jumps++ == 0) {
          f.first_wall_back_jump_offset = rec.offset;
          f.first_wall_back_jump_record = rec.index;
        }
        f.largest_wall_back_jump = std::max(f.largest_wall_back_jump, last_wall_ - ev.wall_time);
      }
      if (!std::isnan(ev.wall_time)) {
        last_wall_ = ev.wall_time;
        have_last_wall_ = true;
      }
    }
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
      for (auto& [tag, s] : f.tags) s.covered_max = std::min(s.covered_max, ev.step - 1);
    }
    for (const event::Value& v : ev.values) UpdateTag(v, ev, rec);
  }

  void Finish() {
    if (pending_fv_) CountExtraFileVersion();
  }

 private:
  static constexpr int32_t kStart = 1;

  void CountExtraFileVersion() {
    if (file_->extra_file_versions++ == 0) {
      file_->first_extra_file_version_offset = pending_fv_offset_;
      file_->first_extra_file_version_record = pending_fv_record_;
    }
  }

  // Finding a tag's stats without hashing it, mostly: writers log a fixed
  // sequence of tags over and over, so each known tag remembers the tag that
  // followed it last time, and that prediction is checked first (a length
  // and a memcmp). A miss goes to a flat open-addressing index of the known
  // tags keyed by a hash of the bytes, and the prediction is updated. Keys
  // point into the map's nodes, which never move.
  static constexpr uint32_t kNoTag = UINT32_MAX;
  struct KnownTag {
    std::string_view key;
    TagStats* stats;
    uint32_t next = kNoTag;  // the tag that followed this one last time
    uint32_t hash = 0;
  };

  static bool SameBytes(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size()) == 0;
  }

  // FNV-1a over 8-byte words, then mixed: tags are short, and the index only
  // needs the low bits spread well.
  static uint32_t HashTag(std::string_view tag) {
    uint64_t h = 0xcbf29ce484222325ull ^ tag.size();
    size_t i = 0;
    for (; i + 8 <= tag.size(); i += 8) {
      uint64_t w;
      std::memcpy(&w, tag.data() + i, 8);
      h = (h ^ w) * 0x100000001b3ull;
    }
    for (; i < tag.size(); ++i) h = (h ^ static_cast<unsigned char>(tag[i])) * 0x100000001b3ull;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 32;
    return static_cast<uint32_t>(h);
  }

  TagStats* Cached(std::string_view tag) {
    if (prev_tag_ != kNoTag) {
      const uint32_t n = known_[prev_tag_].next;
      if (n != kNoTag && SameBytes(known_[n].key, tag)) [[likely]] {
        prev_tag_ = n;
        return known_[n].stats;
      }
    }
    if (index_.empty()) return nullptr;
    const uint32_t h = HashTag(tag);
    const size_t mask = index_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      const uint32_t slot = index_[i];
      if (slot == 0) return nullptr;
      const KnownTag& k = known_[slot - 1];
      if (k.hash == h && SameBytes(k.key, tag)) {
        if (prev_tag_ != kNoTag) known_[prev_tag_].next = slot - 1;
        prev_tag_ = slot - 1;
        return k.stats;
      }
    }
  }

  // A tag the map did not hold was added: index it.
  void Remember(std::string_view key, TagStats* stats) {
    if ((known_.size() + 1) * 2 > index_.size()) {
      index_.assign(std::max<size_t>(16, index_.size() * 2), 0);
      for (uint32_t j = 0; j < known_.size(); ++j) Place(j);
    }
    const auto j = static_cast<uint32_t>(known_.size());
    known_.push_back({key, stats, kNoTag, HashTag(key)});
    Place(j);
    if (prev_tag_ != kNoTag) known_[prev_tag_].next = j;
    prev_tag_ = j;
  }

  void Place(uint32_t j) {
    const size_t mask = index_.size() - 1;
    size_t i = known_[j].hash & mask;
    while (index_[i] != 0) i = (i + 1) & mask;
    index_[i] = j + 1;
  }

  void UpdateTag(const event::Value& v, const event::EventView& ev, const Record& rec) {
    TagStats* found = Cached(v.tag);
    const event::TagKind kind = v.tag_kind();
    if (kind == event::TagKind::kHparams) [[unlikely]] CollectHparams(file_, rec.payload, &v - ev.values.data());
    const int64_t step = ev.step;
    if (found == nullptr) {
      TagStats s;
      s.kind = kind;
      s.kinds_seen = static_cast<uint8_t>(1u << static_cast<unsigned>(kind));
      s.last_step = s.min_step = s.max_step = s.covered_max = step;
      s.points = 1;
      if (sample_scalars_ && v.has_scalar) s.sample.emplace_back(step, v.scalar);
      auto [it, added] = file_->tags.emplace(std::string(v.tag), s);
      if (added) Remember(it->first, &it->second);
      return;
    }
    TagStats& s = *found;
    s.kinds_seen |= static_cast<uint8_t>(1u << static_cast<unsigned>(kind));
    ++s.points;
    if (step < s.last_step) {
      if (s.regressions++ == 0) {
        s.first_regression_from = s.last_step;
        s.first_regression_to = step;
        s.first_regression_offset = rec.offset;
      }
      if (!s.awaiting_new_peak) {
        s.awaiting_new_peak = true;
        s.peak_at_regression = s.max_step;
      }
    }
    if (s.awaiting_new_peak && step > s.peak_at_regression) {
      ++s.interleaves;
      s.awaiting_new_peak = false;
    }
    // A step at or below the highest one still shown, within the covered
    // range, re-logs a step (exact for writers that log every step in order).
    if (step >= s.min_step && step <= s.covered_max) {
      if (s.overwritten++ == 0) {
        s.first_overwritten_step = step;
        s.first_overwritten_offset = rec.offset;
      }
    }
    s.last_step = step;
    s.min_step = std::min(s.min_step, step);
    s.max_step = std::max(s.max_step, step);
    s.covered_max = std::max(s.covered_max, step);
    if (sample_scalars_ && v.has_scalar) Sample(s, step, v.scalar);
  }

  // --format html's sparklines (LintOptions::sample_scalars): every
  // sample_stride-th point; when full, every other one is dropped and the
  // stride doubles, so the sample stays evenly spread and bounded.
  static void Sample(TagStats& s, int64_t step, double value) {
    if ((s.points - 1) % s.sample_stride != 0) return;
    if (s.sample.size() >= kMaxScalarSample) {
      size_t kept = 0;
      for (size_t i = 0; i < s.sample.size(); i += 2) s.sample[kept++] = s.sample[i];
      s.sample.resize(kept);
      s.sample_stride *= 2;
      if ((s.points - 1) % s.sample_stride != 0) return;
    }
    s.sample.emplace_back(step, value);
  }

  std::vector<KnownTag> known_;  // every tag of the file, in order of first appearance
  std::vector<uint32_t> index_;  // known_ position + 1 by hash, 0 when empty; a power of two
  uint32_t prev_tag_ = kNoTag;   // the tag of the previous value
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
