// Durable file primitives for the fixer and restore: every write, fsync and
// rename of a fix goes through these, so the fault-injection points
// (TBLINT_FAULT_AT) cover every durable step. Internal to src/fix.
#ifndef TBLINT_FIX_FILE_IO_H_
#define TBLINT_FIX_FILE_IO_H_

#include <sys/stat.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "record/source.h"

namespace tblint::fixio {

// TBLINT_FAULT_AT=N makes the process die (abort, no clean-up) at the Nth
// durable step of a fix or restore: a write, fsync or rename. Tests use it to
// prove that a kill at any point leaves each file original or fixed.
void FaultPoint();

// "what: strerror(errno)".
std::string Errno(const std::string& what);

// The whole file; throws std::runtime_error when it cannot be read.
std::string ReadWholeFile(const std::string& path);

bool WriteAll(int fd, const char* buf, size_t n);
bool Fsync(int fd);
bool FsyncDir(const std::string& dir);
bool Rename(const std::string& from, const std::string& to);

// Copies [from, from + n) of src to the open fd dst. With `sparse`, runs the
// source's file system reports as holes become holes in dst (a seek, not a
// write), so a 1 TB zero tail costs nothing to back up; the caller then sets
// dst's size with FinishSparse (a trailing hole is not written at all). With
// `crc`, extends *crc (CRC32C) over the bytes copied, in the same pass.
bool CopyRange(Source* src, uint64_t from, uint64_t n, int dst, bool sparse = false, uint32_t* crc = nullptr);
// Sets a sparse copy's size to where its writing ended.
bool FinishSparse(int fd);

using Ranges = std::vector<std::pair<uint64_t, uint64_t>>;  // [begin, end)

// Writes the given ranges of src to a new file `path` (O_EXCL), fsynced.
// `like` gives mode, owner and times to copy (nullptr: 0644, now). With
// `crc`, *crc is the CRC32C of the bytes written, computed as they are copied.
// Returns "" or what went wrong (the partial file is removed).
std::string WriteRanges(Source* src, const Ranges& ranges, const std::string& path, const struct stat* like,
                        uint32_t* crc = nullptr);

// CRC32C of bytes [from, to) of a source; holes by arithmetic, not reads.
// Copies and checksums read through one buffer per thread (1 MiB, allocated
// on first use), not one per call.
bool SourceCrc(Source* src, uint64_t from, uint64_t to, uint32_t* crc);
// CRC32C and size of a whole file, to recognise a file's versions in the journal.
bool FileCrc(const std::string& path, uint32_t* crc, uint64_t* size);

// Renames, or across file systems copies, syncs and unlinks.
bool MoveFile(const std::string& from, const std::string& to, std::string* err);

// Same inode, size and mtime.
bool SameFile(const struct stat& a, const struct stat& b);

// "20261130T130300Z" for a time in seconds since the epoch.
std::string Timestamp(double now);

// DefangName on every component of a relative path (split on '/' alone).
std::string DefangPath(const std::string& rel);

// The temporary a fix or restore writes beside `path` before renaming it
// over: a name TensorBoard ignores. `kind` is "fix", "restore" or "archive".
std::string TemporaryBeside(const std::string& path, const char* kind);

// A fixer killed between writing its temporary and renaming it leaves the
// temporary behind; it is only ever a partial copy of data that is still in
// the original, so restore removes it.
void RemoveStaleTemporaries(const std::string& path);

}  // namespace tblint::fixio

#endif  // TBLINT_FIX_FILE_IO_H_
