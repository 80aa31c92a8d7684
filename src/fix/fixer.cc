#include "fix/fixer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <stdexcept>
#include <string_view>

#include "event/event.h"
#include "fix/lease.h"
#include "record/crc32c.h"
#include "record/record_reader.h"
#include "record/source.h"
#include "scan/discover.h"
#include "util/text.h"

namespace tblint {
namespace {

namespace fs = boost::filesystem;
using nlohmann::json;

// --- fault injection ------------------------------------------------------
// TBLINT_FAULT_AT=N makes the process die (abort, no clean-up) at the Nth
// durable step of a fix or restore: a write, fsync or rename. Tests use it to
// prove that a kill at any point leaves each file original or fixed.
void FaultPoint() {
  static const long at = [] {
    const char* env = std::getenv("TBLINT_FAULT_AT");
    return env ? std::strtol(env, nullptr, 10) : 0L;
  }();
  static long count = 0;
  if (at > 0 && ++count == at) std::abort();
}

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

std::string ReadWholeFile(const std::string& path) {
  FileSource src;
  if (std::error_code ec = src.Open(path)) throw std::runtime_error(path + ": " + ec.message());
  std::string out(static_cast<size_t>(src.Size()), '\0');
  if (src.ReadAt(0, out.size(), reinterpret_cast<uint8_t*>(out.data())))
    throw std::runtime_error("cannot read " + path);
  return out;
}

bool WriteAll(int fd, const char* buf, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, buf, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    buf += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

bool Fsync(int fd) {
  FaultPoint();
  return ::fsync(fd) == 0;
}

bool FsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = Fsync(fd);
  ::close(fd);
  return ok;
}

bool Rename(const std::string& from, const std::string& to) {
  FaultPoint();
  return ::rename(from.c_str(), to.c_str()) == 0;
}

// Copies [from, from + n) of src to the open fd dst.
// Copies [from, from + n) of src to the open fd dst. With `sparse`, runs the
// source's file system reports as holes become holes in dst (a seek, not a
// write), so a 1 TB zero tail costs nothing to back up; the caller then sets
// dst's size with FinishSparse (a trailing hole is not written at all).
bool CopyRange(Source* src, uint64_t from, uint64_t n, int dst, bool sparse = false) {
  std::vector<uint8_t> buf(static_cast<size_t>(std::min<uint64_t>(1 << 20, std::max<uint64_t>(n, 1))));
  const uint64_t end = from + n;
  while (from < end) {
    if (sparse) {
      const uint64_t data = std::min(src->NextData(from), end);
      if (data > from) {
        if (::lseek(dst, static_cast<off_t>(data - from), SEEK_CUR) < 0) return false;
        from = data;
        continue;
      }
    }
    uint64_t limit = end;
    if (sparse) limit = std::min(limit, std::max(src->NextHole(from), from + 1));
    const size_t chunk = static_cast<size_t>(std::min<uint64_t>(limit - from, buf.size()));
    if (src->ReadAt(from, chunk, buf.data())) return false;
    FaultPoint();
    if (!WriteAll(dst, reinterpret_cast<const char*>(buf.data()), chunk)) return false;
    from += chunk;
  }
  return true;
}

// Sets a sparse copy's size to where its writing ended.
bool FinishSparse(int fd) {
  const off_t at = ::lseek(fd, 0, SEEK_CUR);
  return at >= 0 && ::ftruncate(fd, at) == 0;
}

using Ranges = std::vector<std::pair<uint64_t, uint64_t>>;  // [begin, end)

// Writes the given ranges of src to a new file `path` (O_EXCL), fsynced.
// `like` gives mode, owner and times to copy (nullptr: 0644, now).
std::string WriteRanges(Source* src, const Ranges& ranges, const std::string& path, const struct stat* like) {
  const mode_t mode = like ? (like->st_mode & 07777) : 0644;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return Errno("cannot create " + path);
  bool ok = true;
  for (const auto& [b, e] : ranges) ok = ok && CopyRange(src, b, e - b, fd, /*sparse=*/true);
  ok = ok && FinishSparse(fd);
  if (ok && like) {
    ok = ::fchmod(fd, like->st_mode & 07777) == 0;
    if (ok && (like->st_uid != ::geteuid() || like->st_gid != ::getegid())) {
      ok = ::fchown(fd, like->st_uid, like->st_gid) == 0;
    }
    // Keep the original's times: the content is as old as it was, and a fresh
    // mtime would make the file look like one a writer is still appending to.
    const struct timespec times[2] = {like->st_atim, like->st_mtim};
    ok = ok && ::futimens(fd, times) == 0;
  }
  ok = ok && Fsync(fd);
  std::string err = ok ? "" : Errno("cannot write " + path);
  ::close(fd);
  if (!ok) ::unlink(path.c_str());
  return err;
}

// CRC32C of bytes [from, to) of a source; holes by arithmetic, not reads.
bool SourceCrc(Source* src, uint64_t from, uint64_t to, uint32_t* crc) {
  std::vector<uint8_t> buf(static_cast<size_t>(std::min<uint64_t>(1 << 20, std::max<uint64_t>(to - from, 1))));
  uint32_t c = 0;
  for (uint64_t off = from; off < to;) {
    const uint64_t data = std::min(src->NextData(off), to);
    if (data > off) {
      c = crc32c::ExtendZeros(c, data - off);
      off = data;
      continue;
    }
    const uint64_t limit = std::min(to, std::max(src->NextHole(off), off + 1));
    const size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), limit - off));
    if (src->ReadAt(off, n, buf.data())) return false;
    c = crc32c::Extend(c, buf.data(), n);
    off += n;
  }
  *crc = c;
  return true;
}

