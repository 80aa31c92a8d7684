// --format html (docs/html.md): the page's escaping and data, the scan's
// bounded scalar sample, and, in headless Chromium, the page as drawn for
// corpus logdirs (a resumed run, concurrent writers, a truncated file, a
// clean sweep) and hostile names (tests/check_html.py). Screenshots are kept
// in <build>/artifacts/html/.
#include <doctest/doctest.h>

#include <boost/filesystem.hpp>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scan/scanner.h"
#include "test_util.h"

namespace tblint {
namespace {

namespace fs = boost::filesystem;
using nlohmann::json;

constexpr double kPast = 1795298000.0;

int Shell(const std::string& command, const std::string& log) {
  const int status = std::system((command + " >'" + log + "' 2>&1").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The data island of a page, parsed (its '<', '>' and '&' are \u escapes).
json DataIsland(const std::string& page) {
  const std::string open = "<script type=\"application/json\" id=\"tblint-data\">";
  const size_t at = page.find(open);
  REQUIRE(at != std::string::npos);
  const size_t begin = at + open.size();
  const size_t end = page.find("</script>", begin);
  REQUIRE(end != std::string::npos);
  return json::parse(page.substr(begin, end - begin));
}

size_t CountOf(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

const std::string kScriptTag = "<script>document.title='pwned'</script>";
const std::string kImgTag = "<img src=x onerror=\"document.title='pwned'\">";

// A run and a tag named to break out of HTML and of the data island, with a
// byte that is not UTF-8 in the run's name.
std::string BuildHostile(const test::TempDir& tmp) {
  const std::string logdir = tmp / "logs";
  std::vector<std::string> records = {events::PlainHeader(kPast)};
  for (int i = 0; i < 30; ++i) {
    records.push_back(events::Scalar(kPast + 1 + i, i, kScriptTag, static_cast<float>(i)));
    records.push_back(events::Scalar(kPast + 1 + i, i, kImgTag, 1.0f / static_cast<float>(i + 1)));
  }
  std::string bytes = test::Frame(records);
  bytes.resize(bytes.size() - 3);  // a truncated tail: a finding with an offset
  test::WriteFile(logdir + "/run </script><b>x\xff/events.out.tfevents.1795298000.host.1.0", bytes);
  test::SetMtime(logdir + "/run </script><b>x\xff/events.out.tfevents.1795298000.host.1.0", kPast);
  return logdir;
}

TEST_CASE("--format html escapes every name: no tag or path becomes markup or ends the data island") {
  test::TempDir tmp;
  const std::string logdir = BuildHostile(tmp);
  const test::CliResult r = test::RunCli({"--format", "html", logdir});
  CHECK(r.exit_code == 1);
  const std::string& page = r.out;
  CHECK(page.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(page.find("default-src 'none'") != std::string::npos);
  // Only the page's own two script elements, whatever the names hold.
  CHECK(CountOf(page, "<script") == 2);
  CHECK(CountOf(page, "</script>") == 2);
  CHECK(page.find("<img") == std::string::npos);
  CHECK(page.find("<b>") == std::string::npos);
  CHECK(page.find("\xff") == std::string::npos);
  // The header shows the logdir HTML-escaped.
  CHECK(page.find("<p class=\"logdir\">" + logdir) != std::string::npos);
  const json data = DataIsland(page);
  REQUIRE(data["runs"].size() == 1);
  const json& run = data["runs"][0];
  CHECK(run["n"] == "run </script><b>x\\xff");  // the invalid byte shown as \xff, as text output does
  std::vector<std::string> tags;
  for (const json& t : run["t"]) tags.push_back(t["n"]);
  CHECK(tags == std::vector<std::string>{kImgTag, kScriptTag});
  for (const json& t : run["t"]) {
    CHECK(t["k"] == "scalars");  // TagKindName
    CHECK(t["v"].size() > 1);  // sampled for the sparkline
  }
  REQUIRE(run["f"].size() == 1);
  CHECK(run["f"][0]["w"] == "host pid 1 #0");
  CHECK(run["f"][0]["s"] == json::array({0, 29}));
  bool truncated = false;
  for (const json& f : data["findings"]) {
    truncated = truncated || (f["c"] == "TB101" && f.contains("o") && f["fi"] == 0 && f["ri"] == 0);
  }
  CHECK(truncated);
  CHECK(data["rules"].contains("TB101"));
  CHECK(data["rules"]["TB101"]["doc"].get<std::string>().find("TB101") != std::string::npos);
}

TEST_CASE("--format html: the scan samples scalar values only when asked, at most kMaxScalarSample per tag") {
  test::TempDir tmp;
  std::vector<std::string> records = {events::PlainHeader(kPast)};
  for (int i = 0; i < 1000; ++i) records.push_back(events::Scalar(kPast + i, i, "loss", static_cast<float>(i)));
  records.push_back(events::Histogram(kPast, 0, "w", 0.5, 6));
  const std::string path = tmp / "events.out.tfevents.1795298000.h.1.0";
  test::WriteFile(path, test::Frame(records));
  for (bool sample : {false, true}) {
    CAPTURE(sample);
    FileResult file;
    file.info.SetPaths(path, path.size());
    LintOptions options;
    options.sample_scalars = sample;
    ScanFile(&file, {}, options);
    const TagStats& loss = file.tags.at("loss");
    CHECK(loss.points == 1000);
    CHECK(file.tags.at("w").sample.empty());
    if (!sample) {
      CHECK(loss.sample.empty());
      continue;
    }
    REQUIRE(loss.sample.size() >= kMaxScalarSample / 2);
    CHECK(loss.sample.size() <= kMaxScalarSample);
    // Evenly spread from the first point on, every sample_stride-th point.
    CHECK(loss.sample.front().first == 0);
    for (size_t i = 0; i < loss.sample.size(); ++i) {
      CHECK(loss.sample[i].first == static_cast<int64_t>(i * loss.sample_stride));
      CHECK(loss.sample[i].second == static_cast<double>(i * loss.sample_stride));
    }
    CHECK(loss.sample.back().first >= 1000 - 2 * static_cast<int64_t>(loss.sample_stride));
  }
}

TEST_CASE("--format html is written atomically with -o and lists html in --help") {
  test::TempDir tmp;
  const std::string logdir = tmp / "logs";
  test::WriteFile(logdir + "/a/events.out.tfevents.1795298000.h.1.0", test::SmallEventFile(3));
  test::SetMtime(logdir + "/a/events.out.tfevents.1795298000.h.1.0", kPast);
  const std::string out = tmp / "report.html";
  const test::CliResult r = test::RunCli({"check", "-f", "html", "-o", out, logdir});
  CHECK(r.exit_code == 0);
  CHECK(r.out.empty());
  const std::string page = test::ReadFile(out);
  CHECK(page.find("</html>") != std::string::npos);
  CHECK(DataIsland(page)["runs"].size() == 1);
  CHECK(test::RunCli({"--help"}).out.find("html") != std::string::npos);
}

// --- in a browser -----------------------------------------------------------

std::string FindChromium() {
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
    const std::string cmd = std::string("command -v ") + name + " >/dev/null 2>&1";
    if (std::system(cmd.c_str()) == 0) return name;
  }
  return "";
}

// The build directory (beside the tblint binary), where artefacts are kept.
std::string ArtifactDir() {
  const std::string dir = fs::path(TBLINT_BINARY).parent_path().string() + "/artifacts/html";
  fs::create_directories(dir);
  return dir;
}

TEST_CASE("--format html in headless Chromium: a timeline per run, a row per finding, overlaps drawn, no network" *
          doctest::test_suite("slow")) {
  const std::string chromium = FindChromium();
  if (chromium.empty()) {
    // CI installs it (scripts/install-deps.sh); only a dev machine may lack it.
    REQUIRE_MESSAGE(std::getenv("CI") == nullptr, "chromium is not installed (scripts/install-deps.sh installs it)");
    MESSAGE("SKIPPED: chromium is not installed; run scripts/install-deps.sh to check the HTML report in a browser");
    return;
  }
  const json manifest = json::parse(test::ReadFile(test::SourceDir() + "/fixtures/corpus/MANIFEST.json"));
  test::TempDir tmp;
  const std::string artifacts = ArtifactDir();
  struct Case {
    std::string name, code;  // a corpus case and a code it must show
  };
  const std::vector<Case> cases = {{"resumed_run_overlap", "TB303"},
                                   {"trainer_and_evaluator_one_run", "TB402"},
                                   {"truncated_mid_payload", "TB101"},
                                   {"clean_tensorboardX_two_runs", ""},
                                   {"step_reset_each_epoch", "TB302"}};
  for (const Case& c : cases) {
    CAPTURE(c.name);
    const std::string dir = tmp / c.name;
    bool found = false;
    for (const json& m : manifest["cases"]) {
      if (m["name"] != c.name) continue;
      found = true;
      test::CopyTree(test::SourceDir() + "/fixtures/corpus/cases/" + c.name, dir);
      for (const auto& [rel, t] : m["mtimes"].items()) {
        test::SetMtime(dir + "/" + rel, t.is_string() ? test::Now() : t.get<double>());
      }
    }
    REQUIRE(found);
    const std::string page = artifacts + "/" + c.name + ".html";
    const test::CliResult r = test::RunCli({"check", "-f", "html", "-o", page, dir});
    REQUIRE(r.exit_code != 2);
    const json data = DataIsland(test::ReadFile(page));
    if (c.code.empty()) {
      CHECK(data["findings"].empty());
      CHECK(data["runs"].size() >= 2);
    } else {
      bool shown = false;
      for (const json& f : data["findings"]) shown = shown || f["c"] == c.code;
      CHECK(shown);
    }
    const std::string log = tmp / (c.name + ".log");
    const int status = Shell("python3 '" + test::SourceDir() + "/tests/check_html.py' " + chromium + " '" + page +
                                 "' '" + artifacts + "/" + c.name + ".png'",
                             log);
    CHECK_MESSAGE(status == 0, test::ReadFile(log));
  }
  // Hostile names: shown as text, never run.
  const std::string logdir = BuildHostile(tmp);
  const std::string page = artifacts + "/hostile_names.html";
  REQUIRE(test::RunCli({"check", "-f", "html", "-o", page, logdir}).exit_code == 1);
  const std::string log = tmp / "hostile.log";
  const int status = Shell("python3 '" + test::SourceDir() + "/tests/check_html.py' " + chromium + " '" + page +
                               "' '" + artifacts + "/hostile_names.png' --expect-text \"" + "run </script><b>x\\xff" +
                               "\" --expect-text \"" + "document.title='pwned'" + "\"",
                           log);
  CHECK_MESSAGE(status == 0, test::ReadFile(log));
}

}  // namespace
}  // namespace tblint
