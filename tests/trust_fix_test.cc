// Issue 7, "repairs keep every valid record": records hidden inside a damaged
// record's declared span, sparse files and absurd lengths, and fixes racing a
// live writer that opens the file for every append, as torch's writer does.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "fix/fixer.h"
#include "record/crc32c.h"
#include "record/record_reader.h"
#include "record/source.h"
#include "rule/registry.h"
#include "test_util.h"

namespace tblint {
namespace {

constexpr double kPast = 1795298000.0;

std::string Unhex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

// Issue 7's minimal case: record 0 (file_version, 40 bytes), then a header
// with a valid length CRC declaring 1000 bytes, then two complete records
// (steps 1 and 2) that another writer appended.
const std::string kHidden = Unhex(
    "1800000000000000a37f4b220900000040fc54d9411a0d627261696e2e4576656e743a32eced8f9de8030000000000000795119a0b000000"
    "000000008615f5040900004040fc54d9411001ba5c940e0b000000000000008615f5040900008040fc54d941100219f6d7d3");

std::string Header(uint64_t length) {
  std::string h;
  for (int i = 0; i < 8; ++i) h.push_back(static_cast<char>((length >> (8 * i)) & 0xFF));
  const uint32_t crc = crc32c::Mask(crc32c::Value(h.data(), 8));
  for (int i = 0; i < 4; ++i) h.push_back(static_cast<char>((crc >> (8 * i)) & 0xFF));
  return h;
}

// The 106-byte case with a zero tail: the long header's declared span ends
// inside 200 zero bytes that follow the hidden records.
std::string ZeroTailVariant() {
  std::string s = kHidden.substr(0, 40) + Header(100) + kHidden.substr(52) + std::string(200, '\0');
  return s;
}

// The data-CRC variant: the header declares exactly the bytes up to the last
// record's end, minus its own footer, so the framing fits and the "data CRC"
// it reads is the last record's.
std::string DataCrcVariant() { return kHidden.substr(0, 40) + Header(106 - 40 - 16) + kHidden.substr(52); }

// Every record a greedy scan finds (valid framing and CRCs), as bytes.
std::vector<std::string> ValidRecords(const std::string& s) {
  std::vector<std::string> out;
  MemorySource src(s);
  RecordReader reader(&src);
  Record r;
  while (true) {
    if (!reader.Next(&r)) {
      if (!reader.Resync()) break;
      continue;
    }
    if (r.kind == RecordKind::kOk) {
      out.push_back(s.substr(r.offset, r.end - r.offset));
    } else if (!reader.Resync()) {
      break;
    }
  }
  return out;
}

std::vector<Record> Outcomes(const std::string& s) {
  MemorySource src(s);
  RecordReader reader(&src);
  std::vector<Record> out;
  Record r;
  while (reader.Next(&r)) {
    r.payload = {};
    out.push_back(r);
  }
  return out;
}

std::string WriteEventFile(const test::TempDir& dir, const std::string& bytes) {
  const std::string path = dir / "run/events.out.tfevents.1795298000.host.1.0";
  test::WriteFile(path, bytes);
  test::SetMtime(path, kPast);
  return path;
}

const Finding* Find(const LintResult& r, const std::string& code) {
  for (const Finding& f : r.findings) {
    if (f.rule->code == code) return &f;
  }
  return nullptr;
}

TEST_CASE("crc32c: ExtendZeros equals extending over that many zero bytes") {
  for (uint64_t n : {0ull, 1ull, 7ull, 63ull, 64ull, 65ull, 1000ull, 4096ull, (1ull << 20) + 3}) {
    CAPTURE(n);
    const std::string zeros(static_cast<size_t>(n), '\0');
    for (uint32_t start : {0u, 0x12345678u, crc32c::Value("123456789", 9)}) {
      CHECK(crc32c::ExtendZeros(start, n) == crc32c::Extend(start, zeros.data(), zeros.size()));
    }
  }
}

TEST_CASE("reader: a truncated record whose declared span hides valid records says how many") {
  REQUIRE(kHidden.size() == 106);
  const std::vector<Record> rs = Outcomes(kHidden);
  REQUIRE(rs.size() == 2);
  CHECK(rs[0].kind == RecordKind::kOk);
  CHECK(rs[1].kind == RecordKind::kTruncated);
  CHECK(rs[1].offset == 40);
  CHECK(rs[1].hidden_records == 2);
  CHECK(rs[1].hidden_first == 52);
  CHECK(rs[1].hidden_end == 106);
}

TEST_CASE("reader: a record cut by a zero tail and a data-CRC mismatch report the records inside their spans") {
  const std::vector<Record> zero = Outcomes(ZeroTailVariant());
  REQUIRE(zero.size() == 2);
  CHECK(zero[1].kind == RecordKind::kZeroFilled);
  CHECK(zero[1].hidden_records == 2);
  const std::vector<Record> data = Outcomes(DataCrcVariant());
  REQUIRE(data.size() == 2);
  CHECK(data[1].kind == RecordKind::kBadDataCrc);
  CHECK(data[1].hidden_records == 2);
  CHECK(data[1].hidden_first == 52);
}

TEST_CASE("reader: an ordinary truncated tail hides nothing") {
  std::string s = test::SmallEventFile(5);
  s.resize(s.size() - 3);
  const std::vector<Record> rs = Outcomes(s);
  CHECK(rs.back().kind == RecordKind::kTruncated);
  CHECK(rs.back().hidden_records == 0);
}

TEST_CASE("lint: TB101 on a span hiding valid records offers salvage, not truncation, and says so") {
  test::TempDir dir;
  WriteEventFile(dir, kHidden);
  const LintResult r = test::LintPath(dir.path());
  const Finding* f = Find(r, "TB101");
  REQUIRE(f != nullptr);
  CHECK(f->fix.applicability == Applicability::kUnsafe);
  CHECK_FALSE(f->fix.truncate_to.has_value());
  CHECK(f->message.find("hides 2 valid records") != std::string::npos);
}

TEST_CASE("lint: TB102 and TB104 on spans hiding valid records offer salvage") {
  {
    test::TempDir dir;
    WriteEventFile(dir, ZeroTailVariant());
    const LintResult r = test::LintPath(dir.path());
    const Finding* f = Find(r, "TB102");
    REQUIRE(f != nullptr);
    CHECK(f->fix.applicability == Applicability::kUnsafe);
    CHECK(f->message.find("hides 2 valid records") != std::string::npos);
  }
  {
    test::TempDir dir;
    WriteEventFile(dir, DataCrcVariant());
    const LintResult r = test::LintPath(dir.path());
    const Finding* f = Find(r, "TB104");
    REQUIRE(f != nullptr);
    CHECK(f->message.find("hides 2 valid records") != std::string::npos);
    CHECK(f->fix.description.find("keeping the 2 valid records") != std::string::npos);
  }
}

TEST_CASE("fix: the 106-byte case and its variants lose no valid record, with or without --unsafe-fixes") {
  for (const std::string& original : {kHidden, ZeroTailVariant(), DataCrcVariant()}) {
    const std::vector<std::string> valid = ValidRecords(original);
    REQUIRE(valid.size() == 3);
    for (bool unsafe : {false, true}) {
      CAPTURE(unsafe);
      test::TempDir dir;
      const std::string path = WriteEventFile(dir, original);
      FixOptions options;
      options.unsafe = unsafe;
      options.now = test::Now();
      ApplyFixes(test::LintPath(dir.path()), options);
      const std::string after = test::ReadFile(path);
      CHECK(ValidRecords(after) == valid);
      if (unsafe) {
        // Salvaged: only the three records are left, and the file reads clean.
        CHECK(after == valid[0] + valid[1] + valid[2]);
        std::vector<RestoreOutcome> restored;
        std::string error;
        CHECK(Restore(dir.path(), "", &restored, &error));
        CHECK(test::ReadFile(path) == original);
      } else {
        CHECK(after == original);  // no safe fix applies
      }
    }
  }
}

TEST_CASE("fix: a safe tail cut is refused when a valid record starts in the bytes it would cut") {
  // The finding offers a cut at 40 (as a scan that missed the hidden records
  // would); the fixer checks the bytes and refuses.
  test::TempDir dir;
  std::string plain = test::SmallEventFile(3);
  plain.resize(plain.size() - 5);
  const std::string path = WriteEventFile(dir, plain);
  LintResult r = test::LintPath(dir.path());
  // Replace the file with the 106-byte case behind the scan's back, keeping
  // what the fixer compares (size, mtime, inode) consistent with a scan of it.
  test::WriteFile(path, kHidden);
  test::SetMtime(path, kPast);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  for (FileResult& f : r.logdir.files) {
    f.info.size = kHidden.size();
    f.info.mtime = st.st_mtim.tv_sec + st.st_mtim.tv_nsec * 1e-9;
    f.info.ino = st.st_ino;
  }
  for (Finding& f : r.findings) {
    if (f.rule->code == std::string("TB101")) f.fix.truncate_to = 40;
  }
  FixOptions options;
  options.now = test::Now();
  const std::vector<FixOutcome> outcomes = ApplyFixes(r, options);
  REQUIRE(outcomes.size() == 1);
  CHECK(outcomes[0].status == FixStatus::kRefused);
  CHECK(outcomes[0].message.find("valid records start in the bytes that would be cut") != std::string::npos);
  CHECK(test::ReadFile(path) == kHidden);
}

TEST_CASE("lint: a 1 TB sparse file whose first record claims 2^63-1 bytes lints in under a second") {
  test::TempDir dir;
  const std::string path = dir / "events.out.tfevents.1795298000.host.1.0";
  std::string head = test::SmallEventFile(2) + Header((1ull << 63) - 1) + "abc";
  test::WriteFile(path, head);
  REQUIRE(::truncate(path.c_str(), static_cast<off_t>(1ull << 40)) == 0);
  test::SetMtime(path, kPast);
  const auto start = std::chrono::steady_clock::now();
  const LintResult r = test::LintPath(dir.path());
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(secs < 1.0);
  CHECK(Find(r, "TB101") != nullptr);
  CHECK(Find(r, "TB101")->fix.applicability == Applicability::kSafe);
}

TEST_CASE("lint: a record claiming most of a 1 TB sparse file is CRC-checked without reading the holes") {
  test::TempDir dir;
  const std::string path = dir / "events.out.tfevents.1795298000.host.1.0";
  const uint64_t size = 1ull << 40;
  const std::string head = test::SmallEventFile(2);
  // A header whose declared payload runs to 4 bytes before the end: the
  // framing fits, so the data CRC (stored as zeros) must be computed.
  test::WriteFile(path, head + Header(size - head.size() - 16));
  REQUIRE(::truncate(path.c_str(), static_cast<off_t>(size)) == 0);
  test::SetMtime(path, kPast);
  const auto start = std::chrono::steady_clock::now();
  const LintResult r = test::LintPath(dir.path());
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(secs < 1.0);
  // All zeros after the header: the tail is a zero region inside record 3.
  CHECK((Find(r, "TB102") != nullptr || Find(r, "TB104") != nullptr));
}

// A writer like TensorBoard's Python one (used by torch): open, append one
// record, close, for every flush. Every 10th append it also leaves a few
// garbage bytes (a torn write), so the file always has something to fix.
void WriterProcess(const std::string& path, int records) {
  for (int i = 0; i < records; ++i) {
    const std::string rec = FrameRecord(events::Scalar(kPast + i, i, "loss", static_cast<float>(i)));
    const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) ::_exit(3);
    if (::write(fd, rec.data(), rec.size()) != static_cast<ssize_t>(rec.size())) ::_exit(4);
    if (i % 10 == 5 && ::write(fd, "\x07garbage", 8) != 8) ::_exit(5);
    ::close(fd);
    // Bursts and pauses, like a writer flushing every ten events.
    ::usleep(i % 10 == 9 ? 40000 : 100);
  }
  ::_exit(0);
}

TEST_CASE("fix: a live writer appending record by record loses nothing to repeated --fix --unsafe-fixes" *
          doctest::test_suite("slow")) {
  test::TempDir dir;
  const std::string path = dir / "run/events.out.tfevents.1795298000.host.77.0";
  test::WriteFile(path, FrameRecord(events::PlainHeader(kPast)));
  constexpr int kRecords = 800;
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) WriterProcess(path, kRecords);

