// Repair without loss: unsafe fixes, backups, restore, and two proofs that no
// valid record is ever lost: a property test over randomly damaged copies of
// the real corpus files, and a fault-injection test that kills the fixer at
// every durable step.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <boost/filesystem.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "event.pb.h"
#include "fix/fixer.h"
#include "fix/plan.h"
#include "record/crc32c.h"
#include "record/record_reader.h"
#include "test_util.h"

namespace tblint {
namespace {

namespace fs = boost::filesystem;
using nlohmann::json;

constexpr double kPast = 1795298000.0;

uint64_t LE(const std::string& s, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(s[at + i]);
  return v;
}

// An independent, brute-force statement of "every valid record": walking
// from the start, take a record wherever one with a fitting length and both
// CRCs valid begins and jump past it, else move on by one byte. Records whose
// payload is not an Event are left out (TensorBoard fails on them; the
// salvage drops them too).
std::vector<std::string> ValidRecords(const std::string& s) {
  std::vector<std::string> out;
  size_t p = 0;
  while (p + 16 <= s.size()) {
    const uint64_t len = LE(s, p, 8);
    const bool header = crc32c::Mask(crc32c::Value(s.data() + p, 8)) == LE(s, p + 8, 4);
    if (header && len <= s.size() - p - 16 &&
        crc32c::Mask(crc32c::Value(s.data() + p + 12, len)) == LE(s, p + 12 + len, 4)) {
      tensorboard::Event e;
      if (e.ParseFromArray(s.data() + p + 12, static_cast<int>(len))) out.push_back(s.substr(p, 16 + len));
      p += 16 + len;
    } else {
      ++p;
    }
  }
  return out;
}

std::vector<std::string> RecordsOf(const std::string& s) {
  std::vector<std::string> out;
  MemorySource src(s);
  RecordReader reader(&src);
  Record r;
  while (reader.Next(&r) && r.kind == RecordKind::kOk) out.push_back(s.substr(r.offset, r.end - r.offset));
  return out;
}

std::vector<std::string> CleanCorpusFiles() {
  std::vector<std::string> out;
  for (const char* c : {"clean_tb_native_train_validation", "clean_torch_all_kinds", "clean_tensorboardX_two_runs",
                        "resumed_run_overlap", "nan_inf_scalars"}) {
    for (fs::recursive_directory_iterator it(test::SourceDir() + "/fixtures/corpus/cases/" + c), end; it != end; ++it) {
      if (fs::is_regular_file(it->status())) out.push_back(test::ReadFile(it->path().string()));
    }
  }
  return out;
}

// One random kind of damage, as crashes, disks and careless copies make it.
std::string Damage(std::string s, const std::vector<std::string>& corpus, std::mt19937_64& rng, std::string* what) {
  auto at = [&](size_t n) { return n == 0 ? size_t{0} : static_cast<size_t>(rng() % n); };
  switch (rng() % 7) {
    case 0:
      s.resize(at(s.size() + 1));
      *what = "truncated";
      break;
    case 1: {
      const size_t from = at(s.size() + 1);
      s.resize(std::max(s.size(), from + 12 + at(5000)), '\0');
      for (size_t i = from; i < s.size(); ++i) s[i] = '\0';
      *what = "zero tail";
      break;
    }
    case 2:
      for (int k = 0, n = 1 + static_cast<int>(rng() % 3); k < n && !s.empty(); ++k) {
        s[at(s.size())] ^= static_cast<char>(1 << (rng() % 8));
      }
      *what = "flipped bits";
      break;
    case 3: {
      std::string garbage(1 + at(64), '\0');
      for (char& c : garbage) c = static_cast<char>(rng());
      s.insert(at(s.size() + 1), garbage);
      *what = "inserted garbage";
      break;
    }
    case 4: {
      const std::string& other = corpus[at(corpus.size())];
      s = s.substr(0, at(s.size() + 1)) + other.substr(at(other.size() + 1));
      *what = "two files spliced";
      break;
    }
    case 5: {
      // A damaged length CRC in the middle: a record header overwritten.
      std::vector<std::string> recs = RecordsOf(s);
      size_t off = 0, k = at(recs.size());
      for (size_t i = 0; i < k; ++i) off += recs[i].size();
      if (off + 12 <= s.size()) s[off + 8 + at(4)] ^= 0x40;
      *what = "bad length CRC";
      break;
    }
    default: {
      // A well-framed record that is not an Event.
      std::string junk(5 + at(40), '\0');
      for (char& c : junk) c = static_cast<char>(rng());
      std::vector<std::string> recs = RecordsOf(s);
      size_t off = 0, k = at(recs.size() + 1);
      for (size_t i = 0; i < k && i < recs.size(); ++i) off += recs[i].size();
      s.insert(std::min(off, s.size()), FrameRecord(junk));
      *what = "undecodable record";
    }
  }
  return s;
}

TEST_CASE("unsafe fixes keep every valid record of randomly damaged real files, in order, byte-identical" *
          doctest::test_suite("slow")) {
  const std::vector<std::string> corpus = CleanCorpusFiles();
  REQUIRE(corpus.size() >= 5);
  std::mt19937_64 rng(4242);
  const std::string name = "events.out.tfevents.1795298000.host.7.0";
  int rewritten = 0, moved = 0, truncated = 0;
  for (int trial = 0; trial < 120; ++trial) {
    std::string what, all;
    std::string bytes = corpus[rng() % corpus.size()];
    for (int k = 0, n = 1 + static_cast<int>(rng() % 2); k < n; ++k) {
      bytes = Damage(bytes, corpus, rng, &what);
      all += what + "; ";
    }
    CAPTURE(trial);
    CAPTURE(all);
    test::TempDir dir;
    const std::string file = dir / ("run/" + name);
    test::WriteFile(file, bytes);
    test::SetMtime(file, kPast);
    const std::vector<std::string> expected = ValidRecords(bytes);

    const test::CliResult r = test::RunCli({"--fix", "--unsafe-fixes", "--format", "json", dir.path()});
    CAPTURE(r.out);
    REQUIRE(r.exit_code != 2);
    const json doc = json::parse(r.out);
    for (const json& f : doc["findings"]) CHECK(f["code"].get<std::string>().substr(0, 3) != "TB1");
    for (const json& fx : doc["fixes"]) {
      CHECK(fx["status"] == "fixed");
      const std::string action = fx["action"];
      rewritten += action == "rewrite";
      moved += action == "move";
      truncated += action == "truncate";
    }
    if (!fs::exists(file)) {
      // Moved aside (nothing valid was left in it, e.g. an empty or text-like file).
      CHECK(expected.empty());
      continue;
    }
    // Every valid record is there, in order, byte-identical, and nothing else.
    CHECK(RecordsOf(test::ReadFile(file)) == expected);
  }
  MESSAGE(rewritten << " rewritten, " << truncated << " truncated, " << moved << " moved");
  CHECK(rewritten > 20);
  CHECK(truncated > 5);
}

// The original bytes of every file under `dir`, but the backup folder.
std::map<std::string, std::string> Snapshot(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (fs::recursive_directory_iterator it(dir), end; it != end; ++it) {
    if (it->path().filename() == ".tblint-backup") {
      it.disable_recursion_pending();
      continue;
    }
    if (fs::is_regular_file(it->status())) {
      out[fs::relative(it->path(), dir).string()] = test::ReadFile(it->path().string());
    }
  }
  return out;
}

// A logdir with one file per kind of fix, all dated in the past.
void MakeDamagedLogdir(const std::string& dir) {
  std::string tail = test::SmallEventFile(20);
  tail.resize(tail.size() - 9);  // TB101: truncate
  std::string flipped = test::SmallEventFile(20);
  flipped[200] ^= 0x10;  // TB104: rewrite
  std::string bad_len = test::SmallEventFile(20);
  bad_len[bad_len.size() / 2 + 3] ^= 0x01;  // some damage in the middle: rewrite
  test::WriteFile(dir + "/a/events.out.tfevents.1795298000.host.1.0", tail);
  test::WriteFile(dir + "/b/events.out.tfevents.1795298000.host.2.0", flipped);
  test::WriteFile(dir + "/c/events.out.tfevents.1795298000.host.3.0", bad_len);
  test::WriteFile(dir + "/d/events.out.tfevents.1795298000.host", "");                           // TB201: move
  test::WriteFile(dir + "/e/events.out.tfevents.1795298000.host.5.0", test::SmallEventFile(5));  // clean
  test::WriteFile(dir + "/f/events.out.tfevents.1795298000.host.6.0",
                  test::SmallEventFile(20) + std::string(300, '\0'));  // TB102: truncate
  for (const char* f : {"/a/events.out.tfevents.1795298000.host.1.0", "/b/events.out.tfevents.1795298000.host.2.0",
                        "/c/events.out.tfevents.1795298000.host.3.0", "/d/events.out.tfevents.1795298000.host",
                        "/e/events.out.tfevents.1795298000.host.5.0", "/f/events.out.tfevents.1795298000.host.6.0"}) {
    test::SetMtime(dir + f, kPast);
  }
}

int RunBinary(const std::string& args, const std::string& env = "") {
  const std::string cmd = env + " " + TBLINT_BINARY + " " + args + " >/dev/null 2>&1";
  const int status = std::system(cmd.c_str());
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

TEST_CASE("--unsafe-fixes truncates, rewrites and moves, and tblint restore puts every file back") {
  test::TempDir dir;
  MakeDamagedLogdir(dir.path());
  const auto original = Snapshot(dir.path());

  // Without --unsafe-fixes only the safe tail fix runs; the rest is listed.
  const json safe = json::parse(test::RunCli({"--fix", "--dry-run", "--format", "json", dir.path()}).out);
  std::map<std::string, std::string> status;
  for (const json& f : safe["fixes"]) status[f["path"]] = f["status"];
  CHECK(status["a/events.out.tfevents.1795298000.host.1.0"] == "would fix");
  CHECK(status["b/events.out.tfevents.1795298000.host.2.0"] == "needs --unsafe-fixes");
  CHECK(status["d/events.out.tfevents.1795298000.host"] == "needs --unsafe-fixes");
  CHECK(Snapshot(dir.path()) == original);

  const test::CliResult r = test::RunCli({"--fix", "--unsafe-fixes", "--format", "json", dir.path()});
  CAPTURE(r.out);
  const json doc = json::parse(r.out);
  CHECK(doc["findings"].empty());
  CHECK(r.exit_code == 0);
  std::map<std::string, json> fixes;
  for (const json& f : doc["fixes"]) fixes[f["path"]] = f;
  CHECK(fixes["a/events.out.tfevents.1795298000.host.1.0"]["action"] == "truncate");
  CHECK(fixes["f/events.out.tfevents.1795298000.host.6.0"]["action"] == "truncate");
  CHECK(fixes["b/events.out.tfevents.1795298000.host.2.0"]["action"] == "rewrite");
  CHECK(fixes["b/events.out.tfevents.1795298000.host.2.0"]["dropped_records"] == 1);
  CHECK(fixes["b/events.out.tfevents.1795298000.host.2.0"]["kept_records"] == 20);
  CHECK(fixes["d/events.out.tfevents.1795298000.host"]["action"] == "move");
  CHECK_FALSE(fs::exists(dir / "d/events.out.tfevents.1795298000.host"));
  // Nothing in the backup folder can be mistaken for an event file.
  for (fs::recursive_directory_iterator it(dir / ".tblint-backup"), end; it != end; ++it) {
    CHECK(it->path().string().find("tfevents", (dir / ".tblint-backup").size()) == std::string::npos);
  }
  CHECK(fs::exists(fs::path(fixes["d/events.out.tfevents.1795298000.host"]["side_file"].get<std::string>())));

  const test::CliResult restore = test::RunCli({"restore", dir.path()});
  CAPTURE(restore.out);
  CHECK(restore.exit_code == 0);
  CHECK(Snapshot(dir.path()) == original);
  // A second restore finds nothing left to undo.
  CHECK(test::RunCli({"restore", dir.path()}).out.find("nothing to restore") != std::string::npos);
}

TEST_CASE("restore refuses a file that changed after the fix, and --backup-dir keeps backups elsewhere") {
  test::TempDir dir, backups;
  MakeDamagedLogdir(dir.path());
  CHECK(test::RunCli({"--fix", "--backup-dir", backups.path(), dir.path()}).exit_code != 2);
  CHECK_FALSE(fs::exists(dir / ".tblint-backup"));
  test::WriteFile(dir / "a/events.out.tfevents.1795298000.host.1.0", test::SmallEventFile(3));
  const test::CliResult r = test::RunCli({"restore", "--backup-dir", backups.path(), dir.path()});
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("refused") != std::string::npos);
}

TEST_CASE("the fixer killed at any step leaves each file original or fixed, and restore recovers the originals" *
          doctest::test_suite("slow")) {
  test::TempDir fixed_dir;
  MakeDamagedLogdir(fixed_dir.path());
  const auto original = Snapshot(fixed_dir.path());
  REQUIRE(RunBinary("--fix --unsafe-fixes " + fixed_dir.path()) == 0);
  const auto fixed = Snapshot(fixed_dir.path());
  REQUIRE(fixed != original);

  int killed = 0;
  for (int n = 1; n < 200; ++n) {
    CAPTURE(n);
    test::TempDir dir;
    MakeDamagedLogdir(dir.path());
    const int rc = RunBinary("--fix --unsafe-fixes " + dir.path(), "TBLINT_FAULT_AT=" + std::to_string(n));
    const auto now = Snapshot(dir.path());
    for (const auto& [rel, bytes] : original) {
      CAPTURE(rel);
      auto it = now.find(rel);
      auto fx = fixed.find(rel);
      if (it == now.end()) {
        CHECK(fx == fixed.end());  // moved aside: only ever the complete move
      } else {
        CHECK((it->second == bytes || (fx != fixed.end() && it->second == fx->second)));
      }
    }
    for (const auto& [rel, bytes] : now) {
      // A temporary a kill left behind is never named like an event file.
      if (original.count(rel) == 0) CHECK(fs::path(rel).filename().string().find("tfevents") == std::string::npos);
    }
    REQUIRE(RunBinary("restore " + dir.path()) == 0);
    const auto restored = Snapshot(dir.path());
    for (const auto& [rel, bytes] : restored) {
      CAPTURE(rel);
      CHECK(original.count(rel) == 1);
    }
    for (const auto& [rel, bytes] : original) {
      CAPTURE(rel);
      REQUIRE(restored.count(rel) == 1);
      CHECK(restored.at(rel) == bytes);
    }
    if (rc != 128 + SIGABRT) break;  // the run finished: every step was covered
    ++killed;
  }
  MESSAGE("killed at " << killed << " different steps");
  CHECK(killed > 20);
}

}  // namespace
}  // namespace tblint

