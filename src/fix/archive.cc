// `tblint archive` (archive.h, docs/archive.md): selecting whole run trees,
// moving them into the archive folder under the fixer's journal, and the
// restore side that moves them back.
#include "fix/archive.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <cerrno>
#include <cstdio>
#include <optional>

#include "event/event.h"
#include "fix/file_io.h"
#include "fix/journal.h"
#include "record/record_reader.h"
#include "record/source.h"
#include "scan/discover.h"
#include "scan/live_writers.h"
#include "util/text.h"

namespace tblint {
namespace {

namespace fs = boost::filesystem;
using nlohmann::json;
using namespace fixio;

// Directory levels walked below a run before the tree is refused.
constexpr int kMaxTreeDepth = 256;

double MtimeOf(const struct stat& st) { return st.st_mtim.tv_sec + st.st_mtim.tv_nsec * 1e-9; }

bool Inside(const std::string& path, const std::string& dir) {
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
                         (dir.back() == '/' || path[dir.size()] == '/'));
}

// The absolute, symlink-free form of a path that may not exist yet.
std::string Canonical(const std::string& path) {
  boost::system::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(path), ec);
  if (ec) p = fs::absolute(path).lexically_normal();
  std::string s = p.string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

// One entry of a run's tree; `rel` is relative to the logdir.
struct Entry {
  std::string rel;
  std::string path;
  bool dir = false;
  struct stat st {};
};

// Every file and directory below `path` (itself included, first), by lstat,
// never following a symlink. "" or why the tree cannot be archived.
std::string Walk(const std::string& path, const std::string& rel, int depth, std::vector<Entry>* out) {
  Entry self;
  self.rel = rel;
  self.path = path;
  self.dir = true;
  if (::lstat(path.c_str(), &self.st) != 0) return Errno("cannot stat " + path);
  out->push_back(self);
  if (depth > kMaxTreeDepth) return "more than " + std::to_string(kMaxTreeDepth) + " directory levels below the run";
  DIR* d = ::opendir(path.c_str());
  if (d == nullptr) return Errno("cannot list " + path);
  std::vector<std::string> names;
  while (const struct dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    const std::string child = path + "/" + name, child_rel = rel + "/" + name;
    struct stat st {};
    if (::lstat(child.c_str(), &st) != 0) return Errno("cannot stat " + child);
    if (S_ISDIR(st.st_mode)) {
      if (std::string why = Walk(child, child_rel, depth + 1, out); !why.empty()) return why;
    } else if (S_ISREG(st.st_mode)) {
      out->push_back({child_rel, child, false, st});
    } else if (S_ISLNK(st.st_mode)) {
      return "it holds a symbolic link (" + child_rel + "); move it by hand";
    } else {
      return "it holds a special file (" + child_rel + ": a FIFO, socket or device)";
    }
  }
  return "";
}

// True when an event file holds a record beyond the file_version header that
// TensorBoard would read (a summary, graph, session log, ...), found by
// resynchronising past any damage. A file that cannot be read counts as
// holding data: nothing is claimed about what cannot be seen.
bool HoldsData(const FileResult& f) {
  if (!f.tags.empty()) return true;
  if (!f.io_error.empty()) return true;
  FileSource src;
  if (src.Open(f.info.path())) return true;
  RecordReader reader(&src);
  Record r;
  event::EventView view;
  while (true) {
    if (!reader.Next(&r)) {
      if (r.kind == RecordKind::kIoError) return true;
      if (!reader.Resync()) return false;
      continue;
    }
    if (r.kind == RecordKind::kOk) {
      if (!r.payload_in_memory) return true;  // a huge valid record is data
      event::WireError werr;
      if (event::DecodeEvent(r.payload, &view, &werr) && view.what != event::What::kFileVersion &&
          view.what != event::What::kNone) {
        return true;
      }
    } else if (r.kind == RecordKind::kIoError) {
      return true;
    } else if (!reader.Resync()) {
      return false;
    }
  }
}

std::string Age(double seconds) {
  const double d = std::max(0.0, seconds);
  if (d >= 2 * 86400) return std::to_string(static_cast<int64_t>(d / 86400)) + "d";
  if (d >= 2 * 3600) return std::to_string(static_cast<int64_t>(d / 3600)) + "h";
  if (d >= 120) return std::to_string(static_cast<int64_t>(d / 60)) + "m";
  return std::to_string(static_cast<int64_t>(d)) + "s";
}

// Moves the regular file `from` to `to` (whose directory exists), never
// replacing a file at `to`: one rename on the same file system, else a copy
// beside `to` checked against (crc, size) before it is renamed into place and
// `from` is unlinked. "" or what went wrong (`from` is then still in place).
std::string MoveNoReplace(const std::string& from, const std::string& to, uint32_t crc, uint64_t size,
                          const char* kind) {
  FaultPoint();
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return "";
  if (errno == EEXIST) return "the destination " + to + " already exists; nothing is ever overwritten";
  if (errno == EINVAL || errno == ENOSYS) {
    // No RENAME_NOREPLACE on this file system: link (which never replaces)
    // and unlink. A kill between the two leaves two names of one inode,
    // which restore recognises as the original plus a duplicate.
    if (::link(from.c_str(), to.c_str()) == 0) {
      FaultPoint();
      ::unlink(from.c_str());
      return "";
    }
    if (errno == EEXIST) return "the destination " + to + " already exists; nothing is ever overwritten";
    if (errno != EXDEV) return Errno("cannot move " + from + " to " + to);
  } else if (errno != EXDEV) {
    return Errno("cannot move " + from + " to " + to);
  }
  // Another file system: copy, make durable, verify, then remove the source.
  const std::string tmp = TemporaryBeside(to, kind);
  {
    FileSource src;
    if (std::error_code ec = src.Open(from)) return "cannot open " + from + ": " + ec.message();
    struct stat st {};
    if (::fstat(src.fd(), &st) != 0) return Errno("cannot stat " + from);
    if (std::string e = WriteRanges(&src, {{0, src.Size()}}, tmp, &st); !e.empty()) return e;
  }
  uint32_t got_crc = 0;
  uint64_t got_size = 0;
  if (!FileCrc(tmp, &got_crc, &got_size) || got_crc != crc || got_size != size) {
    ::unlink(tmp.c_str());
    return "the copy at " + tmp + " does not read back as the original; left the original in place";
  }
  FaultPoint();
  if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) != 0) {
    const bool noreplace = errno == EINVAL || errno == ENOSYS;
    if (!noreplace || ::link(tmp.c_str(), to.c_str()) != 0) {
      const std::string why = errno == EEXIST ? "the destination " + to + " already exists; nothing is ever overwritten"
                                              : Errno("cannot rename the copy to " + to);
      ::unlink(tmp.c_str());
      return why;
    }
    ::unlink(tmp.c_str());
  }
  if (!FsyncDir(fs::path(to).parent_path().string())) return Errno("cannot sync " + to + "'s folder");
  FaultPoint();
  if (::unlink(from.c_str()) != 0) return Errno("copied to " + to + " but cannot remove " + from);
  return "";
}

