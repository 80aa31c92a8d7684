// Issue 7, "no fix ever removes a valid record": the repair property of
// independent_scanner.h, checked on thousands of randomly damaged event files
// (real corpus files and small generated ones) and on the inputs that broke
// it. Every case runs twice on a fresh logdir: lint, --fix (safe only) or
// --fix --unsafe-fixes, check, tblint restore, check byte-identical.
//
// A failing random family reports how many of its files broke the property
// and the smallest failing file (shrunk by removing bytes), as hex.
#include <doctest/doctest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/filesystem.hpp>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "fix/fixer.h"
#include "independent_scanner.h"
#include "rule/registry.h"
#include "scan/scanner.h"
#include "test_util.h"

namespace tblint {
namespace {

namespace fs = boost::filesystem;
namespace ind = independent;

// A scratch logdir, on tmpfs when the machine has one: a fix fsyncs every
// step, which costs milliseconds on a disk and nothing in memory, and this
// test runs thousands of fixes.
class ScratchDir {
 public:
  ScratchDir() {
    std::string base = "/dev/shm";
    if (::access(base.c_str(), W_OK | X_OK) != 0) {
      const char* tmp = std::getenv("TMPDIR");
      base = tmp && *tmp ? tmp : "/tmp";
    }
    std::string tmpl = base + "/tblint-prop-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed in " + base);
    path_ = tmpl;
  }
  ~ScratchDir() {
    boost::system::error_code ec;
    fs::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

const std::string kMain = "run/events.out.tfevents.1795298000.gpu-node-1.4242.0";

// One logdir to fix: relative path -> bytes; kMain is the damaged file.
struct Case {
  ind::Tree files;
  std::string what;  // the damages applied, for the report
};

std::string Hex(std::string_view s) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string Unhex(std::string_view h) {
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16));
  }
  return out;
}

// What went wrong in one run of a case.
struct Verdict {
  std::vector<std::string> safe;     // the property after --fix
  std::vector<std::string> unsafe;   // the property after --fix --unsafe-fixes
  std::vector<std::string> unclean;  // damage left after --fix --unsafe-fixes
  std::vector<std::string> restore;  // restore not byte-identical
  std::vector<std::string> errors;   // the test itself could not run the case
  // Files fixed, per kind of fix, over both passes.
  int truncated = 0, rewritten = 0, moved = 0;
  bool ok() const { return safe.empty() && unsafe.empty() && unclean.empty() && restore.empty() && errors.empty(); }
  std::string Describe() const {
    std::string s;
    for (const auto* v : {&safe, &unsafe, &unclean, &restore, &errors}) {
      for (const std::string& line : *v) s += "  " + line + "\n";
    }
    return s;
  }
};