  int fixed = 0, refused = 0, rounds = 0;
  for (int status = 0; ::waitpid(child, &status, WNOHANG) == 0; ++rounds) {
    ScanConfig config;
    for (const auto& rule : AllRules()) config.rules.push_back(rule.get());
    config.lint.now = test::Now();
    config.lint.grace_period_s = 0;  // never refuse for being recent: race the writer
    config.jobs = 1;
    // Prove the lease alone: no help from /proc, which cannot see a writer
    // between its appends anyway.
    config.detect_live_writers = false;
    LintResult result;
    std::string error;
    REQUIRE(Lint(dir.path(), config, &result, &error));
    FixOptions options;
    options.unsafe = true;
    options.now = config.lint.now;
    for (const FixOutcome& o : ApplyFixes(result, options)) {
      if (o.status == FixStatus::kFixed) ++fixed;
      if (o.status == FixStatus::kRefused) ++refused;
      if (o.status == FixStatus::kFailed) FAIL_CHECK(o.message);
      if (o.status == FixStatus::kFixed && o.message.find("writer appended") != std::string::npos) MESSAGE(o.message);
    }
  }
  MESSAGE("rounds " << rounds << ", fixed " << fixed << ", refused " << refused);
  CHECK(fixed > 0);  // the race was really run: fixes landed between appends
  std::set<int64_t> steps;
  const std::string bytes = test::ReadFile(path);
  for (const std::string& rec : ValidRecords(bytes)) {
    event::EventView ev;
    event::WireError err;
    if (event::DecodeEvent(std::string_view(rec).substr(12, rec.size() - 16), &ev, &err) && !ev.values.empty()) {
      steps.insert(ev.step);
    }
  }
  CHECK(steps.size() == kRecords);
}

}  // namespace
}  // namespace tblint

