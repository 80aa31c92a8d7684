// Logdir discovery with TensorBoard's semantics (format.md, "How TensorBoard
// discovers runs"): a run is every directory that directly contains a file
// whose base name contains "tfevents"; recursion has no depth limit and
// follows symlinks; run names are relative to the logdir ("." for the root);
// files of a run are in full-path lexicographic order.
#ifndef TBLINT_SCAN_DISCOVER_H_
#define TBLINT_SCAN_DISCOVER_H_

#include <string>

#include "scan/model.h"

namespace tblint {

// Name of the folder tblint keeps repair backups in; discovery skips it.
inline constexpr const char* kBackupDirName = ".tblint-backup";

// Fills out->files (FileInfo only), out->runs, out->problems and
// out->projector_configs with out->projector_assets (each config is read and
// the files it names are stat'ed). Returns false, with `error` set, when
// `given` does not exist (a usage error); every other problem becomes a
// PathProblem.
bool Discover(const std::string& given, const LintOptions& options, LogdirResult* out,
              std::string* error);

}  // namespace tblint

#endif  // TBLINT_SCAN_DISCOVER_H_
