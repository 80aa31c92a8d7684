// The scan's data model: what the walker discovered and what the scanner
// learned about each file, run and the logdir. Rules read it; reporters and
// `tblint runs` render it.
#ifndef TBLINT_RULE_MODEL_H_
#define TBLINT_RULE_MODEL_H_

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "event/event.h"
#include "event/hparams.h"
#include "rule/finding.h"
#include "rule/tag_map.h"

namespace tblint {

// Files modified more recently than this may still be written (seconds):
// the one default, used by the CLI, the scan and the docs.
inline constexpr double kDefaultGracePeriodS = 120;

struct LintOptions {
  double now = 0;                                 // seconds since the epoch; set by the caller
  double grace_period_s = kDefaultGracePeriodS;   // files modified more recently may still be written
  uint64_t oversized_record_bytes = 64ull << 20;  // TB107
  int max_depth = 3;                              // TB501
  std::string skip_dir;                           // a --backup-dir inside the logdir: never scanned
  uint64_t oversized_file_bytes = 1ull << 30;     // TB603: an event file over this
  uint64_t oversized_graph_bytes = 32ull << 20;   // TB603: a graph_def / meta_graph_def over this
  // Discovery: entries walked below a symlink leading out of the logdir before
  // it is given up (TB504); 0 means kOutsideLinkEntryBudget (scan/discover.h).
  uint64_t outside_link_entry_budget = 0;
  // Keep a small sample of each scalar tag's values per file (TagStats::sample),
  // for drawing only (--format html); off, the scan keeps no values at all.
  bool sample_scalars = false;
};

// What the first bytes of a file look like (TB106 names it).
enum class FileFormat : uint8_t {
  kTfRecord,  // or damaged TFRecord: anything not recognised below
  kEmpty,
  kGzip,
  kZip,
  kBzip2,
  kXz,
  kZstd,
  kGitLfsPointer,
  kHtml,
  kJson,
  kText,
};
const char* FileFormatName(FileFormat f);

struct FileInfo {
  // The file's path as opened (the given path joined with the relative one),
  // stored once: rel_path, name and run are views into it, so a logdir of
  // 100,000 files keeps one string per file. rel_len is the length of the
  // path relative to the given one (the file name for a single file): a
  // suffix of `path`, clamped to it.
  void SetPaths(std::string path, size_t rel_len);
  const std::string& path() const { return path_; }
  // Relative to the given path; the file name for a single file.
  std::string_view rel_path() const { return std::string_view(path_).substr(rel_pos_); }
  // Base name: rel_path after its last '/'.
  std::string_view name() const { return std::string_view(path_).substr(name_pos_); }
  // Run directory relative to the logdir: rel_path before its last '/', "." for the root.
  std::string_view run() const {
    return name_pos_ == rel_pos_ ? std::string_view(".")
                                 : std::string_view(path_).substr(rel_pos_, name_pos_ - 1 - rel_pos_);
  }

  uint64_t size = 0;
  double mtime = 0;
  uint64_t dev = 0;
  uint64_t ino = 0;
  bool recently_modified = false;  // mtime within the grace period
  bool open_for_writing = false;   // a live process holds it open for writing
  // The one liveness decision, made by the scan: rules lower severities and
  // hold fixes back on it, the fixer refuses on it.
  bool MayStillBeWritten() const { return recently_modified || open_for_writing; }
  FileFormat format = FileFormat::kTfRecord;