// Creates `dir` and its missing parents. "" or what went wrong.
std::string MakeDirs(const std::string& dir) {
  boost::system::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return "cannot create " + dir + ": " + ec.message();
  return "";
}

// One archive session: its journal, created on the first real move.
class Session {
 public:
  Session(std::string root, double now, std::string logdir) : logdir_(std::move(logdir)) {
    dir_ = root + "/" + Timestamp(now) + "-" + std::to_string(::getpid()) + "-archive";
    boost::system::error_code ec;
    const std::string base = dir_;
    for (int n = 2; fs::exists(dir_, ec); ++n) dir_ = base + "-" + std::to_string(n);
  }
  Journal* Open(std::string* error) {
    if (journal_) return &*journal_;
    if (std::string e = MakeDirs(dir_); !e.empty()) {
      *error = e;
      return nullptr;
    }
    journal_.emplace(dir_, logdir_);
    if (std::string e = journal_->Save(); !e.empty()) {
      *error = e;
      journal_.reset();
      return nullptr;
    }
    return &*journal_;
  }
  bool opened() const { return journal_.has_value(); }
  std::string journal_path() const { return dir_ + "/journal.json"; }

 private:
  std::string logdir_;
  std::string dir_;
  std::optional<Journal> journal_;
};

// A selected tree, checked and ready to move.
struct Tree {
  std::vector<Entry> entries;  // directories first-before-children, files
  std::vector<uint32_t> crcs;  // per entry (files only)
};

