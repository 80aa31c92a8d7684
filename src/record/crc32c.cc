// CRC-32C: a portable slicing-by-8 table implementation and hardware paths
// selected once at run time.
#include "record/crc32c.h"

#include <array>
#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) || defined(_M_X64)
#include <nmmintrin.h>
#define TBLINT_CRC_X86 1
#elif defined(__aarch64__)
#include <arm_acle.h>
#include <sys/auxv.h>
#ifndef HWCAP_CRC32
#define HWCAP_CRC32 (1 << 7)
#endif
#define TBLINT_CRC_ARM 1
#endif

namespace tblint::crc32c {
namespace {

constexpr uint32_t kPoly = 0x82F63B78u;  // reflected Castagnoli polynomial

using Tables = std::array<std::array<uint32_t, 256>, 8>;

constexpr Tables MakeTables() {
  Tables t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ ((c & 1) ? kPoly : 0);
    t[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; ++i) {
    for (int s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
  }
  return t;
}

constexpr Tables kTables = MakeTables();

inline uint64_t LoadLE64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;  // all supported targets are little-endian
}

#if defined(TBLINT_CRC_X86)
__attribute__((target("sse4.2"))) uint32_t ExtendSse42(uint32_t crc, const uint8_t* p, size_t n) {
  // No alignment prologue: unaligned loads cost nothing on x86-64, and
  // records (an 8-byte length at any offset) are mostly short.
  uint64_t c = ~crc;
  // Three independent streams would hide the instruction latency further; a
  // single stream already runs at several GB/s, far above what parsing needs.
  while (n >= 32) {
    c = _mm_crc32_u64(c, LoadLE64(p));
    c = _mm_crc32_u64(c, LoadLE64(p + 8));
    c = _mm_crc32_u64(c, LoadLE64(p + 16));
    c = _mm_crc32_u64(c, LoadLE64(p + 24));
    p += 32;
    n -= 32;
  }
  while (n >= 8) {
    c = _mm_crc32_u64(c, LoadLE64(p));
    p += 8;
    n -= 8;
  }
  uint32_t c32 = static_cast<uint32_t>(c);
  if (n >= 4) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    c32 = _mm_crc32_u32(c32, v);
    p += 4;
    n -= 4;
  }
  if (n >= 2) {
    uint16_t v;
    std::memcpy(&v, p, 2);
    c32 = _mm_crc32_u16(c32, v);
    p += 2;
    n -= 2;
  }
  if (n > 0) c32 = _mm_crc32_u8(c32, *p);
  return ~c32;
}
#endif

#if defined(TBLINT_CRC_ARM)
__attribute__((target("+crc"))) uint32_t ExtendArm(uint32_t crc, const uint8_t* p, size_t n) {
  uint32_t c = ~crc;
  while (n >= 8) {
    c = __crc32cd(c, LoadLE64(p));
    p += 8;
    n -= 8;
  }
  while (n-- > 0) c = __crc32cb(c, *p++);
  return ~c;
}
#endif

bool DetectHardware() {
#if defined(TBLINT_CRC_X86)
  __builtin_cpu_init();
  return __builtin_cpu_supports("sse4.2");
#elif defined(TBLINT_CRC_ARM)
  return (getauxval(AT_HWCAP) & HWCAP_CRC32) != 0;
#else
  return false;
#endif
}

// Honour TBLINT_CRC32C=portable so the fallback can be exercised and measured
// on machines that have the instructions.
bool UseHardware() {
  static const bool use = [] {
    const char* env = std::getenv("TBLINT_CRC32C");
    if (env != nullptr && std::strcmp(env, "portable") == 0) return false;
    return DetectHardware();
  }();
  return use;
}

}  // namespace

uint32_t ExtendPortable(uint32_t crc, const void* data, size_t n) {
  const auto* p = static_cast<const uint8_t*>(data);
  uint32_t c = ~crc;
  while (n >= 8) {
    uint64_t v = LoadLE64(p) ^ c;
    c = kTables[7][v & 0xFF] ^ kTables[6][(v >> 8) & 0xFF] ^ kTables[5][(v >> 16) & 0xFF] ^
        kTables[4][(v >> 24) & 0xFF] ^ kTables[3][(v >> 32) & 0xFF] ^ kTables[2][(v >> 40) & 0xFF] ^
        kTables[1][(v >> 48) & 0xFF] ^ kTables[0][v >> 56];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) c = (c >> 8) ^ kTables[0][(c ^ *p++) & 0xFF];
  return ~c;
}

