#include "record/record_reader.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "record/crc32c.h"

namespace tblint {
namespace {

void EncodeLE(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

}  // namespace

const char* RecordKindName(RecordKind kind) {
  switch (kind) {
    case RecordKind::kOk:
      return "ok";
    case RecordKind::kTruncated:
      return "truncated";
    case RecordKind::kBadLengthCrc:
      return "bad-length-crc";
    case RecordKind::kBadDataCrc:
      return "bad-data-crc";
    case RecordKind::kZeroFilled:
      return "zero-filled";
    case RecordKind::kIoError:
      return "io-error";
  }
  return "?";
}

const char* SectionName(Section section) {
  switch (section) {
    case Section::kNone:
      return "none";
    case Section::kLength:
      return "length";
    case Section::kLengthCrc:
      return "length CRC";
    case Section::kPayload:
      return "payload";
    case Section::kDataCrc:
      return "data CRC";
  }
  return "?";
}

RecordReader::RecordReader(Source* source, ReaderOptions options)
    : source_(source), options_(options), size_(source->Size()) {
  buf_cap_ = static_cast<size_t>(
      std::min<uint64_t>(std::max<size_t>(options_.buffer_size, 64), std::max<uint64_t>(size_, 64)));
  buf_ = std::make_unique_for_overwrite<uint8_t[]>(buf_cap_);
}

const uint8_t* RecordReader::EnsureSlow(uint64_t offset, size_t n, std::error_code* ec) {
  // Callers guarantee offset + n <= size_, so n is bounded by the source.
  if (n > buf_cap_) {
    auto bigger = std::make_unique_for_overwrite<uint8_t[]>(n);
    std::memcpy(bigger.get(), buf_.get(), buf_len_);
    buf_ = std::move(bigger);
    buf_cap_ = n;
  }
  size_t want = static_cast<size_t>(std::min<uint64_t>(buf_cap_, size_ - offset));
  want = std::max(want, n);
  // Keep bytes already in the window that we need again (resync steps by one).
  if (offset >= buf_offset_ && offset < buf_offset_ + buf_len_) {
    size_t keep = static_cast<size_t>(buf_offset_ + buf_len_ - offset);
    std::memmove(buf_.get(), buf_.get() + (offset - buf_offset_), keep);
    if (auto e = source_->ReadAt(offset + keep, want - keep, buf_.get() + keep)) {
      *ec = e;
      buf_len_ = 0;
      return nullptr;
    }
  } else if (auto e = source_->ReadAt(offset, want, buf_.get())) {
    *ec = e;
    buf_len_ = 0;
    return nullptr;
  }
  buf_offset_ = offset;
  buf_len_ = want;
  return buf_.get();
}

uint64_t RecordReader::ZeroTailStart(std::error_code* ec) {
  AllZeroFrom(0, ec);
  return zero_tail_start_.value_or(size_);
}

bool RecordReader::AllZeroFrom(uint64_t offset, std::error_code* ec) {
  if (!zero_tail_start_) {
    // The last data extents the file system reports bound the search: a
    // sparse file's trailing hole (1 TB of it, say) costs one lseek, not a
    // read. Extents are walked back from the last one, so zeros written as
    // data and followed by a hole are crossed extent by extent.
    constexpr size_t kExtentsKept = 64;
    constexpr size_t kMaxExtentQueries = 1 << 16;
    std::vector<std::pair<uint64_t, uint64_t>> extents;  // [data, hole), the last ones
    bool dropped = false;                                // older extents were not kept
    for (uint64_t pos = 0, queries = 0; pos < size_; ++queries) {
      if (queries == kMaxExtentQueries) {  // too fragmented: read the rest as data
        extents.emplace_back(pos, size_);
        break;
      }
      const uint64_t data = source_->NextData(pos);
      if (data >= size_) break;
      const uint64_t hole = std::min(std::max(source_->NextHole(data), data + 1), size_);
      if (extents.size() == kExtentsKept) {
        extents.erase(extents.begin());
        dropped = true;
      }
      extents.emplace_back(data, hole);
      pos = hole;
    }
    // Everything before the oldest kept extent is read as data when extents
    // were dropped (rare: many extents of zeros at the end).
    if (dropped && extents.front().first > 0) extents.insert(extents.begin(), {0, extents.front().first});
    // Scan backwards for the last non-zero byte, one chunk at a time.
    uint64_t start = 0;
    std::vector<uint8_t> chunk;
    for (size_t k = extents.size(); k-- > 0 && start == 0;) {
      const auto [lo, hi] = extents[k];
      for (uint64_t at = hi; at > lo;) {
        if (chunk.empty()) chunk.resize(64 << 10);
        const uint64_t from = at - lo > chunk.size() ? at - chunk.size() : lo;
        const size_t n = static_cast<size_t>(at - from);
        if (auto e = source_->ReadAt(from, n, chunk.data())) {
          *ec = e;
          return false;
        }
        size_t i = n;
        while (i > 0 && chunk[i - 1] == 0) --i;
        if (i > 0) {
          start = from + i;  // > 0: a non-zero byte lies before it
          break;
        }
        at = from;
      }
    }
    zero_tail_start_ = start;
  }
  return *zero_tail_start_ <= offset;
}

bool RecordReader::CheckDataCrc(uint64_t payload_offset, uint64_t length, uint32_t stored, uint32_t* computed,
                                std::error_code* ec) {
  uint32_t crc = 0;
  if (length <= options_.max_payload_in_memory) {
    const uint8_t* p = Ensure(payload_offset, static_cast<size_t>(length), ec);
    if (p == nullptr) return false;
    crc = crc32c::Extend(0, p, static_cast<size_t>(length));
  } else {
    // Too large to hand out: CRC it in chunks read through the window (no
    // buffer allocated per call: a resynchronising scan may check many such
    // candidates), and a sparse file's holes by arithmetic (ExtendZeros), so
    // a record claiming most of a 1 TB sparse file is checked in the time
    // its data takes to read.
    uint64_t done = 0;
    while (done < length) {
      const uint64_t at = payload_offset + done;
      const uint64_t data = std::min(source_->NextData(at), payload_offset + length);
      if (data > at) {
        crc = crc32c::ExtendZeros(crc, data - at);
        done = data - payload_offset;
        continue;
      }
      const uint64_t hole = std::max(source_->NextHole(at), at + 1);
      const size_t n = static_cast<size_t>(std::min<uint64_t>({buf_cap_, length - done, hole - at}));
      const uint8_t* p = Ensure(at, n, ec);
      if (p == nullptr) return false;
      crc = crc32c::Extend(crc, p, n);
      done += n;
    }
  }
  *computed = crc32c::Mask(crc);
  return *computed == stored;
}

bool RecordReader::IoError(Record* record, uint64_t offset, std::error_code ec) {
  record->kind = RecordKind::kIoError;
  record->offset = offset;
  record->end = offset;
  record->error = ec;
  done_ = true;
  return true;
}

bool RecordReader::NextSlow(Record* record) {
  if (done_ || pos_ >= size_) return false;
  // Everything Next's inline path does not take: the window ends inside the
  // record, a CRC fails, a huge payload. The header is read again and the
  // outcome says what is wrong.
  record->kind = RecordKind::kOk;
  record->section = Section::kNone;
  record->length = 0;
  record->has_length = false;
  record->end = 0;
  record->payload = {};
  record->payload_in_memory = false;
  record->zeros_from = 0;
  record->hidden_records = record->hidden_first = record->hidden_end = 0;
  record->stored_crc = record->expected_crc = 0;
  if (record->error) record->error.clear();
  resync_allowed_ = false;
  const uint64_t offset = pos_;
  const uint64_t left = size_ - offset;
  record->offset = offset;
  record->index = index_;
  std::error_code ec;

  auto terminal_tail = [&](Section section) {
    bad_offset_ = offset;
    resync_allowed_ = true;
    ++index_;
    // A tail that is only zeros is a crash after the file size was extended,
    // not a writer killed mid-record; at least a whole header's worth of zeros
    // is needed, because 12 zero bytes can never be a valid header.
    if (left >= kHeaderSize && AllZeroFrom(offset, &ec)) {
      record->kind = RecordKind::kZeroFilled;
      record->zeros_from = offset;
    } else {
      if (ec) return IoError(record, offset, ec);
      record->kind = RecordKind::kTruncated;
      record->section = section;
      if (!FillHidden(record, offset + 1, size_, &ec)) return IoError(record, offset, ec);
    }
    record->end = size_;
    done_ = true;
    return true;
  };

  if (left < 8) return terminal_tail(Section::kLength);
  if (left < kHeaderSize) return terminal_tail(Section::kLengthCrc);
  const uint8_t* h = Ensure(offset, kHeaderSize, &ec);
  if (h == nullptr) return IoError(record, offset, ec);
  const uint64_t length = DecodeLE64(h);
  const uint32_t stored_len_crc = DecodeLE32(h + 8);
  const uint32_t len_crc = crc32c::Mask(crc32c::Value(h, 8));
  if (len_crc != stored_len_crc) {
    // Zeros from this record's start, or from inside its header, to the end:
    // the size was extended and the data never reached the disk.
    const uint64_t zeros = ZeroTailStart(&ec);
    if (ec) return IoError(record, offset, ec);
    if (zeros < offset + kHeaderSize && size_ - zeros >= kHeaderSize) {
      record->kind = RecordKind::kZeroFilled;
      record->zeros_from = std::max(zeros, offset);
      if (!FillHidden(record, offset + 1, record->zeros_from, &ec)) return IoError(record, offset, ec);
      record->end = size_;
      done_ = true;
      bad_offset_ = offset;
      resync_allowed_ = true;
      ++index_;
      return true;
    }
    record->kind = RecordKind::kBadLengthCrc;
    record->stored_crc = stored_len_crc;
    record->expected_crc = len_crc;
    record->end = size_;
    bad_offset_ = offset;
    resync_allowed_ = true;
    done_ = true;  // until Resync()
    ++index_;
    return true;
  }
  record->length = length;
  record->has_length = true;
  if (length > left - kHeaderSize) return terminal_tail(Section::kPayload);
  if (length + kFramingSize > left) return terminal_tail(Section::kDataCrc);

  // The common case: the whole record fits the buffer. One Ensure, both
  // checks on the same bytes, the payload handed out in place.
  if (length + kFramingSize <= buf_cap_) {
    const uint8_t* r = Ensure(offset, static_cast<size_t>(length + kFramingSize), &ec);
    if (r == nullptr) return IoError(record, offset, ec);
    const uint32_t stored = DecodeLE32(r + kHeaderSize + length);
    const uint32_t computed = crc32c::Mask(crc32c::Value(r + kHeaderSize, static_cast<size_t>(length)));
    if (computed == stored) {
      record->stored_crc = record->expected_crc = stored;
      record->end = offset + kFramingSize + length;
      pos_ = record->end;
      ++index_;
      record->payload = std::string_view(reinterpret_cast<const char*>(r + kHeaderSize), length);
      record->payload_in_memory = length <= options_.max_payload_in_memory;
      if (!record->payload_in_memory) record->payload = {};
      return true;
    }
  }
  const uint8_t* f = Ensure(offset + kHeaderSize + length, kFooterSize, &ec);
  if (f == nullptr) return IoError(record, offset, ec);
  const uint32_t stored_data_crc = DecodeLE32(f);
  uint32_t data_crc = 0;
  bool ok = CheckDataCrc(offset + kHeaderSize, length, stored_data_crc, &data_crc, &ec);
  if (ec) return IoError(record, offset, ec);
  record->end = offset + kFramingSize + length;
  pos_ = record->end;
  ++index_;
  if (!ok) {
    // A record whose tail was replaced by the zero region that ends the file
    // is part of that region, not a damaged payload.
    const uint64_t zeros = ZeroTailStart(&ec);
    if (ec) return IoError(record, offset, ec);
    if (zeros > offset && zeros < record->end && size_ - zeros >= kHeaderSize) {
      record->kind = RecordKind::kZeroFilled;
      record->zeros_from = zeros;
      if (!FillHidden(record, offset + 1, zeros, &ec)) return IoError(record, offset, ec);
      record->end = size_;
      pos_ = size_;
      done_ = true;
      bad_offset_ = offset;
      resync_allowed_ = true;
      return true;
    }
    record->kind = RecordKind::kBadDataCrc;
    if (!FillHidden(record, offset + 1, record->end, &ec)) return IoError(record, offset, ec);
    bad_offset_ = offset;
    resync_allowed_ = true;
    record->stored_crc = stored_data_crc;
    record->expected_crc = data_crc;
    return true;
  }
  record->kind = RecordKind::kOk;
  record->stored_crc = record->expected_crc = stored_data_crc;
  if (length <= options_.max_payload_in_memory) {
    const uint8_t* p = Ensure(offset + kHeaderSize, static_cast<size_t>(length), &ec);
    if (p == nullptr) return IoError(record, offset, ec);
    record->payload = std::string_view(reinterpret_cast<const char*>(p), length);
    record->payload_in_memory = true;
  }
  return true;
}

std::optional<std::pair<uint64_t, uint64_t>> RecordReader::FindValid(uint64_t from, uint64_t limit,
                                                                     std::error_code* ec) {
  if (size_ < kFramingSize) return std::nullopt;
  limit = std::min(limit, size_ - kFramingSize + 1);
  uint64_t data_until = 0;  // [.., data_until) was reported as data
  for (uint64_t p = from; p < limit; ++p) {
    if (p >= data_until) {
      // Twelve zero bytes are never a valid header (their CRC is 0x07980329,
      // not 0), so a header must overlap data: skip to 11 bytes before it.
      const uint64_t data = source_->NextData(p);
      if (data >= size_) return std::nullopt;
      if (data > p + 11) p = data - 11;
      if (p >= limit) return std::nullopt;
      data_until = std::max(source_->NextHole(data), data + 1);
    }
    const uint8_t* h = Ensure(p, kHeaderSize, ec);
    if (h == nullptr) return std::nullopt;
    if (crc32c::Mask(crc32c::Value(h, 8)) != DecodeLE32(h + 8)) continue;
    const uint64_t length = DecodeLE64(h);
    if (length > size_ - p - kFramingSize) continue;
    const uint8_t* f = Ensure(p + kHeaderSize + length, kFooterSize, ec);
    if (f == nullptr) return std::nullopt;
    uint32_t computed = 0;
    if (!CheckDataCrc(p + kHeaderSize, length, DecodeLE32(f), &computed, ec)) {
      if (*ec) return std::nullopt;
      continue;
    }
    return std::make_pair(p, length);
  }
  return std::nullopt;
}

RecordReader::Found RecordReader::ScanForValid(uint64_t from, uint64_t limit, std::error_code* ec) {
  Found found;
  uint64_t p = from;
  while (auto hit = FindValid(p, limit, ec)) {
    if (found.count++ == 0) found.first = hit->first;
    p = hit->first + kFramingSize + hit->second;
    found.end = p;
  }
  return found;
}

bool RecordReader::FillHidden(Record* record, uint64_t from, uint64_t limit, std::error_code* ec) {
  // The window is reused by the scan; the caller's record keeps only numbers.
  const Found found = ScanForValid(from, limit, ec);
  if (*ec) return false;
  record->hidden_records = found.count;
  record->hidden_first = found.first;
  record->hidden_end = found.end;
  return true;
}

std::optional<uint64_t> RecordReader::Resync() {
  if (!resync_allowed_) return std::nullopt;
  resync_allowed_ = false;
  std::error_code ec;
  auto hit = FindValid(bad_offset_ + 1, size_, &ec);
  if (!hit) return std::nullopt;
  pos_ = hit->first;
  done_ = false;
  return pos_;
}

void AppendRecord(std::string* out, std::string_view payload) {
  std::string header;
  EncodeLE(&header, payload.size(), 8);
  out->append(header);
  EncodeLE(out, crc32c::Mask(crc32c::Value(header.data(), 8)), 4);
  out->append(payload);
  EncodeLE(out, crc32c::Mask(crc32c::Value(payload.data(), payload.size())), 4);
}

std::string FrameRecord(std::string_view payload) {
  std::string out;
  AppendRecord(&out, payload);
  return out;
}

}  // namespace tblint
