// The only code that writes to user files (docs/fixing.md).
//
// Fixes, by applicability:
//  - safe (applied by --fix): TB101 truncated-record and TB102 zero-filled-tail,
//    truncating a file to the end of its last complete record;
//  - unsafe (only with --unsafe-fixes): TB103 salvage and TB104/TB105 record
//    drops, all done as one rewrite that keeps every record whose framing and
//    both CRCs are valid (found by resynchronising after every damaged one);
//    TB106, TB201 and TB503 move the file out of the logdir into the backup
//    folder.
//
// Guarantees:
//  - nothing is lost: the cut tail, the whole original of a rewritten file,
//    or the moved file itself goes to the backup folder first, fsynced, with
//    a journal that `tblint restore` replays backwards; no name there
//    contains "tfevents", so TensorBoard never loads a backup as a run;
//  - atomic per file: new content is written to a temporary in the same
//    directory, fsynced, renamed over the original, and the directory
//    fsynced; a process killed at any moment leaves the original or the
//    fixed file, never a mix and never neither;
//  - refuses files modified within the grace period, open for writing by a
//    live process, or changed since the scan (size, mtime or inode);
//  - the fixed file keeps the original's permissions, owner and times.
#ifndef TBLINT_FIX_FIXER_H_
#define TBLINT_FIX_FIXER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "fix/plan.h"
#include "scan/scanner.h"

namespace tblint {

enum class FixStatus : uint8_t {
  kFixed,     // done
  kWouldFix,  // --dry-run: would be done
  kSkipped,   // needs --unsafe-fixes
  kRefused,   // not safe to touch now (live, changed, ...)
  kFailed,    // an I/O error; the file is unchanged
};
const char* FixStatusName(FixStatus s, bool dry_run);

struct FixOutcome {
  std::string logdir;        // the path given
  std::string rel_path;      // relative to it
  std::string display_path;  // as a person would open it
  FixStatus status = FixStatus::kRefused;
  FixKind kind = FixKind::kNone;
  std::string codes;  // the rules whose fixes this applies, comma-separated
  std::string message;
  uint64_t old_size = 0;
  uint64_t new_size = 0;
  uint64_t kept_records = 0;
  uint64_t dropped_records = 0;
  uint64_t dropped_bytes = 0;
  std::string side_file;  // where the cut bytes / the original / the moved file are kept
};

struct FixOptions {
  bool dry_run = false;
  bool unsafe = false;  // --unsafe-fixes
  double now = 0;       // names the backup session folder: pass the scan's clock
  // Whether a file may still be written (grace period, /proc) is not an
  // option here: the scan decided it (FileInfo), the fixer re-checks the file
  // and takes a write lease.
  std::string backup_dir;  // empty: <logdir>/.tblint-backup
};

// Applies the fixes found in `result`.
std::vector<FixOutcome> ApplyFixes(const LintResult& result, const FixOptions& options);
// The same, for the findings a streamed scan handed over and let go
// (ScanConfig::consumer): `planner` saw each of them (FixPlanner::Add) and
// holds what they ask of each file. Leaves it empty.
std::vector<FixOutcome> ApplyFixes(const LintResult& result, FixPlanner* planner, const FixOptions& options);

struct RestoreOutcome {
  std::string path;    // the event file, as a person would open it
  std::string status;  // "restored", "already original", "refused", "failed"
  std::string message;
};

// Puts back every file changed by the fixes journaled for `logdir`, newest
// session first, each action undone in reverse order, byte-identical. Returns
// false when something could not be restored (see the outcomes).
bool Restore(const std::string& logdir, const std::string& backup_dir, std::vector<RestoreOutcome>* outcomes,
             std::string* error);

// A name safe to keep beside event files: "tfevents", in any case, gets a
// '-' after its "tf" ("tf-events", "TF-EVENTS"), so TensorBoard's discovery
// never matches it; every other byte is kept as it is.
std::string DefangName(const std::string& name);

}  // namespace tblint

#endif  // TBLINT_FIX_FIXER_H_
