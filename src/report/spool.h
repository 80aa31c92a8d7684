// Bytes a report writes before it can write what comes first (JUnit's
// totals head the document; its suites' counts head their cases): kept in an
// unlinked temporary file, not in memory, so a report of millions of findings
// holds a few bytes per finding (docs/performance.md). FindingSpool keeps
// findings themselves there: `tblint check --fix` holds a path's until it
// knows whether a fix made them stale.
//
// The file is created in $TMPDIR (else /tmp) and unlinked at once: nothing is
// left behind, whatever happens to the process. When no temporary file can be
// created or written (a read-only or full file system), the spool carries on
// in memory with everything written so far: the report is the same, only
// its memory grows.
#ifndef TBLINT_REPORT_SPOOL_H_
#define TBLINT_REPORT_SPOOL_H_

#include <algorithm>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "rule/finding.h"

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
  // The same bytes, appended to *to.
  bool ReadInto(uint64_t offset, uint64_t length, std::string* to);
  // True while the bytes are in a temporary file (tests).
  bool on_disk() const { return fd_ >= 0; }

 private:
  template <typename Emit>
  bool Visit(uint64_t offset, uint64_t length, Emit emit);
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

// Findings written to a Spool as they come and read back, in order and
// whole, a batch at a time: memory holds one batch. Only for the process
// that wrote them (a finding's rule is kept as its address).
class FindingSpool {
 public:
  void Add(const Finding& f);
  uint64_t count() const { return count_; }
  // Reading back goes forward from the first finding added: Replay and Skip
  // each go on from where the last stopped.
  //
  // Calls `take` with each next batch of up to `batch` findings (which it may
  // move from), in the order added, for the next `n` findings. False when the
  // spool cannot be read back (its temporary file failed under us, or fewer
  // than `n` are left); the batches taken so far stand.
  template <typename Take>
  bool Replay(uint64_t n, size_t batch, Take take) {
    std::vector<Finding> out;
    while (n > 0) {
      if (!Decode(&read_at_, static_cast<size_t>(std::min<uint64_t>(batch, n)), &out) || out.empty()) return false;
      n -= out.size();
      read_ += out.size();
      take(&out);
      out.clear();
    }
    return true;
  }
  // Every finding not yet read back.
  template <typename Take>
  bool Replay(size_t batch, Take take) {
    return Replay(count_ - read_, batch, take);
  }
  // Passes over the next `n` findings.
  bool Skip(uint64_t n) {
    return Replay(n, 4096, [](std::vector<Finding>*) {});
  }

 private:
  // Reads up to `batch` findings from *at on into *out.
  bool Decode(uint64_t* at, size_t batch, std::vector<Finding>* out);
  static void DecodeOne(const char* record, Finding* f);

  Spool spool_;
  std::string record_;  // Add's
  std::string window_;  // Decode's
  uint64_t count_ = 0;
  uint64_t read_at_ = 0;  // the spool offset the next read back starts at
  uint64_t read_ = 0;     // findings read back so far
};

}  // namespace tblint

#endif  // TBLINT_REPORT_SPOOL_H_
