// Scanning: discover a logdir, read every event file (in parallel), feed
// records to the rules' per-file checks, then run the run and logdir checks.
#ifndef TBLINT_SCAN_SCANNER_H_
#define TBLINT_SCAN_SCANNER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "rule/model.h"
#include "rule/rule.h"
#include "scan/shard.h"

namespace tblint {

// Told how far the scan is, for a progress display (the CLI renders it; the
// scan never prints). OnScanProgress is called from the scanning threads at
// once: implementations must be thread-safe (atomics).
class ScanObserver {
 public:
  virtual ~ScanObserver() = default;
  // Discovery is done: `files` event files of `bytes` bytes will be read.
  virtual void OnScanStart(uint64_t /*files*/, uint64_t /*bytes*/) {}
  // `bytes` more of them read (at least every few MiB within a large file),
  // and `files` (0 or 1) finished. Over a scan the calls add up to the totals
  // OnScanStart announced.
  virtual void OnScanProgress(uint64_t /*files*/, uint64_t /*bytes*/) {}
  // Every file read; the run and logdir checks follow (they are quick).
  virtual void OnScanEnd() {}
};

struct LintResult;

// Where a file's damaged tail starts, as its scan stood there
// (ScanConfig::keep_tail_checkpoints): every check's state and the findings
// made before that offset. A fix that cuts the tail there leaves exactly the
// records read before it: each reads as it did (a complete record's outcome
// depends only on its own bytes, and no checkpoint is taken past a
// resynchronisation), and nothing after the offset was a complete record,
// so the file's tags, counts and content signature are already those of the
// cut file. Its findings are then these checks' end-of-file findings added to
// those made before the offset, and Rescan takes them from here instead of
// reading the file again.
struct TailCheckpoint {
  uint64_t offset = 0;   // the first byte of the damaged tail
  bool damaged = false;  // FileResult::damaged before it (damage earlier in the file)
  std::vector<std::pair<const RuleInfo*, std::unique_ptr<FileCheck>>> checks;  // copies, in ScanFile's order
  std::vector<Finding> findings;  // made before the offset, in the order made
};

// Takes each run's findings as soon as its run and file checks are done, in
// report order (LintResult::findings' order), instead of Lint collecting them
// all: a consumer renders them and lets them go, so memory does not grow with
// the number of findings (docs/performance.md). `findings` may be moved from.
// Called from the thread that called Lint, once per run that has findings and
// once for the logdir-wide findings (when any); `result` holds the logdir as
// discovered and scanned so far (given, single_file, files, runs).
// `run` is the run whose findings these are, or nullptr for the logdir-wide
// ones (which may name any run).
class FindingsConsumer {
 public:
  virtual ~FindingsConsumer() = default;
  virtual void OnFindings(const LintResult& result, const RunResult* run, std::vector<Finding>* findings) = 0;
  // Rescan only: `run` was not read again, and its findings are the ones
  // handed over for it before (none when none were). Called in report order,
  // between the OnFindings calls of the runs that were read again.
  virtual void OnRunKept(const LintResult& /*result*/, const RunResult& /*run*/) {}
};

struct ScanConfig {
  LintOptions lint;
  std::vector<const Rule*> rules;  // the enabled rules
  int jobs = 0;                    // 0: one per core
  bool detect_live_writers = true;
  // --shard I/N: only the runs of that shard are read and reported
  // (scan/shard.h). Discovery still walks the whole logdir, and logdir-wide
  // rules see every run; their findings are kept when their run is in the
  // shard, so the shards' findings together are exactly those of a full scan.
  std::optional<Shard> shard;
  ScanObserver* observer = nullptr;  // not owned; may be null
  // When set, findings go here run by run and LintResult::findings stays
  // empty (not owned; may be null).
  FindingsConsumer* consumer = nullptr;
  // With a consumer only: the caller reads no file's details after Lint (the
  // streamed `tblint check`). Each file's tags, session starts and findings
  // vector are released as soon as its run's checks ran;
  // what the logdir-wide rules read of them (RunResult::tag_summary, the
  // head CRCs, hparams, io_error, FileInfo's other fields) is kept, so the
  // findings are the same. A run of more than kMaxTagsSummarised tags keeps
  // its files' tags (rule/model.h). Memory then no longer holds a TagMap per file of
  // the logdir (docs/performance.md, "Many findings, many files").
  bool release_file_details = false;
  // Keep a TailCheckpoint (LintResult::tails) for each file whose findings
  // offer to cut its damaged tail (FixKind::kTruncate at the tail's first
  // byte), at most kMaxTailCheckpoints, and keep that file's details: what
  // Rescan needs after `--fix` cut them. The checks are copied where each
  // damaged stretch of a file starts, at most a few times per file.
  bool keep_tail_checkpoints = false;
};

inline constexpr size_t kMaxTailCheckpoints = 256;

struct LintResult {
  LogdirResult logdir;
  // Every finding, ordered: by run (TensorBoard's order), within a run its
  // own findings first, then each file's by offset; logdir-wide ones last.
  // Empty when ScanConfig::consumer took them.
  std::vector<Finding> findings;
  uint64_t records = 0;
  uint64_t bytes = 0;
  double seconds = 0;
  // The shard scanned, when there was one: then logdir.files and logdir.runs
  // hold only that shard's runs and their files.
  std::optional<Shard> shard;
  // ScanConfig::keep_tail_checkpoints: by index into logdir.files.
  std::unordered_map<size_t, std::unique_ptr<TailCheckpoint>> tails;
};

// Lints one path. Returns false, with `error` set, when the path does not
// exist; everything else (unreadable files, damaged records) is a finding.
bool Lint(const std::string& given, const ScanConfig& config, LintResult* result, std::string* error);

// Brings a streamed Lint's *result up to date after fixes changed the files
// `changed` (indices into result->logdir.files) in place, with the same
// `config` (its consumer included), reading as little as it can:
//   - a run with no changed file is not read: the consumer hears OnRunKept;
//   - a run with one is checked again: a changed file cut where its
//     TailCheckpoint says (same inode and mtime, the checkpoint's size) takes
//     its findings from there without being read; its other files are read
//     again (their findings were handed over);
//   - the logdir-wide checks run again.
// The findings go to the consumer in report order, as from Lint. False, with
// *result untouched, when that cannot give what a new Lint would (a shard,
// no consumer), or when the files to read again (one after the other) are
// more than a new Lint would read on each of its ScanConfig::jobs cores: lint
// the path again instead.
bool Rescan(const ScanConfig& config, const std::vector<size_t>& changed, LintResult* result);

// Scans one discovered file with the given rules (exposed for tests and
// benchmarks): reads it, classifies its records and runs the file checks.
// `observer`, when set, hears of the bytes read (OnScanProgress), adding up to
// the size discovery found (FileInfo::size on entry).
// With `tail`, keeps there the checkpoint ScanConfig::keep_tail_checkpoints
// describes, when the file has one (else leaves it empty).
void ScanFile(FileResult* file, const std::vector<const Rule*>& rules, const LintOptions& options,
              ScanObserver* observer = nullptr, std::unique_ptr<TailCheckpoint>* tail = nullptr);

// The path a person would open: the given path joined with a relative one.
std::string DisplayPath(const LintResult& result, const std::string& rel);

}  // namespace tblint

#endif  // TBLINT_SCAN_SCANNER_H_
