// Scanning: discover a logdir, read every event file (in parallel), feed
// records to the rules' per-file checks, then run the run and logdir checks.
#ifndef TBLINT_SCAN_SCANNER_H_
#define TBLINT_SCAN_SCANNER_H_

#include <string>
#include <vector>

#include "rule/model.h"
#include "rule/rule.h"

namespace tblint {

struct ScanConfig {
  LintOptions lint;
  std::vector<const Rule*> rules;  // the enabled rules
  int jobs = 0;                    // 0: one per core
  bool detect_live_writers = true;
};

struct LintResult {
  LogdirResult logdir;
  // Every finding, ordered: by run (TensorBoard's order), within a run its
  // own findings first, then each file's by offset; logdir-wide ones last.
  std::vector<Finding> findings;
  uint64_t records = 0;
  uint64_t bytes = 0;
  double seconds = 0;
};

// Lints one path. Returns false, with `error` set, when the path does not
// exist; everything else (unreadable files, damaged records) is a finding.
bool Lint(const std::string& given, const ScanConfig& config, LintResult* result, std::string* error);

// Scans one discovered file with the given rules (exposed for tests and
// benchmarks): reads it, classifies its records and runs the file checks.
void ScanFile(FileResult* file, const std::vector<const Rule*>& rules, const LintOptions& options);

// The path a person would open: the given path joined with a relative one.
std::string DisplayPath(const LintResult& result, const std::string& rel);

}  // namespace tblint

#endif  // TBLINT_SCAN_SCANNER_H_
