// `tblint restore`: replays fix journals backwards, byte-identical
// (docs/fixing.md, "Undoing a fix").
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <nlohmann/json.hpp>
#include <optional>

#include "fix/archive.h"
#include "fix/file_io.h"
#include "fix/fixer.h"
#include "fix/lease.h"
#include "scan/discover.h"
#include "util/text.h"

namespace tblint {
namespace {

namespace fs = boost::filesystem;
using nlohmann::json;
using namespace fixio;

// One journaled action, as read back.
struct Action {
  std::string kind;  // "truncate", "rewrite" or "move"
  std::string rel;   // the event file, relative to the logdir
  std::string backup;
  uint32_t old_crc = 0;
  uint64_t old_size = 0;
  std::optional<std::pair<uint32_t, uint64_t>> fixed;  // new CRC32C and size, once written
  // A cut as this version journals it (docs/fixing.md, "The journal"): no
  // whole-file CRC32C, but what identifies the file around the cut. Journals
  // of older versions have old_crc32c and new_crc32c instead, and are
  // restored as before (Reassemble).
  struct Cut {
    uint64_t new_size = 0;
    uint32_t tail_crc = 0;  // the cut bytes, and so the backup
    uint64_t window_from = 0;
    uint32_t window_crc = 0;  // bytes [window_from, new_size)
  };
  std::optional<Cut> cut;
};

// Names are read back through GetName: exact bytes, whatever they are. A
// damaged entry gives nullopt: it must not send bytes to a guessed path.
std::optional<Action> ParseAction(const json& a) {
  Action out;
  const std::optional<std::string> rel = GetName(a, "path"), backup = GetName(a, "backup");
  if (!rel || !backup) return std::nullopt;
  out.rel = *rel;
  out.backup = *backup;
  try {
    out.kind = a.at("action").get<std::string>();
    out.old_size = a.at("old_size").get<uint64_t>();
    if (out.kind == "truncate" && a.contains("window_crc32c")) {
      Action::Cut cut;
      cut.new_size = a.at("new_size").get<uint64_t>();
      cut.tail_crc = a.at("tail_crc32c").get<uint32_t>();
      cut.window_from = a.at("window_from").get<uint64_t>();
      cut.window_crc = a.at("window_crc32c").get<uint32_t>();
      if (cut.window_from > cut.new_size || cut.new_size > out.old_size) return std::nullopt;
      out.cut = cut;
      return out;
    }
    out.old_crc = a.at("old_crc32c").get<uint32_t>();
    if (a.contains("new_crc32c"))
      out.fixed.emplace(a.at("new_crc32c").get<uint32_t>(), a.at("new_size").get<uint64_t>());
  } catch (const json::exception&) {
    return std::nullopt;
  }
  return out;
}

// Puts the original back from a truncate's cut tail or a rewrite's full
// copy: reassembled in a temporary beside the file, checked against the
// original's checksum, renamed over. "" or what went wrong.
std::string Reassemble(const Action& a, const std::string& path, const std::string& side) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  const std::string tmp = TemporaryBeside(path, "restore");
  std::string err;
  {
    FileSource cur, bak;
    if (cur.Open(path) || bak.Open(side)) {
      err = "cannot open the file or its backup";
    } else if (a.kind == "truncate") {
      // The fixed file followed by the cut tail.
      int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 07777);
      if (fd < 0) {
        err = Errno("cannot create " + tmp);
      } else {
        bool ok = CopyRange(&cur, 0, cur.Size(), fd, /*sparse=*/true) &&
                  CopyRange(&bak, 0, bak.Size(), fd, /*sparse=*/true) && FinishSparse(fd);
        const struct timespec times[2] = {st.st_atim, st.st_mtim};
        ok = ok && ::futimens(fd, times) == 0 && Fsync(fd);
        ::close(fd);
        if (!ok) err = Errno("cannot write " + tmp);
      }
    } else {
      err = WriteRanges(&bak, {{0, bak.Size()}}, tmp, &st);
    }
  }
  uint32_t tmp_crc = 0;
  uint64_t tmp_size = 0;
  if (err.empty() && (!FileCrc(tmp, &tmp_crc, &tmp_size) || tmp_crc != a.old_crc || tmp_size != a.old_size)) {
    err = "the reassembled file does not match the original's checksum";
  }
  if (err.empty() && !Rename(tmp, path)) err = Errno("cannot rename over " + path);
  if (!err.empty()) {
    ::unlink(tmp.c_str());
    return err;
  }
  FsyncDir(fs::path(path).parent_path().string());
  return "";
}