 private:
  std::string path_;
  uint32_t rel_pos_ = 0;   // where rel_path starts in path_
  uint32_t name_pos_ = 0;  // where name starts in path_
};

// Per tag and file: TagStats (what rules read) and TagMap (the compact flat
// map FileResult::tags is) live in rule/tag_map.h.

inline constexpr size_t kMaxStartsKept = 16;
// Records whose data CRCs make a file's content signature (TB507).
inline constexpr size_t kHeadCrcsKept = 8;

// The hparams plugin's records in one file (TB701-TB704): what the scan
// decoded of `_hparams_/experiment`, `_hparams_/session_start_info` and
// `_hparams_/session_end_info` values, in file order. Bounded: the first
// kMaxHparamsRecordsKept of each kind (TensorBoard reads only the first one
// per tag and run anyway), kMaxHparamsNamesKept names each, values as short
// text; the counts include the records not kept.
inline constexpr size_t kMaxHparamsRecordsKept = 4;
inline constexpr size_t kMaxHparamsNamesKept = 256;
struct HparamEntry {
  std::string name;
  event::HparamType type = event::HparamType::kUnset;
  std::string text;  // the value as TensorBoard's table prints it, cut at 64 bytes
};
struct HparamsSessionStart {
  std::vector<HparamEntry> hparams;  // the map's entries in wire order
  uint64_t hparams_not_kept = 0;
  std::string group_name;
};
struct HparamsMetric {
  std::string group;  // a run relative to the session's run ("" for the session's own)
  std::string tag;
};
struct HparamsExperiment {
  std::vector<std::pair<std::string, event::HparamDataType>> hparams;  // hparam_infos: name, declared type
  std::vector<HparamsMetric> metrics;                                  // metric_infos
  uint64_t names_not_kept = 0;
};
struct FileHparams {
  std::vector<HparamsSessionStart> session_starts;
  uint64_t session_start_count = 0;
  std::vector<HparamsExperiment> experiments;
  uint64_t experiment_count = 0;
  uint64_t session_end_count = 0;
  uint64_t undecodable = 0;  // hparams content TensorBoard cannot parse
  std::string first_error;
  bool empty() const { return session_start_count == 0 && experiment_count == 0 && session_end_count == 0; }
};

// FileResult::hparams: allocated by the first hparams record, so the
// files without any (nearly all) hold a pointer, not an empty FileHparams.
// Reads through -> and * see an empty FileHparams when none was allocated.
class FileHparamsBox {
 public:
  const FileHparams& operator*() const { return p_ ? *p_ : Empty(); }
  const FileHparams* operator->() const { return &**this; }
  FileHparams& Mutable() {
    if (!p_) p_ = std::make_unique<FileHparams>();
    return *p_;
  }

 private:
  static const FileHparams& Empty() {
    static const FileHparams empty;
    return empty;
  }
  std::unique_ptr<FileHparams> p_;
};

struct FileResult {
  FileInfo info;
  std::string io_error;  // non-empty when the file could not be read
  uint64_t records = 0;  // complete records with valid CRCs
  uint64_t events = 0;   // of those, payloads that decode as Events
  uint64_t bytes_scanned = 0;
  bool damaged = false;        // any TB1xx-style problem in the framing
  bool has_wall_time = false;  // any event with a wall time
  double min_wall = 0;
  double max_wall = 0;
  TagMap tags;
  // Writers (TB401): file_version records after the first that are not
  // PyTorch's purge_step pair (file_version then SessionLog START, same step).
  uint64_t extra_file_versions = 0;
  uint64_t first_extra_file_version_offset = 0;
  uint64_t first_extra_file_version_record = 0;
  uint64_t wall_back_jumps = 0;  // an event's wall time earlier than the previous one's
  double largest_wall_back_jump = 0;
  uint64_t first_wall_back_jump_offset = 0;
  uint64_t first_wall_back_jump_record = 0;
  // SessionLog START steps, in file order (at most kMaxStartsKept).
  std::vector<int64_t> session_starts;
  uint64_t session_start_count = 0;
  // Content signature (TB507): the masked data CRCs of the first complete
  // records, in file order (at most kHeadCrcsKept), as the reader checked them.
  std::array<uint32_t, kHeadCrcsKept> head_crcs{};
  uint8_t head_crc_count = 0;
  FileHparamsBox hparams;  // TB701-TB704; empty for files without hparams records
  std::vector<Finding> findings;
};

// What the logdir-wide rules read of a run's tags (TB502, TB701-TB704),
// summarised by the scan as soon as the run's files are read and its run
// checks ran (SummariseRunTags), so that a streamed check can release each
// file's TagMap then (ScanConfig::release_file_details) instead of holding
// every file's until the end.
struct RunTagSummary {
  struct Tag {
    std::string name;
    bool scalar = false;  // some file of the run logs it as a scalar (its first point's kind there)
    bool other = false;   // some file logs it as something else ...
    event::TagKind other_kind = event::TagKind::kOther;  // ... the first such file (read order): this kind
  };
  std::vector<Tag> tags;      // the run's distinct tags, sorted by name
  bool only_hparams = false;  // at least one tag, and every tag of every file is of kind hparams
  bool done = false;          // summarised (Lint sets it for every run)

