// The structure ARCHITECTURE.md draws, enforced: folders include only the
// layers below them, nothing under src/ reaches up into rules/, the fixer
// never names a rule, and the rule lists in the docs match the registry.
#include <doctest/doctest.h>

#include <boost/filesystem.hpp>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "rule/registry.h"
#include "test_util.h"

namespace tblint::test {
namespace {

namespace fs = boost::filesystem;

// What each folder may include (besides itself, the standard library, the
// generated protos and third-party headers). Layers point one way:
// cli -> (fix, report, export) -> scan -> rule -> event -> record -> util; report
// renders fix outcomes, so it may read fix's types, never the reverse; the
// rules build on the framework.
const std::map<std::string, std::set<std::string>>& Allowed() {
  static const std::map<std::string, std::set<std::string>> allowed = {
      {"src/util", {}},
      {"src/record", {"util"}},
      {"src/event", {"record", "util"}},
      {"src/rule", {"event", "record", "util"}},
      {"src/scan", {"rule", "event", "record", "util"}},
      {"src/fix", {"scan", "rule", "event", "record", "util"}},
      {"src/report", {"fix", "scan", "rule", "event", "record", "util"}},
      {"src/export", {"scan", "rule", "event", "record", "util"}},
      {"src/merge", {"export", "scan", "rule", "event", "record", "util"}},
      {"src/cli", {"cli", "export", "fix", "merge", "report", "scan", "rule", "event", "record", "util"}},
      {"rules", {"rule", "event", "record", "util"}},
  };
  return allowed;
}

// Maps an include like "scan/scanner.h" to its folder ("scan").
std::string IncludedLayer(const std::string& include) {
  const size_t slash = include.find('/');
  return slash == std::string::npos ? "" : include.substr(0, slash);
}

TEST_CASE("architecture: every folder includes only the layers below it, and nothing in src/ includes rules/") {
  const std::regex include_re("^\\s*#\\s*include\\s+\"([^\"]+)\"");
  int checked = 0;
  for (const auto& [folder, allowed] : Allowed()) {
    const fs::path root = fs::path(SourceDir()) / folder;
    REQUIRE(fs::is_directory(root));
    const std::string self = fs::path(folder).filename().string();
    for (fs::recursive_directory_iterator it(root), end; it != end; ++it) {
      const std::string ext = it->path().extension().string();
      if (ext != ".h" && ext != ".cc") continue;
      const std::string rel = fs::relative(it->path(), SourceDir()).string();
      std::istringstream in(ReadFile(it->path().string()));
      for (std::string line; std::getline(in, line);) {
        std::smatch m;
        if (!std::regex_search(line, m, include_re)) continue;
        const std::string layer = IncludedLayer(m[1]);
        if (layer.empty() || layer == self) continue;  // same folder, or a generated/external header
        const bool ours = Allowed().count("src/" + layer) != 0 || layer == "rules";
        if (!ours) continue;
        CAPTURE(rel);
        CAPTURE(line);
        CHECK_MESSAGE(allowed.count(layer) != 0, rel << " may not include " << m[1].str());
        ++checked;
      }
    }
  }
  CHECK(checked > 50);
}

TEST_CASE("architecture: src/fix plans from a finding's fix and never names a rule") {
  const std::regex code_re("\"TB[0-9]{3}");
  for (fs::directory_iterator it(fs::path(SourceDir()) / "src/fix"), end; it != end; ++it) {
    CAPTURE(it->path().string());
    CHECK_FALSE(std::regex_search(ReadFile(it->path().string()), code_re));
  }
}

TEST_CASE("architecture: docs/rules/README.md and the field table of docs/json.md list every registered rule") {
  const std::string index = ReadFile(SourceDir() + "/docs/rules/README.md");
  const std::string json = ReadFile(SourceDir() + "/docs/json.md");
  REQUIRE(!index.empty());
  REQUIRE(!json.empty());
  // The json.md table rows start with "| TBxxx" and may name several codes.
  std::set<std::string> json_codes;
  std::istringstream in(json);
  const std::regex code_re("TB[0-9]{3}");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("| TB", 0) != 0) continue;
    const std::string first_cell = line.substr(0, line.find('|', 1));
    for (std::sregex_iterator m(first_cell.begin(), first_cell.end(), code_re), e; m != e; ++m) {
      json_codes.insert(m->str());
    }
  }
  for (const auto& rule : AllRules()) {
    const std::string code = rule->info().code;
    CAPTURE(code);
    CHECK_MESSAGE(index.find("[" + code + "](" + code + ".md) | " + rule->info().name + " |") != std::string::npos,
                  "docs/rules/README.md has no row for " << code);
    CHECK_MESSAGE(json_codes.count(code) == 1, "docs/json.md's field table has no row for " << code);
  }
  for (const std::string& code : json_codes) {
    CAPTURE(code);
    CHECK(FindRule(code) != nullptr);
  }
}

}  // namespace
}  // namespace tblint::test