// Puts a cut tail back in place: appends it to the fixed file, after
// checking exactly what identifies that file (its size is the cut's, or
// between the cut's and the original's with the start of the tail already
// there, which a restore killed while appending leaves; and the last bytes
// before the cut are those the fix kept), and that the backup holds exactly
// the cut bytes. The cost follows the tail, not the file. The append happens
// under a write lease when the file system gives one and no other process
// has the file open (a writer that opens it then waits, and appends after
// the restored tail). Killed halfway, the file is the fixed one followed by
// the start of the cut bytes (no valid record among them: the fix checked),
// and running restore again finishes the append.
RestoreOutcome UndoCut(const Action& a, const std::string& path, const std::string& side) {
  const Action::Cut& cut = *a.cut;
  const auto refused = [&](const std::string& why) {
    return RestoreOutcome{path, "refused", why + "; backup left at " + side};
  };
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return refused("the file is gone");
  FileSource bak;
  uint32_t bak_crc = 0;
  if (bak.Open(side) || bak.Size() != a.old_size - cut.new_size || !SourceCrc(&bak, 0, bak.Size(), &bak_crc) ||
      bak_crc != cut.tail_crc) {
    return {path, "failed", "the backup " + side + " is missing or does not hold the cut bytes; nothing done"};
  }
  FileLease lease;
  int fd = -1, own_fd = -1;
  switch (lease.Acquire(path)) {
    case FileLease::Result::kHeld:
      fd = lease.fd();
      break;
    case FileLease::Result::kBusy:         // a reader (TensorBoard) or a writer: the checks below
    case FileLease::Result::kUnsupported:  // decide, as they did before leases were taken here
      fd = own_fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
      if (fd < 0) return {path, "failed", Errno("cannot open " + path)};
      break;
    default:
      return {path, "failed", lease.error()};
  }
  struct Closer {
    int fd;
    ~Closer() {
      if (fd >= 0) ::close(fd);
    }
  } closer{own_fd};
  FileSource cur;
  if (::fstat(fd, &st) != 0 || cur.Attach(fd)) return {path, "failed", Errno("cannot read " + path)};
  const uint64_t size = cur.Size();
  const std::string changed = "the file changed after the fix";
  if (size < cut.new_size || size > a.old_size) return refused(changed);
  uint32_t crc = 0;
  if (!SourceCrc(&cur, cut.window_from, cut.new_size, &crc)) return {path, "failed", "cannot read " + path};
  if (crc != cut.window_crc) return refused(changed);
  const uint64_t have = size - cut.new_size;  // of the tail, already in place
  if (have > 0) {
    uint32_t there = 0, kept = 0;
    if (!SourceCrc(&cur, cut.new_size, size, &there) || !SourceCrc(&bak, 0, have, &kept)) {
      return {path, "failed", "cannot read " + path + " or its backup"};
    }
    if (there != kept) return refused(changed);
    if (size == a.old_size) return {path, "already original", "the cut tail is in place: the file is the original"};
  }
  if (fd == lease.fd() && !lease.Intact()) {
    return refused("another process opened the file during the restore; run it again");
  }
  // The rest of the tail, where the file ends; its times kept; synced.
  const struct timespec times[2] = {st.st_atim, st.st_mtim};
  if (::lseek(fd, static_cast<off_t>(size), SEEK_SET) < 0 ||
      !CopyRange(&bak, have, bak.Size() - have, fd, /*sparse=*/true) || !FinishSparse(fd) ||
      ::futimens(fd, times) != 0 || !Fsync(fd)) {
    return {path, "failed", Errno("cannot append the cut tail to " + path)};
  }
  // Read back what was appended.
  FileSource after;
  if (after.Attach(fd) || after.Size() != a.old_size || !SourceCrc(&after, cut.new_size, a.old_size, &crc) ||
      crc != cut.tail_crc) {
    return {path, "failed", "the appended tail of " + path + " does not read back as the backup"};
  }
  return {path, "restored", "cut tail appended back from " + side};
}

