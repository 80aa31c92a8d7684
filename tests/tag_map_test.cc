// The compact tag map (rule/tag_map.h): keys of any bytes, order of first
// appearance, the detail side table, the union of a run's maps; and the
// analysis over it (scan/file_analysis.h) against a plain reference model
// with the eager SessionLog START purge, on random event sequences.
#include "rule/tag_map.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "scan/file_analysis.h"

namespace tblint {
namespace {

// A summary event of one simple_value.
event::EventView OneScalar(std::string_view tag, int64_t step) {
  event::EventView ev;
  ev.what = event::What::kSummary;
  ev.step = step;
  event::Value v;
  v.tag = tag;
  v.kind = event::ValueKind::kSimpleValue;
  ev.values.push_back(v);
  return ev;
}

TagCore Core(int64_t step, event::TagKind kind = event::TagKind::kScalar) {
  TagCore c;
  c.last_step = c.min_step = c.max_step = c.covered_max = step;
  c.points_kinds = TagCore::Pack(kind, 1);
  return c;
}

TEST_CASE("tag map: keys of any bytes, found again, iterated in order of first appearance") {
  TagMap m;
  CHECK(m.empty());
  CHECK(m.Find("loss") == TagMap::kNone);
  const std::string nul("a\0b", 3), high("\xff\xfe\x80", 3), long_key(200000, 'x'), mid(300, 'y');
  const std::vector<std::string> keys = {"loss", "", nul, high, long_key, "a", mid, std::string("a\0", 2)};
  for (size_t i = 0; i < keys.size(); ++i) {
    REQUIRE(m.Find(keys[i]) == TagMap::kNone);
    CHECK(m.Add(keys[i], Core(static_cast<int64_t>(i))) == i);
  }
  CHECK(m.size() == keys.size());
  CHECK(m.not_kept() == 0);
  for (size_t i = 0; i < keys.size(); ++i) {
    CHECK(m.Find(keys[i]) == i);
    CHECK(m.key(static_cast<uint32_t>(i)) == keys[i]);
    CHECK(m.KeyIs(static_cast<uint32_t>(i), keys[i]));
  }
  CHECK(m.Find(std::string(200001, 'x')) == TagMap::kNone);
  CHECK(m.Find(std::string("a\0c", 3)) == TagMap::kNone);
  size_t i = 0;
  for (const auto& [tag, s] : m) {
    CHECK(tag == keys[i]);
    CHECK(s.min_step == static_cast<int64_t>(i));
    CHECK(s.points == 1);
    CHECK(s.kind == event::TagKind::kScalar);
    CHECK(s.kinds_seen == 1u << static_cast<unsigned>(event::TagKind::kScalar));
    ++i;
  }
  CHECK(i == keys.size());
  CHECK(m.find("a") != m.end());
  CHECK(m.find("a")->second.min_step == 5);
  CHECK(m.find("b") == m.end());
  CHECK(m.contains(nul));
  CHECK_THROWS_AS(m.at("b"), std::out_of_range);
}

TEST_CASE("tag map: 200,000 tags all found, in order, compact") {
  TagMap m;
  const int n = 200000;
  for (int t = 0; t < n; ++t) {
    const std::string tag = "layer_" + std::to_string(t / 1000) + "/unit_" + std::to_string(t % 1000) + "/norm";
    REQUIRE(m.Add(tag, Core(t)) == static_cast<uint32_t>(t));
  }
  for (int t = 0; t < n; t += 7) {
    const std::string tag = "layer_" + std::to_string(t / 1000) + "/unit_" + std::to_string(t % 1000) + "/norm";
    REQUIRE(m.Find(tag) == static_cast<uint32_t>(t));
    CHECK(m.Stats(static_cast<uint32_t>(t)).min_step == t);
  }
  CHECK(m.wide_count() == 0);
  // The 16-byte slot, the index (load <= 1/2: 10.5 bytes a tag here) and
  // ~21 key bytes: under 52 bytes a tag, block slack included (the 56-byte
  // cores took 96, std::unordered_map ~300).
  CHECK(m.MemoryBytes() < static_cast<size_t>(n) * 52);
}

TEST_CASE("tag map: compact slots hold steps near the first one, wide cores the rest, both exact") {
  TagMap m;
  const int64_t base = 1000;
  const uint32_t a = m.Add("a", Core(base));
  const uint32_t near = m.Add("near", Core(base + INT32_MAX));
  const uint32_t below = m.Add("below", Core(base + INT32_MIN));
  const uint32_t far = m.Add("far", Core(base + INT32_MAX + int64_t{1}));
  const uint32_t huge = m.Add("huge", Core(INT64_MIN));
  CHECK(m.IsCompact(a));
  CHECK(m.IsCompact(near));
  CHECK(m.IsCompact(below));
  CHECK_FALSE(m.IsCompact(far));
  CHECK_FALSE(m.IsCompact(huge));
  CHECK(m.wide_count() == 2);
  CHECK(m.Stats(near).max_step == base + INT32_MAX);
  CHECK(m.Stats(below).min_step == base + INT32_MIN);
  CHECK(m.Stats(far).last_step == base + INT32_MAX + int64_t{1});
  CHECK(m.Stats(huge).min_step == INT64_MIN);

  // A point above the highest one stays compact; one too far, or not above, does not.
  CHECK(m.BumpCompact(a, event::TagKind::kHistogram, base + 5));
  CHECK(m.IsCompact(a));
  TagStats s = m.Stats(a);
  CHECK(s.points == 2);
  CHECK(s.min_step == base);
  CHECK(s.last_step == base + 5);
  CHECK(s.max_step == base + 5);
  CHECK(s.kind == event::TagKind::kScalar);
  CHECK(s.kinds_seen == ((1u << static_cast<unsigned>(event::TagKind::kScalar)) |
                         (1u << static_cast<unsigned>(event::TagKind::kHistogram))));
  CHECK_FALSE(m.BumpCompact(a, event::TagKind::kScalar, base + 5));
  CHECK_FALSE(m.BumpCompact(a, event::TagKind::kScalar, INT64_MAX));
  CHECK_FALSE(m.BumpCompact(far, event::TagKind::kScalar, INT64_MAX));
  CHECK(m.Stats(a).points == 2);

  // Widening keeps every number, and the map copies either kind of tag.
  const TagStats before = m.Stats(a);
  TagCore& w = m.Wide(a);
  CHECK_FALSE(m.IsCompact(a));
  CHECK(w.points() == 2);
  CHECK(w.covered_max == base + 5);
  const TagStats after = m.Stats(a);
  CHECK(after.min_step == before.min_step);
  CHECK(after.max_step == before.max_step);
  CHECK(after.kinds_seen == before.kinds_seen);
  CHECK(after.kind == before.kind);
  const TagMap copy = m;
  for (uint32_t i = 0; i < m.size(); ++i) {
    CHECK(copy.key(i) == m.key(i));
    CHECK(copy.Stats(i).min_step == m.Stats(i).min_step);
    CHECK(copy.Stats(i).max_step == m.Stats(i).max_step);
    CHECK(copy.Stats(i).points == m.Stats(i).points);
  }
}

TEST_CASE("tag map: details only for the tags that need them, copied with the map") {
  TagMap m;
  const uint32_t a = m.Add("a", Core(1));
  const uint32_t b = m.Add("b", Core(2));
  CHECK(m.detail_if(a) == nullptr);
  TagDetail& d = m.detail(b);
  d.regressions = 3;
  d.first_regression_from = 9;
  d.first_regression_to = 4;
  d.overwritten = 2;
  d.first_overwritten_step = 4;
  d.interleaves = 1;
  d.sample = {{1, 0.5}, {2, 0.25}};
  d.sample_stride = 2;
  CHECK(m.detail_if(a) == nullptr);
  const TagStats sb = m.at("b");
  CHECK(sb.regressions == 3);
  CHECK(sb.first_regression_from == 9);
  CHECK(sb.first_regression_to == 4);
  CHECK(sb.overwritten == 2);
  CHECK(sb.first_overwritten_step == 4);
  CHECK(sb.interleaves == 1);
  REQUIRE(sb.sample.size() == 2);
  CHECK(sb.sample[1].second == 0.25);
  CHECK(sb.sample_stride == 2);
  CHECK(m.at("a").regressions == 0);
  CHECK(m.at("a").sample.empty());

  const TagMap copy = m;
  m.detail(b).regressions = 7;
  CHECK(copy.size() == 2);
  CHECK(copy.at("b").regressions == 3);
  CHECK(copy.at("b").sample.size() == 2);
  CHECK(copy.detail_if(copy.Find("a")) == nullptr);
  TagMap moved = std::move(m);
  CHECK(moved.at("b").regressions == 7);
}

TEST_CASE("tag map: a run's union numbers tags by first appearance and sorts like std::map") {
  TagMap one, two;
  one.Add("loss", Core(0));
  one.Add("acc", Core(0));
  two.Add("lr", Core(0));
  two.Add("loss", Core(0));
  two.Add(std::string("\xff", 1), Core(0));

  const TagUnion single({&one});
  CHECK(single.size() == 2);
  CHECK(single.Id(0, 1) == 1);
  CHECK(single.key(0) == "loss");
  CHECK(single.Find("acc") == 1);

  const TagUnion u({&one, &two});
  REQUIRE(u.size() == 4);
  CHECK(u.key(0) == "loss");
  CHECK(u.key(1) == "acc");
  CHECK(u.key(2) == "lr");
  CHECK(u.Id(1, 1) == 0);  // two's "loss"
  CHECK(u.Id(1, 2) == 3);
  CHECK(u.Find("nope") == TagMap::kNone);
  std::vector<std::string> sorted;
  for (uint32_t id : u.Sorted()) sorted.emplace_back(u.key(id));
  std::map<std::string, int> ref = {{"loss", 0}, {"acc", 0}, {"lr", 0}, {std::string("\xff", 1), 0}};
  std::vector<std::string> expected;
  for (const auto& [k, v] : ref) expected.push_back(k);
  CHECK(sorted == expected);

  const TagUnion none({});
  CHECK(none.size() == 0);
}

// TB601 and TB602 read a tag's totals over a run's files: points summed, the
// kind of its first point (the first file where it has one), every kind, and
// the files holding it; one file's are read from its map.
TEST_CASE("tag totals: a union's tags summed over its maps, or read from its one map") {
  using event::TagKind;
  auto core = [](TagKind first, uint64_t points, TagKind also) {
    TagCore c = Core(0, first);
    c.points_kinds = TagCore::Pack(first, points) | TagCore::KindBit(also);
    return c;
  };
  auto bit = [](TagKind k) { return static_cast<uint8_t>(1u << static_cast<unsigned>(k)); };
  TagMap one, two, three;
  one.Add("loss", core(TagKind::kScalar, 1500, TagKind::kScalar));
  one.Add("img", core(TagKind::kImage, 3, TagKind::kImage));
  two.Add("img", core(TagKind::kImage, 4, TagKind::kTensor));
  two.Add("loss", core(TagKind::kHistogram, 10, TagKind::kHistogram));
  three.Add("new", core(TagKind::kText, 2, TagKind::kText));
  three.Add("img", core(TagKind::kAudio, 1, TagKind::kAudio));

  const TagUnion single({&one});
  const TagTotals alone(single);
  CHECK(alone[single.Find("loss")].points == 1500);
  CHECK(alone[single.Find("loss")].first == TagKind::kScalar);
  CHECK(alone[single.Find("loss")].kinds == bit(TagKind::kScalar));
  CHECK(alone[single.Find("img")].maps == 1);

  const TagUnion u({&one, &two, &three});
  const TagTotals totals(u);
  const TagTotals::Totals loss = totals[u.Find("loss")];
  CHECK(loss.points == 1510);
  CHECK(loss.first == TagKind::kScalar);
  CHECK(loss.kinds == (bit(TagKind::kScalar) | bit(TagKind::kHistogram)));
  CHECK(loss.maps == 2);
  const TagTotals::Totals img = totals[u.Find("img")];
  CHECK(img.points == 8);
  CHECK(img.first == TagKind::kImage);
  CHECK(img.kinds == (bit(TagKind::kImage) | bit(TagKind::kTensor) | bit(TagKind::kAudio)));
  CHECK(img.maps == 3);
  const TagTotals::Totals fresh = totals[u.Find("new")];
  CHECK(fresh.points == 2);
  CHECK(fresh.first == TagKind::kText);
  CHECK(fresh.maps == 1);

  // One map of many tags, compact and wide: each read from the map as asked.
  TagMap big;
  for (int i = 0; i < 1000; ++i) big.Add("t" + std::to_string(i), core(TagKind::kScalar, static_cast<uint64_t>(i), TagKind::kScalar));
  const TagUnion big_union({&big});
  const TagTotals big_totals(big_union);
  CHECK(big_totals[999].points == 999);
  CHECK(big_totals[0].points == 0);
  CHECK(big_totals[0].maps == 1);
}

// The analysis as it was before the compact map: one struct per tag in a
// std::map, every SessionLog START lowering every tag's covered_max at once.
struct Reference {
  struct Tag {
    uint64_t points = 0;
    int64_t last = 0, min = 0, max = 0, covered = 0, peak = 0;
    bool awaiting = false;
    uint64_t regressions = 0, overwritten = 0, interleaves = 0;
    int64_t reg_from = 0, reg_to = 0, over_step = 0;
    uint64_t reg_offset = 0, over_offset = 0;
  };
  std::unordered_map<std::string, Tag> tags;
  void Start(int64_t step) {
    for (auto& [k, t] : tags) {
      t.covered = std::min(t.covered, static_cast<int64_t>(static_cast<uint64_t>(step) - 1));
    }
  }
  void Point(const std::string& tag, int64_t step, uint64_t offset) {
    auto it = tags.find(tag);
    if (it == tags.end()) {
      Tag t;
      t.points = 1;
      t.last = t.min = t.max = t.covered = step;
      tags.emplace(tag, t);
      return;
    }
    Tag& s = it->second;
    ++s.points;
    if (step < s.last) {
      if (s.regressions++ == 0) {
        s.reg_from = s.last;
        s.reg_to = step;
        s.reg_offset = offset;
      }
      if (!s.awaiting) {
        s.awaiting = true;
        s.peak = s.max;
      }
    }
    if (s.awaiting && step > s.peak) {
      ++s.interleaves;
      s.awaiting = false;
    }
    if (step >= s.min && step <= s.covered) {
      if (s.overwritten++ == 0) {
        s.over_step = step;
        s.over_offset = offset;
      }
    }
    s.last = step;
    s.min = std::min(s.min, step);
    s.max = std::max(s.max, step);
    s.covered = std::max(s.covered, step);
  }
};

void CheckSame(const FileResult& file, const Reference& ref) {
  REQUIRE(file.tags.size() == ref.tags.size());
  for (const auto& [tag, r] : ref.tags) {
    CAPTURE(tag);
    const TagStats s = file.tags.at(tag);
    CHECK(s.points == r.points);
    CHECK(s.last_step == r.last);
    CHECK(s.min_step == r.min);
    CHECK(s.max_step == r.max);
    CHECK(s.regressions == r.regressions);
    CHECK(s.first_regression_from == r.reg_from);
    CHECK(s.first_regression_to == r.reg_to);
    CHECK(s.first_regression_offset == r.reg_offset);
    CHECK(s.overwritten == r.overwritten);
    CHECK(s.first_overwritten_step == r.over_step);
    CHECK(s.first_overwritten_offset == r.over_offset);
    CHECK(s.interleaves == r.interleaves);
  }
}

// Random writers: a fixed tag order with skips, restarts, STARTs at rising
// and falling steps (enough of them to empty the purge stack several times).
void RandomRun(uint32_t seed, int ntags, int events, int start_every, int64_t jump = 1000) {
  std::mt19937 rng(seed);
  FileResult file;
  FileAnalysis analysis(&file);
  Reference ref;
  std::vector<std::string> names;
  for (int t = 0; t < ntags; ++t) names.push_back("tag/" + std::to_string(t));
  int64_t step = 0;
  uint64_t offset = 0;
  std::vector<int64_t> extremes = {INT64_MIN, INT64_MAX, 0};
  // Steps near the extremes wrap, as int64 steps in a file may (no UB here).
  auto plus = [](int64_t a, int64_t d) { return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(d)); };
  for (int e = 0; e < events; ++e) {
    event::EventView ev;
    Record rec;
    rec.offset = offset;
    rec.index = static_cast<uint64_t>(e);
    offset += 32;
    const uint32_t r = rng();
    if (r % static_cast<uint32_t>(start_every) == 0) {
      ev.what = event::What::kSessionLog;
      ev.session_status = 1;
      const uint32_t how = rng() % 8;
      ev.step = how == 0   ? extremes[rng() % extremes.size()]
                : how < 4  ? plus(step, -static_cast<int64_t>(rng() % 50))
                           : plus(step, static_cast<int64_t>(rng() % 5));
      ref.Start(ev.step);
      analysis.OnEvent(ev, rec);
      continue;
    }
    if (r % 97 == 1) step = plus(step, -static_cast<int64_t>(rng() % 40));  // a restart
    if (r % 89 == 2) step = plus(step, static_cast<int64_t>(rng() % static_cast<uint64_t>(jump)));
    if (r % 1000 == 3) step = extremes[rng() % extremes.size()];
    ev.what = event::What::kSummary;
    ev.step = step;
    const int first = static_cast<int>(rng() % static_cast<uint32_t>(ntags));
    const int count = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < count; ++k) {
      event::Value v;
      v.tag = names[static_cast<size_t>((first + k) % ntags)];
      v.kind = event::ValueKind::kSimpleValue;
      v.has_scalar = true;
      ev.values.push_back(v);
      ref.Point(names[static_cast<size_t>((first + k) % ntags)], step, rec.offset);
    }
    analysis.OnEvent(ev, rec);
    if (rng() % 3 != 0) step = plus(step, 1);
  }
  analysis.Finish();
  CheckSame(file, ref);
}

