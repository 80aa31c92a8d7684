// Exhaustive check of the float32 formatter (src/export/shortest.cc): every
// one of the 2^32 bit patterns must format exactly as std::to_chars does.
// Not run in CI (minutes of CPU); run it with bench/shortest_exhaustive.sh
// after touching shortest.cc. Optional arguments: first and last pattern
// (hex), to split the range.
#include <bit>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "export/shortest.h"

int main(int argc, char** argv) {
  const uint64_t first = argc > 1 ? std::strtoull(argv[1], nullptr, 16) : 0;
  const uint64_t last = argc > 2 ? std::strtoull(argv[2], nullptr, 16) : 0xFFFFFFFFu;
  uint64_t bad = 0;
  char a[64], b[64];
  for (uint64_t i = first; i <= last; ++i) {
    const float f = std::bit_cast<float>(static_cast<uint32_t>(i));
    char* ea = std::to_chars(a, a + sizeof a, f).ptr;
    char* eb = tblint::xport::ShortestFloat(b, f);
    if (ea - a != eb - b || std::memcmp(a, b, ea - a) != 0) {
      if (++bad <= 20) {
        std::printf("mismatch %08x: to_chars %.*s, ShortestFloat %.*s\n", static_cast<unsigned>(i),
                    static_cast<int>(ea - a), a, static_cast<int>(eb - b), b);
      }
    }
  }
  std::printf("checked %08llx..%08llx: %llu mismatches\n", static_cast<unsigned long long>(first),
              static_cast<unsigned long long>(last), static_cast<unsigned long long>(bad));
  return bad == 0 ? 0 : 1;
}
