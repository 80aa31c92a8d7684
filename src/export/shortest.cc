// Shortest round-trip float formatting (see shortest.h).
//
// Digits: the Schubfach algorithm, R. Giulietti, "The Schubfach way to render
// doubles" (2020, revised 2021; the algorithm of Java 19's Double.toString).
// For a finite positive v = c * 2^q, the rounding interval R_v holds every
// real that reads back as v (its ends included when c is even). With
// k = floor(log10(2^q)) (or floor(log10(3/4 2^q)) at the binade's low edge,
// where the interval is asymmetric), the interval is at least 10^k wide and
// less than 10^(k+1) wide, so it holds at most one multiple of 10^(k+1) and
// at least one multiple of 10^k. The
// shortest decimal in R_v is therefore the multiple of 10^(k+1) in it when
// there is exactly one (fewer digits), else the multiple of 10^k in it
// closest to v (ties to even). Those few candidates are tested exactly with
// v * 10^-k computed to 4 fractional bits plus a sticky bit ("rop": round to
// odd), from a 126-bit approximation g of 10^-k that is always 1 ulp above
// (section 9 of the paper; shortest_table.inc, generated exactly by
// bench/shortest_table.py). float32 uses the top 63 bits of the same table.
// The only departures from the paper's Java code: the one-digit-shorter
// candidate is tried whatever s is (Java keeps two digits for its format), so
// the tiniest subnormals, whose interval holds several shorter candidates
// (Java's "C_TINY" case), go to std::to_chars, as do huge integers in fixed
// form.
//
// Layout: std::to_chars's plain form (C++17 [charconv.to.chars]): fixed or
// scientific, whichever is shorter, fixed on a tie; scientific as printf's
// %e (at least two exponent digits, "1e-07"); fixed as printf's %f, so a
// whole number is its exact value ("123456789012345683968" for 1.2345678901234568e+20),
// not the shortest digits padded with zeros.
#include "export/shortest.h"

#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>

namespace tblint::xport {
namespace {

constexpr int kKMin = -324;
constexpr uint64_t kPow10[][2] = {
#include "export/shortest_table.inc"
};
static_assert(sizeof kPow10 / sizeof kPow10[0] == 292 - kKMin + 1);

constexpr uint64_t kMask63 = (uint64_t{1} << 63) - 1;

inline uint64_t MulHi(uint64_t a, uint64_t b) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(a) * b) >> 64);
}

