// The only code that writes to user files. Applies the safe tail fixes
// (TB101 truncated-record, TB102 zero-filled-tail): truncate a file to the
// end of its last complete record.
//
// Guarantees (docs/fixing.md):
//  - a byte that belonged to a valid record is never removed: the kept prefix
//    is re-read and must be whole, valid records ending exactly at the cut;
//  - the cut bytes are kept in a side file under <logdir>/.tblint-backup/,
//    whose names never contain "tfevents" (TensorBoard would load it);
//  - atomic: the new content goes to a temporary file in the same directory,
//    is fsynced, then renamed over the original, and the directory fsynced;
//  - refuses files modified within the grace period, files a live process
//    holds open for writing, and files that changed since the scan.
#ifndef TBLINT_FIX_FIXER_H_
#define TBLINT_FIX_FIXER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "scan/scanner.h"

namespace tblint {

enum class FixStatus : uint8_t { kFixed, kWouldFix, kRefused, kFailed };
const char* FixStatusName(FixStatus s, bool dry_run);

struct FixOutcome {
  std::string logdir;        // the path given
  std::string rel_path;      // relative to it
  std::string display_path;  // as a person would open it
  FixStatus status = FixStatus::kRefused;
  std::string message;
  uint64_t old_size = 0;
  uint64_t new_size = 0;
  std::string side_file;  // where the cut bytes are kept
};

struct FixOptions {
  bool dry_run = false;
  double now = 0;
  double grace_period_s = 120;
  bool check_live_writers = true;
};

// Applies every safe fix found in `result`.
std::vector<FixOutcome> ApplySafeFixes(const LintResult& result, const FixOptions& options);

// A name for `name` safe to keep beside event files: "tfevents" (in any
// case) is replaced so that TensorBoard's discovery never matches it.
std::string DefangName(const std::string& name);

}  // namespace tblint

#endif  // TBLINT_FIX_FIXER_H_
