#include "record/source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace tblint {

std::error_code MemorySource::ReadAt(uint64_t offset, size_t n, uint8_t* buf) {
  if (offset > data_.size() || n > data_.size() - offset) {
    return std::make_error_code(std::errc::io_error);
  }
  std::memcpy(buf, data_.data() + offset, n);
  return {};
}

FileSource::~FileSource() {
  if (fd_ >= 0 && owned_) ::close(fd_);
}

std::error_code FileSource::Attach(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return {errno, std::generic_category()};
  if (!S_ISREG(st.st_mode)) return std::make_error_code(std::errc::not_supported);
  if (fd_ >= 0 && owned_) ::close(fd_);
  fd_ = fd;
  owned_ = false;
  size_ = static_cast<uint64_t>(st.st_size);
  return {};
}

std::error_code FileSource::Open(const std::string& path) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return {errno, std::generic_category()};
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    std::error_code ec{errno, std::generic_category()};
    ::close(fd);
    return ec;
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return std::make_error_code(std::errc::not_supported);
  }
  fd_ = fd;
  size_ = static_cast<uint64_t>(st.st_size);
  return {};
}

std::error_code FileSource::ReadAt(uint64_t offset, size_t n, uint8_t* buf) {
  while (n > 0) {
    ssize_t got = ::pread(fd_, buf, n, static_cast<off_t>(offset));
    if (got < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return {errno, std::generic_category()};
    }
    if (got == 0) return std::make_error_code(std::errc::io_error);  // shrank
    buf += got;
    offset += static_cast<uint64_t>(got);
    n -= static_cast<size_t>(got);
  }
  return {};
}

uint64_t FileSource::NextData(uint64_t offset) {
  if (offset >= size_) return size_;
  const off_t got = ::lseek(fd_, static_cast<off_t>(offset), SEEK_DATA);
  if (got < 0) return errno == ENXIO ? size_ : offset;  // ENXIO: only a hole follows
  return std::min<uint64_t>(static_cast<uint64_t>(got), size_);
}

uint64_t FileSource::NextHole(uint64_t offset) {
  if (offset >= size_) return size_;
  const off_t got = ::lseek(fd_, static_cast<off_t>(offset), SEEK_HOLE);
  if (got < 0) return size_;
  return std::min<uint64_t>(static_cast<uint64_t>(got), size_);
}

}  // namespace tblint