namespace tblint {
namespace {

TEST_CASE("a file that changed between the scan and the fix is refused and left alone") {
  test::TempDir dir;
  MakeDamagedLogdir(dir.path());
  const LintResult result = test::LintPath(dir.path());
  // Someone appends to one file and rewrites another after the scan.
  const std::string appended = dir / "a/events.out.tfevents.1795298000.host.1.0";
  const std::string replaced = dir / "b/events.out.tfevents.1795298000.host.2.0";
  test::WriteFile(appended, test::ReadFile(appended) + "more");
  test::SetMtime(appended, kPast);
  const std::string replacement = test::SmallEventFile(20);
  test::WriteFile(replaced + ".new", replacement);
  REQUIRE(std::rename((replaced + ".new").c_str(), replaced.c_str()) == 0);  // new inode
  test::SetMtime(replaced, kPast);

  FixOptions options;
  options.unsafe = true;
  options.now = test::Now();
  std::map<std::string, FixOutcome> by_path;
  for (const FixOutcome& o : ApplyFixes(result, options)) by_path[o.rel_path] = o;
  for (const char* rel : {"a/events.out.tfevents.1795298000.host.1.0", "b/events.out.tfevents.1795298000.host.2.0"}) {
    CAPTURE(rel);
    CHECK(by_path[rel].status == FixStatus::kRefused);
    CHECK(by_path[rel].message.find("changed since it was scanned") != std::string::npos);
  }
  CHECK(test::ReadFile(replaced) == replacement);
  CHECK(by_path["c/events.out.tfevents.1795298000.host.3.0"].status == FixStatus::kFixed);
}

}  // namespace
}  // namespace tblint

