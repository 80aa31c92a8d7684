// Random-access byte sources the record reader pulls from: an open file
// (pread, never mmap, so a file truncated under us is an error, not a SIGBUS)
// or a block of memory (tests, fixes).
#ifndef TBLINT_RECORD_SOURCE_H_
#define TBLINT_RECORD_SOURCE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

namespace tblint {

class Source {
 public:
  virtual ~Source() = default;
  // Size of the source, fixed when it was opened: bytes a live writer appends
  // later are not read, so one scan sees one consistent prefix of the file.
  virtual uint64_t Size() const = 0;
  // Reads exactly n bytes at offset into buf. A short read (the file shrank)
  // is an error.
  virtual std::error_code ReadAt(uint64_t offset, size_t n, uint8_t* buf) = 0;
  // Sparse files: the first offset >= `offset` that may hold a non-zero byte
  // (Size() when none does), and the first offset >= `offset` where a hole
  // (a run of zeros the file system knows about) starts (Size() when none).
  // Bytes in [offset, NextData(offset)) are all zero. A source that knows
  // nothing about holes answers `offset` and Size(): always correct, never
  // faster. Readers use this so that the cost of a scan follows the data a
  // file holds, not the size it claims.
  virtual uint64_t NextData(uint64_t offset) { return offset; }
  virtual uint64_t NextHole(uint64_t /*offset*/) { return Size(); }
};

class MemorySource final : public Source {
 public:
  explicit MemorySource(std::string_view data) : data_(data) {}
  uint64_t Size() const override { return data_.size(); }
  std::error_code ReadAt(uint64_t offset, size_t n, uint8_t* buf) override;

 private:
  std::string_view data_;
};

class FileSource final : public Source {
 public:
  FileSource() = default;
  ~FileSource() override;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  // Opens a regular file for reading. Refuses anything else (FIFO, device,
  // socket, directory) with std::errc::not_supported, so that a FIFO named
  // like an event file can never block a scan: the file is opened with
  // O_NONBLOCK and checked with fstat before a single byte is read.
  std::error_code Open(const std::string& path);
  // Reads through a descriptor the caller keeps open (and closes): the fixer
  // reads the file it holds a lease on through the lease's descriptor, since
  // opening it again would break the lease.
  std::error_code Attach(int fd);
  uint64_t Size() const override { return size_; }
  std::error_code ReadAt(uint64_t offset, size_t n, uint8_t* buf) override;
  // lseek(SEEK_DATA / SEEK_HOLE); file systems without support answer as if
  // the file had no holes.
  uint64_t NextData(uint64_t offset) override;
  uint64_t NextHole(uint64_t offset) override;
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  bool owned_ = true;
  uint64_t size_ = 0;
};

}  // namespace tblint

#endif  // TBLINT_RECORD_SOURCE_H_
