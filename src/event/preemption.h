// Which points TensorBoard shows when a run's files are read in its order:
// a point of a tag that steps back to step s replaces the tag's earlier points
// at steps >= s, and a SessionLog START at step s purges every tag's earlier
// points at steps >= s (format.md, "what the readers show"). Two passes over
// the run's points in read order, numbered by `seq`: pass 1 feeds Point and
// Start, then Finish; pass 2 asks Keeps for each point. Memory is one entry
// per tag plus one per point that steps back and per START, never per point.
// Used by `tblint export --view tensorboard` and `tblint merge --join`.
#ifndef TBLINT_EVENT_PREEMPTION_H_
#define TBLINT_EVENT_PREEMPTION_H_

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tblint::event {

class Preemption {
 public:
  enum Verdict { kKeep, kPreempted, kPurged };

  void Clear() {
    tags_.clear();
    starts_.clear();
    max_any_ = std::numeric_limits<int64_t>::min();
    any_ = false;
  }
  // Pass 1. Returns true when the point steps back (an overlap); then
  // *previous_max, when given, is the tag's highest step before it.
  bool Point(std::string_view tag, uint64_t seq, int64_t step, int64_t* previous_max = nullptr) {
    max_any_ = std::max(max_any_, step);
    any_ = true;
    auto it = tags_.find(tag);
    if (it == tags_.end()) {
      tags_.emplace(std::string(tag), Series{step, {}});
      return false;
    }
    Series& s = it->second;
    if (previous_max != nullptr) *previous_max = s.max;
    const bool back = step <= s.max;
    if (back) s.cuts.push_back({seq, step});
    s.max = std::max(s.max, step);
    return back;
  }
  // Pass 1. Returns true when the START removes an earlier point.
  bool Start(uint64_t seq, int64_t step) {
    starts_.push_back({seq, step});
    return any_ && step <= max_any_;
  }
  void Finish() {
    for (auto& [tag, s] : tags_) Suffix(&s.cuts);
    Suffix(&starts_);
  }
  // Pass 2: whether the point survives, and if not, what removed it.
  Verdict Keeps(std::string_view tag, uint64_t seq, int64_t step) const {
    if (auto it = tags_.find(tag); it != tags_.end() && step >= MinAfter(it->second.cuts, seq)) return kPreempted;
    if (step >= MinAfter(starts_, seq)) return kPurged;
    return kKeep;
  }

 private:
  struct Cut {
    uint64_t seq;
    int64_t step;  // after Finish: the minimum step of this and every later cut
  };
  struct Series {
    int64_t max = 0;
    std::vector<Cut> cuts;
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  static void Suffix(std::vector<Cut>* cuts) {
    for (size_t i = cuts->size(); i-- > 1;) (*cuts)[i - 1].step = std::min((*cuts)[i - 1].step, (*cuts)[i].step);
  }
  static int64_t MinAfter(const std::vector<Cut>& cuts, uint64_t seq) {
    auto it = std::upper_bound(cuts.begin(), cuts.end(), seq, [](uint64_t s, const Cut& c) { return s < c.seq; });
    return it == cuts.end() ? std::numeric_limits<int64_t>::max() : it->step;
  }
  std::unordered_map<std::string, Series, Hash, std::equal_to<>> tags_;
  std::vector<Cut> starts_;
  int64_t max_any_ = std::numeric_limits<int64_t>::min();
  bool any_ = false;
};

}  // namespace tblint::event

#endif  // TBLINT_EVENT_PREEMPTION_H_
