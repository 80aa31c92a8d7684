// A file's tags and what the scan learned about each: a flat, compact map for
// files with a handful of tags and for files with millions.
//
// Layout, per tag: the key bytes once, in a byte arena (a varint length, then
// the bytes); one 16-byte slot in blocks that never move (4, 8, ... slots up
// to 4096: a file with four tags holds 64 bytes of them); one uint32 entry of
// an open-addressing index keyed by a hash of the bytes (load <= 1/2). A
// slot holds the whole state of a tag whose steps only rose, within 2^31 of
// the file's first step (a compact tag); the rest (a regression, a purge, a
// far step, more than a million points) get a 48-byte TagCore in a side
// array, and the rarer details (regressions, re-logged steps, the html
// sample) a TagDetail in another, allocated only for tags that need them.
// Nothing is allocated per tag beyond amortised growth of those arrays, and
// nothing is ever copied on growth but the index (rehashed from the arena's
// bytes, amortised linear). A million tags of 29 bytes take about 54 MB.
//
// Iteration is in order of first appearance; each element is a
// pair<string_view tag, TagStats> by value (the full numbers, assembled from
// the slot, core and detail). The views point into the map and stay valid as
// long as it does.
#ifndef TBLINT_RULE_TAG_MAP_H_
#define TBLINT_RULE_TAG_MAP_H_

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <memory>
#include <span>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

#include "event/event.h"

namespace tblint {

// With LintOptions::sample_scalars only: every sample_stride-th point of a
// scalar tag, at most kMaxScalarSample (scan/file_analysis.h).
inline constexpr size_t kMaxScalarSample = 64;

// Per tag and file, as rules and reports read it: O(1) numbers, never a list
// of steps. A value assembled by TagMap; `sample` points into the map.
struct TagStats {
  event::TagKind kind = event::TagKind::kOther;
  uint8_t kinds_seen = 0;  // bit (1 << TagKind) for every kind logged in this file (TB602)
  uint64_t points = 0;
  int64_t last_step = 0;
  int64_t min_step = 0;
  int64_t max_step = 0;
  // Step order (TB301, TB302, TB401):
  uint64_t regressions = 0;  // points whose step is below the previous point's
  int64_t first_regression_from = 0;
  int64_t first_regression_to = 0;
  uint64_t first_regression_offset = 0;
  uint64_t overwritten = 0;  // points re-logging a step already covered
  int64_t first_overwritten_step = 0;
  uint64_t first_overwritten_offset = 0;
  uint64_t interleaves = 0;  // regressions later overtaken by a new maximum
  // With LintOptions::sample_scalars only: (step, value) of every
  // sample_stride-th point, evenly spread over the file. For drawing only.
  std::span<const std::pair<int64_t, double>> sample;
  uint64_t sample_stride = 1;
};

// A tag's full state, 48 bytes, for the tags a compact slot cannot hold (see
// TagMap). `points_kinds` packs the point count (low 48 bits: a file would
// need petabytes to overflow it, each point being a record of at least 16
// bytes), kinds_seen (bits 48-55) and the kind of the first point (bits
// 56-63).
struct TagCore {
  int64_t last_step = 0;
  int64_t min_step = 0;
  int64_t max_step = 0;
  int64_t covered_max = 0;  // the analysis' highest step still shown (purges lower it)
  uint64_t points_kinds = 0;
  uint32_t epoch = 0;   // the analysis' purge epoch this core is up to date with
  uint32_t detail = 0;  // TagDetail index + 1, 0 for none