// Writes the case into a fresh logdir dated a day ago, lints it with every
// rule, fixes it, checks the property, restores and checks the originals.
// Runs on worker threads: no doctest assertion here, only the verdict.
void RunPhase(const Case& c, bool unsafe, Verdict* verdict) {
  ScratchDir dir;
  const double past = static_cast<double>(static_cast<int64_t>(test::Now()) - 86400);
  for (const auto& [rel, bytes] : c.files) {
    test::WriteFile(dir.path() + "/" + rel, bytes);
    test::SetMtime(dir.path() + "/" + rel, past);
  }
  const ind::Tree before = ind::Snapshot(dir.path());
  if (before != c.files) {
    verdict->errors.push_back("the logdir as written is not the case");
    return;
  }

  ScanConfig config;
  config.lint.now = test::Now();
  config.jobs = 1;
  config.detect_live_writers = false;
  for (const auto& r : AllRules()) config.rules.push_back(r.get());
  LintResult result;
  std::string error;
  if (!Lint(dir.path(), config, &result, &error)) {
    verdict->errors.push_back("lint failed: " + error);
    return;
  }

  FixOptions options;
  options.unsafe = unsafe;
  options.now = test::Now();
  const std::vector<FixOutcome> outcomes = ApplyFixes(result, options);
  const ind::Tree after = ind::Snapshot(dir.path());
  for (std::string& v : ind::CheckFixed(before, after, outcomes, unsafe)) {
    (unsafe ? verdict->unsafe : verdict->safe).push_back(std::move(v));
  }
  if (unsafe) {
    for (std::string& v : ind::CheckRepairedClean(before, after)) verdict->unclean.push_back(std::move(v));
  }

  bool changed = false;
  for (const FixOutcome& o : outcomes) {
    if (o.status != FixStatus::kFixed) continue;
    changed = true;
    verdict->truncated += o.kind == FixKind::kTruncate;
    verdict->rewritten += o.kind == FixKind::kRewrite;
    verdict->moved += o.kind == FixKind::kMove;
  }
  const std::string pass = unsafe ? "--fix --unsafe-fixes" : "--fix";
  if (!changed) {
    if (after != before) verdict->restore.push_back(pass + " reported no fix but the logdir changed");
    return;
  }
  std::vector<RestoreOutcome> restored;
  if (!Restore(dir.path(), "", &restored, &error)) {
    std::string why = error;
    for (const RestoreOutcome& r : restored) why += "; " + r.path + ": " + r.status + " " + r.message;
    verdict->restore.push_back("restore after " + pass + " failed: " + why);
  }
  const ind::Tree back = ind::Snapshot(dir.path());
  if (back != before) {
    for (const auto& [rel, bytes] : before) {
      auto it = back.find(rel);
      if (it == back.end()) {
        verdict->restore.push_back("after restore (" + pass + ") " + rel + " is missing");
      } else if (it->second != bytes) {
        verdict->restore.push_back("after restore (" + pass + ") " + rel + " is not byte-identical");
      }
    }
    for (const auto& [rel, bytes] : back) {
      if (before.count(rel) == 0) verdict->restore.push_back("after restore (" + pass + ") a new file " + rel);
    }
  }
}

Verdict Run(const Case& c) {
  Verdict v;
  try {
    RunPhase(c, /*unsafe=*/false, &v);
    RunPhase(c, /*unsafe=*/true, &v);
  } catch (const std::exception& e) {
    v.errors.push_back(std::string("exception: ") + e.what());
  }
  return v;
}

// Runs every case, several at a time: a fix waits a few milliseconds for
// late writers after each swap, which is idle time, not work.
std::vector<Verdict> RunAll(const std::vector<Case>& cases) {
  std::vector<Verdict> verdicts(cases.size());
  std::atomic<size_t> next{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < 8; ++t) {
    workers.emplace_back([&] {
      for (size_t i; (i = next.fetch_add(1)) < cases.size();) verdicts[i] = Run(cases[i]);
    });
  }
  for (std::thread& w : workers) w.join();
  return verdicts;
}

// --- base files -------------------------------------------------------------

std::vector<std::string> CorpusEventFiles() {
  std::vector<std::string> out;
  const std::string root = test::SourceDir() + "/fixtures/corpus/cases";
  std::vector<std::string> paths;
  for (fs::recursive_directory_iterator it(root), end; it != end; ++it) {
    if (fs::is_regular_file(it->status()) && it->path().filename().string().find("tfevents") != std::string::npos) {
      paths.push_back(it->path().string());
    }
  }
  std::sort(paths.begin(), paths.end());  // deterministic, whatever the directory order
  for (const std::string& p : paths) out.push_back(test::ReadFile(p));
  return out;
}