bool HardwareAvailable() { return DetectHardware(); }

uint32_t ExtendHardware(uint32_t crc, const void* data, size_t n) {
#if defined(TBLINT_CRC_X86)
  return ExtendSse42(crc, static_cast<const uint8_t*>(data), n);
#elif defined(TBLINT_CRC_ARM)
  return ExtendArm(crc, static_cast<const uint8_t*>(data), n);
#else
  return ExtendPortable(crc, data, n);
#endif
}

namespace {
using ExtendFn = uint32_t (*)(uint32_t, const void*, size_t);
// Chosen once, before main, so Extend() pays no per-call check.
const ExtendFn kExtend = UseHardware() ? &ExtendHardware : &ExtendPortable;
}  // namespace

uint32_t Extend(uint32_t crc, const void* data, size_t n) { return kExtend(crc, data, n); }

namespace {

inline uint32_t LoadLE32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

inline uint32_t MaskCrc(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }

// The frame check, generic over the CRC of 8 bytes and of a span. The length
// is bounded by `avail` before any use, so a hostile length costs nothing.
template <uint32_t (*Crc8)(uint64_t), uint32_t (*CrcSpan)(const uint8_t*, size_t)>
inline bool CheckFrameWith(const uint8_t* r, size_t avail, uint64_t* length) {
  if (avail < 16) return false;
  const uint64_t len = LoadLE64(r);
  if (MaskCrc(Crc8(len)) != LoadLE32(r + 8)) return false;
  if (len > avail - 16) return false;
  const size_t n = static_cast<size_t>(len);
  if (MaskCrc(CrcSpan(r + 12, n)) != LoadLE32(r + 12 + n)) return false;
  *length = len;
  return true;
}

uint32_t PortableCrc8(uint64_t v) {
  uint8_t b[8];
  std::memcpy(b, &v, 8);
  return ExtendPortable(0, b, 8);
}
uint32_t PortableSpan(const uint8_t* p, size_t n) { return ExtendPortable(0, p, n); }
bool CheckFramePortable(const uint8_t* r, size_t avail, uint64_t* length) {
  return CheckFrameWith<PortableCrc8, PortableSpan>(r, avail, length);
}

#if defined(TBLINT_CRC_X86)
__attribute__((target("sse4.2"), always_inline)) inline uint32_t Sse42Crc8(uint64_t v) {
  return ~static_cast<uint32_t>(_mm_crc32_u64(0xFFFFFFFFu, v));
}
// Records are mostly short: one stream of 8-byte steps, then the tail.
__attribute__((target("sse4.2"), always_inline)) inline uint32_t Sse42Span(const uint8_t* p, size_t n) {
  uint64_t c = 0xFFFFFFFFu;
  // 32 bytes per step while they last (fewer loop tests than 8 at a time;
  // one dependent chain either way), then 8, then the tail.
  const uint8_t* const end32 = p + (n & ~size_t{31});
  for (; p != end32; p += 32) {
    c = _mm_crc32_u64(c, LoadLE64(p));
    c = _mm_crc32_u64(c, LoadLE64(p + 8));
    c = _mm_crc32_u64(c, LoadLE64(p + 16));
    c = _mm_crc32_u64(c, LoadLE64(p + 24));
  }
  n &= 31;
  const uint8_t* const end8 = p + (n & ~size_t{7});
  for (; p != end8; p += 8) c = _mm_crc32_u64(c, LoadLE64(p));
  n &= 7;
  auto c32 = static_cast<uint32_t>(c);
  if (n & 4) {
    c32 = _mm_crc32_u32(c32, LoadLE32(p));
    p += 4;
  }
  if (n & 2) {
    uint16_t v;
    std::memcpy(&v, p, 2);
    c32 = _mm_crc32_u16(c32, v);
    p += 2;
  }
  if (n & 1) c32 = _mm_crc32_u8(c32, *p);
  return ~c32;
}
// CheckFrameWith spelled out: a template without the target attribute
// cannot have the CRC helpers inlined into it, and this runs per record.
__attribute__((target("sse4.2"))) bool CheckFrameSse42(const uint8_t* r, size_t avail, uint64_t* length) {
  if (avail < 16) return false;
  const uint64_t len = LoadLE64(r);
  if (MaskCrc(Sse42Crc8(len)) != LoadLE32(r + 8)) return false;
  if (len > avail - 16) return false;
  const size_t n = static_cast<size_t>(len);
  if (MaskCrc(Sse42Span(r + 12, n)) != LoadLE32(r + 12 + n)) return false;
  *length = len;
  return true;
}
#endif

#if defined(TBLINT_CRC_ARM)
__attribute__((target("+crc"))) inline uint32_t ArmCrc8(uint64_t v) { return ~__crc32cd(0xFFFFFFFFu, v); }
__attribute__((target("+crc"))) inline uint32_t ArmSpan(const uint8_t* p, size_t n) { return ExtendArm(0, p, n); }
__attribute__((target("+crc"))) bool CheckFrameArm(const uint8_t* r, size_t avail, uint64_t* length) {
  return CheckFrameWith<ArmCrc8, ArmSpan>(r, avail, length);
}
#endif

const CheckFrameFn kCheckFrame = [] {
  if (!UseHardware()) return &CheckFramePortable;
#if defined(TBLINT_CRC_X86)
  return &CheckFrameSse42;
#elif defined(TBLINT_CRC_ARM)
  return &CheckFrameArm;
#else
  return &CheckFramePortable;
#endif
}();

}  // namespace

