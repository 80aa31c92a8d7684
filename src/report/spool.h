// Bytes a report writes before it can write what comes first (JUnit's
// totals head the document; its suites' counts head their cases): kept in an
// unlinked temporary file, not in memory, so a report of millions of findings
// holds a few bytes per finding (docs/performance.md). Internal to
// src/report.
//
// The file is created in $TMPDIR (else /tmp) and unlinked at once: nothing is
// left behind, whatever happens to the process. When no temporary file can be
// created or written (a read-only or full file system), the spool carries on
// in memory with everything written so far: the report is the same, only
// its memory grows.
#ifndef TBLINT_REPORT_SPOOL_H_
#define TBLINT_REPORT_SPOOL_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

namespace tblint {

class Spool {
 public:
  Spool();
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  // Appends bytes; returns where they start.
  uint64_t Append(std::string_view bytes);
  uint64_t size() const { return size_; }
  // Writes the `length` bytes at `offset` (from Append) to `out`. False when
  // they cannot be read back (the temporary file failed under us).
  bool CopyTo(std::ostream& out, uint64_t offset, uint64_t length);
  // True while the bytes are in a temporary file (tests).
  bool on_disk() const { return fd_ >= 0; }

 private:
  void Flush();
  bool ReadAt(uint64_t offset, char* to, size_t length);
  void FallBackToMemory();

  int fd_ = -1;
  uint64_t size_ = 0;     // every byte appended
  uint64_t flushed_ = 0;  // of which in the file
  std::string buffer_;    // the bytes after `flushed_` (everything, in memory mode)
  std::string read_;      // CopyTo's window
  bool lost_ = false;     // the file could not be read back when memory took over
};

}  // namespace tblint

#endif  // TBLINT_REPORT_SPOOL_H_