// A small event file as a writer makes it, sometimes with a record that is
// well framed but not an Event.
std::string GeneratedFile(std::mt19937_64& rng) {
  const double t = 1795298000.0 + static_cast<double>(rng() % 1000);
  std::string out = ind::Frame(rng() % 2 ? events::TorchHeader(t) : events::PlainHeader(t));
  const int n = static_cast<int>(rng() % 14);
  for (int i = 0; i < n; ++i) {
    std::string payload;
    switch (rng() % 8) {
      case 0:
        payload = events::TensorScalar(t + i, i, "eval/acc", 0.5f + 0.01f * i);
        break;
      case 1:
        payload = events::Histogram(t + i, i, "weights", 0.1 * i, 2 + static_cast<int>(rng() % 6));
        break;
      case 2:
        payload = events::SessionLog(t + i, i, tensorboard::SessionLog::START);
        break;
      case 3:
        payload = events::GraphDefEvent(t + i, 8 + rng() % 300);
        break;
      case 4:
        if (rng() % 3 == 0) {  // not an Event: random bytes, or text
          payload.assign(1 + rng() % 40, '\0');
          for (char& ch : payload) ch = static_cast<char>(rng());
          if (rng() % 2) payload = "not an event payload";
          break;
        }
        [[fallthrough]];
      default:
        payload = events::Scalar(t + i, i, "train/loss", 1.0f / (i + 1));
        break;
    }
    out += ind::Frame(payload);
  }
  return out;
}

// --- damage ----------------------------------------------------------------

enum Damage : int {
  kTruncate,
  kZeroTail,
  kByteFlip,
  kGarbage,
  kLongHeader,
  kBadDataCrcSpan,
  kSplice,
  kDuplicate,
  kDamageKinds,
};

const char* DamageName(int d) {
  switch (d) {
    case kTruncate:
      return "truncated";
    case kZeroTail:
      return "zero tail";
    case kByteFlip:
      return "byte flip";
    case kGarbage:
      return "inserted garbage";
    case kLongHeader:
      return "valid header with a long length";
    case kBadDataCrcSpan:
      return "bad-data-CRC record spanning records";
    case kSplice:
      return "spliced";
    case kDuplicate:
      return "duplicated range";
  }
  return "?";
}

class Damager {
 public:
  Damager(const std::vector<std::string>* bases, std::mt19937_64* rng) : bases_(bases), rng_(*rng) {}

  uint64_t Below(uint64_t n) { return n == 0 ? 0 : rng_() % n; }
  bool OneIn(uint64_t n) { return Below(n) == 0; }

  // Record boundaries of s: the start of each canonical record, and the end.
  std::vector<uint64_t> Boundaries(std::string_view s) {
    std::vector<uint64_t> b;
    for (const ind::Span& r : ind::CanonicalSpans(s)) b.push_back(r.offset);
    b.push_back(s.size());
    return b;
  }
  uint64_t AnyBoundary(std::string_view s) {
    const std::vector<uint64_t> b = Boundaries(s);
    return b[Below(b.size())];
  }
  // A cut point: half the time a record boundary, else any offset.
  uint64_t Point(std::string_view s) { return OneIn(2) ? AnyBoundary(s) : Below(s.size() + 1); }

  std::string RandomBytes(size_t n) {
    std::string g(n, '\0');
    const int style = static_cast<int>(Below(4));
    for (char& c : g) c = style == 0 ? '\0' : style == 1 ? '\xff' : static_cast<char>(rng_());
    return g;
  }

  // What a writer that died mid-record leaves after its header: the first
  // bytes of a payload, or nothing.
  std::string PartialPayload() {
    if (OneIn(3)) return "";
    const std::string& donor = (*bases_)[Below(bases_->size())];
    return donor.substr(std::min<size_t>(donor.size(), 12), Below(64));
  }