  static constexpr uint64_t kPointsMask = (uint64_t{1} << 48) - 1;
  uint64_t points() const { return points_kinds & kPointsMask; }
  uint8_t kinds_seen() const { return static_cast<uint8_t>(points_kinds >> 48); }
  event::TagKind kind() const { return static_cast<event::TagKind>(points_kinds >> 56); }
  static uint64_t KindBit(event::TagKind k) { return uint64_t{1} << (48 + static_cast<unsigned>(k)); }
  static uint64_t Pack(event::TagKind k, uint64_t points) {
    return points | KindBit(k) | (static_cast<uint64_t>(k) << 56);
  }
};
static_assert(sizeof(TagCore) == 48);

// The rare per-tag details, in a side table.
struct TagDetail {
  uint64_t regressions = 0;
  int64_t first_regression_from = 0;
  int64_t first_regression_to = 0;
  uint64_t first_regression_offset = 0;
  uint64_t overwritten = 0;
  int64_t first_overwritten_step = 0;
  uint64_t first_overwritten_offset = 0;
  uint64_t interleaves = 0;
  int64_t peak_at_regression = 0;  // max_step when the current regression began
  bool awaiting_new_peak = false;  // a regression not yet overtaken
  std::vector<std::pair<int64_t, double>> sample;
  uint64_t sample_stride = 1;
};

// Elements in blocks that never move: 4, 8, ..., 2048 (block b holds 4 * 2^b,
// so a small file holds a small block: 100,000 files are scanned), then 4096
// each, so that a big array wastes at most one block and growth copies nothing.
template <class T>
class StableArray {
 public:
  [[gnu::always_inline]] T& operator[](uint32_t i) {
    if (i < kSmall) [[likely]] {
      const uint32_t j = i + kFirst;
      const unsigned b = static_cast<unsigned>(std::bit_width(j)) - 1;
      return blocks_[b - kFirstShift][j - (1u << b)];
    }
    const uint32_t k = i - kSmall;
    return blocks_[kSmallBlocks + (k >> kBigShift)][k & (kBig - 1)];
  }
  const T& operator[](uint32_t i) const { return const_cast<StableArray*>(this)->operator[](i); }
  // Makes room for element n of an array of n elements.
  void Grow(uint32_t n) {
    if (n < kSmall ? std::has_single_bit(n + kFirst) : ((n - kSmall) & (kBig - 1)) == 0) {
      blocks_.push_back(std::make_unique<T[]>(BlockSize(blocks_.size())));
    }
  }
  size_t MemoryBytes() const {
    size_t n = blocks_.capacity() * sizeof(blocks_[0]);
    for (size_t b = 0; b < blocks_.size(); ++b) n += BlockSize(b) * sizeof(T);
    return n;
  }

 private:
  static constexpr unsigned kFirstShift = 2;
  static constexpr uint32_t kFirst = 1u << kFirstShift;
  static constexpr size_t kSmallBlocks = 10;
  static constexpr uint32_t kSmall = (kFirst << kSmallBlocks) - kFirst;  // 4092
  static constexpr unsigned kBigShift = 12;
  static constexpr uint32_t kBig = 1u << kBigShift;
  static size_t BlockSize(size_t b) { return b < kSmallBlocks ? size_t{kFirst} << b : kBig; }
  std::vector<std::unique_ptr<T[]>> blocks_;
};

class TagMap {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  TagMap() = default;
  TagMap(TagMap&&) noexcept = default;
  TagMap& operator=(TagMap&&) noexcept = default;
  TagMap(const TagMap& o) { *this = o; }
  TagMap& operator=(const TagMap& o) {
    if (this == &o) return *this;
    TagMap copy;
    for (uint32_t i = 0; i < o.count_; ++i) {
      const uint32_t j = copy.Add(o.key(i), o.Full(i));
      if (j == kNone) break;
      if (const TagDetail* d = o.detail_if(i)) copy.detail(j) = *d;
    }
    copy.not_kept_ = o.not_kept_;
    *this = std::move(copy);
    return *this;
  }

  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  // Distinct tags not kept: the map holds at most 2^32 - 2 tags and 4 GiB of
  // key bytes (only a hostile file gets there).
  uint64_t not_kept() const { return not_kept_; }

  std::string_view key(uint32_t i) const { return KeyAt(s_->slots[i].key); }

  // Does the key of tag i hold exactly these bytes? (The analysis' prediction.)
  bool KeyIs(uint32_t i, std::string_view tag) const {
    const std::string_view k = KeyAt(s_->slots[i].key);
    return k.size() == tag.size() && SameBytes(k.data(), tag.data(), tag.size());
  }

