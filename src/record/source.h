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
  uint64_t Size() const override { return size_; }
  std::error_code ReadAt(uint64_t offset, size_t n, uint8_t* buf) override;
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  uint64_t size_ = 0;
};

}  // namespace tblint

#endif  // TBLINT_RECORD_SOURCE_H_