namespace tblint {
namespace {

TEST_CASE("fix: a 1 TB sparse zero tail is cut, backed up sparse and restored in well under a second") {
  test::TempDir dir;
  const std::string path = dir / "run/events.out.tfevents.1795298000.host.1.0";
  const std::string head = test::SmallEventFile(3);
  test::WriteFile(path, head);
  REQUIRE(::truncate(path.c_str(), static_cast<off_t>(1ull << 40)) == 0);
  test::SetMtime(path, kPast);
  const auto start = std::chrono::steady_clock::now();
  FixOptions options;
  options.now = test::Now();
  const std::vector<FixOutcome> outcomes = ApplyFixes(test::LintPath(dir.path()), options);
  REQUIRE(outcomes.size() == 1);
  CHECK(outcomes[0].status == FixStatus::kFixed);
  CHECK(test::ReadFile(path) == head);
  std::vector<RestoreOutcome> restored;
  std::string error;
  CHECK(Restore(dir.path(), "", &restored, &error));
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK(static_cast<uint64_t>(st.st_size) == (1ull << 40));
  CHECK(st.st_blocks * 512 < (64 << 20));  // still sparse
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(secs < 2.0);
}

}  // namespace
}  // namespace tblint

namespace tblint {
namespace {

TEST_CASE("reader: a zero tail made of written zeros followed by a hole starts where the written zeros start") {
  test::TempDir dir;
  const std::string path = dir / "events.out.tfevents.1795298000.host.1.0";
  const std::string head = test::SmallEventFile(3);
  test::WriteFile(path, head + std::string(8192, '\0'));
  REQUIRE(::truncate(path.c_str(), static_cast<off_t>(head.size() + (1 << 20))) == 0);
  FileSource src;
  REQUIRE_FALSE(src.Open(path));
  RecordReader reader(&src);
  Record r;
  Record last;
  while (reader.Next(&r)) last = r;
  CHECK(last.kind == RecordKind::kZeroFilled);
  CHECK(last.zeros_from == head.size());
}

}  // namespace
}  // namespace tblint
