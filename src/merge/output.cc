#include "merge/output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "record/crc32c.h"

namespace tblint::merge {
namespace {

constexpr size_t kBufferSize = 1 << 20;

void PutLE(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void PutDouble(std::string* out, uint32_t field, double v) {
  PutVarint(out, (field << 3) | 1);
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  PutLE(out, bits, 8);
}

void PutBytes(std::string* out, uint32_t field, std::string_view bytes) {
  PutVarint(out, (field << 3) | 2);
  PutVarint(out, bytes.size());
  out->append(bytes);
}

// proto3: a field holding its default value is not serialised.
void PutWallAndStep(std::string* out, double wall_time, int64_t step) {
  if (wall_time != 0 || std::signbit(wall_time)) PutDouble(out, 1, wall_time);
  if (step != 0) {
    PutVarint(out, (2 << 3) | 0);
    PutVarint(out, static_cast<uint64_t>(step));
  }
}

bool ReadVarint(const uint8_t*& p, const uint8_t* end, uint64_t* v) {
  *v = 0;
  for (int i = 0; i < 10; ++i) {
    if (p >= end) return false;
    const uint8_t b = *p++;
    *v |= static_cast<uint64_t>(b & 0x7F) << (7 * i);
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

// Skips one field's value of wire type `type`; false when it runs past `end`.
bool SkipField(const uint8_t*& p, const uint8_t* end, uint32_t type) {
  uint64_t n;
  switch (type) {
    case 0:
      return ReadVarint(p, end, &n);
    case 1:
      if (end - p < 8) return false;
      p += 8;
      return true;
    case 2:
      if (!ReadVarint(p, end, &n) || n > static_cast<uint64_t>(end - p)) return false;
      p += n;
      return true;
    case 5:
      if (end - p < 4) return false;
      p += 4;
      return true;
    default:
      return false;  // groups never occur in an Event protobuf parses
  }
}

}  // namespace

AtomicFile::~AtomicFile() { Abort(); }

bool AtomicFile::Open(const std::string& path, std::string* error) {
  Abort();
  path_ = path;
  const size_t slash = path.rfind('/');
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  tmp_ = (slash == std::string::npos ? "" : path.substr(0, slash + 1)) + "." + base + ".tblint-XXXXXX";
  fd_ = ::mkostemp(tmp_.data(), O_CLOEXEC);
  if (fd_ < 0) {
    *error = "cannot create a temporary file for " + path + ": " + std::strerror(errno);
    return false;
  }
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd_, 0666 & ~mask);
  buf_.clear();
  buf_.reserve(kBufferSize);
  errno_ = 0;
  failed_what_.clear();
  bytes_ = 0;
  return true;
}

bool AtomicFile::Flush() {
  const char* p = buf_.data();
  size_t n = buf_.size();
  while (n > 0) {
    const ssize_t w = ::write(fd_, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      errno_ = errno;
      failed_what_ = "cannot write " + tmp_;
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  buf_.clear();
  return true;
}

bool AtomicFile::Write(std::string_view bytes) {
  if (fd_ < 0 || errno_ != 0) return false;
  bytes_ += bytes.size();
  if (buf_.size() + bytes.size() > kBufferSize) {
    if (!Flush()) return false;
    if (bytes.size() >= kBufferSize) {
      buf_.assign(bytes);
      return Flush();
    }
  }
  buf_.append(bytes);
  return true;
}

bool AtomicFile::Commit(std::string* error) {
  if (fd_ < 0) {
    *error = "no file open";
    return false;
  }
  auto fail = [&](const std::string& what) {
    *error = what + ": " + std::strerror(errno_ ? errno_ : errno);
    Abort();
    return false;
  };
  if (errno_ != 0) return fail(failed_what_);
  if (!Flush()) return fail(failed_what_);
  if (::fsync(fd_) != 0) return fail("cannot fsync " + tmp_);
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) {
    *error = "cannot close " + tmp_ + ": " + std::strerror(errno);
    ::unlink(tmp_.c_str());
    return false;
  }
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) {
    *error = "cannot rename " + tmp_ + " to " + path_ + ": " + std::strerror(errno);
    ::unlink(tmp_.c_str());
    return false;
  }
  const size_t slash = path_.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path_.substr(0, slash);
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return true;
}

void AtomicFile::Abort() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(tmp_.c_str());
    fd_ = -1;
  }
}

std::string LocalHostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  std::string host(buf);
  for (char& c : host) {
    if (c == '/' || static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = '_';
  }
  return host;
}

std::string EventFileName(double wall_time, std::string_view host, int64_t pid, uint64_t counter) {
  long long secs = 0;
  if (std::isfinite(wall_time) && wall_time > 0 && wall_time < 9.9e9) secs = static_cast<long long>(wall_time);
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "%010lld", secs);
  return "events.out.tfevents." + std::string(stamp) + "." + std::string(host) + "." + std::to_string(pid) + "." +
         std::to_string(counter);
}

