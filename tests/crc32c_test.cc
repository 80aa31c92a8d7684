#include "record/crc32c.h"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

namespace tblint {
namespace {

TEST_CASE("crc32c matches the format.md test vectors") {
  CHECK(crc32c::Value("123456789", 9) == 0xE3069283u);
  const std::string zeros32(32, '\0');
  CHECK(crc32c::Value(zeros32.data(), 32) == 0x8A9136AAu);
  const unsigned char len24[8] = {24, 0, 0, 0, 0, 0, 0, 0};
  CHECK(crc32c::Mask(crc32c::Value(len24, 8)) == 0x224B7FA3u);
  const std::string zeros8(8, '\0');
  CHECK(crc32c::Mask(crc32c::Value(zeros8.data(), 8)) == 0x07980329u);
  CHECK(crc32c::Mask(crc32c::Value("", 0)) == 0xA282EAD8u);
}

TEST_CASE("portable and hardware crc32c agree on the vectors and on random data") {
  CHECK(crc32c::ExtendPortable(0, "123456789", 9) == 0xE3069283u);
  if (!crc32c::HardwareAvailable()) {
    MESSAGE("no CRC32C instructions on this CPU; only the portable path is checked");
    return;
  }
  CHECK(crc32c::ExtendHardware(0, "123456789", 9) == 0xE3069283u);
  std::mt19937_64 rng(42);
  std::vector<unsigned char> buf(4096 + 17);
  for (auto& b : buf) b = static_cast<unsigned char>(rng());
  // Every length and misalignment up to a few words, then large blocks.
  for (size_t off = 0; off < 9; ++off) {
    for (size_t n = 0; n < 80; ++n) {
      CAPTURE(off);
      CAPTURE(n);
      REQUIRE(crc32c::ExtendHardware(0, buf.data() + off, n) == crc32c::ExtendPortable(0, buf.data() + off, n));
    }
  }
  CHECK(crc32c::ExtendHardware(0, buf.data(), buf.size()) == crc32c::ExtendPortable(0, buf.data(), buf.size()));
}

TEST_CASE("crc32c extends incrementally") {
  const std::string s = "the quick brown fox jumps over the lazy dog";
  for (size_t split = 0; split <= s.size(); ++split) {
    uint32_t a = crc32c::Extend(crc32c::Value(s.data(), split), s.data() + split, s.size() - split);
    CHECK(a == crc32c::Value(s.data(), s.size()));
  }
}

TEST_CASE("mask and unmask are inverse") {
  std::mt19937 rng(7);
  for (int i = 0; i < 1000; ++i) {
    uint32_t v = rng();
    CHECK(crc32c::Unmask(crc32c::Mask(v)) == v);
  }
}

}  // namespace
}  // namespace tblint
