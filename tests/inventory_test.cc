// The inventory (style.md, "A rule, in outline"): every registered rule has
// its doc page, its fixtures and its tests, and every doc page and fixture
// folder has a registered rule.
#include <doctest/doctest.h>

#include <boost/filesystem.hpp>
#include <set>
#include <string>

#include "rule/registry.h"
#include "test_util.h"

namespace tblint::test {
namespace {

namespace fs = boost::filesystem;

bool NonEmptyDir(const fs::path& p) { return fs::is_directory(p) && !fs::is_empty(p); }

TEST_CASE("every registered rule has bad and good fixtures and a test case in tests/rules_test.cc") {
  const std::string tests = ReadFile(SourceDir() + "/tests/rules_test.cc");
  REQUIRE(!tests.empty());
  for (const auto& rule : AllRules()) {
    const std::string code = rule->info().code;
    CAPTURE(code);
    const fs::path fixtures = fs::path(SourceDir()) / "fixtures/rules" / code;
    CHECK_MESSAGE(NonEmptyDir(fixtures / "bad"), "add bad cases to tools/make_fixtures.cc and regenerate");
    CHECK_MESSAGE(NonEmptyDir(fixtures / "good"), "add good cases to tools/make_fixtures.cc and regenerate");
    // The test case is named after the rule: "TB101 truncated-record ...".
    const std::string title = "TEST_CASE(\"" + code + " " + rule->info().name + " ";
    CHECK_MESSAGE(tests.find(title) != std::string::npos, "no " << title << "...\") in tests/rules_test.cc");
  }
}

TEST_CASE("every fixture folder under fixtures/rules belongs to a registered rule") {
  const fs::path root = fs::path(SourceDir()) / "fixtures/rules";
  REQUIRE(fs::is_directory(root));
  for (fs::directory_iterator it(root), end; it != end; ++it) {
    const std::string name = it->path().filename().string();
    CAPTURE(name);
    CHECK(FindRule(name) != nullptr);
  }
}

TEST_CASE("every registered rule has a doc page docs/rules/<code>.md and every page a rule") {
  const fs::path docs = fs::path(SourceDir()) / "docs/rules";
  for (const auto& rule : AllRules()) {
    const std::string code = rule->info().code;
    CAPTURE(code);
    CHECK_MESSAGE(fs::is_regular_file(docs / (code + ".md")), "missing docs/rules/" << code << ".md");
  }
  std::set<std::string> pages;
  if (fs::is_directory(docs)) {
    for (fs::directory_iterator it(docs), end; it != end; ++it) {
      const std::string file = it->path().filename().string();
      if (file.rfind("TB", 0) == 0 && it->path().extension() == ".md") pages.insert(file);
    }
  }
  for (const std::string& page : pages) {
    CAPTURE(page);
    CHECK_MESSAGE(FindRule(page.substr(0, page.size() - 3)) != nullptr,
                  "docs/rules/" << page << " has no registered rule");
  }
}

}  // namespace
}  // namespace tblint::test
