#include "fix/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <stdexcept>

#include "fix/fixer.h"
#include "record/crc32c.h"

namespace tblint::fixio {

namespace fs = boost::filesystem;

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

namespace {

// The one read buffer of this thread's copies and checksums: a fix or a
// restore calls them once per file and range, so a buffer per call would be
// an allocation (and for small ranges a page fault) per call for nothing.
struct Scratch {
  static constexpr size_t kSize = 1 << 20;
  std::unique_ptr<uint8_t[]> buf;
  uint8_t* get() {
    if (!buf) buf = std::make_unique_for_overwrite<uint8_t[]>(kSize);
    return buf.get();
  }
};
thread_local Scratch scratch;

}  // namespace

bool CopyRange(Source* src, uint64_t from, uint64_t n, int dst, bool sparse, uint32_t* crc) {
  uint8_t* const buf = scratch.get();
  const uint64_t end = from + n;
  while (from < end) {
    if (sparse) {
      const uint64_t data = std::min(src->NextData(from), end);
      if (data > from) {
        if (::lseek(dst, static_cast<off_t>(data - from), SEEK_CUR) < 0) return false;
        if (crc) *crc = crc32c::ExtendZeros(*crc, data - from);
        from = data;
        continue;
      }
    }
    uint64_t limit = end;
    if (sparse) limit = std::min(limit, std::max(src->NextHole(from), from + 1));
    const size_t chunk = static_cast<size_t>(std::min<uint64_t>(limit - from, Scratch::kSize));
    if (src->ReadAt(from, chunk, buf)) return false;
    FaultPoint();
    if (!WriteAll(dst, reinterpret_cast<const char*>(buf), chunk)) return false;
    if (crc) *crc = crc32c::Extend(*crc, buf, chunk);
    from += chunk;
  }
  return true;
}

// Sets a sparse copy's size to where its writing ended.
bool FinishSparse(int fd) {
  const off_t at = ::lseek(fd, 0, SEEK_CUR);
  return at >= 0 && ::ftruncate(fd, at) == 0;
}

// Writes the given ranges of src to a new file `path` (O_EXCL), fsynced.
// `like` gives mode, owner and times to copy (nullptr: 0644, now).
std::string WriteRanges(Source* src, const Ranges& ranges, const std::string& path, const struct stat* like,
                        uint32_t* crc) {
  const mode_t mode = like ? (like->st_mode & 07777) : 0644;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return Errno("cannot create " + path);
  bool ok = true;
  if (crc) *crc = 0;
  for (const auto& [b, e] : ranges) ok = ok && CopyRange(src, b, e - b, fd, /*sparse=*/true, crc);
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
  uint8_t* const buf = scratch.get();
  uint32_t c = 0;
  for (uint64_t off = from; off < to;) {
    const uint64_t data = std::min(src->NextData(off), to);
    if (data > off) {
      c = crc32c::ExtendZeros(c, data - off);
      off = data;
      continue;
    }
    const uint64_t limit = std::min(to, std::max(src->NextHole(off), off + 1));
    const size_t n = static_cast<size_t>(std::min<uint64_t>(Scratch::kSize, limit - off));
    if (src->ReadAt(off, n, buf)) return false;
    c = crc32c::Extend(c, buf, n);
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

bool SameFile(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_size == b.st_size &&
         a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec;
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

void RemoveStaleTemporaries(const std::string& path) {
  const fs::path dir = fs::path(path).parent_path();
  const std::string suffix = "-" + DefangName(fs::path(path).filename().string()) + ".tmp";
  boost::system::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if ((name.rfind(".tblint-fix-", 0) == 0 || name.rfind(".tblint-restore-", 0) == 0 ||
         name.rfind(".tblint-archive-", 0) == 0) &&
        name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      fs::remove(it->path(), ec);
    }
  }
}

std::string TemporaryBeside(const std::string& path, const char* kind) {
  const fs::path p(path);
  return p.parent_path().string() + "/.tblint-" + kind + "-" + std::to_string(::getpid()) + "-" +
         DefangName(p.filename().string()) + ".tmp";
}

}  // namespace tblint::fixio

namespace tblint {

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

}  // namespace tblint