  // memcmp(a, b, n) == 0, inline for the short tags writers use (two
  // overlapping 8-byte words up to 16 bytes) instead of a call into libc.
  static bool SameBytes(const char* a, const char* b, size_t n) {
    if (n >= 8 && n <= 16) {
      uint64_t a0, a1, b0, b1;
      std::memcpy(&a0, a, 8);
      std::memcpy(&b0, b, 8);
      std::memcpy(&a1, a + n - 8, 8);
      std::memcpy(&b1, b + n - 8, 8);
      return ((a0 ^ b0) | (a1 ^ b1)) == 0;
    }
    return std::memcmp(a, b, n) == 0;
  }

  // The index of a tag, kNone when absent.
  uint32_t Find(std::string_view tag) const {
    if (!s_ || s_->index.empty()) return kNone;
    const size_t mask = s_->index.size() - 1;
    for (size_t i = Hash(tag) & mask;; i = (i + 1) & mask) {
      const uint32_t slot = s_->index[i];
      if (slot == 0) return kNone;
      if (KeyIs(slot - 1, tag)) return slot - 1;
    }
  }

  // Adds a tag not in the map (check with Find first) with this state (its
  // detail field is ignored: the new tag has none); returns its index, or
  // kNone when the map is full (counted in not_kept()).
  uint32_t Add(std::string_view tag, const TagCore& init) {
    if (count_ >= kMaxTags || tag.size() > kMaxKeyBytes) {
      ++not_kept_;
      return kNone;
    }
    if (!s_) {
      s_ = std::make_unique<State>();
      s_->base = init.max_step;
    }
    const uint32_t ref = StoreKey(tag);
    if (ref == kNone) {
      ++not_kept_;
      return kNone;
    }
    s_->slots.Grow(count_);
    const uint32_t i = count_++;
    Slot& s = s_->slots[i];
    s.key = ref;
    int32_t lo = 0, hi = 0;
    if (init.epoch == 0 && init.last_step == init.max_step && init.covered_max == init.max_step &&
        init.points() <= kSlotPoints && Rel(init.min_step, &lo) && Rel(init.max_step, &hi)) {
      s.w = static_cast<uint32_t>(init.points()) | (uint32_t{init.kinds_seen()} << kSlotKindsShift) |
            (static_cast<uint32_t>(init.kind()) << kSlotKindShift);
      s.lo = lo;
      s.hi = hi;
    } else {
      TagCore& c = NewWide(s);
      c = init;
      c.detail = 0;
    }
    if (static_cast<size_t>(count_) * 2 > s_->index.size()) {
      Rehash(std::max<size_t>(8, s_->index.size() * 2));
    } else {
      Place(i, Hash(tag));
    }
    return i;
  }

  // A tag is compact (16 bytes: its key, its lowest and highest step relative
  // to the map's first step, its point count and kinds) while its steps only
  // rose, within 2^31 of that first step, and its state needs nothing else
  // (the analysis makes a tag wide for a regression, a re-logged step, a
  // SessionLog START that purged it, a sample, a detail). Then its last step
  // and the highest step still shown are its highest step.
  bool IsCompact(uint32_t i) const { return (s_->slots[i].w & kSlotWide) == 0; }
  // The highest step of compact tag i.
  int64_t CompactMax(uint32_t i) const { return Abs(s_->slots[i].hi); }
  // One more point of compact tag i at a step above every one before, when
  // the slot can hold it: then true. False (nothing changed) for a wide tag,
  // a step not above the highest, one too far from the first step, a full count.
  bool BumpCompact(uint32_t i, event::TagKind kind, int64_t step) {
    Slot& s = s_->slots[i];
    if ((s.w & kSlotWide) != 0 || (s.w & kSlotPoints) == kSlotPoints || step <= Abs(s.hi)) return false;
    int32_t rel;
    if (!Rel(step, &rel)) [[unlikely]] return false;
    s.w = (s.w | (1u << (kSlotKindsShift + static_cast<unsigned>(kind)))) + 1;
    s.hi = rel;
    return true;
  }
  // The full state of tag i, which becomes wide if it was compact. The
  // reference stays valid as long as the map.
  TagCore& Wide(uint32_t i) {
    Slot& s = s_->slots[i];
    if ((s.w & kSlotWide) != 0) return s_->wides[static_cast<uint32_t>(s.lo)];
    return Widen(s);
  }
  // Tag i's full state, by value.
  TagCore Full(uint32_t i) const {
    const Slot& s = s_->slots[i];
    if ((s.w & kSlotWide) != 0) return s_->wides[static_cast<uint32_t>(s.lo)];
    return FullOf(s);
  }

