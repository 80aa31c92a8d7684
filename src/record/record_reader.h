// A streaming TFRecord reader that reports, record by record, what it saw.
//
// Layout of one record (format.md):
//   uint64 length (little-endian) | uint32 masked_crc32c(length bytes)
//   byte data[length]             | uint32 masked_crc32c(data)
//
// Like TensorBoard's Rust reader, every outcome has its own kind and the
// reader never decides what an outcome means: rules do. A length is never
// trusted before its CRC checks, and even then the reader never allocates more
// than the bytes actually left in the source.
#ifndef TBLINT_RECORD_RECORD_READER_H_
#define TBLINT_RECORD_RECORD_READER_H_

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "record/crc32c.h"
#include "record/source.h"

namespace tblint {

inline constexpr uint64_t kHeaderSize = 12;  // length + length CRC
inline constexpr uint64_t kFooterSize = 4;   // data CRC
inline constexpr uint64_t kFramingSize = kHeaderSize + kFooterSize;

// The format's little-endian fields (a record's length and CRCs). All
// supported targets are little-endian too.
inline uint64_t DecodeLE64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint32_t DecodeLE32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

enum class RecordKind : uint8_t {
  kOk,            // complete record, both CRCs check
  kTruncated,     // the source ends inside this record
  kBadLengthCrc,  // the length CRC is wrong, the length is not trusted
  kBadDataCrc,    // the length is fine, the payload CRC is wrong
  kZeroFilled,    // from this offset to the end only zero bytes (>= 12 of them)
  kIoError,       // the source could not be read (it shrank, EIO, ...)
};

// Where inside a record the source ended (kTruncated).
enum class Section : uint8_t { kNone, kLength, kLengthCrc, kPayload, kDataCrc };

const char* RecordKindName(RecordKind kind);
const char* SectionName(Section section);

struct Record {
  RecordKind kind = RecordKind::kOk;
  Section section = Section::kNone;
  uint64_t offset = 0;  // first byte of the record
  uint64_t index = 0;   // 0-based position among the records of the source
  // Payload length. Trusted only when has_length (the length CRC checked).
  uint64_t length = 0;
  bool has_length = false;
  // One past the last byte this outcome covers: the next record's offset for
  // kOk and kBadDataCrc, the end of the source for kTruncated and kZeroFilled.
  uint64_t end = 0;
  // The payload, for kOk records up to ReaderOptions::max_payload_in_memory.
  // Valid until the next call into the reader.
  std::string_view payload;
  bool payload_in_memory = false;
  // kZeroFilled: where the zero bytes start. Usually `offset`; later when a
  // record's first bytes reached the disk and the rest of it is zeros.
  uint64_t zeros_from = 0;
  // kTruncated, kZeroFilled and kBadDataCrc: valid records (framing and both
  // CRCs check) that start inside the span this outcome covers, found by a
  // resynchronising scan from one byte past `offset`: a header whose checked
  // length runs over records another writer appended, for example. A repair
  // that removed the span would remove them too, so it must not.
  uint64_t hidden_records = 0;
  uint64_t hidden_first = 0;  // offset of the first one
  uint64_t hidden_end = 0;    // end of the last one
  uint32_t stored_crc = 0;    // masked, as in the file (CRC mismatches; kOk: the data CRC)
  uint32_t expected_crc = 0;  // masked, as computed
  std::error_code error;      // kIoError
};

struct ReaderOptions {
  // Payloads longer than this are CRC-checked in chunks but not handed out,
  // so one huge record costs no more memory than this.
  uint64_t max_payload_in_memory = 64ull << 20;
  size_t buffer_size = 256 << 10;
};

class RecordReader {
 public:
  explicit RecordReader(Source* source, ReaderOptions options = {});