// Moves one tree; "" or what went wrong (what moved before it is journaled).
std::string MoveTree(const Tree& t, const std::string& logdir, const std::string& dest_root, bool defang,
                     Journal* journal, uint64_t* moved) {
  // Event files first: a run interrupted half-way shows nothing in
  // TensorBoard rather than part of its data.
  std::vector<size_t> order;
  for (size_t i = 0; i < t.entries.size(); ++i) {
    if (!t.entries[i].dir) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const bool ea = fs::path(t.entries[a].rel).filename().string().find("tfevents") != std::string::npos;
    const bool eb = fs::path(t.entries[b].rel).filename().string().find("tfevents") != std::string::npos;
    return ea > eb;
  });
  for (size_t i : order) {
    const Entry& e = t.entries[i];
    const std::string to = dest_root + "/" + (defang ? DefangPath(e.rel) : e.rel);
    // A last look: the file must be the one walked and checked.
    struct stat now {};
    if (::lstat(e.path.c_str(), &now) != 0 || !SameFile(now, e.st)) {
      return e.path + " changed while the run was being archived; stopped (what moved is journaled: "
                      "'tblint restore' undoes it)";
    }
    json action = {{"action", "archive"},       {"path", e.rel},       {"archived", to},
                   {"old_size", e.st.st_size}, {"old_crc32c", t.crcs[i]}, {"state", "pending"}};
    size_t idx = 0;
    if (std::string err = journal->Begin(std::move(action), &idx); !err.empty()) return err;
    if (std::string err = MakeDirs(fs::path(to).parent_path().string()); !err.empty()) {
      journal->Abandon(idx);
      return err;
    }
    if (std::string err = MoveNoReplace(e.path, to, t.crcs[i], static_cast<uint64_t>(e.st.st_size), "archive");
        !err.empty()) {
      journal->Abandon(idx);
      return err;
    }
    FsyncDir(fs::path(e.path).parent_path().string());
    FsyncDir(fs::path(to).parent_path().string());
    if (std::string err = journal->Done(idx); !err.empty()) return err;
    ++*moved;
  }
  // The emptied directories, deepest first; only ever an empty one.
  std::vector<const Entry*> dirs;
  for (const Entry& e : t.entries) {
    if (e.dir) dirs.push_back(&e);
  }
  std::sort(dirs.begin(), dirs.end(), [](const Entry* a, const Entry* b) { return a->rel > b->rel; });
  for (const Entry* d : dirs) {
    json action = {{"action", "archive-dir"},
                   {"path", d->rel},
                   {"mode", d->st.st_mode & 07777},
                   {"atime", {d->st.st_atim.tv_sec, d->st.st_atim.tv_nsec}},
                   {"mtime", {d->st.st_mtim.tv_sec, d->st.st_mtim.tv_nsec}},
                   {"state", "pending"}};
    size_t idx = 0;
    if (std::string err = journal->Begin(std::move(action), &idx); !err.empty()) return err;
    FaultPoint();
    if (::rmdir(d->path.c_str()) != 0) {
      // Something new appeared in it: it stays, and so do its parents.
      journal->Abandon(idx);
      return "";
    }
    FsyncDir(fs::path(d->path).parent_path().string());
    if (std::string err = journal->Done(idx); !err.empty()) return err;
  }
  (void)logdir;
  return "";
}

}  // namespace

const char* ArchiveStatusName(ArchiveStatus s) {
  switch (s) {
    case ArchiveStatus::kKept:
      return "kept";
    case ArchiveStatus::kMoved:
      return "moved";
    case ArchiveStatus::kWouldMove:
      return "would move";
    case ArchiveStatus::kRefused:
      return "refused";
    case ArchiveStatus::kFailed:
      return "failed";
  }
  return "?";
}

