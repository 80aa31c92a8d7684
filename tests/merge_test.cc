// tblint merge (docs/merge.md): combine, join and reduce, judged by readers
// that share no code with the merge: protobuf's generated parser, the
// independent record scanner, TensorBoard's semantics restated here, and the
// real linter over every output.
#include <doctest/doctest.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "cli/common.h"
#include "independent_scanner.h"
#include "merge/merge.h"
#include "merge/output.h"
#include "record/record_reader.h"
#include "test_util.h"

namespace tblint::test {
namespace {

namespace fs = boost::filesystem;

// Wall times a few hours old: no rule sees a live writer or a future time.
double Base() { return std::floor(Now()) - 6 * 3600; }

std::string Stamp(double t) { return std::to_string(static_cast<int64_t>(t)); }
std::string TorchName(double t, int pid, int n) {
  return "events.out.tfevents." + Stamp(t) + ".host-a." + std::to_string(pid) + "." + std::to_string(n);
}
std::string TbxName(double t) { return "events.out.tfevents." + Stamp(t) + ".host-b"; }

// The event files under `dir`, by path.
std::vector<std::string> EventFiles(const std::string& dir) {
  std::vector<std::string> out;
  for (fs::recursive_directory_iterator it(dir), end; it != end; ++it) {
    if (fs::is_regular_file(it->path()) && it->path().filename().string().find("tfevents") != std::string::npos) {
      out.push_back(it->path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Every Event of a file, by the independent scanner and protobuf's parser.
std::vector<tensorboard::Event> ReadEvents(const std::string& path) {
  const std::string bytes = ReadFile(path);
  std::vector<tensorboard::Event> out;
  for (const independent::Span& s : independent::CanonicalSpans(bytes)) {
    tensorboard::Event e;
    if (e.ParseFromString(std::string(independent::Payload(bytes, s)))) out.push_back(e);
  }
  return out;
}

// A point as TensorBoard shows it: tag, step and the value's exact bytes.
struct Shown {
  std::string tag;
  int64_t step;
  std::string value;
  auto operator<=>(const Shown&) const = default;
};

// What TensorBoard shows for a run whose files are `paths`, restated from its
// readers: files in name order; per tag, a point at step s removes every
// earlier kept point with step >= s (the Rust server); a SessionLog START at
// step s removes every earlier point with step >= s (the Python reader);
// graph_def is a series of its own.
std::vector<Shown> WhatTensorBoardShows(std::vector<std::string> paths) {
  std::sort(paths.begin(), paths.end(), [](const std::string& a, const std::string& b) {
    return fs::path(a).filename().string() < fs::path(b).filename().string();
  });
  std::vector<Shown> kept;
  auto add = [&](const std::string& tag, int64_t step, const std::string& value) {
    std::erase_if(kept, [&](const Shown& p) { return p.tag == tag && p.step >= step; });
    kept.push_back({tag, step, value});
  };
  for (const std::string& path : paths) {
    for (const tensorboard::Event& e : ReadEvents(path)) {
      if (e.has_session_log() && e.session_log().status() == tensorboard::SessionLog::START) {
        std::erase_if(kept, [&](const Shown& p) { return p.step >= e.step(); });
      } else if (e.has_summary()) {
        for (const auto& v : e.summary().value()) add(v.tag(), e.step(), v.SerializeAsString());
      } else if (e.what_case() == tensorboard::Event::kGraphDef) {
        add("graph", e.step(), e.graph_def());
      }
    }
  }
  std::sort(kept.begin(), kept.end());
  return kept;
}

// Lints `dir` with every rule, as if an hour from now (nothing recent).
void ExpectLintClean(const std::string& dir) {
  const LintResult r = LintPath(dir, "", Now() + 3600);
  for (const Finding& f : r.findings) {
    MESSAGE(f.rule->code << " " << f.path << ": " << f.message);
  }
  CHECK(r.findings.empty());
}

std::string Torch(const std::vector<std::string>& events, double t) {
  std::vector<std::string> all{events::TorchHeader(t)};
  all.insert(all.end(), events.begin(), events.end());
  return Frame(all);
}
std::string Tbx(const std::vector<std::string>& events, double t) {
  std::vector<std::string> all{events::PlainHeader(t)};
  all.insert(all.end(), events.begin(), events.end());
  return Frame(all);
}

TEST_CASE("merge: the events a merge makes are what protobuf serialises, and FilterValues keeps the rest") {
  const double t = 1795298000.25;
  CHECK(merge::EncodeFileVersion(t) == events::PlainHeader(t));
  CHECK(merge::EncodeScalar(t, 42, "loss/train", 0.5f) == events::Scalar(t, 42, "loss/train", 0.5f));
  CHECK(merge::EncodeScalar(t, -7, std::string("a\0b\n", 4), -1e30f) ==
        events::Scalar(t, -7, std::string("a\0b\n", 4), -1e30f));
  CHECK(merge::EncodeScalar(0, 0, "", 0.0f) == events::Scalar(0, 0, "", 0.0f));
  tensorboard::Event parsed;
  REQUIRE(parsed.ParseFromString(merge::EncodeScalar(t, 3, "x", std::nanf(""))));
  CHECK(std::isnan(parsed.summary().value(0).simple_value()));

  tensorboard::Event e;
  e.set_wall_time(t);
  e.set_step(9);
  for (const char* tag : {"a", "b", "c"}) {
    auto* v = e.mutable_summary()->add_value();
    v->set_tag(tag);
    v->set_simple_value(1.5f);
  }
  std::string filtered;
  REQUIRE(merge::FilterValues(events::Serialize(e), {true, false, true}, &filtered));
  tensorboard::Event f;
  REQUIRE(f.ParseFromString(filtered));
  CHECK(f.wall_time() == t);
  CHECK(f.step() == 9);
  REQUIRE(f.summary().value_size() == 2);
  CHECK(f.summary().value(0).tag() == "a");
  CHECK(f.summary().value(1).tag() == "c");

  // A kept record is copied with its own CRC, and reads back valid.
  std::string framed;
  const std::string payload = events::Scalar(t, 1, "x", 2.0f);
  const std::string original = FrameRecord(payload);
  uint32_t crc = 0;
  for (int i = 0; i < 4; ++i) crc |= static_cast<uint32_t>(static_cast<uint8_t>(original[original.size() - 4 + i])) << (8 * i);
  merge::AppendFramed(&framed, payload, crc);
  CHECK(framed == original);
}

TEST_CASE("merge: combine puts every run of two logdirs under its prefix, lint clean, inputs untouched") {
  TempDir dir;
  const double t = Base();
  // logdir A: two torch runs; logdir B: a tensorboardX run and a TF2 run,
  // one of them with a truncated tail and a damaged record in the middle.
  WriteFile(dir / "A/run1" + "/" + TorchName(t, 100, 0),
            Torch({events::Scalar(t + 1, 0, "loss", 1.0f), events::Scalar(t + 2, 1, "loss", 0.5f),
                   events::Histogram(t + 2, 1, "weights", 0.1)},
                  t));
  WriteFile(dir / "A/run2" + "/" + TorchName(t, 101, 0), Torch({events::Scalar(t + 1, 0, "loss", 2.0f)}, t));
  std::string tbx = Tbx({events::Scalar(t + 1, 0, "acc", 0.1f), events::Scalar(t + 2, 1, "acc", 0.2f)}, t);
  const size_t middle = tbx.size() - 10;  // inside the last record's payload
  tbx[middle] ^= 0x55;                    // a data CRC mismatch
  tbx += FrameRecord(events::Scalar(t + 3, 2, "acc", 0.3f));
  tbx += FrameRecord(events::Scalar(t + 4, 3, "acc", 0.4f)).substr(0, 20);  // cut short
  WriteFile(dir / "B/tbx" + "/" + TbxName(t), tbx);
  WriteFile(dir / "B/tf2" + "/" + TorchName(t, 7, 1) + ".v2",
            Tbx({events::TensorScalar(t + 1, 0, "epoch_loss", 0.7f)}, t));
  const independent::Tree before = independent::Snapshot(dir.path());

  SUBCASE("a clash names both sources") {
    const CliResult r = RunCli({"merge", "-o", dir / "out", dir / "A", dir / "A"});
    CHECK(r.exit_code == kExitUsage);
    CHECK(r.err.find("clash") != std::string::npos);
    CHECK(r.err.find("A/run1") != std::string::npos);
  }
  SUBCASE("prefixed") {
    const std::string report = dir / "report.json";
    const CliResult r = RunCli({"merge", "-o", dir / "out", "--report", report, "a:" + dir / "A", "b:" + dir / "B"});
    INFO(r.err);
    REQUIRE(r.exit_code == kExitClean);
    for (const auto& [rel, bytes] : before) CHECK(ReadFile(dir.path() + "/" + rel) == bytes);
    ExpectLintClean(dir / "out");
    const CliResult runs = RunCli({"runs", "--format", "json", dir / "out"});
    for (const char* run : {"a/run1", "a/run2", "b/tbx", "b/tf2"}) {
      CAPTURE(run);
      CHECK(runs.out.find(std::string("\"") + run + "\"") != std::string::npos);
    }
    // Names kept, so TensorBoard's order within each run is the original's.
    CHECK(fs::exists(dir / "out/a/run1/" + TorchName(t, 100, 0)));
    CHECK(fs::exists(dir / "out/b/tf2/" + TorchName(t, 7, 1) + ".v2"));
    // Every valid record copied byte for byte, the damaged ones not.
    const std::string out_tbx = ReadFile(dir / "out/b/tbx/" + TbxName(t));
    const auto in_records = independent::CanonicalRecords(tbx);
    const auto out_records = independent::CanonicalRecords(out_tbx);
    CHECK(out_records.size() == 3);  // header, acc@0, acc@2 (acc@1 damaged, acc@3 cut)
    CHECK(out_tbx == out_records[0] + out_records[1] + out_records[2]);
    for (const std::string& rec : out_records) {
      CHECK(std::find(in_records.begin(), in_records.end(), rec) != in_records.end());
    }
    const nlohmann::json j = nlohmann::json::parse(ReadFile(report));
    int skipped = 0;
    for (const auto& e : j["entries"]) skipped += e["kind"] == "skipped";
    CHECK(skipped == 2);
    CHECK(j["summary"]["runs_out"] == 4);
    CHECK(r.err.find("data CRC mismatch") != std::string::npos);
  }
  SUBCASE("the output must be new or empty, and outside the inputs") {
    CHECK(RunCli({"merge", "-o", dir / "A/out", dir / "A"}).exit_code == kExitUsage);
    WriteFile(dir / "full/x", "x");
    CHECK(RunCli({"merge", "-o", dir / "full", dir / "A"}).exit_code == kExitUsage);
    CHECK(RunCli({"merge", "-o", dir / "o", dir / "missing"}).exit_code == kExitUsage);
    CHECK(RunCli({"merge", dir / "A"}).exit_code == kExitUsage);
    CHECK(RunCli({"merge", "-o", dir / "o"}).exit_code == kExitUsage);
    CHECK(RunCli({"merge", "--on-overlap", "first", "-o", dir / "o", dir / "A"}).exit_code == kExitUsage);
    CHECK(RunCli({"merge", "--join", "--on-overlap", "newest", "-o", dir / "o", dir / "A"}).exit_code == kExitUsage);
    CHECK(RunCli({"merge", "--reduce", "mode", "-o", dir / "o", dir / "A"}).exit_code == kExitUsage);
    CHECK(RunCli({"merge", "--nan", "skip", "-o", dir / "o", dir / "A"}).exit_code == kExitUsage);
    CHECK_FALSE(fs::exists(dir / "o"));
  }
}

// A resumed torch run: the first job logged steps 0..59 (and a graph and a
// histogram), was killed, and the second job resumed from the checkpoint at
// step 40 with purge_step=40 (a second file_version and a START at 40), then
// logged 40..99. A tensorboardX job then re-logged steps 90..119 with no
// START (TensorBoard's Rust server keeps the later writes).
struct ResumedRun {
  std::vector<std::string> paths;
  double t0;
};

ResumedRun WriteResumedRun(const std::string& run) {
  const double t = Base();
  std::vector<std::string> a, b, c;
  a.push_back(events::GraphDefEvent(t + 0.5, 300));
  for (int s = 0; s < 60; ++s) {
    tensorboard::Event e;  // two tags in one event, as TF1's merged summaries
    e.set_wall_time(t + 1 + s);
    e.set_step(s);
    auto* v = e.mutable_summary()->add_value();
    v->set_tag("loss");
    v->set_simple_value(100.0f - s);
    v = e.mutable_summary()->add_value();
    v->set_tag("lr");
    v->set_simple_value(0.1f);
    a.push_back(events::Serialize(e));
    if (s % 10 == 0) a.push_back(events::Histogram(t + 1 + s, s, "weights", s / 10.0));
  }
  const double t2 = t + 1000;
  std::vector<std::string> second{events::PlainHeader(t2), events::SessionLog(t2, 40, tensorboard::SessionLog::START)};
  second[0] = [&] {
    tensorboard::Event e;
    e.set_wall_time(t2);
    e.set_step(40);
    e.set_file_version("brain.Event:2");
    return events::Serialize(e);
  }();
  for (int s = 40; s < 100; ++s) {
    b.push_back(events::Scalar(t2 + s, s, "loss", 50.0f - s / 2.0f));
    if (s % 10 == 0) b.push_back(events::Histogram(t2 + s, s, "weights", -s / 10.0));
  }
  b.push_back(events::TensorScalar(t2 + 100, 99, "text_free_scalar", 3.0f));
  second.insert(second.end(), b.begin(), b.end());
  const double t3 = t + 2000;
  for (int s = 90; s < 120; ++s) c.push_back(events::Scalar(t3 + s, s, "loss", -1.0f * s));
  ResumedRun out;
  out.t0 = t;
  out.paths = {run + "/" + TorchName(t, 11, 0), run + "/" + TorchName(t2, 12, 0), run + "/" + TbxName(t3)};
  WriteFile(out.paths[0], Torch(a, t));
  std::vector<std::string> with_torch_header{events::TorchHeader(t2)};
  with_torch_header.insert(with_torch_header.end(), second.begin(), second.end());
  WriteFile(out.paths[1], Frame(with_torch_header));
  WriteFile(out.paths[2], Tbx(c, t3));
  return out;
}

std::vector<Shown> PointsOf(const std::string& path) {
  std::vector<Shown> out;
  for (const tensorboard::Event& e : ReadEvents(path)) {
    if (e.has_summary()) {
      for (const auto& v : e.summary().value()) out.push_back({v.tag(), e.step(), v.SerializeAsString()});
    } else if (e.what_case() == tensorboard::Event::kGraphDef) {
      out.push_back({"graph", e.step(), e.graph_def()});
    }
  }
  return out;
}

TEST_CASE("merge: join of a resumed run has exactly the points TensorBoard showed, in step order, lint clean") {
  TempDir dir;
  const ResumedRun run = WriteResumedRun(dir / "logs/run");
  const independent::Tree before = independent::Snapshot(dir.path());
  const std::vector<Shown> expected = WhatTensorBoardShows(run.paths);
  REQUIRE(expected.size() > 100);
  const std::string report = dir / "report.json";
  const CliResult r = RunCli({"merge", "--join", "--report", report, "-o", dir / "out", dir / "logs"});
  INFO(r.err);
  REQUIRE(r.exit_code == kExitClean);
  for (const auto& [rel, bytes] : before) CHECK(ReadFile(dir.path() + "/" + rel) == bytes);
  const std::vector<std::string> out = EventFiles(dir / "out");
  REQUIRE(out.size() == 1);
  CHECK(fs::path(out[0]).parent_path().filename() == "run");
  const std::string name = fs::path(out[0]).filename().string();
  CHECK(name.rfind("events.out.tfevents." + Stamp(run.t0) + ".", 0) == 0);

  // Exactly the shown points, and TensorBoard reading the output drops none.
  std::vector<Shown> got = PointsOf(out[0]);
  CHECK(WhatTensorBoardShows({out[0]}) == expected);
  std::vector<Shown> sorted = got;
  std::sort(sorted.begin(), sorted.end());
  CHECK(sorted == expected);
  // Step order, one file_version header first with the earliest wall time.
  const std::vector<tensorboard::Event> evs = ReadEvents(out[0]);
  REQUIRE(!evs.empty());
  CHECK(evs[0].file_version() == "brain.Event:2");
  CHECK(evs[0].wall_time() == run.t0);
  int headers = 0;
  int64_t last = INT64_MIN;
  bool ordered = true;
  for (const auto& e : evs) {
    headers += e.what_case() == tensorboard::Event::kFileVersion;
    if (e.what_case() == tensorboard::Event::kFileVersion) continue;
    ordered = ordered && e.step() >= last;
    last = e.step();
  }
  CHECK(headers == 1);
  CHECK(ordered);
  ExpectLintClean(dir / "out");

  // The report: the START purge and the re-logged steps, every dropped point.
  const nlohmann::json j = nlohmann::json::parse(ReadFile(report));
  size_t dropped = 0, overlaps = 0;
  for (const auto& e : j["entries"]) {
    dropped += e["kind"] == "dropped";
    overlaps += e["kind"] == "overlap";
  }
  size_t all_points = 0;
  for (const std::string& p : run.paths) all_points += PointsOf(p).size();
  CHECK(dropped == all_points - expected.size());
  CHECK(overlaps > 0);
  CHECK(j["summary"]["dropped"] == dropped);
}

TEST_CASE("merge: join policies first, keep-all and error") {
  TempDir dir;
  const ResumedRun run = WriteResumedRun(dir / "logs/run");
  size_t all_points = 0;
  for (const std::string& p : run.paths) all_points += PointsOf(p).size();

  SUBCASE("keep-all keeps every point, in step order") {
    REQUIRE(RunCli({"merge", "--join", "--on-overlap", "keep-all", "-o", dir / "out", dir / "logs"}).exit_code == 0);
    const auto out = EventFiles(dir / "out");
    REQUIRE(out.size() == 1);
    CHECK(PointsOf(out[0]).size() == all_points);
    // Read by TensorBoard, the later write of each step still wins.
    std::vector<Shown> shown = WhatTensorBoardShows({out[0]});
    std::set<std::pair<std::string, int64_t>> keys;
    for (const Shown& s : shown) keys.insert({s.tag, s.step});
    CHECK(keys.size() == shown.size());
  }
  SUBCASE("first keeps the first write of each (tag, step), nothing purged") {
    REQUIRE(RunCli({"merge", "--join", "--on-overlap", "first", "-o", dir / "out", dir / "logs"}).exit_code == 0);
    const auto out = EventFiles(dir / "out");
    REQUIRE(out.size() == 1);
    std::map<std::pair<std::string, int64_t>, std::string> first;
    for (const std::string& p : run.paths) {
      for (const Shown& s : PointsOf(p)) first.emplace(std::make_pair(s.tag, s.step), s.value);
    }
    std::map<std::pair<std::string, int64_t>, std::string> got;
    for (const Shown& s : PointsOf(out[0])) CHECK(got.emplace(std::make_pair(s.tag, s.step), s.value).second);
    CHECK(got == first);
    ExpectLintClean(dir / "out");
  }
  SUBCASE("error writes nothing and names the first overlap") {
    const CliResult r = RunCli({"merge", "--join", "--on-overlap", "error", "-o", dir / "out", dir / "logs"});
    CHECK(r.exit_code == kExitUsage);
    CHECK(r.err.find("overlap") != std::string::npos);
    CHECK(EventFiles(dir / "out").empty());
  }
  SUBCASE("error passes a run with no overlap; two machines' files of one run are joined") {
    const double t = Base();
    WriteFile(dir / "m1/run/" + TorchName(t, 1, 0), Torch({events::Scalar(t + 1, 0, "a", 1), events::Scalar(t + 2, 2, "a", 2)}, t));
    WriteFile(dir / "m2/run/" + TorchName(t + 1, 2, 0), Torch({events::Scalar(t + 2, 1, "b", 1), events::Scalar(t + 3, 3, "b", 2)}, t + 1));
    const CliResult r = RunCli({"merge", "--join", "--on-overlap", "error", "-o", dir / "out", dir / "m1", dir / "m2"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto out = EventFiles(dir / "out");
    REQUIRE(out.size() == 1);
    std::vector<int64_t> steps;
    for (const Shown& s : PointsOf(out[0])) steps.push_back(s.step);
    CHECK(steps == std::vector<int64_t>{0, 1, 2, 3});
    ExpectLintClean(dir / "out");
  }
}

// Reads a reduce output run: tag -> step -> value.
std::map<std::string, std::map<int64_t, float>> ReadStat(const std::string& run_dir) {
  std::map<std::string, std::map<int64_t, float>> out;
  const auto files = EventFiles(run_dir);
  REQUIRE(files.size() == 1);
  for (const auto& e : ReadEvents(files[0])) {
    for (const auto& v : e.summary().value()) out[v.tag()][e.step()] = v.simple_value();
  }
  return out;
}

TEST_CASE("merge: reduce seeds written as simple_value and as tensors, uneven steps, NaN, duplicates") {
  TempDir dir;
  const double t = Base();
  // seed 1: torch simple_value, steps 0..9 plus a re-logged step 5 (as
  // TensorBoard shows it: the later write replaces step 5 and removes 6..9); seed 2: TF2 tensor scalars, steps 0..9 but 7 missing and a
  // NaN at 3; seed 3: tensorboardX, steps 0, 2, 4, ..., 10.
  auto v1 = [](int s) { return 1.0f + s * 0.5f; };
  auto v2 = [](int s) { return 2.0f - s * 0.25f; };
  auto v3 = [](int s) { return 0.125f * s * s; };
  std::vector<std::string> e1, e2, e3;
  for (int s = 0; s < 10; ++s) e1.push_back(events::Scalar(t + s, s, "loss", s == 5 ? 99.0f : v1(s)));
  e1.push_back(events::Scalar(t + 20, 5, "loss", v1(5)));
  for (int s = 0; s < 10; ++s) {
    if (s != 7) e2.push_back(events::TensorScalar(t + s, s, "loss", s == 3 ? std::nanf("") : v2(s)));
  }
  for (int s = 0; s <= 10; s += 2) e3.push_back(events::Scalar(t + s, s, "loss", v3(s)));
  e3.push_back(events::Histogram(t, 0, "weights", 1.0));  // not a scalar: not reduced
  WriteFile(dir / "sweep/seed-1/" + TorchName(t, 1, 0), Torch(e1, t));
  WriteFile(dir / "sweep/seed-2/" + TorchName(t, 2, 0) + ".v2", Tbx(e2, t));
  WriteFile(dir / "sweep/seed-3/" + TbxName(t), Tbx(e3, t));

  // The expected cells: per step, the values of the seeds that have it.
  auto cell = [&](int s, bool nan_skip) {
    std::vector<double> v;
    if (s <= 5) v.push_back(v1(s));  // the re-logged step 5 removed 6..9 (TensorBoard's view)
    if (s < 10 && s != 7) {
      if (s == 3) {
        if (!nan_skip) v.push_back(std::nan(""));
      } else {
        v.push_back(v2(s));
      }
    }
    if (s % 2 == 0) v.push_back(v3(s));
    return v;
  };
  auto present = [&](int s) { return (s <= 5) + (s < 10 && s != 7) + (s % 2 == 0); };
  auto mean = [](const std::vector<double>& v) {
    double sum = 0;
    for (double x : v) sum += x;
    return sum / v.size();
  };
  auto stddev = [&](const std::vector<double>& v) {
    const double m = mean(v);
    double ss = 0;
    for (double x : v) ss += (x - m) * (x - m);
    return std::sqrt(ss / (v.size() - 1));  // the sample deviation, n - 1
  };
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  };

  SUBCASE("union, NaN skipped") {
    const std::string csv = dir / "stats.csv";
    const CliResult r = RunCli({"merge", "--reduce", "all", "--steps", "union", "--name", "sweep", "--csv", csv, "-o",
                                dir / "out", dir / "sweep"});
    INFO(r.err);
    REQUIRE(r.exit_code == kExitClean);
    const auto m = ReadStat(dir / "out/sweep-mean");
    const auto sd = ReadStat(dir / "out/sweep-std");
    const auto lo = ReadStat(dir / "out/sweep-min");
    const auto hi = ReadStat(dir / "out/sweep-max");
    const auto med = ReadStat(dir / "out/sweep-median");
    const auto n = ReadStat(dir / "out/sweep-count");
    CHECK(m.size() == 1);  // only "loss"
    for (int s = 0; s <= 10; ++s) {
      CAPTURE(s);
      if (present(s) == 0) {
        CHECK(m.at("loss").count(s) == 0);
        continue;
      }
      const std::vector<double> v = cell(s, true);
      REQUIRE(m.at("loss").count(s));
      CHECK(m.at("loss").at(s) == doctest::Approx(mean(v)).epsilon(1e-6));
      CHECK(lo.at("loss").at(s) == static_cast<float>(*std::min_element(v.begin(), v.end())));
      CHECK(hi.at("loss").at(s) == static_cast<float>(*std::max_element(v.begin(), v.end())));
      CHECK(med.at("loss").at(s) == doctest::Approx(median(v)).epsilon(1e-6));
      CHECK(n.at("loss").at(s) == static_cast<float>(v.size()));
      if (v.size() >= 2) {
        CHECK(sd.at("loss").at(s) == doctest::Approx(stddev(v)).epsilon(1e-6));
      } else {
        CHECK(sd.at("loss").count(s) == 0);  // NaN (one value): not written
      }
    }
    // The CSV: every statistic, tag and step, the NaN std of step 10 included.
    const std::string text = ReadFile(csv);
    CHECK(text.rfind("statistic,tag,step,value\n", 0) == 0);
    CHECK(std::count(text.begin(), text.end(), '\n') == 1 + 6 * 10);  // steps 0..10 but 7
    CHECK(text.find("std,loss,10,nan\n") != std::string::npos);
    CHECK(text.find("count,loss,3,1\n") != std::string::npos);  // the NaN left out
    std::istringstream in(text);
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
      if (line.rfind("mean,loss,", 0) != 0) continue;
      const size_t c = line.rfind(',');
      const int s = std::stoi(line.substr(10, c - 10));
      CHECK(std::stod(line.substr(c + 1)) == doctest::Approx(mean(cell(s, true))).epsilon(1e-12));
    }
    ExpectLintClean(dir / "out");
  }
  SUBCASE("intersection (the default), NaN propagated") {
    const CliResult r =
        RunCli({"merge", "--reduce", "mean,std,count", "--nan", "propagate", "-o", dir / "out", dir / "sweep"});
    INFO(r.err);
    REQUIRE(r.exit_code == kExitClean);
    const auto m = ReadStat(dir / "out/reduce-mean");
    const auto n = ReadStat(dir / "out/reduce-count");
    CHECK_FALSE(fs::exists(dir / "out/reduce-min"));
    std::set<int64_t> steps;
    for (const auto& [s, v] : m.at("loss")) steps.insert(s);
    for (int s = 0; s <= 10; ++s) {
      CAPTURE(s);
      CHECK((steps.count(s) == 1) == (present(s) == 3));
    }
    CHECK(std::isnan(m.at("loss").at(2)) == false);
    CHECK(m.at("loss").at(2) == doctest::Approx(mean(cell(2, true))).epsilon(1e-6));
    REQUIRE(n.at("loss").count(4));
    CHECK(n.at("loss").at(4) == 3.0f);
    CHECK(n.at("loss").count(6) == 0);  // seed 1 shows no step 6: its re-logged step 5 removed it
  }
  SUBCASE("NaN propagated, union of steps") {
    const CliResult r = RunCli({"merge", "--reduce", "mean", "--nan", "propagate", "--steps", "union", "-o",
                                dir / "out", dir / "sweep"});
    REQUIRE(r.exit_code == kExitClean);
    CHECK(std::isnan(ReadStat(dir / "out/reduce-mean").at("loss").at(3)));
  }
  SUBCASE("a duplicate within a run under --on-overlap error") {
    const CliResult r = RunCli({"merge", "--reduce", "mean", "--on-overlap", "error", "-o", dir / "out", dir / "sweep"});
    CHECK(r.exit_code == kExitUsage);
    CHECK(r.err.find("step 5") != std::string::npos);
    CHECK(RunCli({"merge", "--reduce", "mean", "--on-overlap", "keep-all", "-o", dir / "o2", dir / "sweep"}).exit_code ==
          kExitUsage);
  }
  SUBCASE("--on-overlap first takes the first write of step 5") {
    REQUIRE(RunCli({"merge", "--reduce", "max", "--on-overlap", "first", "-o", dir / "out", dir / "sweep"}).exit_code ==
            0);
    CHECK(ReadStat(dir / "out/reduce-max").at("loss").at(4) == static_cast<float>(std::max({v1(4), v2(4), v3(4)})));
    CHECK_FALSE(ReadStat(dir / "out/reduce-max").at("loss").count(5));  // seed 3 has no step 5
  }
}

TEST_CASE("merge: the corpus combines lint clean where its inputs were, and joins") {
  const std::string corpus = SourceDir() + "/fixtures/corpus";
  if (!fs::is_directory(corpus)) return;
  TempDir dir;
  const CliResult r = RunCli({"merge", "-o", dir / "out", "c:" + corpus});
  INFO(r.err);
  REQUIRE(r.exit_code == kExitClean);
  // Every valid record of the corpus is there: each output file's records are
  // records of its input, and no output has a TB1xx finding.
  const LintResult lint = LintPath(dir / "out", "TB1", Now() + 3600);
  CHECK(lint.findings.empty());
  const CliResult j = RunCli({"merge", "--join", "-o", dir / "joined", corpus});
  INFO(j.err);
  CHECK(j.exit_code == kExitClean);
  CHECK(LintPath(dir / "joined", "TB1", Now() + 3600).findings.empty());
  CHECK(LintPath(dir / "joined", "TB3", Now() + 3600).findings.empty());
}

}  // namespace
}  // namespace tblint::test