  std::string Apply(int kind, std::string s, std::string* what) {
    switch (kind) {
      case kTruncate: {
        s.resize(Below(s.size() + 1));
        *what += "truncated to " + std::to_string(s.size());
        break;
      }
      case kZeroTail: {
        // Zeros over the end (the size kept), over the end and beyond (the
        // size extended), or only beyond the old end (the data never came).
        const int style = static_cast<int>(Below(3));
        const uint64_t from = style == 2 ? s.size() : Point(s);
        std::fill(s.begin() + static_cast<ptrdiff_t>(from), s.end(), '\0');
        if (style != 0) s.append(1 + Below(4096), '\0');
        *what += std::string("zero tail from ") + std::to_string(from) + " to " + std::to_string(s.size()) +
                 (style == 0   ? " (size kept)"
                  : style == 1 ? " (size extended)"
                               : " (zeros appended)");
        break;
      }
      case kByteFlip: {
        const int n = 1 + static_cast<int>(Below(3));
        for (int k = 0; k < n && !s.empty(); ++k) {
          // Half the flips land in a record header, where they hurt most.
          uint64_t at = Below(s.size());
          if (OneIn(2)) at = std::min<uint64_t>(s.size() - 1, AnyBoundary(s) + Below(12));
          if (OneIn(2)) {
            s[at] = static_cast<char>(s[at] ^ (1 << Below(8)));
          } else {
            s[at] = static_cast<char>(rng_());
          }
          *what += "byte " + std::to_string(at) + " changed; ";
        }
        break;
      }
      case kGarbage: {
        const uint64_t at = Point(s);
        const std::string g = RandomBytes(1 + Below(64));
        s.insert(at, g);
        *what += std::to_string(g.size()) + " garbage bytes at " + std::to_string(at);
        break;
      }
      case kLongHeader: {
        // Two writers appending to one file, one died mid-record: its header
        // declares a length that runs past later valid records.
        const uint64_t at = AnyBoundary(s);
        const int style = static_cast<int>(Below(3));
        std::string tail = s.substr(at);
        if (style == 2) tail.append(16 + Below(4096), '\0');  // and the file ends in zeros
        const std::string partial = PartialPayload();
        const uint64_t body = partial.size() + tail.size();  // bytes after the header
        uint64_t want_end;  // bytes after the header the record declares (payload + data CRC)
        if (style == 0) {
          want_end = body == 0 ? 1 : 1 + Below(body);  // inside the file, past later records
        } else if (style == 1) {
          want_end = body + 1 + (OneIn(2) ? Below(100) : Below(1ull << 40));  // past the end
        } else {
          const uint64_t zeros_from = partial.size() + (s.size() - at);
          want_end = zeros_from + 1 + Below(body - zeros_from);  // ends inside the zeros
        }
        const uint64_t length = want_end >= 4 ? want_end - 4 : 0;
        s = s.substr(0, at) + ind::Header(length) + partial + tail;
        *what += "a header declaring " + std::to_string(length) + " bytes at " + std::to_string(at) +
                 (style == 0   ? " (inside the file)"
                  : style == 1 ? " (past the end)"
                               : " (into a zero tail)");
        break;
      }
      case kBadDataCrcSpan: {
        // A record whose framing fits exactly, ending on a later record's end,
        // whose data CRC fails: the records it covers are still valid.
        const uint64_t at = AnyBoundary(s);
        const std::string partial = PartialPayload();
        std::vector<uint64_t> ends;
        for (const ind::Span& r : ind::CanonicalSpans(s)) {
          if (r.offset >= at) ends.push_back(r.end());
        }
        ends.push_back(s.size());
        const uint64_t end = ends[Below(ends.size())];
        // Declared: the partial payload and [at, end), but for the last 4
        // bytes, which stand in for the data CRC.
        const uint64_t covered = partial.size() + (end - at);
        const uint64_t length = covered >= 4 ? covered - 4 : 0;
        const std::string head = ind::Header(length) + partial;
        s.insert(at, head);
        *what += "a header at " + std::to_string(at) + " declaring " + std::to_string(length) + " bytes that end at " +
                 std::to_string(end + head.size());
        break;
      }
      case kSplice: {
        const std::string& other = (*bases_)[Below(bases_->size())];
        const uint64_t a = Point(s), b = Point(other);
        s = s.substr(0, a) + other.substr(b);
        *what += "head to " + std::to_string(a) + " + another file's tail from " + std::to_string(b);
        break;
      }
      case kDuplicate: {
        uint64_t a = Point(s), b = Point(s);
        if (a > b) std::swap(a, b);
        if (b - a > 4096) b = a + 4096;
        const uint64_t at = Point(s);
        s.insert(at, s.substr(a, b - a));
        *what += "[" + std::to_string(a) + ", " + std::to_string(b) + ") copied to " + std::to_string(at);
        break;
      }
    }
    *what += "; ";
    return s;
  }

