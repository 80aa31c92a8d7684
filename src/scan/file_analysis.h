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

#include "event/event.h"
#include "record/record_reader.h"
#include "rule/model.h"

namespace tblint {

class FileAnalysis {
 public:
  explicit FileAnalysis(FileResult* file) : file_(file) {}

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

  // A few recently used tags in front of the map: most files cycle through a
  // handful of tags, and this saves hashing each one per record. Keys point
  // into the map's nodes, which never move.
  TagStats* Cached(std::string_view tag) {
    for (const CacheEntry& e : cache_) {
      if (e.stats != nullptr && e.key.size() == tag.size() && std::memcmp(e.key.data(), tag.data(), tag.size()) == 0) {
        return e.stats;
      }
    }
    auto it = file_->tags.find(tag);
    if (it == file_->tags.end()) return nullptr;
    cache_[next_slot_++ % cache_.size()] = {it->first, &it->second};
    return &it->second;
  }

  void UpdateTag(const event::Value& v, const event::EventView& ev, const Record& rec) {
    TagStats* found = Cached(v.tag);
    const event::TagKind kind = v.tag_kind();
    const int64_t step = ev.step;
    if (found == nullptr) {
      TagStats s;
      s.kind = kind;
      s.kinds_seen = static_cast<uint8_t>(1u << static_cast<unsigned>(kind));
      s.last_step = s.min_step = s.max_step = s.covered_max = step;
      s.points = 1;
      file_->tags.emplace(std::string(v.tag), s);
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
  }

  struct CacheEntry {
    std::string_view key;
    TagStats* stats = nullptr;
  };
  std::array<CacheEntry, 8> cache_{};
  size_t next_slot_ = 0;
  FileResult* file_;
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
