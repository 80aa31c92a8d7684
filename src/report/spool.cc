#include "report/spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace tblint {
namespace {

constexpr size_t kChunk = size_t{64} << 10;

}  // namespace

Spool::Spool() {
  const char* dir = std::getenv("TMPDIR");
  std::string path = std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/tblint-spool-XXXXXX";
  fd_ = ::mkostemp(path.data(), O_CLOEXEC);
  if (fd_ >= 0) ::unlink(path.c_str());
}

Spool::~Spool() {
  if (fd_ >= 0) ::close(fd_);
}

uint64_t Spool::Append(std::string_view bytes) {
  const uint64_t at = size_;
  buffer_.append(bytes);
  size_ += bytes.size();
  if (fd_ >= 0 && buffer_.size() >= kChunk) Flush();
  return at;
}

void Spool::Flush() {
  size_t done = 0;
  while (done < buffer_.size()) {
    const ssize_t n = ::pwrite(fd_, buffer_.data() + done, buffer_.size() - done, static_cast<off_t>(flushed_ + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // Written so far stays written: keep it, and what is left, in memory.
      flushed_ += done;
      buffer_.erase(0, done);
      FallBackToMemory();
      return;
    }
    done += static_cast<size_t>(n);
  }
  flushed_ += done;
  buffer_.clear();
}

bool Spool::ReadAt(uint64_t offset, char* to, size_t length) {
  size_t done = 0;
  while (done < length) {
    const ssize_t n = ::pread(fd_, to + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

void Spool::FallBackToMemory() {
  std::string all(flushed_, '\0');
  const bool ok = ReadAt(0, all.data(), all.size());
  ::close(fd_);
  fd_ = -1;
  if (!ok) all.assign(flushed_, '\0');  // unreadable: CopyTo reports the loss
  all += buffer_;
  buffer_ = std::move(all);
  lost_ = !ok;
  flushed_ = 0;
}

bool Spool::CopyTo(std::ostream& out, uint64_t offset, uint64_t length) {
  if (offset > size_ || length > size_ - offset) return false;
  if (fd_ < 0) {
    out.write(buffer_.data() + offset, static_cast<std::streamsize>(length));
    return !lost_;
  }
  if (offset >= flushed_) {
    out.write(buffer_.data() + (offset - flushed_), static_cast<std::streamsize>(length));
    return true;
  }
  if (offset + length > flushed_) Flush();  // the range reaches the buffer: one source
  if (fd_ < 0) return CopyTo(out, offset, length);
  read_.resize(static_cast<size_t>(std::min<uint64_t>(length, kChunk)));
  while (length > 0) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(length, read_.size()));
    if (!ReadAt(offset, read_.data(), n)) return false;
    out.write(read_.data(), static_cast<std::streamsize>(n));
    offset += n;
    length -= n;
  }
  return true;
}

}  // namespace tblint