namespace tblint {
namespace {

// Counts the bytes read through it.
class CountingSource final : public Source {
 public:
  explicit CountingSource(std::string_view data) : inner_(data) {}
  uint64_t Size() const override { return inner_.Size(); }
  std::error_code ReadAt(uint64_t offset, size_t n, uint8_t* buf) override {
    bytes_read += n;
    return inner_.ReadAt(offset, n, buf);
  }
  uint64_t bytes_read = 0;

 private:
  MemorySource inner_;
};

// A valid event file of a few MB and where its last record ends.
std::string BigEventFile() { return test::SmallEventFile(100000); }

TEST_CASE("a tail cut reads back the bytes it cuts and the last records before them, not the whole file") {
  const std::string valid = BigEventFile();
  REQUIRE(valid.size() > 2'000'000);
  const uint64_t cut = valid.size();
  const std::string cut_short = valid + FrameRecord(std::string(40, 'x')).substr(0, 21);  // a torn write
  CountingSource src(cut_short);
  CutCheck check;
  CHECK(VerifyCut(&src, cut, &check) == "");
  CHECK_FALSE(check.read_from_start);
  CHECK(check.records_read_back > 100);  // every record wholly inside the last 64 KiB
  CHECK(check.window_from == cut - kKeptWindow);
  CHECK(check.window_crc == crc32c::Value(valid.data() + check.window_from, kKeptWindow));
  CAPTURE(src.bytes_read);
  CHECK(src.bytes_read < 4 * kKeptWindow);  // not the file's 2+ MB

  // The same check from the start reads it all, and agrees.
  CountingSource again(cut_short);
  CHECK(VerifyCutFromStart(&again, cut) == "");
  CHECK(again.bytes_read >= cut);

  // A file shorter than the window: all of it is the window.
  const std::string small = test::SmallEventFile(3);
  const std::string small_cut = small + std::string(40, '\0');
  MemorySource small_src(small_cut);
  CHECK(VerifyCut(&small_src, small.size(), &check) == "");
  CHECK(check.window_from == 0);
  CHECK(check.records_read_back == 4);  // file_version and three scalars
  CHECK(check.window_crc == crc32c::Value(small.data(), small.size()));
}

TEST_CASE("a tail cut is refused when the cut is not after a whole record or the cut bytes hold a valid record") {
  const std::string valid = test::SmallEventFile(50);
  const std::string torn = valid + FrameRecord(std::string(40, 'x')).substr(0, 21);
  CutCheck check;
  {
    // Three bytes early: inside the last valid record.
    MemorySource src(torn);
    const std::string why = VerifyCut(&src, valid.size() - 3, &check);
    CAPTURE(why);
    CHECK_FALSE(why.empty());
  }
  {
    // A torn record after five stray bytes: the cut bytes are fine, but no
    // record ends at the cut, so the file is read from the start, which
    // says why.
    const std::string stray = valid + "stray" + FrameRecord(std::string(40, 'x')).substr(0, 21);
    MemorySource src(stray);
    const std::string why = VerifyCut(&src, valid.size() + 5, &check);
    CAPTURE(why);
    CHECK(check.read_from_start);
    CHECK(why.find("before the cut is not valid") != std::string::npos);
  }
  {
    // A header whose length runs past the end, over a complete record
    // another writer appended: cutting it would remove that record.
    const std::string header = FrameRecord(std::string(1000, 'y')).substr(0, 12);
    std::string inner_event;
    {
      tensorboard::Event e;
      e.set_wall_time(1795298001.0);
      e.set_step(7);
      inner_event = e.SerializeAsString();
    }
    const std::string file = valid + header + FrameRecord(inner_event);
    MemorySource src(file);
    const std::string why = VerifyCut(&src, valid.size(), &check);
    CAPTURE(why);
    CHECK(why.find("1 valid record starts in the bytes that would be cut (the first at offset " +
                   std::to_string(valid.size() + 12) + ")") != std::string::npos);
  }
  {
    // Not a truncated record or zeros: a damaged header followed by data.
    std::string file = valid + FrameRecord(std::string(40, 'x'));
    file[valid.size() + 9] ^= 0x01;
    MemorySource src(file);
    const std::string why = VerifyCut(&src, valid.size(), &check);
    CAPTURE(why);
    CHECK(why.find("not a truncated record or zeros") != std::string::npos);
  }
}

// The one session folder under `backups`, and its journal.
std::string OnlySession(const std::string& backups) {
  std::vector<std::string> sessions;
  for (fs::directory_iterator it(backups), end; it != end; ++it) sessions.push_back(it->path().string());
  REQUIRE(sessions.size() == 1);
  return sessions[0];
}

TEST_CASE("the journal of a tail cut identifies the file by its sizes, the cut bytes and the last bytes kept") {
  test::TempDir dir;
  const std::string file = dir / "run/events.out.tfevents.1795298000.host.1.0";
  const std::string valid = test::SmallEventFile(3000);
  REQUIRE(valid.size() > kKeptWindow);
  const std::string tail = FrameRecord(std::string(40, 'x')).substr(0, 21);
  test::WriteFile(file, valid + tail);
  test::SetMtime(file, kPast);
  REQUIRE(RunBinary("--fix " + dir.path()) == 0);
  CHECK(test::ReadFile(file) == valid);
  const std::string session = OnlySession(dir / ".tblint-backup");
  const json journal = json::parse(test::ReadFile(session + "/journal.json"));
  REQUIRE(journal["actions"].size() == 1);
  const json& a = journal["actions"][0];
  CHECK(a["action"] == "truncate");
  CHECK(a["state"] == "done");
  CHECK(a["old_size"] == valid.size() + tail.size());
  CHECK(a["new_size"] == valid.size());
  CHECK(a["tail_crc32c"] == crc32c::Value(tail.data(), tail.size()));
  CHECK(a["window_from"] == valid.size() - kKeptWindow);
  CHECK(a["window_crc32c"] == crc32c::Value(valid.data() + valid.size() - kKeptWindow, kKeptWindow));
  // No whole-file checksum: computing it would cost a read of the whole file.
  CHECK_FALSE(a.contains("old_crc32c"));
  CHECK_FALSE(a.contains("new_crc32c"));
  CHECK(test::ReadFile(session + "/" + a["backup"].get<std::string>()) == tail);
}

TEST_CASE("restore of a tail cut checks the kept bytes it journaled, and finishes an append a kill interrupted") {
  const std::string valid = test::SmallEventFile(3000);
  const std::string tail = FrameRecord(std::string(40, 'x')).substr(0, 21);
  const auto fixed_logdir = [&](test::TempDir& dir) {
    const std::string file = dir / "run/events.out.tfevents.1795298000.host.1.0";
    test::WriteFile(file, valid + tail);
    test::SetMtime(file, kPast);
    REQUIRE(RunBinary("--fix " + dir.path()) == 0);
    REQUIRE(test::ReadFile(file) == valid);
    return file;
  };
  SUBCASE("a byte changed in the last 64 KiB kept: refused, left as it is") {
    test::TempDir dir;
    const std::string file = fixed_logdir(dir);
    std::string changed = valid;
    changed[valid.size() - 100] ^= 0x01;
    test::WriteFile(file, changed);
    const test::CliResult r = test::RunCli({"restore", dir.path()});
    CAPTURE(r.out);
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("refused") != std::string::npos);
    CHECK(test::ReadFile(file) == changed);
  }
  SUBCASE("a file grown by other bytes after the fix: refused") {
    test::TempDir dir;
    const std::string file = fixed_logdir(dir);
    test::WriteFile(file, valid + test::Frame({"more"}));
    CHECK(test::RunCli({"restore", dir.path()}).exit_code == 1);
    CHECK(test::ReadFile(file) == valid + test::Frame({"more"}));
  }
  SUBCASE("the start of the tail already appended: the rest is appended") {
    test::TempDir dir;
    const std::string file = fixed_logdir(dir);
    test::WriteFile(file, valid + tail.substr(0, 8));
    test::SetMtime(file, kPast);
    const test::CliResult r = test::RunCli({"restore", dir.path()});
    CAPTURE(r.out);
    CHECK(r.exit_code == 0);
    CHECK(test::ReadFile(file) == valid + tail);
    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK(st.st_mtim.tv_sec == static_cast<time_t>(kPast));  // the times are kept
  }
  SUBCASE("the whole tail already there: already original") {
    test::TempDir dir;
    const std::string file = fixed_logdir(dir);
    test::WriteFile(file, valid + tail);
    const test::CliResult r = test::RunCli({"restore", dir.path()});
    CAPTURE(r.out);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("already original") != std::string::npos);
    CHECK(test::ReadFile(file) == valid + tail);
  }
  SUBCASE("a damaged backup: nothing done") {
    test::TempDir dir;
    const std::string file = fixed_logdir(dir);
    const std::string session = OnlySession(dir / ".tblint-backup");
    const json journal = json::parse(test::ReadFile(session + "/journal.json"));
    const std::string backup = session + "/" + journal["actions"][0]["backup"].get<std::string>();
    std::string bad = tail;
    bad[3] ^= 0x20;
    test::WriteFile(backup, bad);
    const test::CliResult r = test::RunCli({"restore", dir.path()});
    CAPTURE(r.out);
    CHECK(r.exit_code == 1);
    CHECK(test::ReadFile(file) == valid);
  }
}