  const TagDetail* detail_if(uint32_t i) const {
    const Slot& s = s_->slots[i];
    if ((s.w & kSlotWide) == 0) return nullptr;
    const uint32_t d = s_->wides[static_cast<uint32_t>(s.lo)].detail;
    return d == 0 ? nullptr : &s_->details[d - 1];
  }
  TagDetail* DetailOf(const TagCore& c) { return c.detail == 0 ? nullptr : &s_->details[c.detail - 1]; }
  // The tag's detail, allocated on first use (the tag becomes wide).
  TagDetail& detail(uint32_t i) { return DetailFor(Wide(i)); }
  TagDetail& DetailFor(TagCore& c) {
    if (c.detail == 0) {
      s_->details.emplace_back();
      c.detail = static_cast<uint32_t>(s_->details.size());
    }
    return s_->details[c.detail - 1];
  }

  // Reading, in order of first appearance.
  using value_type = std::pair<std::string_view, TagStats>;
  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = TagMap::value_type;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = value_type;
    struct Arrow {
      value_type v;
      const value_type* operator->() const { return &v; }
    };
    const_iterator() = default;
    const_iterator(const TagMap* m, uint32_t i) : m_(m), i_(i) {}
    value_type operator*() const { return {m_->key(i_), m_->Stats(i_)}; }
    Arrow operator->() const { return {**this}; }
    const_iterator& operator++() {
      ++i_;
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator t = *this;
      ++i_;
      return t;
    }
    bool operator==(const const_iterator& o) const { return i_ == o.i_; }
    uint32_t index() const { return i_; }

