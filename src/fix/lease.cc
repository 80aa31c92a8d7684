#include "fix/lease.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "fix/file_io.h"
#include "record/source.h"

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
  if (::fstat(lease->fd(), &st) != 0)
    return fixio::Errno("a writer opened the original during the fix; cannot stat it");
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size <= old_size) return "";
  FileSource old;
  if (old.Attach(lease->fd())) return "a writer appended to the original during the fix; cannot read it";
  const int out = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NONBLOCK);
  if (out < 0) return fixio::Errno("a writer appended to the original during the fix; cannot reopen " + path);
  const bool ok = fixio::CopyRange(&old, old_size, size - old_size, out) && fixio::Fsync(out);
  ::close(out);
  const std::string n = std::to_string(size - old_size);
  if (!ok) return fixio::Errno("a writer appended " + n + " bytes to the original during the fix; cannot append them");
  return "a writer appended " + n +
         " bytes to the original while it was being replaced; they were appended to the "
         "fixed file" +
         std::string(alone ? "" : " (the writer still had it open after 30 s)");
}

}  // namespace tblint