  // The logdir around the damaged file: sometimes a stray copy of it
  // (TB503), an empty event file (TB201), an impostor (TB106), a non-event
  // file that no fix may touch.
  Case MakeCase(std::string main, std::string what) {
    Case c;
    c.files[kMain] = main;
    c.what = std::move(what);
    if (OneIn(8)) c.files[kMain + ".bak"] = main;
    if (OneIn(10)) c.files["empty/events.out.tfevents.1795298001.gpu-node-1.4243.0"] = "";
    if (OneIn(10)) {
      c.files["lfs/events.out.tfevents.1795298002.gpu-node-1.4244.0"] =
          OneIn(2) ? "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 12345\n"
                   : std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10) + RandomBytes(40);
    }
    if (OneIn(10)) c.files["run/notes.txt"] = "lr=0.1\n";
    return c;
  }

 private:
  const std::vector<std::string>* bases_;
  std::mt19937_64& rng_;
};

// --- running a family ------------------------------------------------------

// Shrinks the event files of a failing case by removing chunks while it
// still fails, so that the report shows a small input.
Case Shrink(Case c, int max_probes = 400) {
  int probes = 0;
  for (auto& [rel, bytes] : c.files) {
    if (!ind::IsEventFileName(rel)) continue;
    std::string& s = bytes;
    for (size_t chunk = std::max<size_t>(1, s.size() / 2); probes < max_probes; chunk /= 2) {
      for (size_t at = 0; at < s.size() && probes < max_probes;) {
        Case smaller = c;
        smaller.files[rel].erase(at, chunk);
        ++probes;
        if (!Run(smaller).ok()) {
          s = smaller.files[rel];
        } else {
          at += chunk;
        }
      }
      if (chunk == 1) break;
    }
  }
  return c;
}

struct FamilyReport {
  int cases = 0;
  int safe_bad = 0, unsafe_bad = 0, unclean = 0, restore_bad = 0, errors = 0;
  int truncated = 0, rewritten = 0, moved = 0;
  std::optional<Case> smallest;
  Verdict smallest_verdict;
};

// Damages `cases` files with 1 to `max_damages` random damages each, drawn
// from `kinds`, runs every one and reports the failures.
FamilyReport RunFamily(uint64_t seed, std::vector<int> kinds, int cases, int max_damages = 1) {
  static const std::vector<std::string> corpus = CorpusEventFiles();
  REQUIRE(corpus.size() >= 30);
  std::mt19937_64 rng(seed);
  std::vector<std::string> bases = corpus;
  for (int i = 0; i < 40; ++i) bases.push_back(GeneratedFile(rng));
  Damager damager(&bases, &rng);
  std::vector<Case> all;
  for (int i = 0; i < cases; ++i) {
    // Generated files half the time: small, so damage hits near records.
    std::string s = damager.OneIn(2) ? GeneratedFile(rng) : corpus[damager.Below(corpus.size())];
    std::string what;
    const int n = 1 + static_cast<int>(damager.Below(static_cast<uint64_t>(max_damages)));
    for (int k = 0; k < n; ++k) {
      const int kind = kinds[damager.Below(kinds.size())];
      what += std::string(DamageName(kind)) + ": ";
      s = damager.Apply(kind, std::move(s), &what);
    }
    all.push_back(damager.MakeCase(std::move(s), what));
  }
  const std::vector<Verdict> verdicts = RunAll(all);
  FamilyReport report;
  for (size_t i = 0; i < all.size(); ++i) {
    const Case& c = all[i];
    const Verdict& v = verdicts[i];
    ++report.cases;
    report.safe_bad += !v.safe.empty();
    report.unsafe_bad += !v.unsafe.empty();
    report.unclean += !v.unclean.empty();
    report.restore_bad += !v.restore.empty();
    report.errors += !v.errors.empty();
    report.truncated += v.truncated;
    report.rewritten += v.rewritten;
    report.moved += v.moved;
    if (!v.ok() && (!report.smallest || c.files.at(kMain).size() < report.smallest->files.at(kMain).size())) {
      report.smallest = c;
      report.smallest_verdict = v;
    }
  }
  return report;
}

