#include "record/source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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
  if (fd_ >= 0) ::close(fd_);
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

}  // namespace tblint
