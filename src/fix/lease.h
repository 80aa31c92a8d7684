// A Linux write lease (fcntl F_SETLEASE, F_WRLCK) held on a file for the
// duration of a fix, so that a writer can never race it.
//
// The kernel grants a write lease only while no other open file description
// of the file exists, so a writer that keeps the file open (tensorboardX,
// TensorFlow) makes the lease fail at once. A writer that opens the file only
// for each flush (TensorBoard's Python writer, which torch uses) is caught
// later: its open() breaks the lease, blocks in the kernel until the holder
// releases it (or /proc/sys/fs/lease-break-time passes), and the holder sees
// the break pending (F_GETLEASE stops answering F_WRLCK). The fixer checks
// between steps and before the last one, gives up, and releases: the writer's
// open then proceeds against the untouched original.
//
// Opens by this process break the lease too, so everything the fixer reads
// from the original goes through fd().
#ifndef TBLINT_FIX_LEASE_H_
#define TBLINT_FIX_LEASE_H_

#include <cstdint>
#include <string>

namespace tblint {

class FileLease {
 public:
  enum class Result {
    kHeld,         // the lease is ours
    kBusy,         // another open file description exists: a writer, a reader
    kUnsupported,  // the file system or the kernel refuses leases (NFS, FUSE, ...)
    kError,        // the file could not be opened
  };

  FileLease() = default;
  ~FileLease() { Release(); }
  FileLease(const FileLease&) = delete;
  FileLease& operator=(const FileLease&) = delete;

  // Opens `path` read-write (a write lease needs a writable descriptor; no
  // byte is written through it except by an in-place truncation) and takes
  // the lease. `error()` says why when the result is not kHeld.
  Result Acquire(const std::string& path);

  // True while the lease is held and no other process has started to open
  // or truncate the file.
  bool Intact() const;

  // Gives the lease up and closes the descriptor; a blocked opener proceeds.
  void Release();

  // Gives the lease up but keeps the descriptor (and so the inode) open;
  // Retake() takes it again, which succeeds only once no other process has
  // the file open.
  void Unlease();
  bool Retake();

  int fd() const { return fd_; }
  const std::string& error() const { return error_; }

 private:
  int fd_ = -1;
  bool held_ = false;
  std::string error_;
};

// Called right after the fixed file was renamed over the original, with the
// lease on the original (of `old_size` bytes) still held. An open() that
// looked the name up before the rename gets the old inode; it is then
// blocked on the lease, which shows it as breaking. Such a writer is let
// through, waited for, and whatever it appended to the old inode (which no
// name points at any more) is appended to the fixed file at `path`. Returns
// what was done, or "" when nobody came.
std::string CatchLateWriter(FileLease* lease, uint64_t old_size, const std::string& path);

}  // namespace tblint

#endif  // TBLINT_FIX_LEASE_H_