TEST_CASE("file analysis over the tag map: the same numbers as the eager reference, STARTs included") {
  for (uint32_t seed = 1; seed <= 6; ++seed) {
    CAPTURE(seed);
    RandomRun(seed, 5, 4000, 50);
    RandomRun(seed + 100, 300, 20000, 7);  // many STARTs: the purge stack is flushed many times
    RandomRun(seed + 200, 1, 3000, 3);
  }
}

TEST_CASE("file analysis over the tag map: steps far apart, tags beyond the prediction table") {
  for (uint32_t seed = 1; seed <= 3; ++seed) {
    CAPTURE(seed);
    RandomRun(seed + 300, 70000, 150000, 5000, /*jump=*/int64_t{1} << 31);
    RandomRun(seed + 400, 20, 20000, 300, /*jump=*/int64_t{1} << 30);
  }
}

// One tag, more points than a compact slot counts, then a regression.
TEST_CASE("file analysis over the tag map: a tag of more than a million points") {
  FileResult file;
  FileAnalysis analysis(&file);
  event::EventView ev = OneScalar("loss", 0);
  const int64_t n = (int64_t{1} << 20) + 5;
  Record rec;
  for (int64_t step = 0; step < n; ++step) {
    ev.step = step;
    rec.index = static_cast<uint64_t>(step);
    analysis.OnEvent(ev, rec);
  }
  CHECK(file.tags.IsCompact(0) == false);
  ev.step = 3;
  analysis.OnEvent(ev, rec);
  analysis.Finish();
  const TagStats s = file.tags.at("loss");
  CHECK(s.points == static_cast<uint64_t>(n) + 1);
  CHECK(s.max_step == n - 1);
  CHECK(s.last_step == 3);
  CHECK(s.regressions == 1);
  CHECK(s.overwritten == 1);
}

