#include "report/spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <type_traits>

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

template <typename Emit>
bool Spool::Visit(uint64_t offset, uint64_t length, Emit emit) {
  if (offset > size_ || length > size_ - offset) return false;
  if (fd_ < 0) {
    emit(buffer_.data() + offset, static_cast<size_t>(length));
    return !lost_;
  }
  if (offset >= flushed_) {
    emit(buffer_.data() + (offset - flushed_), static_cast<size_t>(length));
    return true;
  }
  if (offset + length > flushed_) Flush();  // the range reaches the buffer: one source
  if (fd_ < 0) return Visit(offset, length, emit);
  read_.resize(static_cast<size_t>(std::min<uint64_t>(length, kChunk)));
  while (length > 0) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(length, read_.size()));
    if (!ReadAt(offset, read_.data(), n)) return false;
    emit(read_.data(), n);
    offset += n;
    length -= n;
  }
  return true;
}

bool Spool::CopyTo(std::ostream& out, uint64_t offset, uint64_t length) {
  return Visit(offset, length, [&](const char* p, size_t n) { out.write(p, static_cast<std::streamsize>(n)); });
}

bool Spool::ReadInto(uint64_t offset, uint64_t length, std::string* to) {
  return Visit(offset, length, [&](const char* p, size_t n) { to->append(p, n); });
}

// A finding as bytes: its rule's address, then each field, strings and
// optionals with a length or presence byte first. Native byte order: the
// bytes never leave the process.
namespace {

template <typename T>
void Put(std::string* s, const T& v) {
  static_assert(std::is_trivially_copyable_v<T>);
  s->append(reinterpret_cast<const char*>(&v), sizeof v);
}
void PutString(std::string* s, const std::string& v) {
  Put<uint64_t>(s, v.size());
  s->append(v);
}
template <typename T>
void PutOptional(std::string* s, const std::optional<T>& v) {
  Put<uint8_t>(s, v ? 1 : 0);
  if (v) {
    if constexpr (std::is_same_v<T, std::string>) {
      PutString(s, *v);
    } else {
      Put(s, *v);
    }
  }
}

// Reads back what Put wrote, from a record known to be whole.
struct Reader {
  const char* p;
  template <typename T>
  T Get() {
    T v;
    std::memcpy(&v, p, sizeof v);
    p += sizeof v;
    return v;
  }
  std::string GetString() {
    const auto n = static_cast<size_t>(Get<uint64_t>());
    std::string v(p, n);
    p += n;
    return v;
  }
  template <typename T>
  void GetOptional(std::optional<T>* v) {
    if (Get<uint8_t>() == 0) return;
    if constexpr (std::is_same_v<T, std::string>) {
      *v = GetString();
    } else {
      *v = Get<T>();
    }
  }
};

}  // namespace

void FindingSpool::Add(const Finding& f) {
  std::string& s = record_;
  s.clear();
  Put<uint64_t>(&s, 0);  // the record's length, set below
  Put(&s, f.rule);
  Put(&s, f.severity);
  PutString(&s, f.message);
  PutString(&s, f.impact);
  PutString(&s, f.path);
  PutString(&s, f.run);
  PutOptional(&s, f.offset);
  PutOptional(&s, f.length);
  PutOptional(&s, f.record);
  PutOptional(&s, f.tag);
  PutOptional(&s, f.step);
  Put(&s, f.fix.applicability);
  Put(&s, f.fix.kind);
  PutString(&s, f.fix.description);
  PutOptional(&s, f.fix.truncate_to);
  Put(&s, f.fix.drop_begin);
  Put(&s, f.fix.drop_end);
  PutString(&s, f.fix.withheld);
  const uint64_t n = s.size() - sizeof(uint64_t);
  std::memcpy(s.data(), &n, sizeof n);
  spool_.Append(s);
  ++count_;
}

bool FindingSpool::Decode(uint64_t* at, size_t batch, std::vector<Finding>* out) {
  constexpr uint64_t kWindow = uint64_t{1} << 20;
  std::string& w = window_;
  while (out->size() < batch && *at < spool_.size()) {
    // A window of whole records from *at: 1 MiB, or the first record when it is longer.
    uint64_t want = std::min(kWindow, spool_.size() - *at);
    size_t pos = 0;
    for (;;) {
      w.clear();
      if (!spool_.ReadInto(*at, want, &w)) return false;
      while (out->size() < batch && w.size() - pos >= sizeof(uint64_t)) {
        uint64_t n = 0;
        std::memcpy(&n, w.data() + pos, sizeof n);
        if (w.size() - pos - sizeof n < n) break;
        DecodeOne(w.data() + pos + sizeof n, &out->emplace_back());
        pos += sizeof n + n;
      }
      if (pos > 0) break;
      // The first record does not fit: read it whole (a length past the end
      // fails ReadInto).
      uint64_t n = 0;
      if (w.size() < sizeof n) return false;
      std::memcpy(&n, w.data(), sizeof n);
      if (n > spool_.size() || sizeof n + n <= want) return false;
      want = sizeof n + n;
    }
    *at += pos;
  }
  return true;
}

void FindingSpool::DecodeOne(const char* p, Finding* f) {
  Reader r{p};
  f->rule = r.Get<const RuleInfo*>();
  f->severity = r.Get<Severity>();
  f->message = r.GetString();
  f->impact = r.GetString();
  f->path = r.GetString();
  f->run = r.GetString();
  r.GetOptional(&f->offset);
  r.GetOptional(&f->length);
  r.GetOptional(&f->record);
  r.GetOptional(&f->tag);
  r.GetOptional(&f->step);
  f->fix.applicability = r.Get<Applicability>();
  f->fix.kind = r.Get<FixKind>();
  f->fix.description = r.GetString();
  r.GetOptional(&f->fix.truncate_to);
  f->fix.drop_begin = r.Get<uint64_t>();
  f->fix.drop_end = r.Get<uint64_t>();
  f->fix.withheld = r.GetString();
}

}  // namespace tblint
