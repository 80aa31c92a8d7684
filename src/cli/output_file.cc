#include "cli/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace tblint {
namespace {

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

// Writes everything to `fd`; false with errno set on a write error.
bool WriteAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

}  // namespace

// A std::streambuf over a file descriptor, 64 KiB at a time; the first write
// error (its errno) is kept and later writes are dropped.
class AtomicOutputFile::Buffer : public std::streambuf {
 public:
  explicit Buffer(int fd) : fd_(fd), data_(64 << 10) { setp(data_.data(), data_.data() + data_.size()); }
  int error() const { return error_; }
  bool Flush() {
    const size_t n = static_cast<size_t>(pptr() - pbase());
    if (n > 0 && error_ == 0 && !WriteAll(fd_, pbase(), n)) error_ = errno;
    setp(data_.data(), data_.data() + data_.size());
    return error_ == 0;
  }

 protected:
  int_type overflow(int_type ch) override {
    if (!Flush()) return traits_type::eof();
    if (!traits_type::eq_int_type(ch, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(ch);
      pbump(1);
    }
    return traits_type::not_eof(ch);
  }
  int sync() override { return Flush() ? 0 : -1; }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    if (n >= static_cast<std::streamsize>(data_.size())) {
      if (!Flush()) return 0;
      if (!WriteAll(fd_, s, static_cast<size_t>(n))) {
        error_ = errno;
        return 0;
      }
      return n;
    }
    return std::streambuf::xsputn(s, n);
  }

 private:
  int fd_;
  std::vector<char> data_;
  int error_ = 0;
};

AtomicOutputFile::AtomicOutputFile() : stream_(nullptr) {}

AtomicOutputFile::~AtomicOutputFile() {
  if (fd_ >= 0) {
    ::close(fd_);
    if (!direct_) ::unlink(tmp_.c_str());
  }
}

bool AtomicOutputFile::Open(const std::string& given, std::string* error) {
  if (given.empty()) {
    *error = "empty file name";
    return false;
  }
  // A symlink is written through, as a redirection would: the temporary goes
  // beside the file it names and replaces that file; the link stays. (Renamed
  // over, the link itself would become a regular file: `-o /dev/stdout` run
  // as root with standard output redirected to a file replaced /dev/stdout.)
  // A dangling link is replaced, as before.
  std::string path = given;
  struct stat lst;
  if (::lstat(given.c_str(), &lst) == 0 && S_ISLNK(lst.st_mode)) {
    if (char* real = ::realpath(given.c_str(), nullptr)) {
      path = real;
      std::free(real);
    }
  }
  const size_t slash = path.rfind('/');
  dir_ = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  if (base.empty() || base == "." || base == "..") {
    *error = "not a file name";
    return false;
  }
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    if (S_ISDIR(st.st_mode)) {
      *error = "is a directory";
      return false;
    }
    // A character device (/dev/null, a terminal) or a FIFO is written in
    // place, as a shell redirection would: a temporary renamed over it would
    // replace the device node with a regular file.
    if (!S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode)) {
      *error = "is not a regular file, a character device or a FIFO";
      return false;
    }
    fd_ = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd_ < 0) {
      *error = Errno("cannot open");
      return false;
    }
    direct_ = true;
    path_ = path;
    buffer_ = std::make_unique<Buffer>(fd_);
    stream_.rdbuf(buffer_.get());
    return true;
  }
  // A hidden name that says what it is; mkstemp makes it unique and 0600.
  tmp_ = (slash == std::string::npos ? "" : path.substr(0, slash + 1)) + "." + base + ".tblint-XXXXXX";
  fd_ = ::mkostemp(tmp_.data(), O_CLOEXEC);
  if (fd_ < 0) {
    *error = Errno("cannot create a temporary file in " + dir_);
    return false;
  }
  // mkstemp creates 0600; give the report the mode a redirection would.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  if (::fchmod(fd_, 0666 & ~mask) != 0) {
    *error = Errno("cannot set the mode of " + tmp_);
    ::close(fd_);
    ::unlink(tmp_.c_str());
    fd_ = -1;
    return false;
  }
  path_ = path;
  buffer_ = std::make_unique<Buffer>(fd_);
  stream_.rdbuf(buffer_.get());
  return true;
}

bool AtomicOutputFile::Commit(std::string* error) {
  if (fd_ < 0) {
    *error = "not open";
    return false;
  }
  const int fd = fd_;
  fd_ = -1;
  if (direct_) {  // a device or FIFO: written in place, nothing to rename
    stream_.flush();
    if (!buffer_->Flush()) {
      errno = buffer_->error();
      *error = Errno("cannot write " + path_);
      ::close(fd);
      return false;
    }
    if (::close(fd) != 0) {
      *error = Errno("cannot close " + path_);
      return false;
    }
    return true;
  }
  auto fail = [&](const std::string& what) {
    *error = Errno(what);
    ::close(fd);
    ::unlink(tmp_.c_str());
    return false;
  };
  stream_.flush();
  if (!buffer_->Flush()) {
    errno = buffer_->error();
    return fail("cannot write " + tmp_);
  }
  if (::fsync(fd) != 0) return fail("cannot fsync " + tmp_);
  if (::close(fd) != 0) {
    *error = Errno("cannot close " + tmp_);
    ::unlink(tmp_.c_str());
    return false;
  }
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) {
    *error = Errno("cannot rename " + tmp_ + " to " + path_);
    ::unlink(tmp_.c_str());
    return false;
  }
  // The rename itself is durable once the directory is synced; a directory
  // that cannot be opened for that (no read permission) is not an error.
  const int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return true;
}

bool WriteFileAtomically(const std::string& path, std::string_view contents, std::string* error) {
  AtomicOutputFile file;
  if (!file.Open(path, error)) return false;
  file.stream().write(contents.data(), static_cast<std::streamsize>(contents.size()));
  return file.Commit(error);
}

}  // namespace tblint
