// Fuzzes the record reader: reads every outcome of the input, resynchronising
// after each damaged one (as salvage does), and checks what each outcome
// claims against the independent scanner (tests/independent_scanner.h):
//  - offsets strictly increase, end <= size, a kOk record is followed by the
//    next outcome at its end;
//  - each kind is what the bytes say (kOk: both CRCs check and the payload is
//    the bytes; kBadDataCrc: the framing fits, the data CRC does not; ...);
//  - the kOk records are exactly the canonical (greedy) record sequence;
//  - a small read window and chunked CRCs give the same outcomes as the
//    default options.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_util.h"
#include "independent_scanner.h"
#include "record/record_reader.h"
#include "record/source.h"

namespace tblint::fuzz {
namespace {

namespace ind = independent;

struct Outcome {
  RecordKind kind;
  uint64_t offset, end, length, zeros_from;
  bool has_length;
  bool operator==(const Outcome&) const = default;
};

std::string Where(const Record& r) {
  return std::string(RecordKindName(r.kind)) + " outcome at offset " + std::to_string(r.offset) + " (end " +
         std::to_string(r.end) + ", length " + std::to_string(r.length) + ")";
}

std::vector<Outcome> ReadAll(std::string_view in, const ReaderOptions& options) {
  MemorySource src(in);
  RecordReader reader(&src, options);
  Record r;
  std::vector<Outcome> out;
  std::vector<ind::Span> ok;
  const uint64_t size = in.size();
  uint64_t last_offset = 0;
  bool first = true;
  std::optional<uint64_t> must_start_at = 0;  // after kOk or a resync: exactly here
  while (true) {
    if (!reader.Next(&r)) {
      if (!reader.Resync()) break;
      must_start_at = reader.position();
      continue;
    }
    if (!first && r.offset <= last_offset) Fail("offsets do not increase: " + Where(r));
    if (must_start_at && r.offset != *must_start_at) {
      Fail("expected the next outcome at " + std::to_string(*must_start_at) + ", got " + Where(r));
    }
    first = false;
    last_offset = r.offset;
    if (r.end > size || r.end < r.offset) Fail("end out of range: " + Where(r));
    uint64_t len = 0;
    const bool valid = ind::ValidRecordAt(in, r.offset, &len);
    const bool header_ok =
        r.offset + 12 <= size && ind::Mask(ind::Crc32c(in.data() + r.offset, 8)) == ind::LoadLE(in, r.offset + 8, 4);
    switch (r.kind) {
      case RecordKind::kOk:
        if (!valid) Fail("kOk but the independent check finds no valid record: " + Where(r));
        if (!r.has_length || r.length != len || r.end != r.offset + ind::kFraming + len) {
          Fail("kOk with the wrong length or end: " + Where(r));
        }
        if (r.payload_in_memory && r.payload != in.substr(r.offset + 12, len)) Fail("kOk payload differs: " + Where(r));
        if (r.payload_in_memory != (len <= options.max_payload_in_memory)) {
          Fail("payload_in_memory disagrees with max_payload_in_memory: " + Where(r));
        }
        ok.push_back({r.offset, len});
        break;
      case RecordKind::kBadDataCrc:
        if (valid || !header_ok || !r.has_length) {
          Fail("kBadDataCrc but the header is bad or the record valid: " + Where(r));
        }
        if (r.end != r.offset + ind::kFraming + r.length) Fail("kBadDataCrc end is not the declared end: " + Where(r));
        break;
      case RecordKind::kBadLengthCrc:
        if (header_ok) Fail("kBadLengthCrc but the length CRC checks: " + Where(r));
        break;
      case RecordKind::kTruncated:
        if (valid) Fail("kTruncated at a valid record: " + Where(r));
        if (r.end != size) Fail("kTruncated does not end at the end: " + Where(r));
        if (size - r.offset >= 12 && !header_ok) Fail("kTruncated after a bad length CRC: " + Where(r));
        if (size - r.offset >= 12 && header_ok && ind::LoadLE(in, r.offset, 8) + ind::kFraming <= size - r.offset) {
          Fail("kTruncated but the declared record fits: " + Where(r));
        }
        break;
      case RecordKind::kZeroFilled:
        if (valid) Fail("kZeroFilled at a valid record: " + Where(r));
        if (r.end != size || r.zeros_from < r.offset || r.zeros_from >= size) {
          Fail("kZeroFilled range is wrong: " + Where(r) + " zeros from " + std::to_string(r.zeros_from));
        }
        for (uint64_t i = r.zeros_from; i < size; ++i) {
          if (in[i] != 0) Fail("kZeroFilled but byte " + std::to_string(i) + " is not zero: " + Where(r));
        }
        break;
      case RecordKind::kIoError:
        Fail("kIoError from a memory source: " + Where(r));
    }
    out.push_back({r.kind, r.offset, r.end, r.length, r.zeros_from, r.has_length});
    if (r.kind == RecordKind::kOk) {
      must_start_at = r.end;
    } else {
      // Resynchronise after everything, so that records inside a damaged
      // one's declared span are found (what salvage does).
      const std::optional<uint64_t> next = reader.Resync();
      if (!next) break;
      if (*next <= r.offset) Fail("Resync went backwards from " + Where(r));
      must_start_at = *next;
    }
  }
  const std::vector<ind::Span> canonical = ind::CanonicalSpans(in);
  bool same = canonical.size() == ok.size();
  for (size_t i = 0; same && i < ok.size(); ++i) {
    same = canonical[i].offset == ok[i].offset && canonical[i].length == ok[i].length;
  }
  if (!same) {
    std::string msg = "the reader's valid records (resyncing after every damaged one) are not the canonical sequence:";
    msg += "\n  reader:   ";
    for (const ind::Span& s : ok) msg += std::to_string(s.offset) + "+" + std::to_string(s.length) + " ";
    msg += "\n  canonical:";
    for (const ind::Span& s : canonical) msg += " " + std::to_string(s.offset) + "+" + std::to_string(s.length);
    Fail(msg);
  }
  return out;
}

}  // namespace
}  // namespace tblint::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tblint;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::vector<fuzz::Outcome> plain = fuzz::ReadAll(in, ReaderOptions{});
  ReaderOptions small;
  small.buffer_size = 64;  // the smallest window: every record crosses it
  // Longer payloads are CRC-checked in chunks. (Not every payload: each
  // chunked check allocates a 1 MiB buffer, which would dominate the run.)
  small.max_payload_in_memory = 2048;
  if (fuzz::ReadAll(in, small) != plain) fuzz::Fail("a small read window changes the outcomes");
  return 0;
}
