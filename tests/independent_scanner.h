// An independent statement of which records an event file holds, and of what
// a repair must keep (issue 7: no fix ever removes a valid record). It shares
// no code with tblint's record layer: its own CRC32C, its own framing checks,
// protobuf's generated parser for "is this an Event". The repair property test
// (repair_property_test.cc) and the repair fuzzer (fuzz/) judge the fixer
// with it.
//
// A valid record at offset p: the 8-byte little-endian length L, the masked
// CRC32C of those 8 bytes, L payload bytes that fit in the file, and the
// masked CRC32C of the payload (format.md). The canonical record sequence of
// a file is the greedy scan: at p, if a valid record starts there take it and
// continue at its end, else move on one byte. A record nested inside a valid
// record's payload belongs to that record and is not a separate one.
//
// The repair property, for every file of a logdir:
//  - after --fix (safe fixes only), the canonical sequence is exactly the
//    original's, and no file is moved;
//  - after --fix --unsafe-fixes, it is the original's minus exactly the
//    records whose payload protobuf does not parse as an Event, in the same
//    order; a file moved aside (TB106, TB201, TB503) is in the backup folder
//    byte-identical;
//  - after tblint restore, every file is byte-identical under its old name.
#ifndef TBLINT_TESTS_INDEPENDENT_SCANNER_H_
#define TBLINT_TESTS_INDEPENDENT_SCANNER_H_

#include <google/protobuf/stubs/logging.h>

#include <array>
#include <boost/filesystem.hpp>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "event.pb.h"
#include "fix/fixer.h"

namespace tblint::independent {

// --- CRC32C (Castagnoli), from its definition ----------------------------

// Bit by bit: reflected polynomial 0x82F63B78, init and final xor ~0.
inline uint32_t Crc32cBitwise(const void* data, size_t n) {
  const auto* p = static_cast<const uint8_t*>(data);
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i) {
    c ^= p[i];
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
  }
  return ~c;
}

// The same function a byte at a time, with the table computed by the bitwise
// definition above (eight times faster; the fuzzers scan whole inputs).
inline uint32_t Crc32c(const void* data, size_t n) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t b = 0; b < 256; ++b) {
      uint32_t c = b;
      for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
      t[b] = c;
    }
    return t;
  }();
  const auto* p = static_cast<const uint8_t*>(data);
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i) c = (c >> 8) ^ table[(c ^ p[i]) & 0xFF];
  return ~c;
}

inline uint32_t Mask(uint32_t c) { return ((c >> 15) | (c << 17)) + 0xA282EAD8u; }

inline uint64_t LoadLE(std::string_view s, uint64_t at, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(s[at + i]);
  return v;
}

// --- records ---------------------------------------------------------------

inline constexpr uint64_t kFraming = 16;  // length 8 + length CRC 4 + data CRC 4

