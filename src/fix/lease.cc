#include "fix/lease.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tblint {
namespace {

// A lease break is announced with SIGIO, whose default action terminates the
// process. The fixer polls F_GETLEASE instead of handling the signal, so it
// only has to survive it.
void IgnoreLeaseSignal() {
  static const bool done = [] {
    struct sigaction sa {};
    sa.sa_handler = SIG_IGN;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGIO, &sa, nullptr);
    return true;
  }();
  (void)done;
}

}  // namespace

FileLease::Result FileLease::Acquire(const std::string& path) {
  Release();
  error_.clear();
  IgnoreLeaseSignal();
  // O_NONBLOCK: a FIFO swapped in under the name never blocks the open;
  // O_NOFOLLOW is not used because discovery follows symlinks as TensorBoard
  // does, and the lease lands on the file the link names.
  fd_ = ::open(path.c_str(), O_RDWR | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd_ < 0) {
    error_ = std::string("cannot open it for the fix: ") + std::strerror(errno);
    return errno == ETXTBSY ? Result::kBusy : Result::kError;
  }
  if (::fcntl(fd_, F_SETLEASE, F_WRLCK) != 0) {
    const int err = errno;
    ::close(fd_);
    fd_ = -1;
    error_ = std::strerror(err);
    // EAGAIN: the file is open elsewhere. EINVAL/ENOLCK/ENOSYS: no leases
    // here (NFS, many FUSE file systems, leases disabled in /proc).
    return err == EAGAIN || err == EBUSY ? Result::kBusy : Result::kUnsupported;
  }
  held_ = true;
  return Result::kHeld;
}

bool FileLease::Intact() const {
  // While a break is pending F_GETLEASE answers the type the lease is being
  // broken to (F_UNLCK for an open for writing, F_RDLCK for one for reading).
  return held_ && ::fcntl(fd_, F_GETLEASE) == F_WRLCK;
}

void FileLease::Unlease() {
  if (fd_ >= 0 && held_) ::fcntl(fd_, F_SETLEASE, F_UNLCK);
  held_ = false;
}

bool FileLease::Retake() {
  if (fd_ < 0) return false;
  held_ = held_ || ::fcntl(fd_, F_SETLEASE, F_WRLCK) == 0;
  return held_;
}

void FileLease::Release() {
  if (fd_ < 0) return;
  if (held_) ::fcntl(fd_, F_SETLEASE, F_UNLCK);
  held_ = false;
  ::close(fd_);
  fd_ = -1;
}

}  // namespace tblint