  const Tag* Find(std::string_view tag) const;
};
// The summary of run.files' tags as they are now.
RunTagSummary SummariseRunTags(const std::vector<const FileResult*>& files);
// RunTagSummary::only_hparams of those files, without the rest.
bool OnlyHparamsTags(const std::vector<const FileResult*>& files);
// A run with more tags than this (over its files) keeps its files' tags even
// with ScanConfig::release_file_details: a large TagMap is already compact
// per tag, and copying its names would cost more than it saves.
inline constexpr size_t kMaxTagsSummarised = 4096;

struct RunResult {
  std::string name;                      // relative to the logdir, "." for the root
  std::string path;                      // as opened
  int depth = 0;                         // directory levels below the logdir
  std::vector<size_t> file_indices;      // into LogdirResult::files
  std::vector<const FileResult*> files;  // the same, in TensorBoard's read order
  // Set by Lint once the run's files are read, when it releases their tags
  // (ScanConfig::release_file_details, at most kMaxTagsSummarised tags);
  // otherwise not done, and the files keep their tags. The logdir-wide rules
  // read this when done, else a summary made from the files (the same).
  RunTagSummary tag_summary;
};

// A path the walker could not use (TB504).
struct PathProblem {
  std::string rel_path;
  std::string what;  // "permission denied", "symlink loop", "is a FIFO", ...
};

// A file named by a projector_config.pbtxt (TB506), checked by discovery.
struct ProjectorAsset {
  std::string config;   // rel path of the projector_config.pbtxt
  std::string field;    // "tensor_path", "metadata_path" or "sprite.image_path"
  std::string path;     // as written in the config
  bool exists = false;  // a file (not a directory) there, resolved like TensorBoard:
                        // `~` expanded, relative to the config's directory
};

// A file of a profile session (TB801), named like profile data, checked by
// discovery.
struct ProfileFile {
  std::string name;  // base name
  uint64_t size = 0;
  std::string damage;  // empty when readable as far as checked; else "empty (0 bytes)", "cut short (gzip): ..."
};

// A `plugins/profile/<session>/` folder (TB801), as the TF profiler, torch's
// XLA/TPU profiler and JAX write it below a run directory.
struct ProfileSession {
  std::string path;                // rel path of the session folder
  std::string run;                 // the directory holding plugins/, "." for the logdir
  std::vector<ProfileFile> files;  // profile data files by name (*.xplane.pb, *.trace.json.gz, ...), sorted
  uint64_t files_not_kept = 0;     // profile data files past kMaxProfileFilesKept
};
inline constexpr size_t kMaxProfileFilesKept = 64;

struct LogdirResult {
  LogdirResult() = default;
  // Moves keep every FileResult where it is (RunResult::files stays valid).
  // std::deque's move may allocate; running out of memory there ends the
  // program, as it would a moment later anyway.
  LogdirResult(LogdirResult&&) noexcept = default;
  LogdirResult& operator=(LogdirResult&&) noexcept = default;

  std::string given;         // the path as given on the command line
  bool single_file = false;  // the given path is itself a file
  // A deque: growing it never moves (or holds two copies of) the files
  // found so far, and RunResult::files points into it.
  std::deque<FileResult> files;
  std::vector<RunResult> runs;
  std::vector<PathProblem> problems;
  std::vector<std::string> projector_configs;    // rel paths of projector_config.pbtxt
  std::vector<ProjectorAsset> projector_assets;  // every asset path those configs name
  std::vector<ProfileSession> profile_sessions;  // plugins/profile/<session> folders (TB801)

  // The given directory is itself a run: its event files are directly in it
  // and no run lies below it. TensorBoard is usually pointed at its parent.
  bool IsARun() const { return !single_file && runs.size() == 1 && runs.front().name == "."; }
};

}  // namespace tblint

#endif  // TBLINT_RULE_MODEL_H_
