// Logdir discovery with TensorBoard's semantics (format.md, "How TensorBoard
// discovers runs"): a run is every directory that directly contains a file
// whose base name contains "tfevents"; recursion has no depth limit and
// follows symlinks; run names are relative to the logdir ("." for the root);
// files of a run are in full-path lexicographic order.
//
// Unlike TensorBoard, the walk is bounded (issue 7), and each bound it hits
// is a PathProblem (TB504), never a hang:
//  - a directory that is `/`, the logdir itself or an ancestor of it (a
//    symlink such as `up -> ..`) is not walked: TensorBoard would walk the
//    whole tree above the logdir, or go round the link;
//  - a directory that is already on the path from the logdir to it (a
//    symlink loop) is not walked;
//  - one directory is walked through symlinks at most kMaxWalksThroughLinks
//    times (links can reach it by exponentially many paths);
//  - a symlinked directory that leads out of the logdir is walked with an
//    entry budget (LintOptions::outside_link_entry_budget); past it, all that
//    was found below the link is dropped and the link is one problem;
//  - a directory whose path is PATH_MAX bytes or longer is not walked
//    (TensorBoard's walkers use full paths too and get ENAMETOOLONG);
//  - after kMaxDirectories directories, discovery stops.
// Memory is O(runs + event files + directories waiting to be walked, or
// walked below a symlink): plain files are skipped as they are listed,
// without keeping their names, and the walk keeps an explicit stack.
#ifndef TBLINT_SCAN_DISCOVER_H_
#define TBLINT_SCAN_DISCOVER_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "rule/model.h"

namespace tblint {

// Name of the folder tblint keeps repair backups in; discovery skips it.
inline constexpr const char* kBackupDirName = ".tblint-backup";

// Directories visited before discovery stops, so a tree of symlinks that
// each point at several siblings cannot make discovery run for ever.
inline constexpr size_t kMaxDirectories = 1'000'000;

// Times one directory is walked below symlinks (by different paths) before
// further paths to it are not walked.
inline constexpr uint32_t kMaxWalksThroughLinks = 16;

// Directory entries walked below one symlink that leads out of the logdir
// (its target and everything under it, nested links included) before
// discovery gives up on that link. Used when
// LintOptions::outside_link_entry_budget is 0.
inline constexpr uint64_t kOutsideLinkEntryBudget = 100'000;

// plugins/profile/<session> folders recorded (TB801); later ones are not.
inline constexpr size_t kMaxProfileSessions = 100'000;

// Fills out->files (FileInfo only), out->runs, out->problems,
// out->projector_configs with out->projector_assets (each config is read and
// the files it names are stat'ed) and out->profile_sessions (a few bytes of
// each profile data file are read to tell one cut short). Returns false, with
// `error` set, when `given` does not exist (a usage error); every other
// problem becomes a PathProblem. `out` must be empty (a new LogdirResult).
bool Discover(const std::string& given, const LintOptions& options, LogdirResult* out, std::string* error);

// Reads a discovered file's size, mtime and identity again, as discovery
// does (after a fix changed the file). False, with *info unchanged, when the
// file cannot be stat'ed.
bool RefreshFileInfo(FileInfo* info, const LintOptions& options);

}  // namespace tblint

#endif  // TBLINT_SCAN_DISCOVER_H_
