// Scanning: discover a logdir, read every event file (in parallel), feed
// records to the rules' per-file checks, then run the run and logdir checks.
#ifndef TBLINT_SCAN_SCANNER_H_
#define TBLINT_SCAN_SCANNER_H_

#include <cstdint>
#include <optional>
#include <string>
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

// Takes each run's findings as soon as its run and file checks are done, in
// report order (LintResult::findings' order), instead of Lint collecting them
// all: a consumer renders them and lets them go, so memory does not grow with
// the number of findings (docs/performance.md). `findings` may be moved from.
// Called from the thread that called Lint, once per run that has findings and
// once for the logdir-wide findings (when any); `result` holds the logdir as
// discovered and scanned so far (given, single_file, files, runs).
class FindingsConsumer {
 public:
  virtual ~FindingsConsumer() = default;
  virtual void OnFindings(const LintResult& result, std::vector<Finding>* findings) = 0;
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
};

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
};

// Lints one path. Returns false, with `error` set, when the path does not
// exist; everything else (unreadable files, damaged records) is a finding.
bool Lint(const std::string& given, const ScanConfig& config, LintResult* result, std::string* error);

// Scans one discovered file with the given rules (exposed for tests and
// benchmarks): reads it, classifies its records and runs the file checks.
// `observer`, when set, hears of the bytes read (OnScanProgress), adding up to
// the size discovery found (FileInfo::size on entry).
void ScanFile(FileResult* file, const std::vector<const Rule*>& rules, const LintOptions& options,
              ScanObserver* observer = nullptr);

// The path a person would open: the given path joined with a relative one.
std::string DisplayPath(const LintResult& result, const std::string& rel);

}  // namespace tblint

#endif  // TBLINT_SCAN_SCANNER_H_
