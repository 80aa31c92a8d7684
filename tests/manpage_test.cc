// docs/tblint.1 is written by hand: these tests keep it in step with the
// options and subcommands `--help` lists, both ways, so that an option added
// to the code without its man page entry (or left in the page after it is
// removed) fails here with the list of what is missing.
#include <doctest/doctest.h>

#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "cli/subcommands.h"
#include "test_util.h"

namespace tblint {
namespace {

// The man page with groff's escaped hyphens ("\-") as plain ones.
std::string ManPage() {
  std::string page = test::ReadFile(test::SourceDir() + "/docs/tblint.1");
  std::string out;
  for (size_t i = 0; i < page.size(); ++i) {
    if (page[i] == '\\' && i + 1 < page.size() && page[i + 1] == '-') continue;
    out += page[i];
  }
  return out;
}

// The long options an options table printed by --help declares.
std::set<std::string> HelpOptions(const std::string& help) {
  std::set<std::string> out;
  static const std::regex line(R"(^  (?:-[A-Za-z] \[ )?--([a-z][a-z0-9-]*))");
  std::istringstream in(help);
  for (std::string l; std::getline(in, l);) {
    std::smatch m;
    if (std::regex_search(l, m, line)) out.insert(m[1]);
  }
  return out;
}

bool Mentions(const std::string& page, const std::string& option) {
  const std::regex word("--" + option + "(?![a-z0-9-])");
  return std::regex_search(page, word);
}

std::string Join(const std::set<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : " ") + n;
  return out;
}

TEST_CASE("man page: every option of every subcommand's --help is in docs/tblint.1") {
  const std::string page = ManPage();
  std::set<std::string> missing;
  const test::CliResult main_help = test::RunCli({"--help"});
  REQUIRE(main_help.exit_code == 0);
  for (const std::string& o : HelpOptions(main_help.out)) {
    if (!Mentions(page, o)) missing.insert("--" + o + " (check)");
  }
  for (const Subcommand& s : Subcommands()) {
    const test::CliResult help = test::RunCli({std::string(s.name), "--help"});
    REQUIRE(help.exit_code == 0);
    const std::set<std::string> options = HelpOptions(help.out);
    CHECK(options.count("help") == 1);
    for (const std::string& o : options) {
      if (!Mentions(page, o)) missing.insert("--" + o + " (" + std::string(s.name) + ")");
    }
  }
  INFO("options in --help but not in docs/tblint.1: " << Join(missing));
  CHECK(missing.empty());
}

TEST_CASE("man page: every subcommand is described, and every option it lists exists") {
  const std::string page = ManPage();
  std::set<std::string> all_options;
  for (const Subcommand& s : Subcommands()) {
    const std::string name(s.name);
    CAPTURE(name);
    // Listed under SUBCOMMANDS as a tagged paragraph, and in the synopsis.
    CHECK(page.find(".TP\n.B " + name + "\n") != std::string::npos);
    CHECK(page.find(name == "check" ? ".RB [ check ]" : ".B tblint " + name) != std::string::npos);
    for (const std::string& o : HelpOptions(test::RunCli({name, "--help"}).out)) all_options.insert(o);
  }
  // Options the page documents (the tag line after each .TP that starts with
  // an option) that no subcommand takes any more.
  std::set<std::string> stale;
  static const std::regex tag(R"(\.TP\n\.B[RI]? (?:-[A-Za-z] ?"?, "? ?)?--([a-z][a-z0-9-]*))");
  for (auto it = std::sregex_iterator(page.begin(), page.end(), tag); it != std::sregex_iterator(); ++it) {
    if (!all_options.count((*it)[1])) stale.insert("--" + (*it)[1].str());
  }
  INFO("options documented in docs/tblint.1 that no subcommand's --help lists: " << Join(stale));
  CHECK(stale.empty());
}

TEST_CASE("completions: bash and zsh know every subcommand and every option --help lists") {
  for (const char* file : {"completions/tblint.bash", "completions/_tblint"}) {
    CAPTURE(file);
    const std::string script = test::ReadFile(test::SourceDir() + "/" + file);
    std::set<std::string> missing;
    for (const Subcommand& s : Subcommands()) {
      const std::string name(s.name);
      if (!std::regex_search(script, std::regex("(^|[^a-z-])" + name + "([^a-z-]|$)"))) missing.insert(name);
      for (const std::string& o : HelpOptions(test::RunCli({name, "--help"}).out)) {
        if (!Mentions(script, o)) missing.insert("--" + o + " (" + name + ")");
      }
    }
    INFO("missing from " << file << ": " << Join(missing));
    CHECK(missing.empty());
  }
}

}  // namespace
}  // namespace tblint