TEST_CASE("restore still reads the journal of a tail cut written by earlier versions (whole-file checksums)") {
  test::TempDir dir;
  const std::string valid = test::SmallEventFile(30);
  const std::string tail = FrameRecord(std::string(40, 'x')).substr(0, 21);
  const std::string rel = "run/events.out.tfevents.1795298000.host.1.0";
  test::WriteFile(dir / rel, valid);  // as the old fixer left it
  const std::string session = dir / ".tblint-backup/20261101T000000Z-1";
  const std::string backup = "files/run/events.out.tf-events.1795298000.host.1.0.tail-at-" +
                             std::to_string(valid.size()) + ".bin";
  test::WriteFile(session + "/" + backup, tail);
  const std::string original = valid + tail;
  json action = {{"action", "truncate"},
                 {"path", rel},
                 {"backup", backup},
                 {"codes", "TB101"},
                 {"old_size", original.size()},
                 {"old_crc32c", crc32c::Value(original.data(), original.size())},
                 {"new_size", valid.size()},
                 {"new_crc32c", crc32c::Value(valid.data(), valid.size())},
                 {"state", "done"}};
  const json journal = {{"tool", "tblint"},
                        {"version", "0.9.0"},
                        {"logdir", fs::absolute(dir.path()).lexically_normal().string()},
                        {"actions", json::array({action})}};
  test::WriteFile(session + "/journal.json", journal.dump());
  const test::CliResult r = test::RunCli({"restore", dir.path()});
  CAPTURE(r.out);
  CHECK(r.exit_code == 0);
  CHECK(test::ReadFile(dir / rel) == original);
}