// Undoes one action; the outcome's status says how it went.
RestoreOutcome Undo(const Action& a, const std::string& logdir, const std::string& session) {
  const std::string path = logdir + "/" + a.rel;
  const std::string side = session + "/" + a.backup;
  RemoveStaleTemporaries(path);
  if (a.cut) return UndoCut(a, path, side);
  uint32_t crc = 0;
  uint64_t size = 0;
  const bool exists = FileCrc(path, &crc, &size);
  if (exists && crc == a.old_crc && size == a.old_size) {
    return {path, "already original", "the file is byte-identical to the original"};
  }
  if (a.kind == "move") {
    if (exists) return {path, "refused", "a different file now has its name; moved file left at " + side};
    std::string err;
    if (!MoveFile(side, path, &err)) return {path, "failed", err};
    FsyncDir(fs::path(path).parent_path().string());
    return {path, "restored", "moved back from " + side};
  }
  const bool is_fixed = exists && a.fixed && crc == a.fixed->first && size == a.fixed->second;
  if (!is_fixed) {
    return {
        path, "refused",
        exists ? "the file changed after the fix; backup left at " + side : "the file is gone; backup left at " + side};
  }
  if (std::string err = Reassemble(a, path, side); !err.empty()) return {path, "failed", err};
  return {path, "restored",
          a.kind == "truncate" ? "cut tail appended back from " + side : "original copied back from " + side};
}

}  // namespace

bool Restore(const std::string& logdir, const std::string& backup_dir, std::vector<RestoreOutcome>* outcomes,
             std::string* error) {
  const std::string root = backup_dir.empty() ? logdir + "/" + kBackupDirName : backup_dir;
  boost::system::error_code ec;
  if (!fs::is_directory(root, ec)) {
    *error = "no backup folder at " + root + ": nothing was fixed or archived there";
    return false;
  }
  const std::string abs_logdir = fs::absolute(logdir).lexically_normal().string();
  std::vector<std::string> sessions;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    if (fs::exists(it->path() / "journal.json")) sessions.push_back(it->path().string());
  }
  // Newest first: session names start with a UTC timestamp.
  std::sort(sessions.rbegin(), sessions.rend());
  bool all_ok = true;
  for (const std::string& session : sessions) {
    json doc;
    try {
      doc = json::parse(ReadWholeFile(session + "/journal.json"));
    } catch (const std::exception& e) {
      outcomes->push_back({session, "failed", std::string("unreadable journal: ") + e.what()});
      all_ok = false;
      continue;
    }
    if (GetName(doc, "logdir") != abs_logdir) continue;  // another logdir's backups
    bool session_ok = true;
    ArchiveUndo archive;  // `tblint archive` journals its moves in the same folders
    const json actions = doc.contains("actions") && doc["actions"].is_array() ? doc["actions"] : json::array();
    for (size_t k = actions.size(); k-- > 0;) {  // each action undone in reverse order
      if (ArchiveUndo::Handles(actions[k])) {
        outcomes->push_back(archive.Undo(actions[k], logdir));
        const std::string& status = outcomes->back().status;
        session_ok = session_ok && (status == "restored" || status == "already original");
        continue;
      }
      const std::optional<Action> action = ParseAction(actions[k]);
      if (!action) {
        outcomes->push_back({session + "/journal.json", "failed",
                             "action " + std::to_string(k) + " of the journal is malformed; nothing done for it"});
        session_ok = false;
        continue;
      }
      outcomes->push_back(Undo(*action, logdir, session));
      const std::string& status = outcomes->back().status;
      session_ok = session_ok && (status == "restored" || status == "already original");
    }
    archive.Finish();
    if (session_ok) {
      // Keep every byte, but never replay this journal again.
      Rename(session + "/journal.json", session + "/journal.restored.json");
    }
    all_ok = all_ok && session_ok;
  }
  return all_ok;
}

}  // namespace tblint
