// TB507 duplicate-run-copy: the same event file in two or more runs. Rationale: docs/rules/TB507.md
#include <algorithm>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rule/rule.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {"TB507", "duplicate-run-copy", Severity::kWarning,
                            "the same event file (same name, same first records) in two or more runs",
                            Applicability::kNone};

// Runs named in a message before "+N more".
constexpr size_t kRunsNamed = 4;

// Same first records: the data CRCs both files have agree (a copy of a file
// still being written may hold fewer records than the original).
bool SameHead(const FileResult& a, const FileResult& b) {
  const size_t n = std::min(a.head_crc_count, b.head_crc_count);
  if (n == 0) return false;
  return std::equal(a.head_crcs.begin(), a.head_crcs.begin() + static_cast<std::ptrdiff_t>(n), b.head_crcs.begin());
}

// One file seen through two paths (a symlinked run directory) is not a copy.
bool SameInode(const FileResult& a, const FileResult& b) {
  return a.info.ino != 0 && a.info.dev == b.info.dev && a.info.ino == b.info.ino;
}

class TB507 : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void CheckLogdir(const LogdirResult& logdir, const LintOptions&, Sink& sink) const override {
    // Files by base name (one sorted array of pointers: a map node per file
    // would cost 72 bytes each on a logdir of 100,000 files); only names
    // found in more than one run matter. Within a name, longest signature
    // first: each group forms around a file that holds the most records, and
    // the shorter copies join it.
    std::vector<const FileResult*> all;
    for (const FileResult& f : logdir.files) {
      if (f.head_crc_count == 0 || !f.io_error.empty()) continue;
      all.push_back(&f);
    }
    std::sort(all.begin(), all.end(), [](const FileResult* a, const FileResult* b) {
      if (const int c = a->info.name().compare(b->info.name()); c != 0) return c < 0;
      if (a->head_crc_count != b->head_crc_count) return a->head_crc_count > b->head_crc_count;
      return a->info.rel_path() < b->info.rel_path();
    });
    for (size_t begin = 0, end = 0; begin < all.size(); begin = end) {
      for (end = begin + 1; end < all.size() && all[end]->info.name() == all[begin]->info.name();) ++end;
      if (end - begin < 2) continue;
      const std::span<const FileResult* const> files(all.data() + begin, end - begin);
      std::vector<bool> taken(files.size(), false);
      for (size_t i = 0; i < files.size(); ++i) {
        if (taken[i]) continue;
        std::vector<const FileResult*> group = {files[i]};
        for (size_t j = i + 1; j < files.size(); ++j) {
          if (taken[j] || files[j]->info.run() == files[i]->info.run()) continue;
          bool copy = SameHead(*files[i], *files[j]);
          for (const FileResult* g : group) copy = copy && !SameInode(*g, *files[j]);
          if (!copy) continue;
          taken[j] = true;
          group.push_back(files[j]);
        }
        if (group.size() < 2) continue;
        std::sort(group.begin(), group.end(),
                  [](const FileResult* a, const FileResult* b) { return a->info.rel_path() < b->info.rel_path(); });
        Report(group, sink);
      }
    }
  }

 private:
  static void Report(const std::vector<const FileResult*>& group, Sink& sink) {
    std::string runs;
    for (size_t k = 0; k < group.size(); ++k) {
      if (k == kRunsNamed) {
        runs += ", +" + std::to_string(group.size() - kRunsNamed) + " more";
        break;
      }
      runs += (k > 0 ? (k + 1 == group.size() ? " and '" : ", '") : "'") + std::string(group[k]->info.run()) + "'";
    }
    size_t compared = kHeadCrcsKept;
    for (const FileResult* f : group) compared = std::min<size_t>(compared, f->head_crc_count);
    const FileResult& first = *group[0];
    Finding& f = sink.Add("event file '" + std::string(first.info.name()) + "' is in " + std::to_string(group.size()) +
                          " runs with the same first " + std::to_string(compared) + " record" +
                          (compared == 1 ? "" : "s") + ": " + runs +
                          "; a run copied into a second folder (cp, rsync): keep one copy and move the other out of "
                          "the logdir");
    f.path = first.info.rel_path();
    f.run = first.info.run();
    f.impact = "TensorBoard lists every folder holding event files as a run of its own: the same points appear " +
               std::to_string(group.size()) + " times, as " + std::to_string(group.size()) +
               " runs with identical curves, each in its own colour";
  }
};

}  // namespace

std::unique_ptr<Rule> MakeTB507() { return std::make_unique<TB507>(); }

}  // namespace tblint