void CheckFamily(const std::string& name, const FamilyReport& r) {
  MESSAGE(name << ": " << r.cases << " damaged logdirs; property broken after --fix in " << r.safe_bad
               << ", after --fix --unsafe-fixes in " << r.unsafe_bad << "; damage left by --unsafe-fixes in "
               << r.unclean << "; restore not byte-identical in " << r.restore_bad << " (files fixed: " << r.truncated
               << " truncated, " << r.rewritten << " rewritten, " << r.moved << " moved)");
  // Not vacuous: most damage needs a fix.
  CHECK(r.truncated + r.rewritten + r.moved >= r.cases / 2);
  if (r.smallest) {
    const Case shrunk = Shrink(*r.smallest);
    const Verdict v = Run(shrunk);
    std::ostringstream files;
    for (const auto& [rel, bytes] : shrunk.files) {
      files << "  " << rel << " (" << bytes.size() << " bytes)";
      if (ind::IsEventFileName(rel)) files << ", hex:\n    " << Hex(bytes);
      files << "\n";
    }
    INFO("smallest failing case: " << r.smallest->what << "(" << r.smallest->files.at(kMain).size() << " bytes)\n"
                                   << r.smallest_verdict.Describe() << "shrunk to:\n"
                                   << files.str() << "which fails with:\n"
                                   << v.Describe());
    CHECK(r.safe_bad == 0);
    CHECK(r.unsafe_bad == 0);
    CHECK(r.unclean == 0);
    CHECK(r.restore_bad == 0);
    CHECK(r.errors == 0);
  }
}

// --- the independent scanner itself ------------------------------------------

TEST_CASE("the independent scanner's CRC32C matches the format's test vectors") {
  const std::string digits = "123456789";
  CHECK(ind::Crc32cBitwise(digits.data(), digits.size()) == 0xE3069283u);
  CHECK(ind::Crc32c(digits.data(), digits.size()) == 0xE3069283u);
  const std::string zeros(32, '\0');
  CHECK(ind::Crc32cBitwise(zeros.data(), zeros.size()) == 0x8A9136AAu);
  CHECK(ind::Crc32c(zeros.data(), zeros.size()) == 0x8A9136AAu);
  CHECK(ind::LoadLE(ind::Header(24), 8, 4) == 0x224B7FA3u);
  CHECK(ind::Mask(ind::Crc32c(zeros.data(), 8)) == 0x07980329u);
  CHECK(ind::Mask(ind::Crc32c("", 0)) == 0xA282EAD8u);
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200; ++i) {
    std::string s(rng() % 100, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    REQUIRE(ind::Crc32c(s.data(), s.size()) == ind::Crc32cBitwise(s.data(), s.size()));
  }
}

TEST_CASE("the canonical scan takes a valid record whole, with any record nested in its payload") {
  const std::string inner = ind::Frame(events::PlainHeader(1795298000.0));
  const std::string outer = ind::Frame("xx" + inner + "yy");
  const std::string file = "junk" + outer + inner + std::string(20, '\0');
  const std::vector<ind::Span> spans = ind::CanonicalSpans(file);
  REQUIRE(spans.size() == 2);
  CHECK(spans[0].offset == 4);
  CHECK(spans[0].length == inner.size() + 4);
  CHECK(spans[1].offset == 4 + outer.size());
  CHECK(ind::ExpectedRecords(file, /*unsafe=*/true) == std::vector<std::string>{inner});
  CHECK(ind::ExpectedRecords(file, /*unsafe=*/false) == std::vector<std::string>{outer, inner});
}

// --- regression inputs -----------------------------------------------------

