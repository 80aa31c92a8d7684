// TB303 resumed-run-overlap: a later file of a run re-logs steps an earlier file holds. Rationale: docs/rules/TB303.md
#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "rule/rule.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {"TB303", "resumed-run-overlap", Severity::kWarning,
                            "in one run, a later file re-logs steps that an earlier file holds", Applicability::kNone};

// Points of `s` expected in [lo, hi], assuming they are spread evenly over
// its step range (exact for the usual every-N-steps logging).
double PointsIn(const TagStats& s, int64_t lo, int64_t hi) {
  if (hi < lo) return 0;
  // In double: steps may be anywhere in int64 (a difference could overflow).
  const double span = static_cast<double>(s.max_step) - static_cast<double>(s.min_step) + 1;
  const double part =
      static_cast<double>(std::min(hi, s.max_step)) - static_cast<double>(std::max(lo, s.min_step)) + 1;
  if (part <= 0) return 0;
  return static_cast<double>(s.points) * part / span;
}

class TB303 : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void CheckRun(const RunResult& run, const LintOptions&, Sink& sink) const override {
    if (run.files.size() < 2) return;
    // Earlier files' tags, merged: per distinct tag (TagUnion: compact,
    // however many tags), the file that holds the highest steps (its
    // position + 1, 0 for none) and the tag's index there.
    std::vector<const TagMap*> maps;
    for (const FileResult* file : run.files) maps.push_back(&file->tags);
    const TagUnion ids(std::move(maps));
    struct Earlier {
      uint32_t file = 0;
      uint32_t index = 0;
    };
    std::vector<Earlier> earlier(ids.size());
    bool earlier_start = false;
    for (size_t fi = 0; fi < run.files.size(); ++fi) {
      const FileResult* file = run.files[fi];
      // A purge_step resume (SessionLog START at the first step the new file
      // logs) makes the Python reader drop the old steps, but only when the
      // run already has a START: it ignores a run's first one.
      const bool purges = !file->session_starts.empty() && earlier_start;
      int64_t lo = INT64_MAX, hi = INT64_MIN;
      double points = 0;
      std::string tags;
      int ntags = 0;
      const FileResult* older = nullptr;
      int64_t first_step = 0;
      // In tag-name order, so the message names the same tags whatever order
      // the writer logged them in.
      std::vector<uint32_t> order(file->tags.size());
      for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
      std::sort(order.begin(), order.end(),
                [file](uint32_t a, uint32_t b) { return file->tags.key(a) < file->tags.key(b); });
      for (const uint32_t i : order) {
        const Earlier& at = earlier[ids.Id(fi, i)];
        if (at.file == 0) continue;
        const FileResult* const at_file = run.files[at.file - 1];
        const std::string_view tag = file->tags.key(i);
        const TagStats s = file->tags.Stats(i);
        const TagStats e = at_file->tags.Stats(at.index);
        if (s.min_step > e.max_step) continue;
        const int64_t olo = std::max(s.min_step, e.min_step), ohi = std::min(s.max_step, e.max_step);
        if (ohi < olo) continue;
        if (purges && file->session_starts.front() <= s.min_step) continue;
        lo = std::min(lo, olo);
        hi = std::max(hi, ohi);
        points += PointsIn(e, olo, ohi);
        if (ntags++ < 3) tags += (ntags > 1 ? ", " : "") + std::string(tag);
        if (older == nullptr) {
          older = at_file;
          first_step = olo;
        }
      }
      if (ntags > 0) {
        if (ntags > 3) tags += ", +" + std::to_string(ntags - 3) + " more";
        const long long n = std::llround(points);
        const std::string range = std::to_string(lo) + "–" + std::to_string(hi);
        // A resumed job starts after the earlier one ended; files whose
        // wall-time ranges overlap were written at the same time.
        const bool concurrent = older->has_wall_time && file->has_wall_time && file->min_wall < older->max_wall &&
                                older->min_wall < file->max_wall;
        const std::string what =
            concurrent ? "; the two files were written at the same time (their wall-time ranges overlap), so this is "
                         "concurrent writing (TB402) or a copy (TB503), not a resumed job: give each writer its own "
                         "run directory"
                       : "; a resumed job: resume with purge_step on the first job too (purge_step=0, so the run "
                         "has a SessionLog START before the one that must purge) and on the resumed one, or start "
                         "the resumed job in a fresh run directory";
        Finding& f =
            sink.Add(std::string(file->info.name()) + " re-logs steps " + range + " that " +
                     std::string(older->info.name()) + " already holds: " + std::to_string(n) + " earlier points in " +
                     std::to_string(ntags) + (ntags == 1 ? " tag (" : " tags (") + tags + ")" + what);
        f.path = run.name;
        f.step = first_step;
        f.impact = "Python reader: both series drawn, the line runs back from step " + std::to_string(hi) + " to " +
                   std::to_string(lo) + "; Rust server: steps " + range + " of the older file replaced";
      }
      for (uint32_t i = 0; i < file->tags.size(); ++i) {
        Earlier& at = earlier[ids.Id(fi, i)];
        if (at.file == 0 || file->tags.Full(i).max_step >= run.files[at.file - 1]->tags.Full(at.index).max_step) {
          at = {static_cast<uint32_t>(fi + 1), i};
        }
      }
      earlier_start = earlier_start || file->session_start_count > 0;
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeTB303() { return std::make_unique<TB303>(); }

}  // namespace tblint