std::string DefaultArchiveDir(const std::string& logdir, std::string* error) {
  const fs::path abs(Canonical(logdir));
  if (!abs.has_parent_path() || abs.filename().empty() || abs == abs.root_path()) {
    *error = "the logdir " + logdir + " has no parent folder for the archive; give one with --to DIR";
    return "";
  }
  return (abs.parent_path() / (abs.filename().string() + ".tblint-archive")).string();
}

bool Archive(const LintResult& result, const ArchiveOptions& options, ArchiveResult* out, std::string* error) {
  const LogdirResult& logdir = result.logdir;
  if (logdir.single_file) {
    *error = logdir.given + " is a file: tblint archive moves runs out of a logdir; give the logdir";
    return false;
  }
  const std::string canon_logdir = Canonical(logdir.given);
  out->archive_dir = options.to.empty() ? DefaultArchiveDir(logdir.given, error) : Canonical(options.to);
  if (out->archive_dir.empty()) return false;
  if (out->archive_dir == canon_logdir) {
    *error = "--to " + options.to + " is the logdir itself; give a folder outside it (or inside it, below it)";
    return false;
  }
  if (Inside(canon_logdir, out->archive_dir)) {
    *error = "the archive folder " + out->archive_dir + " holds the logdir; give a folder beside or inside it";
    return false;
  }
  out->defanged = Inside(out->archive_dir, canon_logdir);
  const std::string journal_root =
      options.backup_dir.empty() ? logdir.given + "/" + kBackupDirName : options.backup_dir;
  const std::string canon_journal = Canonical(journal_root);
  Session session(journal_root, options.now, fs::absolute(logdir.given).lexically_normal().string());
  const OpenForWriting writers = FindFilesOpenForWriting();

  // Runs in name order: a parent comes right before the runs below it.
  std::vector<const RunResult*> runs;
  for (const RunResult& r : logdir.runs) runs.push_back(&r);
  std::sort(runs.begin(), runs.end(), [](const RunResult* a, const RunResult* b) { return a->name < b->name; });
  const auto below = [](std::string_view child, std::string_view parent) {
    return child.size() > parent.size() && child.compare(0, parent.size(), parent) == 0 && child[parent.size()] == '/';
  };
  std::string moved_parent;  // the last tree moved (or to be moved): its nested runs go with it
  for (const RunResult* run : runs) {
    if (!moved_parent.empty() && below(run->name, moved_parent)) {
      for (ArchivedRun& a : out->runs) {
        if (a.run == moved_parent) a.nested_runs.push_back(run->name);
      }
      continue;
    }
    ArchivedRun& a = out->runs.emplace_back();
    a.run = run->name;
    a.display_path = DisplayPath(result, run->name);
    a.destination = out->archive_dir + "/" + (out->defanged ? DefangPath(run->name) : run->name);
    const auto refuse = [&](std::string why) {
      a.status = ArchiveStatus::kRefused;
      a.why = std::move(why);
    };
    if (run->name == ".") {
      a.why = "the logdir itself is a run; it is never archived (point tblint archive at the folder above it)";
      a.destination.clear();
      continue;
    }
    // The whole tree, as it is now.
    Tree tree;
    const std::string walk_error = Walk(run->path, run->name, 0, &tree.entries);
    for (const Entry& e : tree.entries) {
      if (e.dir) continue;
      ++a.files;
      a.bytes += static_cast<uint64_t>(e.st.st_size);
      a.newest_mtime = std::max(a.newest_mtime, MtimeOf(e.st));
    }
    // Its event files, as the scan saw them, and the runs below it.
    std::vector<const FileResult*> event_files;
    for (const FileResult& f : logdir.files) {
      if (f.info.run() == run->name || below(f.info.run(), run->name)) event_files.push_back(&f);
    }
    // Selection, over the whole tree.
    const double age = options.now - a.newest_mtime;
    const bool old = options.older_than_s >= 0 && age > options.older_than_s;
    bool dead = false;
    if (options.dead && !old) {
      dead = !event_files.empty();
      for (const FileResult* f : event_files) dead = dead && !HoldsData(*f);
      for (const ProfileSession& p : logdir.profile_sessions) {
        if ((p.run == run->name || below(p.run, run->name)) && !p.files.empty()) dead = false;
      }
    }
    if (!old && !dead) {
      a.why = options.older_than_s >= 0 ? "newest file " + Age(age) + " old" : "holds data";
      continue;
    }
    a.why = old ? "newest file " + Age(age) + " old" : "dead: no event file holds data beyond its header";
    // Refusals: anything live, odd or in the way.
    if (!walk_error.empty()) {
      refuse(walk_error);
      continue;
    }
    if (Canonical(run->path) != canon_logdir + "/" + run->name) {
      refuse("it is reached through a symbolic link; move it by hand");
      continue;
    }
    const std::string canon_run = canon_logdir + "/" + run->name;
    if (Inside(out->archive_dir, canon_run)) {
      refuse("the archive folder is inside it");
      continue;
    }
    if (Inside(canon_journal, canon_run)) {
      refuse("the journal folder (--backup-dir) is inside it");
      continue;
    }
    std::string why;
    for (const FileResult* f : event_files) {
      if (!why.empty()) break;
      if (f->info.MayStillBeWritten()) {
        why = std::string(f->info.rel_path()) + (f->info.open_for_writing ? " is open for writing by a live process"
                                                                          : " was modified within the grace period");
        break;
      }
      struct stat st {};
      if (::lstat(f->info.path().c_str(), &st) != 0 || static_cast<uint64_t>(st.st_size) != f->info.size ||
          st.st_ino != f->info.ino || MtimeOf(st) != f->info.mtime) {
        why = std::string(f->info.rel_path()) + " changed since it was scanned; run tblint archive again";
      }
    }
    for (const Entry& e : tree.entries) {
      if (!why.empty()) break;
      if (e.dir) continue;
      if (writers.Contains(e.st.st_dev, e.st.st_ino)) {
        why = e.rel + " is open for writing by a live process";
      } else if (options.now - MtimeOf(e.st) < options.grace_period_s) {
        why = e.rel + " was modified within the grace period (" + Age(options.now - MtimeOf(e.st)) + " ago)";
      } else {
        const std::string to = out->archive_dir + "/" + (out->defanged ? DefangPath(e.rel) : e.rel);
        struct stat there {};
        if (::lstat(to.c_str(), &there) == 0) why = "the archive already holds " + to + "; nothing is ever overwritten";
      }
    }
    if (!why.empty()) {
      refuse(why);
      continue;
    }
    moved_parent = run->name;
    if (options.dry_run) {
      a.status = ArchiveStatus::kWouldMove;
      continue;
    }
    // Checksums first, before anything moves: restore recognises each file by them.
    tree.crcs.assign(tree.entries.size(), 0);
    for (size_t i = 0; i < tree.entries.size() && why.empty(); ++i) {
      if (tree.entries[i].dir) continue;
      uint64_t size = 0;
      if (!FileCrc(tree.entries[i].path, &tree.crcs[i], &size)) why = "cannot read " + tree.entries[i].path;
    }
    if (!why.empty()) {
      a.status = ArchiveStatus::kFailed;
      a.why = why;
      continue;
    }
    Journal* journal = session.Open(error);
    if (journal == nullptr) return false;
    out->journal = session.journal_path();
    uint64_t moved = 0;
    if (std::string err = MoveTree(tree, logdir.given, out->archive_dir, out->defanged, journal, &moved);
        !err.empty()) {
      a.status = ArchiveStatus::kFailed;
      a.why = err + (moved > 0 ? " (" + std::to_string(moved) + " files had moved; 'tblint restore' puts them back)"
                               : "");
      continue;
    }
    a.status = ArchiveStatus::kMoved;
  }
  return true;
}

