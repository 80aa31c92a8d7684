// The CI output formats of `tblint check` (SARIF, GitHub workflow commands,
// JUnit XML), --output-file, --statistics and the text hints, on every corpus
// case and on a logdir whose names hold any bytes (docs/formats.md).
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/filesystem.hpp>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "rule/registry.h"
#include "test_util.h"
#include "util/text.h"

namespace tblint {
namespace {

namespace fs = boost::filesystem;
using nlohmann::json;

constexpr double kPast = 1795298000.0;

// --- inputs -----------------------------------------------------------------

struct Input {
  std::string name;    // for messages
  std::string logdir;  // the path to lint
};

// Every corpus case, copied with the mtimes its manifest gives.
std::vector<Input> PrepareCorpus(const test::TempDir& tmp) {
  const json manifest = json::parse(test::ReadFile(test::SourceDir() + "/fixtures/corpus/MANIFEST.json"));
  std::vector<Input> out;
  for (const json& c : manifest["cases"]) {
    const std::string name = c["name"];
    const std::string dir = tmp / name;
    test::CopyTree(test::SourceDir() + "/fixtures/corpus/cases/" + name, dir);
    for (const auto& [rel, t] : c["mtimes"].items()) {
      test::SetMtime(dir + "/" + rel, t.is_string() ? test::Now() : t.get<double>());
    }
    out.push_back({name, dir});
  }
  REQUIRE(out.size() >= 20);
  return out;
}

// Names that break naive escaping in every format: '%' and a valid-looking
// %XX, URI and property delimiters (':' ',' '#' '?'), XML specials, spaces,
// CR and LF, other controls, DEL, invalid UTF-8, U+FFFE (not XML), a C1
// control and a backslash.
const std::string kHostileRunA = "run %41 %:,#?&<>\"' x\r\ny\x01\x7f";
const std::string kHostileRunB =
    "r\xff\xfe"
    "\xef\xbf\xbe\\\xc2\x9b";
const std::string kHostileTag = "t%25:,\n\x1b[2J&<x>\xef\xbf\xbf";

// A logdir (itself under a hostile name) with a finding of each shape: with
// offset and length (TB101, TB102), whole file (TB201), per tag (TB205),
// per run, and in the logdir root.
std::string BuildHostile(const test::TempDir& tmp) {
  const std::string logdir = tmp / "logs %2F:,&\n\xff";
  std::string truncated = test::SmallEventFile(5);
  truncated.resize(truncated.size() - 3);
  test::WriteFile(logdir + "/" + kHostileRunA + "/events.out.tfevents.1795298000.h%3A,\n\xff.1.0", truncated);
  test::WriteFile(logdir + "/" + kHostileRunB + "/events.out.tfevents.1795298000.gpu.2.0",
                  test::SmallEventFile(4) + std::string(64, '\0'));
  test::WriteFile(logdir + "/" + kHostileRunB + "/events.out.tfevents.1795298001.e\x1b]0;x\x07.3.0", "");
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<std::string> records = {events::PlainHeader(kPast)};
  for (int i = 0; i < 12; ++i) records.push_back(events::Scalar(kPast + 1 + i, i, kHostileTag, i == 3 ? nan : 0.5f));
  test::WriteFile(logdir + "/events.out.tfevents.1795298000.root.4.0", test::Frame(records));
  for (fs::recursive_directory_iterator it(logdir), end; it != end; ++it) {
    if (fs::is_regular_file(it->status())) test::SetMtime(it->path().string(), kPast);
  }
  return logdir;
}

std::vector<Input> AllInputs(const test::TempDir& tmp) {
  std::vector<Input> inputs = PrepareCorpus(tmp);
  inputs.push_back({"hostile", BuildHostile(tmp)});
  return inputs;
}

// The findings of the JSON report, the reference every format is held to.
json JsonFindings(const std::string& logdir) {
  const test::CliResult r = test::RunCli({"--format", "json", logdir});
  REQUIRE(r.exit_code != 2);
  return json::parse(r.out)["findings"];
}

std::string Name(const json& obj, const std::string& key) {
  const std::optional<std::string> name = GetName(obj, key);
  REQUIRE_MESSAGE(name.has_value(), key << " missing from " << obj.dump());
  return *name;
}

bool HavePythonModule(const std::string& module) {
  return std::system(("python3 -c 'import " + module + "' >/dev/null 2>&1").c_str()) == 0;
}

// Runs a command, its output in `log`; its exit status.
int Shell(const std::string& command, const std::string& log) {
  const int status = std::system((command + " >'" + log + "' 2>&1").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string SarifSchema() {
  // The copy in the repository, so that a clean clone works; the shared one
  // beside it otherwise.
  for (const std::string& p : {test::SourceDir() + "/tests/data/sarif-schema-2.1.0.json",
                               test::SourceDir() + "/../shared/data/sarif-schema-2.1.0.json"}) {
    if (fs::exists(p)) return p;
  }
  FAIL("no SARIF schema in tests/data or ../shared/data");
  return "";
}

int Hex(char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; }

// Decodes every %XX.
std::string PercentDecode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() + 0 && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(Hex(s[i + 1]) * 16 + Hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// --- SARIF ------------------------------------------------------------------

TEST_CASE("--format sarif validates against the SARIF 2.1.0 schema on every corpus case and on hostile names") {
  REQUIRE_MESSAGE(HavePythonModule("jsonschema"), "python3 with jsonschema is needed (scripts/install-deps.sh)");
  test::TempDir tmp, out;
  std::string files;
  int n = 0;
  bool saw_length = false, saw_run_level = false;
  for (const Input& in : AllInputs(tmp)) {
    CAPTURE(in.name);
    const test::CliResult r = test::RunCli({"--format", "sarif", in.logdir});
    REQUIRE(r.exit_code != 2);
    const std::string file = out / ("sarif-" + std::to_string(n++) + ".json");
    test::WriteFile(file, r.out);
    files += " '" + file + "'";

    // Each result says what the JSON report's finding says, in the same order.
    const json doc = json::parse(r.out);
    const json findings = JsonFindings(in.logdir);
    const json& run = doc["runs"][0];
    CHECK(run["tool"]["driver"]["rules"].size() == AllRules().size());
    const json& results = run["results"];
    REQUIRE(results.size() == findings.size());
    for (size_t i = 0; i < results.size(); ++i) {
      const json& res = results[i];
      const json& f = findings[i];
      CHECK(res["ruleId"] == f["code"]);
      CHECK(run["tool"]["driver"]["rules"][res["ruleIndex"].get<size_t>()]["id"] == f["code"]);
      const std::string sev = f["severity"];
      CHECK(res["level"] == (sev == "info" ? "note" : sev));
      CHECK(res["message"]["text"] == f["message"]);
      const json& loc = res["locations"][0]["physicalLocation"];
      CHECK(loc["artifactLocation"]["uriBaseId"] == "LOGDIR");
      const std::string uri = loc["artifactLocation"]["uri"];
      const std::string path = Name(f, "path");
      CHECK(PercentDecode(uri) == (path == "." ? "./" : path));  // exact bytes back
      if (path == ".") saw_run_level = true;
      if (f.contains("offset") && path != ".") {
        CHECK(loc["region"]["byteOffset"] == f["offset"]);
        if (f.contains("length")) {
          CHECK(loc["region"]["byteLength"] == f["length"]);
          saw_length = true;
        }
      }
    }
    // The base is the logdir, as an absolute file:// URI.
    const std::string base = run["originalUriBaseIds"]["LOGDIR"]["uri"];
    CHECK(PercentDecode(base) == "file://" + fs::absolute(in.logdir).lexically_normal().string() + "/");
  }
  CHECK(saw_length);
  CHECK(saw_run_level);
  const std::string script = test::SourceDir() + "/tests/validate_sarif.py";
  const std::string log = out / "validate.log";
  const int status = Shell("python3 '" + script + "' '" + SarifSchema() + "'" + files, log);
  CHECK_MESSAGE(status == 0, test::ReadFile(log));
}

TEST_CASE("--format sarif: a single event file is located in its directory; several PATHs get their own base") {
  test::TempDir tmp;
  std::string truncated = test::SmallEventFile(3);
  truncated.resize(truncated.size() - 2);
  test::WriteFile(tmp / "a/events.out.tfevents.1.h.1.0", truncated);
  test::WriteFile(tmp / "b/run/events.out.tfevents.1.h.2.0", "");
  test::SetMtime(tmp / "a/events.out.tfevents.1.h.1.0", kPast);
  test::SetMtime(tmp / "b/run/events.out.tfevents.1.h.2.0", kPast);
  const test::CliResult r = test::RunCli({"--format", "sarif", tmp / "a/events.out.tfevents.1.h.1.0", tmp / "b"});
  CHECK(r.exit_code == 1);
  const json run = json::parse(r.out)["runs"][0];
  CHECK(run["originalUriBaseIds"]["LOGDIR"]["uri"] == "file://" + tmp.path() + "/a/");
  CHECK(run["originalUriBaseIds"]["LOGDIR2"]["uri"] == "file://" + tmp.path() + "/b/");
  REQUIRE(run["results"].size() == 2);
  const json& first = run["results"][0]["locations"][0]["physicalLocation"];
  CHECK(first["artifactLocation"]["uri"] == "events.out.tfevents.1.h.1.0");
  CHECK(first["artifactLocation"]["uriBaseId"] == "LOGDIR");
  const json& second = run["results"][1]["locations"][0]["physicalLocation"];
  CHECK(second["artifactLocation"]["uri"] == "run/events.out.tfevents.1.h.2.0");
  CHECK(second["artifactLocation"]["uriBaseId"] == "LOGDIR2");
  // Stable fingerprints: the same finding, the same value, run after run.
  const json again =
      json::parse(test::RunCli({"--format", "sarif", tmp / "a/events.out.tfevents.1.h.1.0", tmp / "b"}).out);
  CHECK(again["runs"][0]["results"][0]["partialFingerprints"] == run["results"][0]["partialFingerprints"]);
  CHECK(run["results"][0]["partialFingerprints"] != run["results"][1]["partialFingerprints"]);
}

// --- GitHub -----------------------------------------------------------------

struct WorkflowCommand {
  std::string kind;
  std::map<std::string, std::string> properties;
  std::string message;
};

// Parses "::kind k=v,k=v::message" and undoes the escaping (every %XX).
WorkflowCommand ParseCommand(const std::string& line) {
  WorkflowCommand c;
  REQUIRE(line.rfind("::", 0) == 0);
  const size_t space = line.find(' ', 2);
  const size_t sep = line.find("::", 2);
  REQUIRE(space != std::string::npos);
  REQUIRE(sep != std::string::npos);
  REQUIRE(space < sep);
  c.kind = line.substr(2, space - 2);
  const std::string props = line.substr(space + 1, sep - space - 1);
  size_t start = 0;
  while (start <= props.size()) {
    size_t comma = props.find(',', start);
    if (comma == std::string::npos) comma = props.size();
    const std::string kv = props.substr(start, comma - start);
    const size_t eq = kv.find('=');
    REQUIRE(eq != std::string::npos);
    REQUIRE(c.properties.count(kv.substr(0, eq)) == 0);
    c.properties[kv.substr(0, eq)] = PercentDecode(kv.substr(eq + 1));
    start = comma + 1;
  }
  c.message = PercentDecode(line.substr(sep + 2));
  return c;
}

TEST_CASE("--format github: one workflow command per finding that parses back to it, corpus and hostile names") {
  test::TempDir tmp;
  bool saw_hostile_path = false;
  for (const Input& in : AllInputs(tmp)) {
    CAPTURE(in.name);
    const test::CliResult r = test::RunCli({"--format", "github", in.logdir});
    REQUIRE(r.exit_code != 2);
    const json findings = JsonFindings(in.logdir);
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < r.out.size()) {
      const size_t nl = r.out.find('\n', start);
      REQUIRE(nl != std::string::npos);  // every line ends in a newline
      lines.push_back(r.out.substr(start, nl - start));
      start = nl + 1;
    }
    REQUIRE(lines.size() == findings.size());
    for (size_t i = 0; i < lines.size(); ++i) {
      CAPTURE(lines[i]);
      // Nothing that is not printable reaches the log.
      for (const char ch : lines[i]) CHECK(static_cast<unsigned char>(ch) >= 0x20);
      CHECK(IsValidUtf8(lines[i]));
      WorkflowCommand c = ParseCommand(lines[i]);
      const json& f = findings[i];
      const std::string sev = f["severity"];
      CHECK(c.kind == (sev == "info" ? "notice" : sev));
      const std::string path = Name(f, "path");
      const std::string logdir = Name(f, "logdir");
      CHECK(c.properties["file"] == (path == "." ? logdir : logdir + "/" + path));
      CHECK(c.properties["line"] == "1");
      CHECK(c.properties["title"] == f["code"].get<std::string>() + " " + f["name"].get<std::string>());
      CHECK(ToValidUtf8(c.message) == f["message"]);
      if (path.find('\n') != std::string::npos) saw_hostile_path = true;
    }
  }
  CHECK(saw_hostile_path);
}

// --- JUnit ------------------------------------------------------------------

TEST_CASE("--format junit is well-formed XML with consistent counts on every corpus case and hostile names") {
  REQUIRE_MESSAGE(std::system("python3 -c 'import xml.etree.ElementTree' >/dev/null 2>&1") == 0, "python3 needed");
  test::TempDir tmp, out;
  std::string files;
  int n = 0;
  for (const Input& in : AllInputs(tmp)) {
    CAPTURE(in.name);
    for (const char* fail_on : {"warning", "info", "never"}) {
      const test::CliResult r = test::RunCli({"--format", "junit", "--fail-on", fail_on, in.logdir});
      REQUIRE(r.exit_code != 2);
      CHECK(IsValidUtf8(r.out));
      // A <failure> per finding at or above --fail-on, and nothing else.
      const json findings = JsonFindings(in.logdir);
      size_t expected = 0;
      for (const json& f : findings) {
        const std::string sev = f["severity"];
        if (std::string(fail_on) == "info" || (std::string(fail_on) == "warning" && sev != "info")) ++expected;
      }
      size_t failures = 0;
      for (size_t at = r.out.find("<failure "); at != std::string::npos; at = r.out.find("<failure ", at + 1)) {
        ++failures;
      }
      CHECK(failures == expected);
      CHECK((r.exit_code == 1) == (expected > 0));
      const std::string file = out / ("junit-" + std::to_string(n++) + ".xml");
      test::WriteFile(file, r.out);
      files += " '" + file + "'";
    }
  }
  const std::string log = out / "check.log";
  CHECK_MESSAGE(Shell("python3 '" + test::SourceDir() + "/tests/check_junit.py'" + files, log) == 0,
                test::ReadFile(log));
  if (std::system("command -v xmllint >/dev/null 2>&1") == 0) {
    CHECK_MESSAGE(Shell("xmllint --noout" + files, log) == 0, test::ReadFile(log));
  }
}

TEST_CASE("--format junit: a suite per run, a test per event file, named by escaped bytes") {
  test::TempDir tmp;
  const std::string logdir = BuildHostile(tmp);
  const test::CliResult r = test::RunCli({"--format", "junit", logdir});
  CHECK(r.exit_code == 1);
  // Controls and invalid bytes are written like the text output writes them.
  CHECK(r.out.find("<testsuite name=\"run %41 %:,#?&amp;&lt;&gt;&quot;&apos; x\\r\\ny\\x01\\x7f\"") !=
        std::string::npos);
  CHECK(r.out.find("<testsuite name=\"r\\xff\\xfe\\u{fffe}\\\\\\u{9b}\"") != std::string::npos);
  CHECK(r.out.find("name=\"events.out.tfevents.1795298000.gpu.2.0\"") != std::string::npos);
  // A clean file is a passing test.
  CHECK(r.out.find("name=\"events.out.tfevents.1795298000.gpu.2.0\"") != std::string::npos);
  for (const char ch : r.out) CHECK((static_cast<unsigned char>(ch) >= 0x20 || ch == '\n'));
}

// --- --output-file ------------------------------------------------------------

TEST_CASE("--output-file writes the report atomically, keeps the exit status, and a write failure is exit 2") {
  test::TempDir tmp;
  std::string truncated = test::SmallEventFile(3);
  truncated.resize(truncated.size() - 2);
  test::WriteFile(tmp / "logs/run/events.out.tfevents.1.h.1.0", truncated);
  test::SetMtime(tmp / "logs/run/events.out.tfevents.1.h.1.0", kPast);

  const test::CliResult direct = test::RunCli({"--format", "github", tmp / "logs"});
  CHECK(direct.exit_code == 1);
  test::WriteFile(tmp / "out/report.txt", "an older report\n");
  for (const char* flag : {"-o", "--output-file"}) {
    const test::CliResult r = test::RunCli({"--format", "github", flag, tmp / "out/report.txt", tmp / "logs"});
    CHECK(r.exit_code == 1);
    CHECK(r.out.empty());
    CHECK(r.err.empty());
    CHECK(test::ReadFile(tmp / "out/report.txt") == direct.out);
  }
  // Only the report is left in the directory: no temporary.
  int entries = 0;
  for (fs::directory_iterator it(tmp / "out"), end; it != end; ++it) ++entries;
  CHECK(entries == 1);
  // The mode a shell redirection would give, not mkstemp's 0600.
  struct stat st;
  REQUIRE(::stat((tmp / "out/report.txt").c_str(), &st) == 0);
  const mode_t mask = ::umask(0);
  ::umask(mask);
  CHECK((st.st_mode & 0777) == (0666 & ~mask));
  // Exit 0 when clean, with the file written.
  test::WriteFile(tmp / "clean/run/events.out.tfevents.1.h.1.0", test::SmallEventFile(3));
  test::SetMtime(tmp / "clean/run/events.out.tfevents.1.h.1.0", kPast);
  CHECK(test::RunCli({"-f", "sarif", "-o", tmp / "out/clean.sarif", tmp / "clean"}).exit_code == 0);
  CHECK(json::parse(test::ReadFile(tmp / "out/clean.sarif"))["version"] == "2.1.0");

  for (const std::string& bad : {tmp / "missing/report.txt", tmp / "out", std::string()}) {
    CAPTURE(bad);
    const test::CliResult r = test::RunCli({"--format", "github", "-o", bad, tmp / "logs"});
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(r.err.find("tblint: cannot write the report to") != std::string::npos);
  }
}

// --- --statistics and hints ---------------------------------------------------

TEST_CASE("--statistics counts findings per rule, most frequent first, in text and json") {
  test::TempDir tmp;
  for (int i = 0; i < 3; ++i) {
    std::string truncated = test::SmallEventFile(3);
    truncated.resize(truncated.size() - 2);
    test::WriteFile(tmp / ("logs/r" + std::to_string(i) + "/events.out.tfevents.1.h." + std::to_string(i) + ".0"),
                    truncated);
    test::SetMtime(tmp / ("logs/r" + std::to_string(i) + "/events.out.tfevents.1.h." + std::to_string(i) + ".0"),
                   kPast);
  }
  test::WriteFile(tmp / "logs/r9/events.out.tfevents.1.h.9.0", "");
  test::SetMtime(tmp / "logs/r9/events.out.tfevents.1.h.9.0", kPast);

  const test::CliResult text = test::RunCli({"--statistics", tmp / "logs"});
  CHECK(text.exit_code == 1);
  const size_t tb101 = text.out.find("\n  3  TB101  truncated-record  [*]\n");
  const size_t tb201 = text.out.find("\n  1  TB201  empty-event-file  [!]\n");
  CAPTURE(text.out);
  CHECK(tb101 != std::string::npos);
  CHECK(tb201 != std::string::npos);
  CHECK(tb101 < tb201);
  // Without the flag, no statistics.
  CHECK(test::RunCli({tmp / "logs"}).out.find("  3  TB101") == std::string::npos);

  const test::CliResult j = test::RunCli({"--format", "json", "--statistics", tmp / "logs"});
  const json stats = json::parse(j.out)["statistics"];
  REQUIRE(stats.size() == 2);
  CHECK(stats[0] == json{{"code", "TB101"}, {"name", "truncated-record"}, {"count", 3}, {"fix", "safe"}});
  CHECK(stats[1]["code"] == "TB201");
  CHECK(stats[1]["count"] == 1);
  CHECK_FALSE(json::parse(test::RunCli({"--format", "json", tmp / "logs"}).out).contains("statistics"));
}

TEST_CASE("text output ends with one --explain hint per distinct code, not with --quiet") {
  test::TempDir tmp;
  for (int i = 0; i < 2; ++i) {
    std::string truncated = test::SmallEventFile(3);
    truncated.resize(truncated.size() - 2);
    test::WriteFile(tmp / ("logs/r" + std::to_string(i) + "/events.out.tfevents.1.h." + std::to_string(i) + ".0"),
                    truncated);
    test::SetMtime(tmp / ("logs/r" + std::to_string(i) + "/events.out.tfevents.1.h." + std::to_string(i) + ".0"),
                   kPast);
  }
  const test::CliResult r = test::RunCli({tmp / "logs"});
  const std::string hint = "hint: run 'tblint --explain TB101' for details\n";
  const size_t at = r.out.find(hint);
  REQUIRE(at != std::string::npos);
  CHECK(r.out.find(hint, at + 1) == std::string::npos);
  CHECK(r.out.find("hint:") == r.out.find(hint));
  CHECK(test::RunCli({"--quiet", tmp / "logs"}).out.find("hint:") == std::string::npos);
  // A clean logdir gets no hint.
  test::WriteFile(tmp / "clean/events.out.tfevents.1.h.1.0", test::SmallEventFile(3));
  test::SetMtime(tmp / "clean/events.out.tfevents.1.h.1.0", kPast);
  CHECK(test::RunCli({tmp / "clean"}).out.find("hint:") == std::string::npos);
}

TEST_CASE("subcommands that cannot produce the CI formats say so") {
  for (const char* format : {"sarif", "github", "junit", "html"}) {
    const test::CliResult r = test::RunCli({"runs", "--format", format, "."});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(std::string("cannot produce ") + format) != std::string::npos);
  }
  const test::CliResult r = test::RunCli({"--format", "xml", "."});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--format must be text, json, sarif, github, junit or html") != std::string::npos);
}

}  // namespace
}  // namespace tblint