  // Reads the next outcome. Returns false at the end of the source and after
  // a terminal outcome (kTruncated, kZeroFilled, kIoError, or kBadLengthCrc
  // unless Resync() is called). Inline for the common case, a clean record
  // wholly inside the read window (framing and both CRCs checked by one
  // call, the hardware CRC chosen once); NextSlow reads everything else and
  // says what is wrong.
  bool Next(Record* record) {
    const uint64_t at = pos_ - buf_offset_;  // wraps (and fails the test) when pos_ < buf_offset_
    if (!done_ && pos_ >= buf_offset_ && at < buf_len_) [[likely]] {
      const uint8_t* r = buf_.get() + at;
      uint64_t length;
      if (check_frame_(r, buf_len_ - at, &length) && length <= options_.max_payload_in_memory) [[likely]] {
        uint32_t stored;
        std::memcpy(&stored, r + kHeaderSize + length, 4);
        record->kind = RecordKind::kOk;
        record->section = Section::kNone;
        record->offset = pos_;
        record->index = index_++;
        record->length = length;
        record->has_length = true;
        record->end = pos_ + kFramingSize + length;
        record->payload = std::string_view(reinterpret_cast<const char*>(r + kHeaderSize), length);
        record->payload_in_memory = true;
        record->zeros_from = 0;
        record->hidden_records = record->hidden_first = record->hidden_end = 0;
        record->stored_crc = record->expected_crc = stored;
        if (record->error) [[unlikely]] record->error.clear();
        resync_allowed_ = false;
        pos_ = record->end;
        return true;
      }
    }
    return NextSlow(record);
  }

  // After any outcome but kOk and kIoError: scans forward from one byte past
  // the start of that record for the next offset where a complete record
  // with a valid length CRC, a length that fits and a valid data CRC starts.
  // On success positions the reader there and returns the offset; the next
  // Next() reads that record. Linting resyncs only after kBadLengthCrc, like
  // a reader that trusts a checked length; salvage resyncs after everything,
  // so that a record hidden inside a damaged one's declared span is found.
  std::optional<uint64_t> Resync();

  // Valid records a greedy scan finds starting in [from, limit): at each
  // offset, a valid record is taken whole and the scan continues at its end;
  // otherwise it moves one byte on. Holes of sparse files are skipped. Does
  // not move the reader.
  struct Found {
    uint64_t count = 0;
    uint64_t first = 0;
    uint64_t end = 0;  // end of the last one
  };
  Found ScanForValid(uint64_t from, uint64_t limit, std::error_code* ec);

  uint64_t position() const { return pos_; }
  uint64_t size() const { return size_; }

 private:
  // Makes bytes [offset, offset + n) available; n <= size_ - offset. Inline
  // for the common case, bytes already in the window (every record of a file
  // but one per buffer refill); EnsureSlow reads.
  const uint8_t* Ensure(uint64_t offset, size_t n, std::error_code* ec) {
    if (offset >= buf_offset_ && offset + n <= buf_offset_ + buf_len_) [[likely]] {
      return buf_.get() + (offset - buf_offset_);
    }
    return EnsureSlow(offset, n, ec);
  }
  const uint8_t* EnsureSlow(uint64_t offset, size_t n, std::error_code* ec);
  bool NextSlow(Record* record);
  bool AllZeroFrom(uint64_t offset, std::error_code* ec);
  // Start of the run of zero bytes that ends the source (size_ if none).
  uint64_t ZeroTailStart(std::error_code* ec);
  bool CheckDataCrc(uint64_t payload_offset, uint64_t length, uint32_t stored, uint32_t* computed, std::error_code* ec);
  bool IoError(Record* record, uint64_t offset, std::error_code ec);
  // The first offset in [from, limit) where a valid record starts, with its
  // payload length.
  std::optional<std::pair<uint64_t, uint64_t>> FindValid(uint64_t from, uint64_t limit, std::error_code* ec);
  // Fills the hidden_* fields of `record` for the span [from, limit).
  bool FillHidden(Record* record, uint64_t from, uint64_t limit, std::error_code* ec);

  Source* source_;
  ReaderOptions options_;
  crc32c::CheckFrameFn check_frame_ = crc32c::CheckFrameImpl();
  uint64_t size_;
  uint64_t pos_ = 0;
  uint64_t index_ = 0;
  bool done_ = false;
  bool resync_allowed_ = false;
  uint64_t bad_offset_ = 0;
  // The read window. Not zero-filled (it is always read into before use),
  // and no larger than the source: small files cost small buffers.
  std::unique_ptr<uint8_t[]> buf_;
  size_t buf_cap_ = 0;
  uint64_t buf_offset_ = 0;
  size_t buf_len_ = 0;
  std::optional<uint64_t> zero_tail_start_;
};

// Frames `payload` as one TFRecord and appends it to `out`.
void AppendRecord(std::string* out, std::string_view payload);
std::string FrameRecord(std::string_view payload);

}  // namespace tblint

#endif  // TBLINT_RECORD_RECORD_READER_H_