std::string EncodeFileVersion(double wall_time) {
  std::string out;
  PutWallAndStep(&out, wall_time, 0);
  PutBytes(&out, 3, "brain.Event:2");
  return out;
}

std::string EncodeScalar(double wall_time, int64_t step, std::string_view tag, float value) {
  std::string value_msg;
  if (!tag.empty()) PutBytes(&value_msg, 1, tag);
  PutVarint(&value_msg, (2 << 3) | 5);
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  PutLE(&value_msg, bits, 4);
  std::string summary;
  PutBytes(&summary, 1, value_msg);
  std::string out;
  PutWallAndStep(&out, wall_time, step);
  PutBytes(&out, 5, summary);
  return out;
}

std::string RecordHeader(uint64_t length) {
  std::string out;
  PutLE(&out, length, 8);
  PutLE(&out, crc32c::Mask(crc32c::Value(out.data(), 8)), 4);
  return out;
}

void AppendFramed(std::string* out, std::string_view payload, uint32_t masked_crc) {
  out->append(RecordHeader(payload.size()));
  out->append(payload);
  PutLE(out, masked_crc, 4);
}

bool FilterValues(std::string_view payload, const std::vector<bool>& keep, std::string* out) {
  out->clear();
  const uint8_t* p = reinterpret_cast<const uint8_t*>(payload.data());
  const uint8_t* end = p + payload.size();
  std::string values;     // the kept Summary.value fields, framed
  size_t summary_at = std::string::npos;  // where in `out` the summary goes
  size_t index = 0;
  while (p < end) {
    const uint8_t* field_start = p;
    uint64_t key;
    if (!ReadVarint(p, end, &key)) return false;
    const uint32_t field = static_cast<uint32_t>(key >> 3), type = key & 7;
    if (field == 5 && type == 2) {
      uint64_t n;
      if (!ReadVarint(p, end, &n) || n > static_cast<uint64_t>(end - p)) return false;
      const uint8_t* s = p;
      const uint8_t* s_end = p + n;
      p = s_end;
      if (summary_at == std::string::npos) summary_at = out->size();
      while (s < s_end) {
        const uint8_t* v_start = s;
        uint64_t vkey;
        if (!ReadVarint(s, s_end, &vkey)) return false;
        if (!SkipField(s, s_end, vkey & 7)) return false;
        if ((vkey >> 3) == 1 && (vkey & 7) == 2) {
          if (index < keep.size() && keep[index]) values.append(reinterpret_cast<const char*>(v_start), s - v_start);
          ++index;
        }
      }
      continue;
    }
    if (!SkipField(p, end, type)) return false;
    out->append(reinterpret_cast<const char*>(field_start), p - field_start);
  }
  if (summary_at != std::string::npos) {
    std::string summary;
    PutBytes(&summary, 5, values);
    out->insert(summary_at, summary);
  }
  return true;
}

}  // namespace tblint::merge