   private:
    const TagMap* m_ = nullptr;
    uint32_t i_ = 0;
  };
  using iterator = const_iterator;
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, count_}; }
  const_iterator find(std::string_view tag) const {
    const uint32_t i = Find(tag);
    return i == kNone ? end() : const_iterator(this, i);
  }
  bool contains(std::string_view tag) const { return Find(tag) != kNone; }
  TagStats at(std::string_view tag) const {
    const uint32_t i = Find(tag);
    if (i == kNone) throw std::out_of_range("TagMap::at");
    return Stats(i);
  }

  TagStats Stats(uint32_t i) const {
    const TagCore c = Full(i);
    TagStats s;
    s.kind = c.kind();
    s.kinds_seen = c.kinds_seen();
    s.points = c.points();
    s.last_step = c.last_step;
    s.min_step = c.min_step;
    s.max_step = c.max_step;
    if (const TagDetail* d = detail_if(i)) {
      s.regressions = d->regressions;
      s.first_regression_from = d->first_regression_from;
      s.first_regression_to = d->first_regression_to;
      s.first_regression_offset = d->first_regression_offset;
      s.overwritten = d->overwritten;
      s.first_overwritten_step = d->first_overwritten_step;
      s.first_overwritten_offset = d->first_overwritten_offset;
      s.interleaves = d->interleaves;
      s.sample = d->sample;
      s.sample_stride = d->sample_stride;
    }
    return s;
  }

  // Wide tags (for tests and measurements).
  size_t wide_count() const { return s_ ? s_->wide_count : 0; }
  // Bytes held (capacity), for tests and measurements.
  size_t MemoryBytes() const {
    if (!s_) return 0;
    size_t n = sizeof(State) + s_->slots.MemoryBytes() + s_->wides.MemoryBytes() +
               s_->index.capacity() * sizeof(uint32_t) + s_->details.capacity() * sizeof(TagDetail) +
               s_->blocks.capacity() * sizeof(s_->blocks[0]);
    for (const Block& b : s_->blocks) n += b.size;
    for (const TagDetail& d : s_->details) n += d.sample.capacity() * sizeof(d.sample[0]);
    return n;
  }

  // FNV-1a over 8-byte words, then mixed: tags are short, and the index only
  // needs the low bits spread well.
  static uint32_t Hash(std::string_view tag) {
    uint64_t h = 0xcbf29ce484222325ull ^ tag.size();
    size_t i = 0;
    for (; i + 8 <= tag.size(); i += 8) {
      uint64_t w;
      std::memcpy(&w, tag.data() + i, 8);
      h = (h ^ w) * 0x100000001b3ull;
    }
    for (; i < tag.size(); ++i) h = (h ^ static_cast<unsigned char>(tag[i])) * 0x100000001b3ull;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 32;
    return static_cast<uint32_t>(h);
  }

 private:
  // A tag's slot. Compact: `w` packs the point count (bits 0-19), kinds_seen
  // (20-27) and the first point's kind (28-30); lo and hi are the lowest and
  // highest step minus the map's base (its first tag's first step). Wide (bit
  // 31 of `w`): lo is the index of its TagCore.
  struct Slot {
    uint32_t key;  // arena reference of the key
    uint32_t w;
    int32_t lo;
    int32_t hi;
  };
  static_assert(sizeof(Slot) == 16);
  static constexpr uint32_t kSlotPoints = (1u << 20) - 1;
  static constexpr unsigned kSlotKindsShift = 20;
  static constexpr unsigned kSlotKindShift = 28;
  static constexpr uint32_t kSlotWide = 1u << 31;

  // step - base as a 32-bit number, when it is one. The difference wraps
  // like two's complement, and so does Abs: they are exact inverses.
  bool Rel(int64_t step, int32_t* rel) const {
    const auto d = static_cast<int64_t>(static_cast<uint64_t>(step) - static_cast<uint64_t>(s_->base));
    *rel = static_cast<int32_t>(d);
    return d == *rel;
  }
  int64_t Abs(int32_t rel) const {
    return static_cast<int64_t>(static_cast<uint64_t>(s_->base) + static_cast<uint64_t>(static_cast<int64_t>(rel)));
  }
  TagCore FullOf(const Slot& s) const {
    TagCore c;
    c.min_step = Abs(s.lo);
    c.last_step = c.max_step = c.covered_max = Abs(s.hi);
    c.points_kinds = (s.w & kSlotPoints) | (static_cast<uint64_t>((s.w >> kSlotKindsShift) & 0xff) << 48) |
                     (static_cast<uint64_t>((s.w >> kSlotKindShift) & 0x7) << 56);
    return c;
  }
  TagCore& NewWide(Slot& s) {
    const uint32_t k = s_->wide_count;
    s_->wides.Grow(k);
    ++s_->wide_count;
    s.w = kSlotWide;
    s.lo = static_cast<int32_t>(k);
    s.hi = 0;
    return s_->wides[k];
  }
  [[gnu::noinline]] TagCore& Widen(Slot& s) {
    const TagCore c = FullOf(s);
    TagCore& w = NewWide(s);
    w = c;
    return w;
  }

  static constexpr uint32_t kMaxTags = UINT32_MAX - 2;
  // Key arena: a reference is (block << 16) | offset. Keys fit in one 64 KiB
  // block; longer keys get a block of their own. 65536 blocks at most.
  static constexpr uint32_t kBlockShift = 16;
  static constexpr size_t kBlockBytes = size_t{1} << kBlockShift;
  static constexpr size_t kMaxBlocks = size_t{1} << (32 - kBlockShift);
  static constexpr size_t kMaxKeyBytes = size_t{1} << 30;
  struct Block {
    std::unique_ptr<char[]> bytes;
    size_t size = 0;  // allocated
    size_t used = 0;
  };

  std::string_view KeyAt(uint32_t ref) const {
    const unsigned char* p =
        reinterpret_cast<const unsigned char*>(s_->blocks[ref >> kBlockShift].bytes.get()) + (ref & (kBlockBytes - 1));
    size_t len = *p++;
    if (len >= 0x80) [[unlikely]] {
      len &= 0x7f;
      for (unsigned shift = 7;; shift += 7) {
        const unsigned char b = *p++;
        len |= static_cast<size_t>(b & 0x7f) << shift;
        if (b < 0x80) break;
      }
    }
    return {reinterpret_cast<const char*>(p), len};
  }

  uint32_t StoreKey(std::string_view tag) {
    unsigned char prefix[8];
    size_t plen = 0;
    for (size_t n = tag.size();; n >>= 7) {
      prefix[plen++] = static_cast<unsigned char>((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
      if (n < 0x80) break;
    }
    const size_t need = plen + tag.size();
    if (s_->blocks.empty() || s_->blocks.back().size - s_->blocks.back().used < need) {
      if (s_->blocks.size() >= kMaxBlocks) return kNone;
      Block b;
      // The first block starts small: most files have a handful of tags.
      const size_t want = s_->blocks.empty() ? 256 : kBlockBytes;
      b.size = std::max(want, need);
      b.bytes = std::make_unique_for_overwrite<char[]>(b.size);
      s_->blocks.push_back(std::move(b));
    }
    Block& b = s_->blocks.back();
    const size_t off = b.used;
    std::memcpy(b.bytes.get() + off, prefix, plen);
    if (!tag.empty()) std::memcpy(b.bytes.get() + off + plen, tag.data(), tag.size());
    b.used += need;
    // A block of its own (a long key, or the small first block) is never
    // filled further past 64 KiB: offsets stay below 2^16.
    if (b.used > kBlockBytes || b.size > kBlockBytes) b.used = b.size;
    return static_cast<uint32_t>(((s_->blocks.size() - 1) << kBlockShift) | off);
  }

  void Place(uint32_t i, uint32_t h) {
    const size_t mask = s_->index.size() - 1;
    size_t s = h & mask;
    while (s_->index[s] != 0) s = (s + 1) & mask;
    s_->index[s] = i + 1;
  }

  void Rehash(size_t slots) {
    s_->index.assign(slots, 0);
    for (uint32_t i = 0; i < count_; ++i) Place(i, Hash(key(i)));
  }

  // Everything but the counts lives on the heap, allocated by the first
  // Add: an empty map (most files' after the scan released it, every file's
  // before it is scanned) costs the 24 bytes of this header.
  struct State {
    StableArray<Slot> slots;  // by tag index
    StableArray<TagCore> wides;
    uint32_t wide_count = 0;
    int64_t base = 0;             // the first tag's first step: compact steps are relative to it
    std::vector<uint32_t> index;  // tag index + 1 by hash, 0 when empty; a power of two
    std::vector<Block> blocks;
    std::vector<TagDetail> details;
  };
  std::unique_ptr<State> s_;
  uint32_t count_ = 0;
  uint64_t not_kept_ = 0;
};

// The distinct tags of several TagMaps (a run's files), numbered 0.. in order
// of first appearance (maps in the order given), for run-level rules that
// merge per tag. Compact: for one map it is that map itself (nothing built);
// for several, a view per distinct tag and a flat uint32 index. The views
// point into the maps, which must outlive it.
class TagUnion {
 public:
  explicit TagUnion(std::vector<const TagMap*> maps) : maps_(std::move(maps)) {
    if (maps_.size() <= 1) return;
    for (const TagMap* m : maps_) {
      for (uint32_t i = 0; i < m->size(); ++i) Insert(m->key(i));
    }
  }

  size_t size() const {
    if (maps_.size() == 1) return maps_.front()->size();
    return keys_.size();
  }
  std::string_view key(uint32_t id) const { return maps_.size() == 1 ? maps_.front()->key(id) : keys_[id]; }
  // The id of tag i of maps[m].
  uint32_t Id(size_t m, uint32_t i) const { return maps_.size() == 1 ? i : Find(maps_[m]->key(i)); }
  // The id of a tag, TagMap::kNone when absent.
  uint32_t Find(std::string_view tag) const {
    if (maps_.size() == 1) return maps_.front()->Find(tag);
    if (index_.empty()) return TagMap::kNone;
    const size_t mask = index_.size() - 1;
    for (size_t s = TagMap::Hash(tag) & mask;; s = (s + 1) & mask) {
      const uint32_t slot = index_[s];
      if (slot == 0) return TagMap::kNone;
      if (keys_[slot - 1] == tag) return slot - 1;
    }
  }
  const std::vector<const TagMap*>& maps() const { return maps_; }
  // Every id, sorted by the tag's bytes.
  std::vector<uint32_t> Sorted() const {
    std::vector<uint32_t> ids(size());
    for (uint32_t i = 0; i < ids.size(); ++i) ids[i] = i;
    std::sort(ids.begin(), ids.end(), [this](uint32_t a, uint32_t b) { return key(a) < key(b); });
    return ids;
  }

 private:
  void Insert(std::string_view tag) {
    if (Find(tag) != TagMap::kNone) return;
    keys_.push_back(tag);
    if (keys_.size() * 2 > index_.size()) {
      index_.assign(std::max<size_t>(16, index_.size() * 2), 0);
      for (uint32_t i = 0; i < keys_.size(); ++i) Place(i);
    } else {
      Place(static_cast<uint32_t>(keys_.size() - 1));
    }
  }
  void Place(uint32_t i) {
    const size_t mask = index_.size() - 1;
    size_t s = TagMap::Hash(keys_[i]) & mask;
    while (index_[s] != 0) s = (s + 1) & mask;
    index_[s] = i + 1;
  }

  std::vector<const TagMap*> maps_;
  std::vector<std::string_view> keys_;
  std::vector<uint32_t> index_;
};

// What the maps of a TagUnion logged under each of its tags, over all of them
// (TB601, TB602): both TensorBoard readers keep one series per tag and run,
// across the run's files. One map's tags are read from it as asked (a file of
// a million tags costs nothing more); several maps' are summed once, 16 bytes
// an id.
class TagTotals {
 public:
  struct Totals {
    uint64_t points = 0;
    // The kind of the tag's first point: in the first map (in the union's
    // order) where it has one, else the first map's. TensorBoard files the
    // tag under it.
    event::TagKind first = event::TagKind::kOther;
    uint8_t kinds = 0;  // a bit (1 << TagKind) for every kind any map logged it as
    uint32_t maps = 0;  // the maps holding it
  };

  explicit TagTotals(const TagUnion& tags) : tags_(tags) {
    if (tags.maps().size() <= 1) return;
    sums_.resize(tags.size());
    for (size_t m = 0; m < tags.maps().size(); ++m) {
      const TagMap& map = *tags.maps()[m];
      for (uint32_t i = 0; i < map.size(); ++i) Add(&sums_[tags.Id(m, i)], map.Full(i));
    }
  }

  Totals operator[](uint32_t id) const {
    if (tags_.maps().size() != 1) return sums_[id];
    Totals t;
    Add(&t, tags_.maps().front()->Full(id));
    return t;
  }

 private:
  static void Add(Totals* t, const TagCore& c) {
    if (t->maps == 0 || (t->points == 0 && c.points() > 0)) t->first = c.kind();
    t->points += c.points();
    // kinds_seen covers mixed kinds within one map; the first kind's bit
    // keeps this right for cores filled without it.
    t->kinds |= static_cast<uint8_t>(c.kinds_seen() | (1u << static_cast<unsigned>(c.kind())));
    ++t->maps;
  }

  const TagUnion& tags_;
  std::vector<Totals> sums_;
};

}  // namespace tblint

#endif  // TBLINT_RULE_TAG_MAP_H_