// CRC32C of a whole file, to recognise a file's versions in the journal.
bool FileCrc(const std::string& path, uint32_t* crc, uint64_t* size) {
  FileSource src;
  if (src.Open(path)) return false;
  *size = src.Size();
  return SourceCrc(&src, 0, src.Size(), crc);
}

std::string Timestamp(double now) {
  std::time_t t = static_cast<std::time_t>(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

// DefangName on every component of a relative path. Split on '/' alone: a
// name component is any other bytes (newlines, invalid UTF-8, ...), and
// needs no interpretation to be copied.
std::string DefangPath(const std::string& rel) {
  std::string out;
  for (size_t begin = 0; begin <= rel.size();) {
    size_t end = rel.find('/', begin);
    if (end == std::string::npos) end = rel.size();
    if (end > begin) {
      if (!out.empty()) out += "/";
      out += DefangName(rel.substr(begin, end - begin));
    }
    begin = end + 1;
  }
  return out;
}

// The journal of one fix session, rewritten atomically after every change so
// that it always describes what is on disk.
//
// Paths are bytes, and restore needs them exact: every string field goes in
// through PutName (docs/fixing.md, "The journal"), so a path that is not
// UTF-8 is kept in base64 beside its readable form, and saving can never
// throw halfway through a session, leaving a backup with no journal entry.
class Journal {
 public:
  Journal(std::string dir, const std::string& logdir) : dir_(std::move(dir)) {
    doc_ = {{"tool", "tblint"}, {"version", TBLINT_VERSION}, {"actions", json::array()}};
    PutName(doc_, "logdir", logdir);
  }
  size_t Add(json action) {
    json entry = json::object();
    for (auto it = action.begin(); it != action.end(); ++it) {
      if (it->is_string()) {
        PutName(entry, it.key(), it->get_ref<const std::string&>());
      } else {
        entry[it.key()] = std::move(*it);
      }
    }
    doc_["actions"].push_back(std::move(entry));
    return doc_["actions"].size() - 1;
  }
  void Set(size_t i, const char* key, json value) {
    json& entry = doc_["actions"][i];
    if (value.is_string()) {
      PutName(entry, key, value.get_ref<const std::string&>());
    } else {
      entry[key] = std::move(value);
      entry.erase(std::string(key) + std::string(kBytesSuffix));
    }
  }
  std::string Save() {
    const std::string path = dir_ + "/journal.json", tmp = dir_ + "/journal.json.tmp";
    const std::string text = DumpJson(doc_) + "\n";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return Errno("cannot write " + tmp);
    FaultPoint();
    bool ok = WriteAll(fd, text.data(), text.size()) && Fsync(fd);
    ::close(fd);
    if (!ok || !Rename(tmp, path) || !FsyncDir(dir_)) return Errno("cannot write " + path);
    return "";
  }

 private:
  std::string dir_;
  json doc_;
};

struct Plan {
  const FileResult* file = nullptr;
  std::set<std::string> codes;
  bool move = false;                    // TB106, TB201, TB503
  bool rewrite = false;                 // TB103, TB104, TB105, or a tail behind earlier damage
  std::optional<uint64_t> truncate_to;  // safe tail fix
  // Fixes the findings hold back (a file that may still be written), and why.
  std::set<std::string> withheld_codes;
  std::string withheld;
  bool unsafe() const { return move || rewrite; }
};

std::string CodesOf(const Plan& p) {
  std::string s;
  for (const std::string& c : p.codes) s += (s.empty() ? "" : ",") + c;
  return s;
}

// Salvage: the records a greedy scan finds (a valid record is taken whole,
// otherwise the scan moves one byte on), which is every record whose framing
// and both CRCs check, including those hidden inside a damaged record's
// declared span. Undecodable payloads are dropped when asked, except one
// whose bytes hold valid records of their own: dropping it would drop them.
Ranges SalvageRanges(Source* src, bool drop_undecodable, uint64_t* kept, uint64_t* dropped) {
  Ranges keep;
  RecordReader reader(src);
  Record rec;
  event::EventView ev;
  event::WireError err;
  *kept = *dropped = 0;
  while (true) {
    if (!reader.Next(&rec)) {
      if (!reader.Resync()) break;
      continue;
    }
    if (rec.kind == RecordKind::kIoError) break;
    if (rec.kind != RecordKind::kOk) {
      ++*dropped;
      if (!reader.Resync()) break;
      continue;
    }
    if (drop_undecodable && rec.payload_in_memory && !event::DecodeEvent(rec.payload, &ev, &err)) {
      const std::string payload(rec.payload);  // the reader's window moves on
      MemorySource inner(payload);
      RecordReader inner_reader(&inner);
      std::error_code ec;
      if (inner_reader.ScanForValid(0, payload.size(), &ec).count == 0) {
        ++*dropped;
        continue;
      }
    }
    ++*kept;
    if (!keep.empty() && keep.back().second == rec.offset) {
      keep.back().second = rec.end;
    } else {
      keep.emplace_back(rec.offset, rec.end);
    }
  }
  return keep;
}

// The kept prefix of a tail fix must be whole, valid records ending exactly
// at `cut`, from `cut` to the end only a truncated record or zeros, and no
// valid record may start anywhere in the bytes that go: the check is on the
// bytes cut, not only on where the damage starts.
std::string VerifyCut(Source* src, uint64_t cut) {
  RecordReader reader(src);
  Record rec;
  bool at_cut = false;
  while (reader.Next(&rec)) {
    if (rec.offset == cut) {
      if (rec.kind == RecordKind::kTruncated || rec.kind == RecordKind::kZeroFilled) {
        at_cut = true;
        break;
      }
      return std::string("the bytes after the cut are not a truncated record or zeros (") + RecordKindName(rec.kind) +
             ")";
    }
    if (rec.kind != RecordKind::kOk) {
      return "record " + std::to_string(rec.index) + " before the cut is not valid (" + RecordKindName(rec.kind) + ")";
    }
    if (rec.end > cut) return "the cut falls inside a valid record";
  }
  if (!at_cut) return "the file no longer ends inside a record at offset " + std::to_string(cut);
  std::error_code ec;
  const RecordReader::Found hidden = reader.ScanForValid(cut, src->Size(), &ec);
  if (ec) return "cannot read the bytes after the cut: " + ec.message();
  if (hidden.count > 0) {
    return std::to_string(hidden.count) + " valid " + (hidden.count == 1 ? "record starts" : "records start") +
           " in the bytes that would be cut (the first at offset " + std::to_string(hidden.first) + ")";
  }
  return "";
}

// Every record of a rewritten file must read back valid.
std::string VerifyAllValid(const std::string& path, uint64_t expect_records) {
  FileSource src;
  if (std::error_code ec = src.Open(path)) return "cannot reopen " + path + ": " + ec.message();
  RecordReader reader(&src);
  Record rec;
  uint64_t n = 0;
  while (reader.Next(&rec)) {
    if (rec.kind != RecordKind::kOk) return "the rewritten file does not read back clean";
    ++n;
  }
  if (n != expect_records) return "the rewritten file holds an unexpected number of records";
  return "";
}

constexpr const char* kLeaseBroken =
    "another process opened the file during the fix (its write lease broke); left as it was, try again later";

bool SameFile(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_size == b.st_size &&
         a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec;
}

// CRC32C of bytes [from, to) of a source.
void Abandon(Journal* journal, size_t idx) {
  journal->Set(idx, "state", "abandoned");
  journal->Save();
}

// Called right after the fixed file was renamed over the original, with the
// lease on the original still held. An open() that looked the name up before
// the rename gets the old inode; it is then blocked on the lease, which shows
// it as breaking. Such a writer is let through, waited for (the lease can be
// taken again only when nobody else has the file open), and whatever it
// appended to the old inode, which no name points at any more, is appended
// to the fixed file. Returns what was done, or "" when nobody came.
std::string CatchLateWriter(FileLease* lease, uint64_t old_size, const std::string& path) {
  // An opener between its lookup and its lease check needs a moment to get
  // there; a few milliseconds is enough unless it is descheduled.
  ::usleep(10'000);
  if (lease->Intact()) return "";
  lease->Unlease();
  bool alone = false;
  for (int i = 0; i < 3000 && !alone; ++i) {  // up to 30 s, under the kernel's 45 s lease-break time
    ::usleep(10'000);
    alone = lease->Retake();
  }
  struct stat st {};
  if (::fstat(lease->fd(), &st) != 0) return Errno("a writer opened the original during the fix; cannot stat it");
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size <= old_size) return "";
  FileSource old;
  if (old.Attach(lease->fd())) return "a writer appended to the original during the fix; cannot read it";
  const int out = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NONBLOCK);
  if (out < 0) return Errno("a writer appended to the original during the fix; cannot reopen " + path);
  const bool ok = CopyRange(&old, old_size, size - old_size, out) && Fsync(out);
  ::close(out);
  const std::string n = std::to_string(size - old_size);
  if (!ok) return Errno("a writer appended " + n + " bytes to the original during the fix; cannot append them");
  return "a writer appended " + n +
         " bytes to the original while it was being replaced; they were appended to the "
         "fixed file" +
         std::string(alone ? "" : " (the writer still had it open after 30 s)");
}

bool MoveFile(const std::string& from, const std::string& to, std::string* err) {
  if (Rename(from, to)) return true;
  if (errno != EXDEV) {
    *err = Errno("cannot move " + from + " to " + to);
    return false;
  }
  // Another file system: copy, make it durable, then remove the original.
  FileSource src;
  if (std::error_code ec = src.Open(from)) {
    *err = "cannot open " + from + ": " + ec.message();
    return false;
  }
  struct stat st {};
  ::stat(from.c_str(), &st);
  if (std::string e = WriteRanges(&src, {{0, src.Size()}}, to, &st); !e.empty()) {
    *err = e;
    return false;
  }
  if (!FsyncDir(fs::path(to).parent_path().string())) {
    *err = Errno("cannot sync " + to);
    return false;
  }
  FaultPoint();
  if (::unlink(from.c_str()) != 0) {
    *err = Errno("copied to " + to + " but cannot remove " + from);
    return false;
  }
  return true;
}

// A fixer killed between writing its temporary and renaming it leaves the
// temporary behind (named so that TensorBoard ignores it); it is only ever a
// partial copy of data that is still in the original, so restore removes it.
void RemoveStaleTemporaries(const std::string& path) {
  const fs::path dir = fs::path(path).parent_path();
  const std::string suffix = "-" + DefangName(fs::path(path).filename().string()) + ".tmp";
  boost::system::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if ((name.rfind(".tblint-fix-", 0) == 0 || name.rfind(".tblint-restore-", 0) == 0) && name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      fs::remove(it->path(), ec);
    }
  }
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

std::string DefangName(const std::string& name) {
  // ASCII case folding by hand: strncasecmp follows the locale, and a name's
  // other bytes (any bytes at all) must be copied, never interpreted.
  constexpr std::string_view kWord = "tfevents";
  const auto matches_at = [&](size_t i) {
    if (name.size() - i < kWord.size()) return false;
    for (size_t k = 0; k < kWord.size(); ++k) {
      char ch = name[i + k];
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
      if (ch != kWord[k]) return false;
    }
    return true;
  };
  // "tfevents" has no border (no proper prefix that is also a suffix), so
  // replacing left to right finds every occurrence, and the inserted '-' can
  // never complete a new one. The case is kept ("TFEvents" -> "TF-Events"),
  // so two names differing only in case keep distinct backups.
  std::string out;
  for (size_t i = 0; i < name.size();) {
    if (matches_at(i)) {
      out.append(name, i, 2).append("-").append(name, i + 2, kWord.size() - 2);
      i += kWord.size();
    } else {
      out += name[i++];
    }
  }
  return out;
}

std::vector<FixOutcome> ApplyFixes(const LintResult& result, const FixOptions& options) {
  std::vector<FixOutcome> outcomes;
  const LogdirResult& logdir = result.logdir;

  // One plan per file, from its findings.
  std::map<std::string, Plan> plans;
  std::map<std::string, const FileResult*> by_rel;
  for (const FileResult& f : logdir.files) by_rel[f.info.rel_path] = &f;
  for (const Finding& f : result.findings) {
    auto file = by_rel.find(f.path);
    if (file == by_rel.end()) continue;
    const FixAction& fix = f.fix;
    if (fix.kind == FixKind::kNone && fix.withheld.empty()) continue;
    Plan& p = plans[f.path];
    p.file = file->second;
    if (!fix.withheld.empty()) {
      p.withheld_codes.insert(f.rule->code);
      p.withheld = fix.withheld;
      continue;
    }
    switch (fix.kind) {
      case FixKind::kTruncate:
        if (!fix.truncate_to) continue;
        p.truncate_to = std::min(p.truncate_to.value_or(UINT64_MAX), *fix.truncate_to);
        break;
      case FixKind::kRewrite:
        p.rewrite = true;
        break;
      case FixKind::kMove:
        p.move = true;
        break;
      case FixKind::kNone:
        continue;
    }
    p.codes.insert(f.rule->code);
  }

  const std::string logdir_path = logdir.single_file && !logdir.files.empty()
                                      ? fs::path(logdir.files.front().info.path).parent_path().string()
                                      : logdir.given;
  const std::string backup_root = options.backup_dir.empty() ? logdir_path + "/" + kBackupDirName : options.backup_dir;
  // One folder per session: the time and pid, and a counter when one process
  // fixes twice within a second (a library caller, a test).
  std::string session_dir = backup_root + "/" + Timestamp(options.now) + "-" + std::to_string(::getpid());
  {
    boost::system::error_code ec;
    const std::string base = session_dir;
    for (int n = 2; fs::exists(session_dir, ec); ++n) session_dir = base + "-" + std::to_string(n);
  }
  std::optional<Journal> journal;
  std::string journal_error;

  for (auto& [rel, plan] : plans) {
    const FileInfo& info = plan.file->info;
    FixOutcome o;
    o.logdir = logdir.given;
    o.rel_path = rel;
    o.display_path = DisplayPath(result, rel);
    o.old_size = info.size;
    o.codes = CodesOf(plan);
    auto done = [&](FixStatus status, std::string message) {
      o.status = status;
      o.message = std::move(message);
      outcomes.push_back(o);
    };
    if (plan.codes.empty()) {
      if (!plan.withheld.empty()) {
        o.codes.clear();
        for (const std::string& c : plan.withheld_codes) o.codes += (o.codes.empty() ? "" : ",") + c;
        done(FixStatus::kRefused, plan.withheld);
      }
      continue;
    }
    o.kind = plan.move ? FixKind::kMove : plan.rewrite ? FixKind::kRewrite : FixKind::kTruncate;
    if (plan.unsafe() && !options.unsafe) {
      done(FixStatus::kSkipped, std::string("an unsafe fix (") + FixKindName(o.kind) + " for " + o.codes +
                                    "); run with --unsafe-fixes to apply it");
      continue;
    }

    // The file must be exactly what was scanned, and quiet.
    struct stat st {};
    if (::stat(info.path.c_str(), &st) != 0) {
      done(FixStatus::kRefused, Errno("cannot stat"));
      continue;
    }
    const double mtime = st.st_mtim.tv_sec + st.st_mtim.tv_nsec * 1e-9;
    if (static_cast<uint64_t>(st.st_size) != info.size || st.st_ino != info.ino || mtime != info.mtime) {
      done(FixStatus::kRefused, "the file changed since it was scanned (size, mtime or inode); lint it again");
      continue;
    }
    // Whether the file may still be written was decided once, by the scan
    // (its clock, grace period and /proc evidence): the fixer does not decide
    // it again, it re-checks that nothing changed since (above) and holds a
    // write lease from here on (below).
    if (info.recently_modified) {
      done(FixStatus::kRefused, "modified within the grace period; a writer may still be appending to it");
      continue;
    }
    if (info.open_for_writing) {
      done(FixStatus::kRefused, "a process has it open for writing");
      continue;
    }
    // Everything a real fix reads from the original goes through one
    // descriptor holding a write lease (lease.h), taken before a byte is
    // read: a writer that opens the file from now on breaks it, and the fix
    // backs off before its last step.
    FileLease lease;
    FileSource src;
    if (options.dry_run) {
      if (std::error_code ec = src.Open(info.path)) {
        done(FixStatus::kFailed, "cannot open: " + ec.message());
        continue;
      }
    } else {
      const FileLease::Result taken = lease.Acquire(info.path);
      if (taken == FileLease::Result::kBusy) {
        done(FixStatus::kRefused, "another process has the file open (no write lease: " + lease.error() +
                                      "); a writer may still append to it");
        continue;
      }
      if (taken == FileLease::Result::kUnsupported) {
        done(FixStatus::kRefused, "the file system gives no write lease on it (" + lease.error() +
                                      "), so a writer appending during the fix cannot be ruled out; left as it was");
        continue;
      }
      if (taken != FileLease::Result::kHeld) {
        done(FixStatus::kFailed, lease.error());
        continue;
      }
      struct stat held {};
      if (::fstat(lease.fd(), &held) != 0 || !SameFile(held, st) || src.Attach(lease.fd())) {
        done(FixStatus::kRefused, "the file changed since it was scanned (size, mtime or inode); lint it again");
        continue;
      }
    }

    // What the new file holds.
    Ranges keep;
    std::string side_rel = "files/" + DefangPath(rel);
    if (o.kind == FixKind::kMove) {
      side_rel += ".moved";
      o.new_size = 0;
      o.message = "move out of the logdir (" + o.codes + ")";
    } else if (o.kind == FixKind::kRewrite) {
      // Undecodable payloads go too, found or not: TensorBoard fails on them.
      keep = SalvageRanges(&src, /*drop_undecodable=*/true, &o.kept_records, &o.dropped_records);
      for (const auto& [b, e] : keep) o.new_size += e - b;
      o.dropped_bytes = info.size - o.new_size;
      side_rel += ".original.bin";
      o.message = "rewrite keeping " + std::to_string(o.kept_records) + " valid records (" +
                  std::to_string(o.new_size) + " bytes), dropping " + std::to_string(o.dropped_records) + " damaged " +
                  (o.dropped_records == 1 ? "record" : "records") + " and " + std::to_string(o.dropped_bytes) +
                  " bytes in all (" + o.codes + ")";
    } else {
      const uint64_t cut = *plan.truncate_to;
      if (std::string why = VerifyCut(&src, cut); !why.empty()) {
        done(FixStatus::kRefused, "refusing to cut at offset " + std::to_string(cut) + ": " + why);
        continue;
      }
      keep = {{0, cut}};
      o.new_size = cut;
      o.dropped_bytes = info.size - cut;
      side_rel += ".tail-at-" + std::to_string(cut) + ".bin";
      o.message =
          "truncate from " + std::to_string(info.size) + " to " + std::to_string(cut) + " bytes (" + o.codes + ")";
    }
    o.side_file = session_dir + "/" + side_rel;
    o.message += o.kind == FixKind::kMove ? "; moved to " + o.side_file : "; the removed bytes kept in " + o.side_file;
    if (options.dry_run) {
      done(FixStatus::kWouldFix, o.message);
      continue;
    }

    // The journal and backup folder are created on the first real change.
    if (!journal) {
      boost::system::error_code ec;
      fs::create_directories(session_dir + "/files", ec);
      if (ec) {
        done(FixStatus::kFailed, "cannot create " + session_dir + ": " + ec.message());
        continue;
      }
      std::string abs_logdir = fs::absolute(logdir_path).lexically_normal().string();
      journal.emplace(session_dir, abs_logdir);
    }
    boost::system::error_code ec;
    fs::create_directories(fs::path(o.side_file).parent_path(), ec);
    if (ec) {
      done(FixStatus::kFailed, "cannot create " + fs::path(o.side_file).parent_path().string() + ": " + ec.message());
      continue;
    }
    uint32_t old_crc = 0;
    if (!SourceCrc(&src, 0, info.size, &old_crc)) {
      done(FixStatus::kFailed, "cannot read the file");
      continue;
    }
    json action = {{"action", FixKindName(o.kind)}, {"path", rel},      {"backup", side_rel}, {"old_size", info.size},
                   {"old_crc32c", old_crc},         {"codes", o.codes}, {"state", "pending"}};

    if (o.kind == FixKind::kMove) {
      action["new_size"] = 0;
      const size_t idx = journal->Add(action);
      if (std::string e = journal->Save(); !e.empty()) {
        done(FixStatus::kFailed, e);
        continue;
      }
      if (!lease.Intact()) {
        Abandon(&*journal, idx);
        done(FixStatus::kRefused, kLeaseBroken);
        continue;
      }
      // A rename keeps the inode: a writer that opened the file just before
      // writes into the moved file, which is kept.
      std::string err;
      if (!MoveFile(info.path, o.side_file, &err)) {
        done(FixStatus::kFailed, err);
        continue;
      }
      FsyncDir(fs::path(info.path).parent_path().string());
      FsyncDir(fs::path(o.side_file).parent_path().string());
      journal->Set(idx, "state", "done");
      if (std::string e = journal->Save(); !e.empty()) journal_error = e;
      done(FixStatus::kFixed, o.message);
      continue;
    }

    // 1. Keep what will be removed: the cut tail, or the whole original.
    const Ranges backup = o.kind == FixKind::kTruncate ? Ranges{{o.new_size, info.size}} : Ranges{{0, info.size}};
    if (std::string e = WriteRanges(&src, backup, o.side_file, nullptr); !e.empty()) {
      done(FixStatus::kFailed, e);
      continue;
    }
    if (!FsyncDir(fs::path(o.side_file).parent_path().string())) {
      done(FixStatus::kFailed, Errno("cannot sync the backup folder"));
      continue;
    }
    if (o.kind == FixKind::kTruncate) {
      // 2. The fixed file's checksum is known before the cut: journal it, so
      //    that a fixer killed right after the cut leaves a state restore
      //    recognises.
      uint32_t new_crc = 0;
      if (!SourceCrc(&src, 0, o.new_size, &new_crc)) {
        done(FixStatus::kFailed, "cannot read the file");
        continue;
      }
      action["new_size"] = o.new_size;
      action["new_crc32c"] = new_crc;
      const size_t idx = journal->Add(action);
      if (std::string e = journal->Save(); !e.empty()) {
        done(FixStatus::kFailed, e);
        continue;
      }
      // 3. Cut in place, under the lease. ftruncate is one atomic change of
      //    the inode, which stays the same: a writer blocked on the lease
      //    appends after the cut once it is released, so nothing it writes
      //    can land in a file that is no longer there.
      if (!lease.Intact()) {
        Abandon(&*journal, idx);
        done(FixStatus::kRefused, kLeaseBroken);
        continue;
      }
      FaultPoint();
      if (::ftruncate(lease.fd(), static_cast<off_t>(o.new_size)) != 0) {
        const std::string why = Errno("cannot truncate");
        Abandon(&*journal, idx);
        done(FixStatus::kFailed, why);
        continue;
      }
      // Keep the original's times: the content is as old as it was, and a
      // fresh mtime would make the file look like one still being written.
      const struct timespec times[2] = {st.st_atim, st.st_mtim};
      ::futimens(lease.fd(), times);
      if (!Fsync(lease.fd())) {
        done(FixStatus::kFailed, Errno("cannot sync the truncated file"));
        continue;
      }
      journal->Set(idx, "state", "done");
      if (std::string e = journal->Save(); !e.empty()) journal_error = e;
      done(FixStatus::kFixed, o.message);
      continue;
    }

    // 2. Journal the action before any temporary exists, so that restore
    //    knows every file a killed fix may have left something beside.
    const size_t idx = journal->Add(action);
    if (std::string e = journal->Save(); !e.empty()) {
      done(FixStatus::kFailed, e);
      continue;
    }
    // 3. The new content, beside the original under a name TensorBoard ignores.
    const std::string dir = fs::path(info.path).parent_path().string();
    const std::string tmp = dir + "/.tblint-fix-" + std::to_string(::getpid()) + "-" + DefangName(info.name) + ".tmp";
    if (std::string e = WriteRanges(&src, keep, tmp, &st); !e.empty()) {
      Abandon(&*journal, idx);
      done(FixStatus::kFailed, e);
      continue;
    }
    if (std::string e = VerifyAllValid(tmp, o.kept_records); !e.empty()) {
      ::unlink(tmp.c_str());
      Abandon(&*journal, idx);
      done(FixStatus::kFailed, e + "; left as it was");
      continue;
    }
    uint32_t new_crc = 0;
    uint64_t new_size = 0;
    FileCrc(tmp, &new_crc, &new_size);
    journal->Set(idx, "new_size", new_size);
    journal->Set(idx, "new_crc32c", new_crc);
    if (std::string e = journal->Save(); !e.empty()) {
      ::unlink(tmp.c_str());
      done(FixStatus::kFailed, e);
      continue;
    }
    // 4. A last look (the lease, then size, mtime and inode), then swap.
    struct stat again {};
    const bool unchanged = ::fstat(lease.fd(), &again) == 0 && SameFile(again, st) &&
                           ::stat(info.path.c_str(), &again) == 0 && SameFile(again, st);
    if (!lease.Intact() || !unchanged) {
      ::unlink(tmp.c_str());
      Abandon(&*journal, idx);
      done(FixStatus::kRefused, unchanged ? kLeaseBroken : "the file changed while it was being fixed; left as it was");
      continue;
    }
    if (!Rename(tmp, info.path)) {
      std::string why = Errno("cannot rename over the original");
      ::unlink(tmp.c_str());
      Abandon(&*journal, idx);
      done(FixStatus::kFailed, why);
      continue;
    }
    FsyncDir(dir);
    journal->Set(idx, "state", "done");
    if (std::string e = journal->Save(); !e.empty()) journal_error = e;
    // 5. An open that looked the name up just before the rename reaches the
    //    old inode after it; the lease, still held, makes it wait and shows
    //    it. Its bytes would land in a file no name points at, so wait for it
    //    to finish and append what it wrote to the fixed file.
    if (std::string late = CatchLateWriter(&lease, info.size, info.path); !late.empty()) {
      o.message += "; " + late;
    }
    done(FixStatus::kFixed, o.message);
  }
  if (!journal_error.empty()) {
    FixOutcome o;
    o.logdir = logdir.given;
    o.status = FixStatus::kFailed;
    o.message = journal_error;
    outcomes.push_back(o);
  }
  return outcomes;
}

bool Restore(const std::string& logdir, const std::string& backup_dir, std::vector<RestoreOutcome>* outcomes,
             std::string* error) {
  const std::string root = backup_dir.empty() ? logdir + "/" + kBackupDirName : backup_dir;
  boost::system::error_code ec;
  if (!fs::is_directory(root, ec)) {
    *error = "no backup folder at " + root + ": nothing was fixed there";
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
    // Names are read back through GetName: exact bytes, whatever they are.
    if (GetName(doc, "logdir") != abs_logdir) continue;  // another logdir's backups
    bool session_ok = true;
    const json actions = doc.contains("actions") && doc["actions"].is_array() ? doc["actions"] : json::array();
    for (size_t k = actions.size(); k-- > 0;) {
      const json& a = actions[k];
      const std::optional<std::string> rel = GetName(a, "path"), backup = GetName(a, "backup");
      std::string kind;
      uint32_t old_crc = 0;
      uint64_t old_size = 0;
      std::optional<std::pair<uint32_t, uint64_t>> fixed_version;  // new CRC32C and size, once written
      bool well_formed = rel && backup;
      try {
        kind = a.at("action").get<std::string>();
        old_crc = a.at("old_crc32c").get<uint32_t>();
        old_size = a.at("old_size").get<uint64_t>();
        if (a.contains("new_crc32c")) {
          fixed_version.emplace(a.at("new_crc32c").get<uint32_t>(), a.at("new_size").get<uint64_t>());
        }
      } catch (const json::exception&) {
        well_formed = false;
      }
      if (!well_formed) {
        // A damaged journal must not send bytes to a guessed path.
        outcomes->push_back({session + "/journal.json", "failed",
                             "action " + std::to_string(k) + " of the journal is malformed; nothing done for it"});
        session_ok = false;
        continue;
      }
      const std::string path = logdir + "/" + *rel;
      const std::string side = session + "/" + *backup;
      RemoveStaleTemporaries(path);
      RestoreOutcome r{path, "", ""};
      uint32_t crc = 0;
      uint64_t size = 0;
      const bool exists = FileCrc(path, &crc, &size);
      if (exists && crc == old_crc && size == old_size) {
        r.status = "already original";
        r.message = "the file is byte-identical to the original";
        outcomes->push_back(r);
        continue;
      }
      if (kind == "move") {
        if (exists) {
          r.status = "refused";
          r.message = "a different file now has its name; moved file left at " + side;
          session_ok = false;
        } else {
          std::string err;
          if (MoveFile(side, path, &err)) {
            FsyncDir(fs::path(path).parent_path().string());
            r.status = "restored";
            r.message = "moved back from " + side;
          } else {
            r.status = "failed";
            r.message = err;
            session_ok = false;
          }
        }
        outcomes->push_back(r);
        continue;
      }
      const bool is_fixed = exists && fixed_version && crc == fixed_version->first && size == fixed_version->second;
      if (!is_fixed) {
        r.status = "refused";
        r.message = exists ? "the file changed after the fix; backup left at " + side
                           : "the file is gone; backup left at " + side;
        session_ok = false;
        outcomes->push_back(r);
        continue;
      }
      struct stat st {};
      ::stat(path.c_str(), &st);
      const std::string tmp = fs::path(path).parent_path().string() + "/.tblint-restore-" + std::to_string(::getpid()) +
                              "-" + DefangName(fs::path(path).filename().string()) + ".tmp";
      std::string err;
      {
        FileSource cur, bak;
        if (cur.Open(path) || bak.Open(side)) {
          err = "cannot open the file or its backup";
        } else if (kind == "truncate") {
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
      if (err.empty() && (!FileCrc(tmp, &tmp_crc, &tmp_size) || tmp_crc != old_crc || tmp_size != old_size)) {
        err = "the reassembled file does not match the original's checksum";
      }
      if (err.empty() && !Rename(tmp, path)) err = Errno("cannot rename over " + path);
      if (!err.empty()) {
        ::unlink(tmp.c_str());
        r.status = "failed";
        r.message = err;
        session_ok = false;
      } else {
        FsyncDir(fs::path(path).parent_path().string());
        r.status = "restored";
        r.message = kind == "truncate" ? "cut tail appended back from " + side : "original copied back from " + side;
      }
      outcomes->push_back(r);
    }
    if (session_ok) {
      // Keep every byte, but never replay this journal again.
      Rename(session + "/journal.json", session + "/journal.restored.json");
    }
    all_ok = all_ok && session_ok;
  }
  return all_ok;
}

}  // namespace tblint