TEST_CASE("restore killed at any step leaves each file fixed, original or (a cut) the fixed file and the start of "
          "its tail, and a second restore recovers the originals" *
          doctest::test_suite("slow")) {
  test::TempDir fixed_dir;
  MakeDamagedLogdir(fixed_dir.path());
  const auto original = Snapshot(fixed_dir.path());
  REQUIRE(RunBinary("--fix --unsafe-fixes " + fixed_dir.path()) == 0);
  const auto fixed = Snapshot(fixed_dir.path());

  int killed = 0;
  for (int n = 1; n < 200; ++n) {
    CAPTURE(n);
    test::TempDir dir;
    MakeDamagedLogdir(dir.path());
    REQUIRE(RunBinary("--fix --unsafe-fixes " + dir.path()) == 0);
    REQUIRE(Snapshot(dir.path()) == fixed);
    const int rc = RunBinary("restore " + dir.path(), "TBLINT_FAULT_AT=" + std::to_string(n));
    const auto now = Snapshot(dir.path());
    for (const auto& [rel, bytes] : original) {
      CAPTURE(rel);
      auto it = now.find(rel);
      auto fx = fixed.find(rel);
      if (it == now.end()) {
        CHECK(fx == fixed.end());  // a moved file not moved back yet
        continue;
      }
      const std::string& cur = it->second;
      const bool is_fixed = fx != fixed.end() && cur == fx->second;
      // A cut being put back: the fixed bytes, then the start of the tail.
      const bool partly = fx != fixed.end() && cur.size() > fx->second.size() && cur.size() < bytes.size() &&
                          bytes.compare(0, cur.size(), cur) == 0 && cur.compare(0, fx->second.size(), fx->second) == 0;
      CHECK((cur == bytes || is_fixed || partly));
    }
    for (const auto& [rel, bytes] : now) {
      if (original.count(rel) == 0) CHECK(fs::path(rel).filename().string().find("tfevents") == std::string::npos);
    }
    REQUIRE(RunBinary("restore " + dir.path()) == 0);
    const auto restored = Snapshot(dir.path());
    for (const auto& [rel, bytes] : restored) {
      CAPTURE(rel);
      CHECK(original.count(rel) == 1);
    }
    for (const auto& [rel, bytes] : original) {
      CAPTURE(rel);
      REQUIRE(restored.count(rel) == 1);
      CHECK(restored.at(rel) == bytes);
    }
    if (rc != 128 + SIGABRT) break;  // the restore finished: every step was covered
    ++killed;
  }
  MESSAGE("restore killed at " << killed << " different steps");
  CHECK(killed > 10);
}

}  // namespace
}  // namespace tblint
