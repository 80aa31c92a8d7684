// Applying planned fixes (plan.h): the checks right before a file is
// touched, the backup, the journal and the one atomic change per file.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/filesystem.hpp>
#include <nlohmann/json.hpp>
#include <optional>

#include "fix/file_io.h"
#include "fix/fixer.h"
#include "fix/journal.h"
#include "fix/lease.h"
#include "fix/plan.h"
#include "scan/discover.h"

namespace tblint {
namespace {

namespace fs = boost::filesystem;
using nlohmann::json;
using namespace fixio;

constexpr const char* kLeaseBroken =
    "another process opened the file during the fix (its write lease broke); left as it was, try again later";
constexpr const char* kChanged = "the file changed since it was scanned (size, mtime or inode); lint it again";

struct Result {
  FixStatus status;
  std::string message;
};

// One fix session: its backup folder, and the journal, created on the first
// real change.
class Session {
 public:
  Session(const LintResult& result, const FixOptions& options) {
    const LogdirResult& logdir = result.logdir;
    logdir_path_ = logdir.single_file && !logdir.files.empty()
                       ? fs::path(logdir.files.front().info.path()).parent_path().string()
                       : logdir.given;
    const std::string root = options.backup_dir.empty() ? logdir_path_ + "/" + kBackupDirName : options.backup_dir;
    // One folder per session: the time and pid, and a counter when one
    // process fixes twice within a second (a library caller, a test).
    dir_ = root + "/" + Timestamp(options.now) + "-" + std::to_string(::getpid());
    boost::system::error_code ec;
    const std::string base = dir_;
    for (int n = 2; fs::exists(dir_, ec); ++n) dir_ = base + "-" + std::to_string(n);
  }

  const std::string& dir() const { return dir_; }

  // The journal, creating the session folder first: nullptr (and *error)
  // when it cannot be created.
  Journal* Open(std::string* error) {
    if (journal_) return &*journal_;
    boost::system::error_code ec;
    fs::create_directories(dir_ + "/files", ec);
    if (ec) {
      *error = "cannot create " + dir_ + ": " + ec.message();
      return nullptr;
    }
    journal_.emplace(dir_, fs::absolute(logdir_path_).lexically_normal().string());
    return &*journal_;
  }

  // A journal save that failed after its file was changed: reported once at the end.
  std::string late_error;