// Many tags written in a fixed order (as the benchmark's million-tag file):
// every tag stays compact, beyond the prediction table's 65,536 entries too.
TEST_CASE("file analysis over the tag map: many tags in a fixed order stay compact") {
  FileResult file;
  FileAnalysis analysis(&file);
  const int n = 300000;
  std::vector<std::string> names;
  for (int t = 0; t < n; ++t) names.push_back("layer_" + std::to_string(t / 1000) + "/unit_" + std::to_string(t % 1000));
  Record rec;
  for (int64_t step = 0; step < 3; ++step) {
    for (int t = 0; t < n; ++t) {
      analysis.OnEvent(OneScalar(names[static_cast<size_t>(t)], step), rec);
      ++rec.index;
    }
  }
  analysis.Finish();
  REQUIRE(file.tags.size() == static_cast<size_t>(n));
  CHECK(file.tags.wide_count() == 0);
  for (int t = 0; t < n; t += 997) {
    const TagStats s = file.tags.at(names[static_cast<size_t>(t)]);
    CHECK(s.points == 3);
    CHECK(s.min_step == 0);
    CHECK(s.last_step == 2);
    CHECK(s.overwritten == 0);
  }
  // 16 + 14 (2^20 index entries for 300,000 tags) + 18 key bytes.
  CHECK(file.tags.MemoryBytes() < static_cast<size_t>(n) * 52);
}

