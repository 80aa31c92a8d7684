// `tblint archive`: log rotation without loss (docs/archive.md). Moves whole
// runs that are old (or, when asked, dead) out of the logdir into an archive
// folder TensorBoard does not load, with the fixer's journal, so that
// `tblint restore` puts every file back, byte-identical, under its own name.
//
// The unit is a run's directory tree: every file below the run directory
// (event files, checkpoints, configs, profile data, and the runs nested below
// it), never a part of it. A tree is selected as a whole, on facts about the
// whole tree:
//  - old: the newest modification time of ANY file in it (not only event
//    files: a fresh checkpoint means a job may still be running) is older
//    than ArchiveOptions::older_than_s;
//  - dead (with ArchiveOptions::dead): no event file in it holds a data
//    record (each is empty, header-only, or has no valid record beyond the
//    file_version header even after resynchronising past damage), and no
//    profile session lies in it.
// A selected tree is refused, and nothing in it moves, when any file in it
// is modified within the grace period or open for writing by a live process
// (/proc), when it holds a symlink or a special file, when it is reached
// through a symlink, when it holds the journal or archive folder, when one
// of its files changed since the scan, or when the archive already holds a
// file of the same name (nothing is ever overwritten). Because every test is
// over the whole tree, a parent run never drags a live or young nested run
// with it; a nested run is considered on its own when its parent stays.
// The logdir itself (a run named ".") is never archived.
//
// Each file moves by one rename(2) on the same file system; across file
// systems it is copied to a temporary in the archive, fsynced, read back
// against the original's CRC32C, renamed into place, and only then is the
// original unlinked. Neither way ever replaces an existing file. Emptied
// directories of the run are removed (rmdir: only ever an empty one) and
// journaled with their mode and times, which restore gives back.
#ifndef TBLINT_FIX_ARCHIVE_H_
#define TBLINT_FIX_ARCHIVE_H_

#include <sys/stat.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fix/fixer.h"
#include "scan/scanner.h"

namespace tblint {

struct ArchiveOptions {
  double older_than_s = -1;  // < 0: no selection by age
  bool dead = false;         // also select dead runs (any age past the grace period)
  bool dry_run = false;      // list what would move; write nothing
  std::string to;            // the archive folder; empty: DefaultArchiveDir
  std::string backup_dir;    // the journal's root; empty: <logdir>/.tblint-backup
  double now = 0;            // the scan's clock (ages and the session folder's name)
  double grace_period_s = kDefaultGracePeriodS;
};

enum class ArchiveStatus : uint8_t {
  kKept,       // not selected (young, or not dead)
  kMoved,      // archived
  kWouldMove,  // --dry-run: would be archived
  kRefused,    // selected, but not safe to move now (the reason says why); nothing moved
  kFailed,     // an I/O error; see the message (files moved before it are journaled)
};
const char* ArchiveStatusName(ArchiveStatus s);

struct ArchivedRun {
  std::string run;           // relative to the logdir
  std::string display_path;  // as a person would open it
  ArchiveStatus status = ArchiveStatus::kKept;
  std::string why;                        // why selected, refused, kept or failed
  std::vector<std::string> nested_runs;   // runs below it that move with it
  uint64_t files = 0;                     // every file in the tree
  uint64_t bytes = 0;                     // their sizes
  double newest_mtime = 0;                // the newest file's mtime (0: no file)
  std::string destination;                // where the tree goes
};

struct ArchiveResult {
  std::string archive_dir;   // the archive folder (absolute)
  bool defanged = false;     // inside the logdir: names carry no "tfevents"
  std::string journal;       // the session's journal.json ("" when nothing moved)
  std::vector<ArchivedRun> runs;  // every run but those moved with a parent, in run order
};

// <parent of the logdir>/<logdir name>.tblint-archive; "" (and *error) for
// a logdir that has no parent (/).
std::string DefaultArchiveDir(const std::string& logdir, std::string* error);

// Selects and moves. Returns false, with *error, for a usage or I/O error
// that stops everything (a single file given, an archive folder that is the
// logdir, a journal that cannot be created); per-run problems are outcomes.
bool Archive(const LintResult& result, const ArchiveOptions& options, ArchiveResult* out, std::string* error);

// The restore side (used by restore.cc): undoes the journal actions
// "archive" (a file moved into the archive) and "archive-dir" (an emptied
// directory removed).
class ArchiveUndo {
 public:
  static bool Handles(const nlohmann::json& action);
  RestoreOutcome Undo(const nlohmann::json& action, const std::string& logdir);
  // Gives the recreated directories their modes and times, once every file
  // of the session is back.
  void Finish();

 private:
  struct Dir {
    std::string path;
    mode_t mode = 0755;
    struct timespec atime {}, mtime{};
  };
  std::vector<Dir> dirs_;
};

}  // namespace tblint

#endif  // TBLINT_FIX_ARCHIVE_H_