bool CheckFrame(const uint8_t* r, size_t avail, uint64_t* length) { return kCheckFrame(r, avail, length); }
CheckFrameFn CheckFrameImpl() { return kCheckFrame; }

namespace {

// Zero bytes act on the (inverted) CRC register as a linear map over GF(2):
// a 32x32 bit matrix, one column per register bit. Squaring the one-bit map
// gives the maps for 2, 4, 8... zero bits, so n zero bytes cost O(log n)
// matrix products instead of n table steps (zlib's crc32_combine idea).
using Gf2Matrix = std::array<uint32_t, 32>;

uint32_t Gf2Times(const Gf2Matrix& m, uint32_t v) {
  uint32_t sum = 0;
  for (int i = 0; v != 0; ++i, v >>= 1) {
    if (v & 1) sum ^= m[i];
  }
  return sum;
}

Gf2Matrix Gf2Square(const Gf2Matrix& m) {
  Gf2Matrix out{};
  for (int i = 0; i < 32; ++i) out[i] = Gf2Times(m, m[i]);
  return out;
}

}  // namespace

uint32_t ExtendZeros(uint32_t crc, uint64_t n) {
  if (n < 64) {
    static constexpr uint8_t kZeros[64] = {};
    return Extend(crc, kZeros, static_cast<size_t>(n));
  }
  // The map for one zero bit: shift right, xor the polynomial when the bit
  // shifted out was set (reflected CRC-32C, polynomial 0x82F63B78).
  Gf2Matrix odd{};
  odd[0] = 0x82F63B78u;
  for (int i = 1; i < 32; ++i) odd[i] = 1u << (i - 1);
  Gf2Matrix even = Gf2Square(odd);  // 2 zero bits
  odd = Gf2Square(even);            // 4 zero bits
  uint32_t c = ~crc;
  // Apply the map for 8 * n zero bits, one power of two at a time.
  do {
    even = Gf2Square(odd);  // first pass: one zero byte
    if (n & 1) c = Gf2Times(even, c);
    n >>= 1;
    if (n == 0) break;
    odd = Gf2Square(even);
    if (n & 1) c = Gf2Times(odd, c);
    n >>= 1;
  } while (n != 0);
  return ~c;
}

const char* ImplementationName() {
  if (!UseHardware()) return "portable";
#if defined(TBLINT_CRC_X86)
  return "sse4.2";
#elif defined(TBLINT_CRC_ARM)
  return "armv8-crc";
#else
  return "portable";
#endif
}

}  // namespace tblint::crc32c
