// `tblint merge`: combine logdirs into one, join the files of a run into one
// event file in step order, or reduce runs (seeds) to per-step statistics.
// docs/merge.md is the user-facing description; this layer reads with the
// scan's discovery and the record reader, and writes only under the output
// directory (never an input).
//
// Memory:
//  - combine: O(runs + files) for the discovered layout, plus one record and
//    one 1 MiB write buffer: O(1) per file.
//  - join: per output run, O(tags + points that step back + SessionLog
//    STARTs + segments), where a segment is a stretch of a file whose steps
//    never decrease (a resumed run has one per file); the k-way merge of the
//    segments keeps one read buffer per segment (at most 64 MiB in all).
//  - reduce: O(tags x steps x runs) 8-byte values (each run's points, then
//    the cells every statistic is computed from), nothing per record.
#ifndef TBLINT_MERGE_MERGE_H_
#define TBLINT_MERGE_MERGE_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace tblint::merge {

enum class Mode : uint8_t { kCombine, kJoin, kReduce };

// What happens when a (tag, step) is written more than once in a run, or a
// resumed run re-logs steps (docs/merge.md, "Overlap policies").
enum class OnOverlap : uint8_t {
  kLast,     // what TensorBoard's Rust server shows: a point at step s removes
             // every earlier point of its tag at step >= s; a SessionLog START
             // at step s removes every earlier point at step >= s
  kFirst,    // the first write of each (tag, step) wins; nothing is purged
  kKeepAll,  // every point, in step order (join only)
  kError,    // refuse to write anything when `last` would drop a point
};

enum class NanPolicy : uint8_t { kSkip, kPropagate };
enum class StepSet : uint8_t { kIntersection, kUnion };

enum class Statistic : uint8_t { kMean, kStd, kMin, kMax, kMedian, kCount };
inline constexpr int kStatisticCount = 6;
const char* StatisticName(Statistic s);
std::optional<Statistic> ParseStatistic(std::string_view name);
std::optional<OnOverlap> ParseOnOverlap(std::string_view name);
const char* OnOverlapName(OnOverlap p);

// One input: a logdir, a run directory or an event file; `name` (from
// NAME:PATH) prefixes its run names.
struct Input {
  std::string name;
  std::string path;
};

struct Options {
  Mode mode = Mode::kCombine;
  std::string out_dir;
  OnOverlap on_overlap = OnOverlap::kLast;
  // reduce
  std::vector<Statistic> statistics;  // empty: all six
  NanPolicy nan = NanPolicy::kSkip;
  StepSet steps = StepSet::kIntersection;
  std::string reduce_name = "reduce";  // output runs are <reduce_name>-<statistic>
  std::string csv_path;                // "" for none
  std::string report_path;             // JSON conflict report; "" for none
  // Output file names: events.out.tfevents.<time>.<host>.<pid>.<n>.
  std::string host;  // "" for this machine's
  int64_t pid = 0;   // 0 for this process's
};

struct Stats {
  uint64_t runs_in = 0, files_in = 0, bytes_in = 0;
  uint64_t runs_out = 0, files_out = 0, bytes_out = 0;
  uint64_t records_in = 0, records_out = 0;
  uint64_t overlaps = 0;         // points at or below a step their tag already reached
  uint64_t dropped = 0;          // points not written (overlap policy)
  uint64_t skipped_spans = 0;    // damaged spans and undecodable records not copied
  uint64_t skipped_files = 0;    // input files with nothing to copy
};

// Runs the merge. Messages about skipped input go to `err` (one line each,
// names escaped); returns false with `error` for a usage problem (a path that
// does not exist, a name clash, an output directory that is not empty or
// overlaps an input), an overlap under kError, or output that could not be
// written. On failure nothing is left under the output directory's new files
// but what was complete before the failure.
bool Merge(const std::vector<Input>& inputs, const Options& options, std::ostream& err, Stats* stats,
           std::string* error);

}  // namespace tblint::merge

#endif  // TBLINT_MERGE_MERGE_H_
