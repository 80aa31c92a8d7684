#include "cli/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace tblint {
namespace {

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

}  // namespace

bool WriteFileAtomically(const std::string& path, std::string_view contents, std::string* error) {
  if (path.empty()) {
    *error = "empty file name";
    return false;
  }
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  if (base.empty() || base == "." || base == "..") {
    *error = "not a file name";
    return false;
  }
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    *error = "is a directory";
    return false;
  }
  // A hidden name that says what it is; mkstemp makes it unique and 0600.
  std::string tmp = (slash == std::string::npos ? "" : path.substr(0, slash + 1)) + "." + base + ".tblint-XXXXXX";
  const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) {
    *error = Errno("cannot create a temporary file in " + dir);
    return false;
  }
  auto fail = [&](const std::string& what) {
    *error = Errno(what);
    ::close(fd);
    ::unlink(tmp.c_str());
    return false;
  };
  // mkstemp creates 0600; give the report the mode a redirection would.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  if (::fchmod(fd, 0666 & ~mask) != 0) return fail("cannot set the mode of " + tmp);
  const char* p = contents.data();
  size_t n = contents.size();
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return fail("cannot write " + tmp);
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  if (::fsync(fd) != 0) return fail("cannot fsync " + tmp);
  if (::close(fd) != 0) {
    *error = Errno("cannot close " + tmp);
    ::unlink(tmp.c_str());
    return false;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    *error = Errno("cannot rename " + tmp + " to " + path);
    ::unlink(tmp.c_str());
    return false;
  }
  // The rename itself is durable once the directory is synced; a directory
  // that cannot be opened for that (no read permission) is not an error.
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return true;
}

}  // namespace tblint