// --- restore ------------------------------------------------------------------

bool ArchiveUndo::Handles(const json& action) {
  if (!action.is_object() || !action.contains("action") || !action["action"].is_string()) return false;
  const std::string kind = action["action"];
  return kind == "archive" || kind == "archive-dir";
}

RestoreOutcome ArchiveUndo::Undo(const json& a, const std::string& logdir) {
  const std::optional<std::string> rel = GetName(a, "path");
  if (!rel) return {logdir, "failed", "a journal action without its path; nothing done for it"};
  const std::string path = logdir + "/" + *rel;
  const std::string kind = a.value("action", "");
  if (kind == "archive-dir") {
    Dir d;
    d.path = path;
    try {
      d.mode = static_cast<mode_t>(a.at("mode").get<unsigned>());
      d.atime = {a.at("atime").at(0).get<time_t>(), a.at("atime").at(1).get<long>()};
      d.mtime = {a.at("mtime").at(0).get<time_t>(), a.at("mtime").at(1).get<long>()};
    } catch (const json::exception&) {
      return {path, "failed", "the journal entry of this folder is malformed; nothing done for it"};
    }
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode)) return {path, "refused", "something that is not a folder now has its name"};
      return {path, "already original", "the folder is in place"};
    }
    if (std::string e = MakeDirs(path); !e.empty()) return {path, "failed", e};
    dirs_.push_back(d);
    return {path, "restored", "folder recreated"};
  }
  // A file moved into the archive.
  const std::optional<std::string> archived = GetName(a, "archived");
  uint32_t old_crc = 0;
  uint64_t old_size = 0;
  try {
    old_crc = a.at("old_crc32c").get<uint32_t>();
    old_size = a.at("old_size").get<uint64_t>();
  } catch (const json::exception&) {
    return {path, "failed", "the journal entry of this file is malformed; nothing done for it"};
  }
  if (!archived) return {path, "failed", "the journal entry of this file has no archive path; nothing done for it"};
  RemoveStaleTemporaries(path);
  RemoveStaleTemporaries(*archived);
  uint32_t crc = 0, arc_crc = 0;
  uint64_t size = 0, arc_size = 0;
  const bool here = FileCrc(path, &crc, &size) && crc == old_crc && size == old_size;
  const bool there = FileCrc(*archived, &arc_crc, &arc_size) && arc_crc == old_crc && arc_size == old_size;
  if (here) {
    if (there) {
      // A move across file systems killed after its verified copy, before
      // removing the original: the copy is a duplicate.
      ::unlink(archived->c_str());
      return {path, "already original", "in place; removed the verified duplicate at " + *archived};
    }
    return {path, "already original", "the file is byte-identical to the original"};
  }
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    return {path, "refused", "a different file now has its name; the archived file is left at " + *archived};
  }
  if (!there) {
    return {path, "refused", "the archived file at " + *archived + " is gone or changed; nothing done"};
  }
  if (std::string e = MakeDirs(fs::path(path).parent_path().string()); !e.empty()) return {path, "failed", e};
  if (std::string e = MoveNoReplace(*archived, path, old_crc, old_size, "restore"); !e.empty()) {
    return {path, "failed", e};
  }
  FsyncDir(fs::path(path).parent_path().string());
  FsyncDir(fs::path(*archived).parent_path().string());
  // The archive's folders this run emptied go too (rmdir: only empty ones),
  // as many levels as the file's path below the logdir has.
  fs::path dir = fs::path(*archived).parent_path();
  for (size_t n = std::count(rel->begin(), rel->end(), '/'); n > 0 && ::rmdir(dir.c_str()) == 0; --n) {
    dir = dir.parent_path();
  }
  return {path, "restored", "moved back from " + *archived};
}

void ArchiveUndo::Finish() {
  // Deepest first does not matter for times (utimensat does not touch the
  // parent); modes last of all, so a read-only folder was writable while
  // its files came back.
  for (const Dir& d : dirs_) {
    ::chmod(d.path.c_str(), d.mode);
    const struct timespec times[2] = {d.atime, d.mtime};
    ::utimensat(AT_FDCWD, d.path.c_str(), times, 0);
  }
  dirs_.clear();
}

}  // namespace tblint