inline void AppendLE(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

// A record header (length and its masked CRC) declaring `length`, valid
// whatever follows it.
inline std::string Header(uint64_t length) {
  std::string h;
  AppendLE(&h, length, 8);
  AppendLE(&h, Mask(Crc32c(h.data(), 8)), 4);
  return h;
}

// `payload` framed as one valid record.
inline std::string Frame(std::string_view payload) {
  std::string r = Header(payload.size());
  r.append(payload);
  AppendLE(&r, Mask(Crc32c(payload.data(), payload.size())), 4);
  return r;
}

// Whether a valid record starts at p; its payload length in *length if so.
inline bool ValidRecordAt(std::string_view s, uint64_t p, uint64_t* length) {
  if (s.size() < kFraming || p > s.size() - kFraming) return false;
  if (Mask(Crc32c(s.data() + p, 8)) != LoadLE(s, p + 8, 4)) return false;
  const uint64_t len = LoadLE(s, p, 8);
  if (len > s.size() - p - kFraming) return false;
  if (Mask(Crc32c(s.data() + p + 12, len)) != LoadLE(s, p + 12 + len, 4)) return false;
  *length = len;
  return true;
}

struct Span {
  uint64_t offset = 0;
  uint64_t length = 0;  // payload bytes
  uint64_t end() const { return offset + kFraming + length; }
};

// The canonical (greedy) record sequence of a file.
inline std::vector<Span> CanonicalSpans(std::string_view s) {
  std::vector<Span> out;
  uint64_t p = 0, len = 0;
  while (s.size() >= kFraming && p <= s.size() - kFraming) {
    if (ValidRecordAt(s, p, &len)) {
      out.push_back({p, len});
      p += kFraming + len;
    } else {
      ++p;
    }
  }
  return out;
}

inline std::string_view RecordBytes(std::string_view s, const Span& r) {
  return s.substr(r.offset, r.end() - r.offset);
}
inline std::string_view Payload(std::string_view s, const Span& r) { return s.substr(r.offset + 12, r.length); }

// Whether protobuf's generated parser accepts the payload as an Event.
inline bool DecodesAsEvent(std::string_view payload) {
  // protobuf logs every invalid UTF-8 string it meets; that is noise here.
  static const bool silenced = [] {
    google::protobuf::SetLogHandler(nullptr);
    return true;
  }();
  (void)silenced;
  tensorboard::Event e;
  return e.ParseFromArray(payload.data(), static_cast<int>(payload.size()));
}

// The canonical records of `original` a fix must leave, byte for byte.
inline std::vector<std::string> ExpectedRecords(std::string_view original, bool unsafe) {
  std::vector<std::string> out;
  for (const Span& r : CanonicalSpans(original)) {
    if (unsafe && !DecodesAsEvent(Payload(original, r))) continue;
    out.emplace_back(RecordBytes(original, r));
  }
  return out;
}

inline std::vector<std::string> CanonicalRecords(std::string_view s) {
  std::vector<std::string> out;
  for (const Span& r : CanonicalSpans(s)) out.emplace_back(RecordBytes(s, r));
  return out;
}

// "" when `actual` is `expected`; else where they first differ, located in
// the original file so that a person can look at the bytes.
inline std::string DiffRecords(std::string_view original, const std::vector<std::string>& expected,
                               const std::vector<std::string>& actual) {
  if (expected == actual) return "";
  size_t i = 0;
  while (i < expected.size() && i < actual.size() && expected[i] == actual[i]) ++i;
  std::ostringstream m;
  m << "holds " << actual.size() << " canonical records, expected " << expected.size() << "; ";
  if (i < expected.size()) {
    const size_t at = original.find(expected[i]);
    m << "expected record " << i << " (" << expected[i].size() << " bytes, at offset "
      << (at == std::string_view::npos ? std::string("?") : std::to_string(at)) << " of the original) "
      << (i < actual.size() ? "differs" : "is missing");
  } else {
    m << "record " << i << " (" << actual[i].size() << " bytes) should not be there";
  }
  return m.str();
}

// --- a logdir before and after -------------------------------------------

using Tree = std::map<std::string, std::string>;  // relative path -> bytes

inline std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every regular file under `dir`, but those in backup folders.
inline Tree Snapshot(const std::string& dir) {
  namespace fs = boost::filesystem;
  Tree out;
  for (fs::recursive_directory_iterator it(dir), end; it != end; ++it) {
    if (it->path().filename() == ".tblint-backup") {
      it.disable_recursion_pending();
      continue;
    }
    if (fs::is_regular_file(it->symlink_status())) {
      out[fs::relative(it->path(), dir).string()] = ReadAll(it->path().string());
    }
  }
  return out;
}

inline bool IsEventFileName(const std::string& rel) {
  return boost::filesystem::path(rel).filename().string().find("tfevents") != std::string::npos;
}

// Whether the codes a fix applied ("TB101,TB503") include one whose fix
// moves the file aside: an impostor, an empty file or a stray copy.
inline bool HasMoveCode(const std::string& codes) {
  std::stringstream in(codes);
  for (std::string c; std::getline(in, c, ',');) {
    if (c == "TB106" || c == "TB201" || c == "TB503") return true;
  }
  return false;
}

// Checks the repair property for one fix pass over a logdir: `before` and
// `after` are its snapshots, `outcomes` what ApplyFixes returned. Returns one
// line per violation, empty when the property holds.
inline std::vector<std::string> CheckFixed(const Tree& before, const Tree& after,
                                           const std::vector<FixOutcome>& outcomes, bool unsafe) {
  std::vector<std::string> bad;
  std::map<std::string, const FixOutcome*> by_path;
  for (const FixOutcome& o : outcomes) by_path[o.rel_path] = &o;
  for (const auto& [rel, bytes] : before) {
    auto now = after.find(rel);
    if (now == after.end()) {
      auto o = by_path.find(rel);
      if (!unsafe) {
        bad.push_back(rel + ": gone after --fix without --unsafe-fixes");
      } else if (o == by_path.end() || o->second->kind != FixKind::kMove || o->second->status != FixStatus::kFixed) {
        bad.push_back(rel + ": gone, but no fix says it was moved");
      } else if (!HasMoveCode(o->second->codes)) {
        bad.push_back(rel + ": moved aside for " + o->second->codes + ", none of TB106, TB201, TB503");
      } else if (!boost::filesystem::exists(o->second->side_file) || ReadAll(o->second->side_file) != bytes) {
        bad.push_back(rel + ": moved aside, but " + o->second->side_file + " is not the file byte-identical");
      }
      continue;
    }
    if (!IsEventFileName(rel)) {
      if (now->second != bytes) bad.push_back(rel + ": not an event file, but changed");
      continue;
    }
    const std::vector<std::string> expected = ExpectedRecords(bytes, unsafe);
    const std::string diff = DiffRecords(bytes, expected, CanonicalRecords(now->second));
    if (!diff.empty()) {
      bad.push_back(rel + ": after --fix" + (unsafe ? " --unsafe-fixes" : "") + " the file " + diff);
    }
  }
  for (const auto& [rel, bytes] : after) {
    if (before.count(rel) == 0) bad.push_back(rel + ": a new file in the logdir after the fix");
  }
  return bad;
}

// After --fix --unsafe-fixes every file left should be its kept records and
// nothing else: no damaged bytes, nothing TB1xx could still report. Returns
// one line per file that is not.
inline std::vector<std::string> CheckRepairedClean(const Tree& before, const Tree& after) {
  std::vector<std::string> bad;
  for (const auto& [rel, bytes] : after) {
    auto was = before.find(rel);
    if (was == before.end() || !IsEventFileName(rel)) continue;
    std::string want;
    for (const std::string& r : ExpectedRecords(was->second, /*unsafe=*/true)) want += r;
    if (bytes != want) {
      bad.push_back(rel + ": after --fix --unsafe-fixes the file is " + std::to_string(bytes.size()) +
                    " bytes, not just its " + std::to_string(want.size()) + " bytes of valid Event records");
    }
  }
  return bad;
}

}  // namespace tblint::independent

#endif  // TBLINT_TESTS_INDEPENDENT_SCANNER_H_
