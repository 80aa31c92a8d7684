// `tblint runs`: the runs exactly as TensorBoard discovers them (checked
// against an independent walk of every corpus case), their files and their
// tags merged over files, in text and JSON.
#include "cli/runs_command.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/app.h"
#include "test_util.h"

namespace tblint {
namespace {

namespace fs = boost::filesystem;
using nlohmann::json;

constexpr double kPast = 1795298000.0;

// What TensorBoard shows, computed without tblint's walker: every directory
// that directly holds an entry whose name contains "tfevents" is a run, named
// by its path relative to the logdir ("." for the logdir itself); runs sorted
// by name, each run's files sorted by name.
std::map<std::string, std::vector<std::string>> ExpectedRuns(const std::string& logdir) {
  std::map<std::string, std::vector<std::string>> runs;
  for (fs::recursive_directory_iterator it(logdir), end; it != end; ++it) {
    if (fs::is_directory(it->symlink_status())) continue;
    const std::string name = it->path().filename().string();
    if (name.find("tfevents") == std::string::npos) continue;
    std::string run = it->path().parent_path().lexically_relative(logdir).generic_string();
    if (run.empty()) run = ".";
    runs[run].push_back(name);
  }
  for (auto& [run, files] : runs) std::sort(files.begin(), files.end());
  return runs;
}

json RunsJson(const std::vector<std::string>& args) {
  const test::CliResult r = test::RunCli(args);
  INFO(r.err);
  REQUIRE(r.exit_code == kExitClean);
  return json::parse(r.out);
}

TEST_CASE("tblint runs lists exactly the runs and files TensorBoard would show, for every corpus case") {
  const json manifest = json::parse(test::ReadFile(test::SourceDir() + "/fixtures/corpus/MANIFEST.json"));
  REQUIRE(manifest["cases"].size() >= 20);
  for (const json& c : manifest["cases"]) {
    const std::string name = c["name"];
    CAPTURE(name);
    test::TempDir tmp;
    test::CopyTree(test::SourceDir() + "/fixtures/corpus/cases/" + name, tmp.path());
    for (const auto& [rel, t] : c["mtimes"].items()) {
      test::SetMtime(tmp / rel, t.is_string() ? test::Now() : t.get<double>());
    }
    const auto expected = ExpectedRuns(tmp.path());
    std::vector<std::string> expected_names;
    for (const auto& [run, files] : expected) expected_names.push_back(run);
    std::sort(expected_names.begin(), expected_names.end());

    const json doc = RunsJson({"runs", "--format", "json", tmp.path()});
    REQUIRE(doc["logdirs"].size() == 1);
    const json& runs = doc["logdirs"][0]["runs"];
    std::vector<std::string> names;
    for (const json& run : runs) names.push_back(run["name"]);
    CHECK(names == expected_names);
    for (const json& run : runs) {
      const std::string run_name = run["name"];
      CAPTURE(run_name);
      if (!expected.count(run_name)) continue;
      std::vector<std::string> files;
      for (const json& f : run["files"]) files.push_back(f["name"]);
      CHECK(files == expected.at(run_name));
    }
  }
}

// The lines of `text`, each with runs of spaces squeezed to one and leading
// spaces removed: table rows without their column padding.
std::vector<std::string> Squeezed(const std::string& text) {
  std::vector<std::string> lines;
  std::string line;
  for (char c : text) {
    if (c == '\n') {
      lines.push_back(line);
      line.clear();
    } else if (c != ' ' || (!line.empty() && line.back() != ' ')) {
      line += c;
    }
  }
  return lines;
}

// Two runs: train/ with two files of one torch job (resumed), eval/ with one.
void MakeLogdir(const test::TempDir& dir) {
  using test::Frame;
  std::vector<std::string> first = {events::PlainHeader(kPast)};
  for (int s = 0; s < 5; ++s) {
    first.push_back(events::Scalar(kPast + 1 + s, s, "train/loss", 1.0f / (1 + s)));
    first.push_back(events::Histogram(kPast + 1 + s, s, "fc1/weight", 0.5));
  }
  std::vector<std::string> second = {events::PlainHeader(kPast + 100)};
  for (int s = 5; s < 10; ++s) second.push_back(events::Scalar(kPast + 101 + s, s, "train/loss", 1.0f / (1 + s)));
  // The same tag as a scalar: a kind conflict (TB602).
  second.push_back(events::Scalar(kPast + 111, 10, "fc1/weight", 0.5f));
  std::vector<std::string> eval = {events::PlainHeader(kPast)};
  for (int s = 10; s <= 30; s += 10) eval.push_back(events::TensorScalar(kPast + s, s, "eval/acc", 0.5f));

  test::WriteFile(dir / "train/events.out.tfevents.1795298000.gpu-node-1.4242.0", Frame(first));
  test::WriteFile(dir / "train/events.out.tfevents.1795298100.gpu-node-1.4300.0", Frame(second));
  test::WriteFile(dir / "eval/events.out.tfevents.1795298000.gpu-node-2", Frame(eval));
  for (const char* rel :
       {"train/events.out.tfevents.1795298000.gpu-node-1.4242.0",
        "train/events.out.tfevents.1795298100.gpu-node-1.4300.0", "eval/events.out.tfevents.1795298000.gpu-node-2"}) {
    test::SetMtime(dir / rel, kPast + 3600);
  }
}

TEST_CASE("tblint runs --format json merges each tag over the run's files, grouped by kind") {
  test::TempDir dir;
  MakeLogdir(dir);
  const json doc = RunsJson({"--format", "json", "runs", dir.path()});
  const json& logdir = doc["logdirs"][0];
  CHECK(logdir["path"] == dir.path());
  REQUIRE(logdir["runs"].size() == 2);
  const json& eval = logdir["runs"][0];
  const json& train = logdir["runs"][1];
  CHECK(eval["name"] == "eval");
  CHECK(train["name"] == "train");

  // Files, in read order, with what their names say about the writer.
  REQUIRE(train["files"].size() == 2);
  const json& f0 = train["files"][0];
  CHECK(f0["name"] == "events.out.tfevents.1795298000.gpu-node-1.4242.0");
  CHECK(f0["path"] == "train/events.out.tfevents.1795298000.gpu-node-1.4242.0");
  CHECK(f0["host"] == "gpu-node-1");
  CHECK(f0["pid"] == 4242);
  CHECK(f0["counter"] == 0);
  CHECK(f0["records"] == 11);
  CHECK(f0["size"] == fs::file_size(dir / "train/events.out.tfevents.1795298000.gpu-node-1.4242.0"));
  CHECK(f0["wall_time"]["start"] == "2026-11-21T21:53:20Z");
  CHECK(f0["wall_time"]["end"] == "2026-11-21T21:53:25Z");
  CHECK(f0["wall_time"]["start_seconds"] == kPast);
  const json& tbx = eval["files"][0];
  CHECK(tbx["host"] == "gpu-node-2");
  CHECK(tbx["pid"].is_null());
  CHECK(tbx["counter"].is_null());

  // Tags: every kind is present; points summed and step ranges merged.
  for (const char* kind : {"scalars", "histograms", "images", "audio", "text", "tensors", "hparams", "other"}) {
    CAPTURE(kind);
    CHECK(train["tags"][kind].is_array());
  }
  REQUIRE(train["tags"]["scalars"].size() == 1);
  const json& loss = train["tags"]["scalars"][0];
  CHECK(loss["tag"] == "train/loss");
  CHECK(loss["points"] == 10);
  CHECK(loss["min_step"] == 0);
  CHECK(loss["max_step"] == 9);
  // fc1/weight: first a histogram, later also a scalar.
  REQUIRE(train["tags"]["histograms"].size() == 1);
  const json& w = train["tags"]["histograms"][0];
  CHECK(w["tag"] == "fc1/weight");
  CHECK(w["points"] == 6);
  CHECK(w["max_step"] == 10);
  CHECK(w["also_logged_as"] == json::array({"scalars"}));
  // TF2 tensor scalars count as scalars.
  REQUIRE(eval["tags"]["scalars"].size() == 1);
  CHECK(eval["tags"]["scalars"][0]["points"] == 3);
  CHECK(eval["tags"]["scalars"][0]["min_step"] == 10);
  CHECK(eval["tags"]["scalars"][0].count("also_logged_as") == 0);

  // Findings by run: the kind conflict is train's warning.
  CHECK(train["findings"]["warning"].get<int>() >= 1);
  CHECK(eval["findings"] == json({{"error", 0}, {"warning", 0}, {"info", 0}}));
}

TEST_CASE("tblint runs prints a table per run: files with their writers and times, tags by kind") {
  test::TempDir dir;
  MakeLogdir(dir);
  const test::CliResult r = test::RunCli({"runs", dir.path()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == kExitClean);  // a warning does not fail `tblint runs`
  const std::string& out = r.out;
  CHECK(out.find(dir.path() + ": 2 runs, 3 event files") != std::string::npos);
  CHECK(out.find("\nrun eval: 1 file, 1 tag; findings: 0 errors, 0 warnings, 0 info\n") != std::string::npos);
  CHECK(out.find("\nrun train: 2 files, 2 tags; findings: ") != std::string::npos);
  CHECK(out.find("file ") != std::string::npos);
  CHECK(out.find("wall time (UTC)") != std::string::npos);
  CHECK(out.find("events.out.tfevents.1795298100.gpu-node-1.4300.0  gpu-node-1  4300") != std::string::npos);
  CHECK(out.find("2026-11-21T21:53:20Z .. 2026-11-21T21:53:25Z") != std::string::npos);
  // eval runs before train, and scalars before histograms within a run.
  CHECK(out.find("run eval") < out.find("run train"));
  const std::vector<std::string> lines = Squeezed(out);
  const auto at = [&](const std::string& line) { return std::find(lines.begin(), lines.end(), line) - lines.begin(); };
  const auto loss = at("scalars train/loss 10 0..9");
  const auto weight = at("histograms fc1/weight (also scalars) 6 0..10");
  CHECK(loss < static_cast<long>(lines.size()));
  CHECK(weight < static_cast<long>(lines.size()));
  CHECK(loss < weight);
  CHECK(at("scalars eval/acc 3 10..30") < static_cast<long>(lines.size()));
}

TEST_CASE("tblint runs exits 2 on a missing path or with --fix, and lists a single file as run '.'") {
  test::TempDir dir;
  MakeLogdir(dir);
  CHECK(test::RunCli({"runs", dir / "missing"}).exit_code == kExitUsage);
  CHECK(test::RunCli({"runs", "--fix", dir.path()}).exit_code == kExitUsage);
  const json doc = RunsJson({"runs", "--format", "json", dir / "eval/events.out.tfevents.1795298000.gpu-node-2"});
  CHECK(doc["logdirs"][0]["single_file"] == true);
  REQUIRE(doc["logdirs"][0]["runs"].size() == 1);
  CHECK(doc["logdirs"][0]["runs"][0]["name"] == ".");
  // Without `runs`, the same path is linted as usual.
  CHECK(test::RunCli({"--format", "json", dir.path()}).out.find("\"findings\"") != std::string::npos);
}

TEST_CASE("IsoUtc writes ISO-8601 UTC and refuses what is not a time") {
  CHECK(IsoUtc(kPast) == std::optional<std::string>("2026-11-21T21:53:20Z"));
  CHECK(IsoUtc(0.9) == std::optional<std::string>("1970-01-01T00:00:00Z"));
  CHECK(!IsoUtc(std::numeric_limits<double>::infinity()));
  CHECK(!IsoUtc(std::numeric_limits<double>::quiet_NaN()));
  CHECK(!IsoUtc(1e300));
}

}  // namespace
}  // namespace tblint