 private:
  std::string logdir_path_;
  std::string dir_;
  std::optional<Journal> journal_;
};

// What a real fix of one file works with: the file as scanned and as it is
// now, the lease on it, and everything read from it.
struct Target {
  const FileInfo* info = nullptr;
  struct stat st {};  // as checked against the scan
  FileLease lease;
  FileSource src;  // reads through the lease's descriptor (a dry run: its own)
};

// The file must be exactly what was scanned, quiet, and (for a real fix)
// leased. "" when it may be touched, else the refusal; *status says whether
// it is a refusal or a failure.
std::string Admit(const FileInfo& info, bool dry_run, Target* t, FixStatus* status) {
  *status = FixStatus::kRefused;
  t->info = &info;
  if (::stat(info.path().c_str(), &t->st) != 0) return Errno("cannot stat");
  const double mtime = t->st.st_mtim.tv_sec + t->st.st_mtim.tv_nsec * 1e-9;
  if (static_cast<uint64_t>(t->st.st_size) != info.size || t->st.st_ino != info.ino || mtime != info.mtime) {
    return kChanged;
  }
  // Whether the file may still be written was decided once, by the scan (its
  // clock, grace period and /proc evidence): the fixer does not decide it
  // again, it re-checks that nothing changed since (above) and holds a write
  // lease from here on (below).
  if (info.recently_modified) return "modified within the grace period; a writer may still be appending to it";
  if (info.open_for_writing) return "a process has it open for writing";
  if (dry_run) {
    if (std::error_code ec = t->src.Open(info.path())) {
      *status = FixStatus::kFailed;
      return "cannot open: " + ec.message();
    }
    return "";
  }
  // Everything a real fix reads from the original goes through one
  // descriptor holding a write lease (lease.h), taken before a byte is read:
  // a writer that opens the file from now on breaks it, and the fix backs
  // off before its last step.
  switch (t->lease.Acquire(info.path())) {
    case FileLease::Result::kHeld:
      break;
    case FileLease::Result::kBusy:
      return "another process has the file open (no write lease: " + t->lease.error() +
             "); a writer may still append to it";
    case FileLease::Result::kUnsupported:
      return "the file system gives no write lease on it (" + t->lease.error() +
             "), so a writer appending during the fix cannot be ruled out; left as it was";
    default:
      *status = FixStatus::kFailed;
      return t->lease.error();
  }
  struct stat held {};
  if (::fstat(t->lease.fd(), &held) != 0 || !SameFile(held, t->st) || t->src.Attach(t->lease.fd())) return kChanged;
  return "";
}

// A rename keeps the inode: a writer that opened the file just before writes
// into the moved file, which is kept.
Result Move(Target* t, const std::string& side_file, Journal* journal, json action, Session* session) {
  action["new_size"] = 0;
  size_t idx = 0;
  if (std::string e = journal->Begin(std::move(action), &idx); !e.empty()) return {FixStatus::kFailed, e};
  if (!t->lease.Intact()) {
    journal->Abandon(idx);
    return {FixStatus::kRefused, kLeaseBroken};
  }
  std::string err;
  if (!MoveFile(t->info->path(), side_file, &err)) return {FixStatus::kFailed, err};
  FsyncDir(fs::path(t->info->path()).parent_path().string());
  FsyncDir(fs::path(side_file).parent_path().string());
  if (std::string e = journal->Done(idx); !e.empty()) session->late_error = e;
  return {FixStatus::kFixed, ""};
}

// The cut tail is already in the backup, with its CRC32C. What identifies
// the file before and after the cut is journaled first, so that a fixer
// killed right after the cut leaves a state restore recognises: the sizes,
// the cut bytes' CRC32C, and that of the last bytes kept (the window the
// plan read back). Nothing here reads the rest of the file. Then the cut, in
// place, under the lease: ftruncate is one atomic change of the inode, which
// stays the same, so a writer blocked on the lease appends after the cut once
// it is released and nothing it writes can land in a file that is no longer
// there.
Result Truncate(Target* t, const Content& c, uint32_t tail_crc, Journal* journal, json action, Session* session) {
  action["new_size"] = c.new_size;
  action["tail_crc32c"] = tail_crc;
  action["window_from"] = c.cut.window_from;
  action["window_crc32c"] = c.cut.window_crc;
  size_t idx = 0;
  if (std::string e = journal->Begin(std::move(action), &idx); !e.empty()) return {FixStatus::kFailed, e};
  // A last look: the lease, then the descriptor's inode, size and mtime.
  struct stat again {};
  if (!t->lease.Intact() || ::fstat(t->lease.fd(), &again) != 0 || !SameFile(again, t->st)) {
    journal->Abandon(idx);
    return {FixStatus::kRefused, t->lease.Intact() ? kChanged : kLeaseBroken};
  }
  FaultPoint();
  if (::ftruncate(t->lease.fd(), static_cast<off_t>(c.new_size)) != 0) {
    const std::string why = Errno("cannot truncate");
    journal->Abandon(idx);
    return {FixStatus::kFailed, why};
  }
  // Keep the original's times: the content is as old as it was, and a fresh
  // mtime would make the file look like one still being written.
  const struct timespec times[2] = {t->st.st_atim, t->st.st_mtim};
  ::futimens(t->lease.fd(), times);
  if (!Fsync(t->lease.fd())) return {FixStatus::kFailed, Errno("cannot sync the truncated file")};
  if (std::string e = journal->Done(idx); !e.empty()) session->late_error = e;
  return {FixStatus::kFixed, ""};
}

// The whole original is already in the backup. The action is journaled
// before any temporary exists (restore then knows every file a killed fix
// may have left something beside); the new content is written beside the
// original under a name TensorBoard ignores, read back, journaled with its
// checksum, and renamed over the original after a last look.
Result Rewrite(Target* t, const Content& c, Journal* journal, json action, Session* session, std::string* note) {
  const FileInfo& info = *t->info;
  size_t idx = 0;
  if (std::string e = journal->Begin(std::move(action), &idx); !e.empty()) return {FixStatus::kFailed, e};
  const std::string tmp = TemporaryBeside(info.path(), "fix");
  const auto give_up = [&](FixStatus status, std::string why) {
    ::unlink(tmp.c_str());
    journal->Abandon(idx);
    return Result{status, std::move(why)};
  };
  if (std::string e = WriteRanges(&t->src, c.keep, tmp, &t->st); !e.empty()) {
    journal->Abandon(idx);
    return {FixStatus::kFailed, e};
  }
  if (std::string e = VerifyAllValid(tmp, c.kept_records); !e.empty()) {
    return give_up(FixStatus::kFailed, e + "; left as it was");
  }
  uint32_t new_crc = 0;
  uint64_t new_size = 0;
  FileCrc(tmp, &new_crc, &new_size);
  journal->Set(idx, "new_size", new_size);
  journal->Set(idx, "new_crc32c", new_crc);
  if (std::string e = journal->Save(); !e.empty()) {
    ::unlink(tmp.c_str());
    return {FixStatus::kFailed, e};
  }
  // A last look (the lease, then size, mtime and inode), then swap.
  struct stat again {};
  const bool unchanged = ::fstat(t->lease.fd(), &again) == 0 && SameFile(again, t->st) &&
                         ::stat(info.path().c_str(), &again) == 0 && SameFile(again, t->st);
  if (!t->lease.Intact() || !unchanged) {
    return give_up(FixStatus::kRefused,
                   unchanged ? kLeaseBroken : "the file changed while it was being fixed; left as it was");
  }
  if (!Rename(tmp, info.path())) return give_up(FixStatus::kFailed, Errno("cannot rename over the original"));
  FsyncDir(fs::path(info.path()).parent_path().string());
  if (std::string e = journal->Done(idx); !e.empty()) session->late_error = e;
  // An open that looked the name up just before the rename reaches the old
  // inode after it; the lease, still held, makes it wait and shows it. Its
  // bytes would land in a file no name points at, so wait for it to finish
  // and append what it wrote to the fixed file.
  *note = CatchLateWriter(&t->lease, info.size, info.path());
  return {FixStatus::kFixed, ""};
}

// Backup first, then the change of the kind planned.
Result Apply(Target* t, const FilePlan& plan, const Content& c, const FixOutcome& o, Session* session,
             std::string* note) {
  std::string error;
  Journal* journal = session->Open(&error);
  if (journal == nullptr) return {FixStatus::kFailed, error};
  boost::system::error_code ec;
  const fs::path side_dir = fs::path(o.side_file).parent_path();
  fs::create_directories(side_dir, ec);
  if (ec) return {FixStatus::kFailed, "cannot create " + side_dir.string() + ": " + ec.message()};
  const FileInfo& info = *t->info;
  json action = {{"action", FixKindName(o.kind)}, {"path", plan.rel}, {"backup", c.side_rel},
                 {"old_size", info.size},         {"codes", o.codes}, {"state", "pending"}};
  if (o.kind == FixKind::kMove) {
    uint32_t old_crc = 0;
    if (!SourceCrc(&t->src, 0, info.size, &old_crc)) return {FixStatus::kFailed, "cannot read the file"};
    action["old_crc32c"] = old_crc;
    return Move(t, o.side_file, journal, std::move(action), session);
  }

  // Keep what will be removed: the cut tail, or the whole original. Its
  // CRC32C is computed as it is copied: the tail's for a cut, the whole
  // original's for a rewrite.
  const Ranges backup = o.kind == FixKind::kTruncate ? Ranges{{c.new_size, info.size}} : Ranges{{0, info.size}};
  uint32_t backup_crc = 0;
  if (std::string e = WriteRanges(&t->src, backup, o.side_file, nullptr, &backup_crc); !e.empty()) {
    return {FixStatus::kFailed, e};
  }
  if (!FsyncDir(side_dir.string())) return {FixStatus::kFailed, Errno("cannot sync the backup folder")};
  if (o.kind == FixKind::kTruncate) return Truncate(t, c, backup_crc, journal, std::move(action), session);
  action["old_crc32c"] = backup_crc;
  return Rewrite(t, c, journal, std::move(action), session, note);
}

}  // namespace

const char* FixStatusName(FixStatus s, bool dry_run) {
  switch (s) {
    case FixStatus::kFixed:
      return "fixed";
    case FixStatus::kWouldFix:
      return dry_run ? "would fix" : "fixable";
    case FixStatus::kSkipped:
      return "needs --unsafe-fixes";
    case FixStatus::kRefused:
      return "not fixed";
    case FixStatus::kFailed:
      return "fix failed";
  }
  return "?";
}

std::vector<FixOutcome> ApplyFixes(const LintResult& result, const FixOptions& options) {
  FixPlanner planner;
  for (const Finding& f : result.findings) planner.Add(f);
  return ApplyFixes(result, &planner, options);
}

std::vector<FixOutcome> ApplyFixes(const LintResult& result, FixPlanner* planner, const FixOptions& options) {
  std::vector<FixOutcome> outcomes;
  Session session(result, options);
  for (const FilePlan& plan : planner->Take(result)) {
    const FileInfo& info = plan.file->info;
    FixOutcome o;
    o.logdir = result.logdir.given;
    o.rel_path = plan.rel;
    o.display_path = DisplayPath(result, plan.rel);
    o.old_size = info.size;
    o.codes = plan.Codes();
    const auto done = [&](FixStatus status, std::string message) {
      o.status = status;
      o.message = std::move(message);
      outcomes.push_back(o);
    };
    if (!plan.any()) {
      if (!plan.withheld.empty()) {
        o.codes = plan.WithheldCodes();
        done(FixStatus::kRefused, plan.withheld);
      }
      continue;
    }
    o.kind = plan.kind();
    if (plan.unsafe() && !options.unsafe) {
      done(FixStatus::kSkipped, std::string("an unsafe fix (") + FixKindName(o.kind) + " for " + o.codes +
                                    "); run with --unsafe-fixes to apply it");
      continue;
    }
    Target target;
    FixStatus status;
    if (std::string why = Admit(info, options.dry_run, &target, &status); !why.empty()) {
      done(status, why);
      continue;
    }
    Content content;
    if (std::string why = PlanContent(plan, &target.src, &content); !why.empty()) {
      done(FixStatus::kRefused, why);
      continue;
    }
    o.new_size = content.new_size;
    o.kept_records = content.kept_records;
    o.dropped_records = content.dropped_records;
    o.dropped_bytes = content.dropped_bytes;
    o.side_file = session.dir() + "/" + content.side_rel;
    o.message = content.message +
                (o.kind == FixKind::kMove ? "; moved to " + o.side_file : "; the removed bytes kept in " + o.side_file);
    if (options.dry_run) {
      done(FixStatus::kWouldFix, o.message);
      continue;
    }
    std::string note;
    const Result r = Apply(&target, plan, content, o, &session, &note);
    if (r.status != FixStatus::kFixed) {
      done(r.status, r.message);
      continue;
    }
    done(FixStatus::kFixed, note.empty() ? o.message : o.message + "; " + note);
  }
  if (!session.late_error.empty()) {
    FixOutcome o;
    o.logdir = result.logdir.given;
    o.status = FixStatus::kFailed;
    o.message = session.late_error;
    outcomes.push_back(o);
  }
  return outcomes;
}

}  // namespace tblint
