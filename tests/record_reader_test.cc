// Record layer tests, leveldb style: write records with tblint's own writer,
// damage them with small helpers, and assert what the reader reports.
#include "record/record_reader.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "record/crc32c.h"
#include "record/source.h"

namespace tblint {
namespace {

struct Layout {
  std::string bytes;
  std::vector<uint64_t> starts;  // record offsets, plus the end of the file
};

// Payload sizes whose low length byte is never zero, so no truncated header
// can look like a zero-filled region.
Layout MakeFile(const std::vector<size_t>& sizes) {
  Layout l;
  for (size_t i = 0; i < sizes.size(); ++i) {
    l.starts.push_back(l.bytes.size());
    std::string payload(sizes[i], '\0');
    for (size_t j = 0; j < payload.size(); ++j) payload[j] = static_cast<char>('a' + (i * 7 + j) % 26);
    AppendRecord(&l.bytes, payload);
  }
  l.starts.push_back(l.bytes.size());
  return l;
}

std::vector<Record> ReadAll(const std::string& bytes, bool resync = false, ReaderOptions options = {}) {
  MemorySource src(bytes);
  RecordReader reader(&src, options);
  std::vector<Record> out;
  Record r;
  while (reader.Next(&r)) {
    r.payload = {};  // not valid past the next call
    out.push_back(r);
    if (resync && r.kind == RecordKind::kBadLengthCrc) reader.Resync();
  }
  return out;
}

std::string Truncate(std::string s, size_t n) { return s.substr(0, n); }
std::string FlipBit(std::string s, size_t byte, int bit = 0) {
  s[byte] = static_cast<char>(s[byte] ^ (1 << bit));
  return s;
}
std::string ZeroFrom(std::string s, size_t from) {
  for (size_t i = from; i < s.size(); ++i) s[i] = '\0';
  return s;
}

TEST_CASE("a well-formed file reads back every record with its payload") {
  Layout l = MakeFile({5, 30, 1, 200});
  MemorySource src(l.bytes);
  RecordReader reader(&src);
  Record r;
  for (size_t i = 0; i < 4; ++i) {
    REQUIRE(reader.Next(&r));
    CHECK(r.kind == RecordKind::kOk);
    CHECK(r.offset == l.starts[i]);
    CHECK(r.index == i);
    CHECK(r.end == l.starts[i + 1]);
    CHECK(r.payload.size() == r.length);
    CHECK(r.payload_in_memory);
  }
  CHECK_FALSE(reader.Next(&r));
}

TEST_CASE("an empty source has no records") { CHECK(ReadAll("").empty()); }

TEST_CASE("the writer frames records byte-exactly") {
  // length 24 -> masked length CRC 0x224B7FA3 (format.md)
  std::string rec = FrameRecord(std::string(24, 'x'));
  REQUIRE(rec.size() == 24 + kFramingSize);
  CHECK(static_cast<uint8_t>(rec[0]) == 24);
  for (int i = 1; i < 8; ++i) CHECK(rec[i] == 0);
  const uint32_t len_crc = static_cast<uint8_t>(rec[8]) | static_cast<uint8_t>(rec[9]) << 8 |
                           static_cast<uint8_t>(rec[10]) << 16 |
                           static_cast<uint32_t>(static_cast<uint8_t>(rec[11])) << 24;
  CHECK(len_crc == 0x224B7FA3u);
  // An empty payload's masked CRC is the mask delta.
  std::string empty = FrameRecord("");
  CHECK(static_cast<uint8_t>(empty[12]) == 0xD8);
  CHECK(static_cast<uint8_t>(empty[15]) == 0xA2);
}

TEST_CASE("a truncation at every byte offset is reported in the right section") {
  Layout l = MakeFile({3, 41, 17});
  for (size_t cut = 0; cut <= l.bytes.size(); ++cut) {
    CAPTURE(cut);
    std::vector<Record> recs = ReadAll(Truncate(l.bytes, cut));
    size_t complete = 0;
    while (complete + 1 < l.starts.size() && l.starts[complete + 1] <= cut) ++complete;
    const bool at_boundary = l.starts[complete] == cut;
    REQUIRE(recs.size() == complete + (at_boundary ? 0 : 1));
    for (size_t i = 0; i < complete; ++i) CHECK(recs[i].kind == RecordKind::kOk);
    if (at_boundary) continue;
    const Record& t = recs.back();
    CHECK(t.kind == RecordKind::kTruncated);
    CHECK(t.offset == l.starts[complete]);
    CHECK(t.index == complete);
    CHECK(t.end == cut);
    const uint64_t into = cut - l.starts[complete];
    const uint64_t len = l.starts[complete + 1] - l.starts[complete] - kFramingSize;
    if (into < 8) {
      CHECK(t.section == Section::kLength);
    } else if (into < 12) {
      CHECK(t.section == Section::kLengthCrc);
    } else if (into < 12 + len) {
      CHECK(t.section == Section::kPayload);
      CHECK(t.length == len);
    } else {
      CHECK(t.section == Section::kDataCrc);
    }
  }
}

TEST_CASE("a flipped bit at every byte offset is a length or data CRC mismatch of that record") {
  Layout l = MakeFile({3, 41, 17, 9});
  for (size_t byte = 0; byte < l.bytes.size(); ++byte) {
    for (int bit : {0, 7}) {
      CAPTURE(byte);
      CAPTURE(bit);
      std::vector<Record> recs = ReadAll(FlipBit(l.bytes, byte, bit), /*resync=*/true);
      size_t rec = 0;
      while (l.starts[rec + 1] <= byte) ++rec;
      const uint64_t into = byte - l.starts[rec];
      const uint64_t len = l.starts[rec + 1] - l.starts[rec] - kFramingSize;
      REQUIRE(recs.size() > rec);
      for (size_t i = 0; i < rec; ++i) CHECK(recs[i].kind == RecordKind::kOk);
      const Record& bad = recs[rec];
      CHECK(bad.offset == l.starts[rec]);
      if (into < kHeaderSize) {
        CHECK(bad.kind == RecordKind::kBadLengthCrc);
        CHECK_FALSE(bad.has_length);
      } else {
        CHECK(bad.kind == RecordKind::kBadDataCrc);
        CHECK(bad.length == len);
        (void)into;
      }
      // Every later record is found again, in place: by resync after a bad
      // length, directly after a bad payload.
      REQUIRE(recs.size() == l.starts.size() - 1);
      for (size_t i = rec + 1; i + 1 < l.starts.size(); ++i) {
        CHECK(recs[i].kind == RecordKind::kOk);
        CHECK(recs[i].offset == l.starts[i]);
      }
    }
  }
}

TEST_CASE("without resync a bad length CRC ends the read") {
  Layout l = MakeFile({10, 10, 10});
  std::vector<Record> recs = ReadAll(FlipBit(l.bytes, l.starts[1] + 2));
  REQUIRE(recs.size() == 2);
  CHECK(recs[1].kind == RecordKind::kBadLengthCrc);
  CHECK(recs[1].end == l.bytes.size());
}

TEST_CASE("resync skips garbage inserted between records") {
  Layout l = MakeFile({10, 20, 30});
  std::string damaged = l.bytes.substr(0, l.starts[1]) + "garbage!garbage!" + l.bytes.substr(l.starts[1]);
  std::vector<Record> recs = ReadAll(damaged, true);
  REQUIRE(recs.size() == 4);
  CHECK(recs[1].kind == RecordKind::kBadLengthCrc);
  CHECK(recs[2].kind == RecordKind::kOk);
  CHECK(recs[2].offset == l.starts[1] + 16);
  CHECK(recs[3].kind == RecordKind::kOk);
}

TEST_CASE("zeros from a record boundary to the end are a zero-filled tail") {
  Layout l = MakeFile({10, 20, 30});
  for (size_t rec : {0, 1, 2}) {
    CAPTURE(rec);
    std::vector<Record> recs = ReadAll(ZeroFrom(l.bytes, l.starts[rec]));
    REQUIRE(recs.size() == rec + 1);
    CHECK(recs.back().kind == RecordKind::kZeroFilled);
    CHECK(recs.back().offset == l.starts[rec]);
    CHECK(recs.back().zeros_from == l.starts[rec]);
  }
  // Appended zeros after the last record.
  std::vector<Record> recs = ReadAll(l.bytes + std::string(4096, '\0'));
  REQUIRE(recs.size() == 4);
  CHECK(recs.back().kind == RecordKind::kZeroFilled);
  CHECK(recs.back().offset == l.bytes.size());
  CHECK(recs.back().end == l.bytes.size() + 4096);
}

TEST_CASE("zeros starting inside a record make that record part of the zero tail") {
  Layout l = MakeFile({10, 40, 30});
  // Inside record 1's header, then inside its payload.
  for (uint64_t into : {uint64_t{4}, uint64_t{20}}) {
    CAPTURE(into);
    std::string bytes = ZeroFrom(l.bytes, l.starts[1] + into) + std::string(100, '\0');
    std::vector<Record> recs = ReadAll(bytes);
    REQUIRE(recs.size() == 2);
    CHECK(recs[1].kind == RecordKind::kZeroFilled);
    CHECK(recs[1].offset == l.starts[1]);
    CHECK(recs[1].zeros_from >= l.starts[1]);
  }
}

TEST_CASE("fewer than 12 zero bytes at the end are a truncated header, not a zero tail") {
  Layout l = MakeFile({10});
  std::vector<Record> recs = ReadAll(l.bytes + std::string(5, '\0'));
  REQUIRE(recs.size() == 2);
  CHECK(recs[1].kind == RecordKind::kTruncated);
  CHECK(recs[1].section == Section::kLength);
}

TEST_CASE("a huge length with a valid CRC never allocates beyond the file") {
  // A header claiming a 2^60-byte payload, with a correct length CRC.
  std::string header(8, '\0');
  header[7] = 0x10;
  std::string bytes = header;
  const uint32_t crc = crc32c::Mask(crc32c::Value(header.data(), 8));
  for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<char>((crc >> (8 * i)) & 0xFF));
  bytes += "only a few bytes";
  std::vector<Record> recs = ReadAll(bytes);
  REQUIRE(recs.size() == 1);
  CHECK(recs[0].kind == RecordKind::kTruncated);
  CHECK(recs[0].section == Section::kPayload);
  CHECK(recs[0].length == (uint64_t{1} << 60));
}

TEST_CASE("payloads above the in-memory limit are CRC-checked in chunks and not handed out") {
  Layout l = MakeFile({100, 5000, 100});
  ReaderOptions options;
  options.max_payload_in_memory = 1000;
  options.buffer_size = 256;
  MemorySource src(l.bytes);
  RecordReader reader(&src, options);
  Record r;
  REQUIRE(reader.Next(&r));
  CHECK(r.payload_in_memory);
  REQUIRE(reader.Next(&r));
  CHECK(r.kind == RecordKind::kOk);
  CHECK_FALSE(r.payload_in_memory);
  CHECK(r.length == 5000);
  REQUIRE(reader.Next(&r));
  CHECK(r.kind == RecordKind::kOk);
  // And a damaged big payload is still caught.
  std::vector<Record> recs = ReadAll(FlipBit(l.bytes, l.starts[1] + 3000), false, options);
  REQUIRE(recs.size() == 3);
  CHECK(recs[1].kind == RecordKind::kBadDataCrc);
}

TEST_CASE("a small read buffer gives the same results as a large one") {
  Layout l = MakeFile({3, 300, 17, 1000, 2});
  ReaderOptions small;
  small.buffer_size = 64;
  std::string damaged = FlipBit(l.bytes, l.starts[2] + 1);
  std::vector<Record> a = ReadAll(damaged, true, small), b = ReadAll(damaged, true);
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].kind == b[i].kind);
    CHECK(a[i].offset == b[i].offset);
  }
}

}  // namespace
}  // namespace tblint
