// CRC-32C (Castagnoli) and TFRecord's CRC masking.
//
// Crc32c() picks the fastest implementation the CPU offers at run time
// (SSE4.2 on x86-64, the ARMv8 CRC32 instructions on AArch64) and falls back
// to a portable slicing-by-8 table. All implementations return identical values.
#ifndef TBLINT_RECORD_CRC32C_H_
#define TBLINT_RECORD_CRC32C_H_

#include <cstddef>
#include <cstdint>

namespace tblint::crc32c {

// Returns the CRC-32C of data[0, n) continuing from `crc` (the CRC of the
// bytes before). Extend(0, ...) computes a fresh CRC.
uint32_t Extend(uint32_t crc, const void* data, size_t n);
inline uint32_t Value(const void* data, size_t n) { return Extend(0, data, n); }

// The CRC-32C of `n` zero bytes appended to data whose CRC is `crc`, in
// O(log n): a sparse file's holes are checked without reading them.
uint32_t ExtendZeros(uint32_t crc, uint64_t n);

// The portable table implementation, always available.
uint32_t ExtendPortable(uint32_t crc, const void* data, size_t n);

// The hardware implementation; only call when HardwareAvailable().
uint32_t ExtendHardware(uint32_t crc, const void* data, size_t n);

// True when this CPU has CRC-32C instructions that ExtendHardware uses.
bool HardwareAvailable();

// Name of the implementation Extend() uses: "sse4.2", "armv8-crc" or "portable".
const char* ImplementationName();

// Checks the TFRecord at r[0, avail), wholly in memory: the 12-byte header's
// length CRC, that the record (header, payload, data CRC) fits in `avail`,
// and the payload's CRC. On success sets *length to the payload length and
// returns true; otherwise returns false and the caller reads the record the
// slow way, which says what is wrong. The record reader's hot path: one call
// per clean record, with the CRC instructions inlined (the implementation is
// chosen once, as Extend's).
bool CheckFrame(const uint8_t* r, size_t avail, uint64_t* length);
// CheckFrame's implementation itself, for a caller that keeps it (the record
// reader): one indirect call per record instead of two calls.
using CheckFrameFn = bool (*)(const uint8_t* r, size_t avail, uint64_t* length);
CheckFrameFn CheckFrameImpl();

// TFRecord masks stored CRCs so that a CRC of data containing CRCs is not
// degenerate: rotate right by 15 bits and add a constant.
constexpr uint32_t kMaskDelta = 0xA282EAD8u;
inline uint32_t Mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }
inline uint32_t Unmask(uint32_t masked) {
  uint32_t rot = masked - kMaskDelta;
  return (rot >> 17) | (rot << 15);
}

}  // namespace tblint::crc32c

#endif  // TBLINT_RECORD_CRC32C_H_