TEST_CASE("file analysis over the tag map: a START with many tags is O(1), and still purges them all") {
  FileResult file;
  FileAnalysis analysis(&file);
  const int n = 50000;
  std::vector<std::string> names;
  for (int t = 0; t < n; ++t) names.push_back("t" + std::to_string(t));
  uint64_t index = 0;
  auto point = [&](int t, int64_t step) {
    const event::EventView ev = OneScalar(names[static_cast<size_t>(t)], step);
    Record rec;
    rec.offset = index * 32;
    rec.index = index++;
    analysis.OnEvent(ev, rec);
  };
  for (int64_t step = 0; step < 10; ++step) {
    for (int t = 0; t < n; ++t) point(t, step);
  }
  // 20,000 STARTs at rising steps; each tag then re-logs from step 5.
  for (int k = 0; k < 20000; ++k) {
    event::EventView ev;
    ev.what = event::What::kSessionLog;
    ev.session_status = 1;
    ev.step = 5 + k;
    Record rec;
    rec.index = index++;
    analysis.OnEvent(ev, rec);
  }
  for (int t = 0; t < n; ++t) point(t, 5);
  for (int t = 0; t < n; ++t) point(t, 20000);
  analysis.Finish();
  for (int t = 0; t < n; t += 999) {
    const TagStats s = file.tags.at(names[static_cast<size_t>(t)]);
    CHECK(s.overwritten == 0);  // purged by the first START (step 5): not a re-log
    CHECK(s.regressions == 1);
    CHECK(s.points == 12);
  }
}

}  // namespace
}  // namespace tblint