// floor(q log10(2)), floor(q log10(2) + log10(3/4)), floor(e log2(10)) for the
// exponent ranges used (the paper's section 10: exact there).
inline int FLog10Pow2(int q) { return static_cast<int>((int64_t{q} * 661'971'961'083LL) >> 41); }
inline int FLog10ThreeQuartersPow2(int q) {
  return static_cast<int>((int64_t{q} * 661'971'961'083LL - 274'743'187'321LL) >> 41);
}
inline int FLog2Pow10(int e) { return static_cast<int>((int64_t{e} * 913'124'641'741LL) >> 38); }

struct Decimal {
  uint64_t f;  // v = f * 10^e
  int e;
};

// cp * g / 2^127 rounded to odd (double: g is 126 bits, as g1 * 2^63 + g0).
inline uint64_t RopDouble(uint64_t g1, uint64_t g0, uint64_t cp) {
  const uint64_t x1 = MulHi(g0, cp);
  const uint64_t y0 = g1 * cp;
  const uint64_t y1 = MulHi(g1, cp);
  const uint64_t z = (y0 >> 1) + x1;
  const uint64_t vbp = y1 + (z >> 63);
  return vbp | (((z & kMask63) + kMask63) >> 63);
}

// cp * g / 2^95 rounded to odd (float: g is 63 bits).
inline uint64_t RopFloat(uint64_t g, uint64_t cp) {
  const uint64_t x1 = MulHi(g, cp);
  const uint64_t vbp = x1 >> 31;
  return vbp | (((x1 & 0xFFFFFFFFu) + 0xFFFFFFFFu) >> 32);
}

// The shortest decimal in the rounding interval of c * 2^q (c > 0, not a
// tiny subnormal), closest to it. `c_min`: 2^(precision - 1); `q_min`: the
// subnormals' exponent. Double and float differ only in the scaling (rop).
template <bool kIsDouble>
Decimal ToDecimal(int q, uint64_t c, uint64_t c_min, int q_min) {
  const uint64_t out = c & 1;
  const uint64_t cb = c << 2;
  const uint64_t cbr = cb + 2;
  uint64_t cbl;
  int k;
  if (c != c_min || q == q_min) {
    cbl = cb - 2;
    k = FLog10Pow2(q);
  } else {
    // The low edge of a binade: the interval below v is half as wide.
    cbl = cb - 1;
    k = FLog10ThreeQuartersPow2(q);
  }
  const uint64_t* g = kPow10[k - kKMin];
  uint64_t vb, vbl, vbr;
  if constexpr (kIsDouble) {
    const int h = q + FLog2Pow10(-k) + 2;
    vb = RopDouble(g[0], g[1], cb << h);
    vbl = RopDouble(g[0], g[1], cbl << h);
    vbr = RopDouble(g[0], g[1], cbr << h);
  } else {
    const int h = q + FLog2Pow10(-k) + 33;
    const uint64_t g63 = g[0] + 1;
    vb = RopFloat(g63, cb << h);
    vbl = RopFloat(g63, cbl << h);
    vbr = RopFloat(g63, cbr << h);
  }
  // vb = 4 v 10^-k (with a sticky bit); s = floor(v 10^-k).
  const uint64_t s = vb >> 2;
  // One digit fewer: the multiples of 10^(k+1) around v.
  const uint64_t sp10 = 10 * (s / 10);
  const uint64_t tp10 = sp10 + 10;
  const bool upin = sp10 != 0 && vbl + out <= sp10 << 2;
  const bool wpin = (tp10 << 2) + out <= vbr;
  if (upin != wpin) return {upin ? sp10 : tp10, k};
  // Else the multiple of 10^k in the interval, the closer one when both are.
  const uint64_t t = s + 1;
  const bool uin = vbl + out <= s << 2;
  const bool win = (t << 2) + out <= vbr;
  if (uin != win) return {uin ? s : t, k};
  const int64_t cmp = static_cast<int64_t>(vb) - static_cast<int64_t>((s + t) << 1);
  return {cmp < 0 || (cmp == 0 && (s & 1) == 0) ? s : t, k};
}

constexpr char kDigits2[] =
    "00010203040506070809"
    "10111213141516171819"
    "20212223242526272829"
    "30313233343536373839"
    "40414243444546474849"
    "50515253545556575859"
    "60616263646566676869"
    "70717273747576777879"
    "80818283848586878889"
    "90919293949596979899";

// Writes the decimal digits of f (> 0) ending just before `end`; returns
// where they start.
inline char* DigitsBackward(char* end, uint64_t f) {
  while (f >= 100) {
    const uint64_t r = f % 100;
    f /= 100;
    end -= 2;
    std::memcpy(end, kDigits2 + 2 * r, 2);
  }
  if (f >= 10) {
    end -= 2;
    std::memcpy(end, kDigits2 + 2 * f, 2);
  } else {
    *--end = static_cast<char>('0' + f);
  }
  return end;
}

// f * 10^e (the shortest decimal of |v|) in to_chars's plain layout, after
// the sign. Null when the fixed form of a whole number >= 2^64 is due (the
// caller falls back to std::to_chars).
template <class T>
char* Layout(char* p, uint64_t f, int e, T v) {
  // Drop trailing zeros (the shortest decimal may end in them).
  while (f % 10 == 0) {
    f /= 10;
    ++e;
  }
  char buf[24];
  char* const end = buf + sizeof buf;
  char* const d = DigitsBackward(end, f);
  const int n = static_cast<int>(end - d);
  const int exp10 = e + n - 1;  // scientific exponent
  const int abs_exp = exp10 < 0 ? -exp10 : exp10;
  const int sci_len = n + (n > 1 ? 1 : 0) + 2 + (abs_exp >= 100 ? 3 : 2);
  int fixed_len;
  if (e >= 0) {
    fixed_len = n + e;
  } else if (n + e > 0) {
    fixed_len = n + 1;
  } else {
    fixed_len = 2 - e;
  }
  if (fixed_len <= sci_len) {
    if (e == 0) {
      std::memcpy(p, d, n);
      return p + n;
    }
    if (e > 0) {
      // A whole number: printf's %f prints its exact value, whose digits may
      // differ from the shortest ones padded with zeros.
      if (v >= static_cast<T>(18446744073709551616.0)) return nullptr;
      const uint64_t whole = static_cast<uint64_t>(v);
      char* const w = DigitsBackward(end, whole);
      std::memcpy(p, w, end - w);
      return p + (end - w);
    }
    if (n + e > 0) {
      const int int_digits = n + e;
      std::memcpy(p, d, int_digits);
      p[int_digits] = '.';
      std::memcpy(p + int_digits + 1, d + int_digits, n - int_digits);
      return p + n + 1;
    }
    p[0] = '0';
    p[1] = '.';
    const int zeros = -(n + e);
    std::memset(p + 2, '0', zeros);
    std::memcpy(p + 2 + zeros, d, n);
    return p + 2 + zeros + n;
  }
  *p++ = d[0];
  if (n > 1) {
    *p++ = '.';
    std::memcpy(p, d + 1, n - 1);
    p += n - 1;
  }
  *p++ = 'e';
  *p++ = exp10 < 0 ? '-' : '+';
  if (abs_exp >= 100) {
    *p++ = static_cast<char>('0' + abs_exp / 100);
    std::memcpy(p, kDigits2 + 2 * (abs_exp % 100), 2);
  } else {
    std::memcpy(p, kDigits2 + 2 * abs_exp, 2);
  }
  return p + 2;
}

}  // namespace

char* ShortestDouble(char* p, double v) {
  const uint64_t bits = std::bit_cast<uint64_t>(v);
  const uint64_t t = bits & ((uint64_t{1} << 52) - 1);
  const int bq = static_cast<int>((bits >> 52) & 0x7FF);
  if (bq == 0x7FF || (bq == 0 && t < 3)) {
    // inf, nan, zero and the two tiniest subnormals.
    return std::to_chars(p, p + kShortestMaxChars, v).ptr;
  }
  char* const start = p;
  if (bits >> 63) *p++ = '-';
  constexpr uint64_t kCMin = uint64_t{1} << 52;
  constexpr int kQMin = -1074;
  Decimal dec;
  if (bq != 0) {
    const int mq = 1075 - bq;  // -q
    const uint64_t c = kCMin | t;
    if (mq > 0 && mq < 53 && ((c >> mq) << mq) == c) {
      dec = {c >> mq, 0};  // a whole number below 2^53: exact
    } else {
      dec = ToDecimal<true>(-mq, c, kCMin, kQMin);
    }
  } else {
    dec = ToDecimal<true>(kQMin, t, kCMin, kQMin);
  }
  char* const r = Layout(p, dec.f, dec.e, v < 0 ? -v : v);
  if (r == nullptr) return std::to_chars(start, start + kShortestMaxChars, v).ptr;
  return r;
}

char* ShortestFloat(char* p, float v) {
  const uint32_t bits = std::bit_cast<uint32_t>(v);
  const uint32_t t = bits & ((uint32_t{1} << 23) - 1);
  const int bq = static_cast<int>((bits >> 23) & 0xFF);
  if (bq == 0xFF || (bq == 0 && t < 8)) {
    // inf, nan, zero and the seven tiniest subnormals.
    return std::to_chars(p, p + kShortestMaxChars, v).ptr;
  }
  char* const start = p;
  if (bits >> 31) *p++ = '-';
  constexpr uint64_t kCMin = uint64_t{1} << 23;
  constexpr int kQMin = -149;
  Decimal dec;
  if (bq != 0) {
    const int mq = 150 - bq;  // -q
    const uint64_t c = kCMin | t;
    if (mq > 0 && mq < 24 && ((c >> mq) << mq) == c) {
      dec = {c >> mq, 0};
    } else {
      dec = ToDecimal<false>(-mq, c, kCMin, kQMin);
    }
  } else {
    dec = ToDecimal<false>(kQMin, t, kCMin, kQMin);
  }
  char* const r = Layout(p, dec.f, dec.e, v < 0 ? -v : v);
  if (r == nullptr) return std::to_chars(start, start + kShortestMaxChars, v).ptr;
  return r;
}

}  // namespace tblint::xport