// Three valid records, the second and third hidden behind a header (valid
// length CRC) declaring 1000 bytes that run past the end of the file.
const std::string kHiddenByLongHeaderHex =
    "1800000000000000a37f4b220900000040fc54d9411a0d627261696e2e4576656e743a32eced8f9de8030000000000000795119a0b0000"
    "00000000008615f5040900004040fc54d9411001ba5c940e0b000000000000008615f5040900008040fc54d941100219f6d7d3";

// The first record, then the two records the long header hides.
struct Pieces {
  std::string first, hidden;
};
Pieces SplitRegression() {
  const std::string file = Unhex(kHiddenByLongHeaderHex);
  return {file.substr(0, 40), file.substr(52)};
}

void CheckRegression(const std::string& main) {
  CAPTURE(Hex(main));
  Case c;
  c.files[kMain] = main;
  const Verdict v = Run(c);
  INFO(v.Describe());
  CHECK(v.safe.empty());
  CHECK(v.unsafe.empty());
  CHECK(v.unclean.empty());
  CHECK(v.restore.empty());
  CHECK(v.errors.empty());
}

TEST_CASE("a header whose length runs past the end of the file hides no record from --fix") {
  const std::string file = Unhex(kHiddenByLongHeaderHex);
  REQUIRE(file.size() == 106);
  REQUIRE(ind::CanonicalSpans(file).size() == 3);
  CheckRegression(file);
}

TEST_CASE("a header whose length ends inside a zero tail hides no record from --fix") {
  const Pieces p = SplitRegression();
  const std::string zeros(64, '\0');
  // Declared: the header, 82 bytes of payload and the data CRC end 32 bytes
  // into the zeros after the two hidden records.
  const uint64_t end_in_zeros = p.hidden.size() + 32;
  const std::string file = p.first + ind::Header(end_in_zeros - 4) + p.hidden + zeros;
  REQUIRE(ind::CanonicalSpans(file).size() == 3);
  CheckRegression(file);
}

TEST_CASE("a record whose framing fits but whose data CRC fails hides no record from --fix") {
  const Pieces p = SplitRegression();
  // Declared: exactly up to the end of the last record, whose data CRC then
  // stands in for this record's.
  const std::string file = p.first + ind::Header(p.hidden.size() - 4) + p.hidden;
  REQUIRE(file.size() == 106);
  REQUIRE(ind::CanonicalSpans(file).size() == 3);
  CheckRegression(file);
}

// --- random damage: 3,600 damaged logdirs -------------------------------------

TEST_CASE("fixes keep every valid record of truncated files") {
  CheckFamily("truncated", RunFamily(101, {kTruncate}, 300));
}

TEST_CASE("fixes keep every valid record of files with a zero-filled tail") {
  CheckFamily("zero tail", RunFamily(102, {kZeroTail}, 300));
}

TEST_CASE("fixes keep every valid record of files with flipped bytes") {
  CheckFamily("byte flip", RunFamily(103, {kByteFlip}, 400));
}

TEST_CASE("fixes keep every valid record of files with inserted garbage") {
  CheckFamily("inserted garbage", RunFamily(104, {kGarbage}, 300));
}

TEST_CASE("fixes keep every valid record behind a dead writer's header whose length runs past them") {
  CheckFamily("long header", RunFamily(105, {kLongHeader}, 500));
}

TEST_CASE("fixes keep every valid record covered by a record whose data CRC fails") {
  CheckFamily("bad data CRC span", RunFamily(106, {kBadDataCrcSpan}, 400));
}

TEST_CASE("fixes keep every valid record of spliced files") { CheckFamily("spliced", RunFamily(107, {kSplice}, 400)); }

TEST_CASE("fixes keep every valid record of files with duplicated ranges") {
  CheckFamily("duplicated range", RunFamily(108, {kDuplicate}, 400));
}

TEST_CASE("fixes keep every valid record of files damaged several times over") {
  std::vector<int> all;
  for (int k = 0; k < kDamageKinds; ++k) all.push_back(k);
  CheckFamily("mixed", RunFamily(109, all, 600, /*max_damages=*/3));
}

}  // namespace
}  // namespace tblint
