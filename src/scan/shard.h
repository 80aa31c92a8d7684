// --shard I/N: which runs one slice of a logdir holds. A run belongs to shard
// 1 + (FNV-1a 64 of its name's bytes) mod N: stable across platforms, builds
// and runs, and independent of which other runs exist, so N jobs given the
// same logdir split its runs exactly, each run in one shard (docs/scale.md).
#ifndef TBLINT_SCAN_SHARD_H_
#define TBLINT_SCAN_SHARD_H_

#include <cstdint>
#include <string_view>

namespace tblint {

// FNV-1a, 64 bits (offset basis 14695981039346656037, prime 1099511628211),
// over the bytes as unsigned values: the same on every platform.
constexpr uint64_t Fnv1a64(std::string_view bytes) {
  uint64_t h = 14695981039346656037ull;
  for (char c : bytes) {
    h ^= static_cast<uint8_t>(c);
    h *= 1099511628211ull;
  }
  return h;
}

struct Shard {
  uint32_t index = 1;  // 1-based, as written on the command line: 1..count
  uint32_t count = 1;
  bool operator==(const Shard&) const = default;
};

// The 1-based shard of `count` that run `run` belongs to.
constexpr uint32_t ShardOf(std::string_view run, uint32_t count) {
  return static_cast<uint32_t>(Fnv1a64(run) % count) + 1;
}

constexpr bool InShard(std::string_view run, const Shard& shard) { return ShardOf(run, shard.count) == shard.index; }

// Upper bound of N in --shard I/N.
inline constexpr uint32_t kMaxShards = 1'000'000;

}  // namespace tblint

#endif  // TBLINT_SCAN_SHARD_H_
