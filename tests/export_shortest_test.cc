// The export's float formatter (src/export/shortest.cc, Schubfach) against
// std::to_chars, which it must match byte for byte: special values,
// subnormals, powers of ten and of two with their neighbours, the edges of
// the fixed / scientific switch and of whole numbers, then 10 million random
// bit patterns of each type. Every float32 is checked by
// bench/shortest_exhaustive.sh (minutes; not run here).
#include "export/shortest.h"

#include <doctest/doctest.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>

#include "export/emit.h"

namespace {

using tblint::xport::kShortestMaxChars;
using tblint::xport::ShortestDouble;
using tblint::xport::ShortestFloat;

template <class T>
std::string Expected(T v) {
  char buf[64];
  return std::string(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

std::string Got(double v) {
  char buf[kShortestMaxChars + 8];
  std::memset(buf, 'x', sizeof buf);
  char* end = ShortestDouble(buf, v);
  REQUIRE(end > buf);
  REQUIRE(static_cast<size_t>(end - buf) <= kShortestMaxChars);
  return std::string(buf, end);
}

std::string Got(float v) {
  char buf[kShortestMaxChars + 8];
  std::memset(buf, 'x', sizeof buf);
  char* end = ShortestFloat(buf, v);
  REQUIRE(end > buf);
  REQUIRE(static_cast<size_t>(end - buf) <= kShortestMaxChars);
  return std::string(buf, end);
}

// Counts mismatches (checking every one is too slow through doctest's
// CHECK for millions of values); reports the first few.
template <class T>
struct Checker {
  uint64_t checked = 0, bad = 0;
  void operator()(T v) {
    ++checked;
    char a[64], b[kShortestMaxChars];
    char* ea = std::to_chars(a, a + sizeof a, v).ptr;
    char* eb;
    if constexpr (sizeof(T) == 8) {
      eb = ShortestDouble(b, v);
    } else {
      eb = ShortestFloat(b, v);
    }
    if (ea - a == eb - b && std::memcmp(a, b, ea - a) == 0) return;
    if (++bad <= 10) {
      CHECK_MESSAGE(std::string(b, eb) == std::string(a, ea), "bits ", std::bit_cast<std::conditional_t<sizeof(T) == 8, uint64_t, uint32_t>>(v));
    }
  }
  // v and its neighbours (a few ulps each side), both signs.
  void Around(T v, int ulps = 3) {
    T lo = v, hi = v;
    (*this)(v);
    (*this)(-v);
    for (int i = 0; i < ulps; ++i) {
      lo = std::nextafter(lo, -std::numeric_limits<T>::infinity());
      hi = std::nextafter(hi, std::numeric_limits<T>::infinity());
      (*this)(lo);
      (*this)(hi);
      (*this)(-lo);
      (*this)(-hi);
    }
  }
};

}  // namespace

TEST_CASE("shortest float formatting: known texts") {
  CHECK(Got(0.0) == "0");
  CHECK(Got(-0.0) == "-0");
  CHECK(Got(0.1) == "0.1");
  CHECK(Got(0.1f) == "0.1");
  CHECK(Got(static_cast<double>(0.1f)) == "0.10000000149011612");
  CHECK(Got(1795300574.123456) == "1795300574.123456");
  CHECK(Got(1e-7) == "1e-07");
  CHECK(Got(1e-4) == "1e-04");
  CHECK(Got(0.001) == "0.001");
  CHECK(Got(1e15) == "1e+15");
  CHECK(Got(1234567.0) == "1234567");
  CHECK(Got(5e-324) == "5e-324");
  CHECK(Got(1.7976931348623157e308) == "1.7976931348623157e+308");
  CHECK(Got(2.2250738585072014e-308) == "2.2250738585072014e-308");
  // Fixed form of a whole number is its exact value (printf's %f).
  CHECK(Got(1.2345678901234568e+20) == "123456789012345683968");
  CHECK(Got(1.23456792e+13f) == "1.2345679e+13");
  CHECK(Got(16777216.0f) == "16777216");
  CHECK(Got(3.4028235e38f) == "3.4028235e+38");
  CHECK(Got(1e-45f) == "1e-45");
  CHECK(Got(-2.5f) == "-2.5");
  // Non-finite values as std::to_chars writes them; the export's writers
  // replace them with NaN / Infinity before (emit.h).
  CHECK(Got(std::numeric_limits<double>::infinity()) == Expected(std::numeric_limits<double>::infinity()));
  CHECK(Got(-std::numeric_limits<float>::infinity()) == Expected(-std::numeric_limits<float>::infinity()));
  CHECK(Got(std::numeric_limits<double>::quiet_NaN()) == Expected(std::numeric_limits<double>::quiet_NaN()));
  CHECK(Got(-std::numeric_limits<float>::quiet_NaN()) == Expected(-std::numeric_limits<float>::quiet_NaN()));
  char buf[tblint::xport::kMaxNumberChars];
  CHECK(std::string(buf, tblint::xport::WriteDouble(buf, NAN, false)) == "NaN");
  CHECK(std::string(buf, tblint::xport::WriteFloat(buf, -INFINITY, true)) == "\"-Infinity\"");
  CHECK(std::string(buf, tblint::xport::WriteFloat(buf, 0.3f, true)) == "0.3");
}

TEST_CASE("shortest double formatting matches std::to_chars on edge cases") {
  Checker<double> c;
  c.Around(0.0);
  c.Around(std::numeric_limits<double>::max());
  c.Around(std::numeric_limits<double>::min());
  c.Around(std::numeric_limits<double>::denorm_min(), 40);
  // Every subnormal exponent's edge, and the smallest mantissas.
  for (uint64_t t = 1; t < 5000; ++t) c(std::bit_cast<double>(t));
  for (int b = 0; b < 52; ++b) c.Around(std::bit_cast<double>(uint64_t{1} << b));
  // Every power of two (the binade edges, where the interval is asymmetric).
  for (int e = -1074; e <= 1023; ++e) c.Around(std::ldexp(1.0, e));
  // Every power of ten and a few multiples.
  for (int e = -323; e <= 308; ++e) {
    std::string s = "1e" + std::to_string(e);
    const double p10 = std::strtod(s.c_str(), nullptr);
    c.Around(p10);
    for (int m = 2; m <= 9; ++m) c.Around(m * p10, 1);
  }
  // Whole numbers near 2^53, 2^64 and the fixed / scientific switch.
  for (int e = 50; e <= 80; ++e) c.Around(std::ldexp(1.0, e), 8);
  for (double d = 1e15; d < 1e24; d *= 10) {
    for (double m : {1.0, 1.5, 1.2345678901234567, 9.999999999999998, 3.0, 7.25}) c.Around(d * m, 4);
  }
  // Small whole numbers and decimals.
  for (int i = 0; i < 100000; ++i) {
    c(static_cast<double>(i));
    c(i / 1000.0);
    c(i * 0.1);
  }
  CHECK(c.bad == 0);
  CHECK(c.checked > 200000);
}

TEST_CASE("shortest float formatting matches std::to_chars on edge cases") {
  Checker<float> c;
  c.Around(0.0f);
  c.Around(std::numeric_limits<float>::max());
  c.Around(std::numeric_limits<float>::min());
  c.Around(std::numeric_limits<float>::denorm_min(), 40);
  for (uint32_t t = 1; t < 100000; ++t) c(std::bit_cast<float>(t));
  for (int e = -149; e <= 127; ++e) c.Around(std::ldexp(1.0f, e), 8);
  for (int e = -45; e <= 38; ++e) {
    std::string s = "1e" + std::to_string(e);
    const float p10 = std::strtof(s.c_str(), nullptr);
    c.Around(p10, 8);
    for (int m = 2; m <= 9; ++m) c.Around(m * p10, 2);
  }
  for (int e = 20; e <= 50; ++e) c.Around(std::ldexp(1.0f, e), 8);
  for (int i = 0; i < 100000; ++i) {
    c(static_cast<float>(i));
    c(i / 1000.0f);
    c(static_cast<float>(i * 0.1));
  }
  CHECK(c.bad == 0);
  CHECK(c.checked > 300000);
}

TEST_CASE("shortest formatting matches std::to_chars on 10 million random bit patterns of each type") {
  std::mt19937_64 rng(20261130);
  Checker<double> d;
  Checker<float> f;
  for (int i = 0; i < 10'000'000; ++i) {
    const uint64_t bits = rng();
    d(std::bit_cast<double>(bits));
    f(std::bit_cast<float>(static_cast<uint32_t>(bits >> 32)));
  }
  CHECK(d.bad == 0);
  CHECK(f.bad == 0);
  CHECK(d.checked == 10'000'000);
  CHECK(f.checked == 10'000'000);
}
