// `cmake --install` and the .deb from `cpack`: the installed binary runs and
// finds its rule docs, the man page renders, the completions are where bash
// and zsh look; the package unpacks to a tree whose binary runs. Slow (it
// installs and packs the build tree this test belongs to).
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <boost/filesystem.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "test_util.h"

namespace tblint {
namespace {

namespace fs = boost::filesystem;

std::string Quote(const std::string& word) {
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

struct Shell {
  int status = -1;
  std::string out;
};

// Runs a shell command; its standard output and error together.
Shell Sh(const std::string& command) {
  Shell r;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) r.out.append(buf, n);
  const int status = ::pclose(p);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// The build tree: where the tests' tblint was built.
std::string BuildDir() { return fs::path(TBLINT_BINARY).parent_path().string(); }

// The installed tblint lints fixtures/demo (findings: exit 1), explains a
// rule and prints its version.
void CheckInstalledBinary(const std::string& bin) {
  Shell r = Sh(Quote(bin) + " --version");
  CHECK(r.status == 0);
  CHECK(r.out.rfind("tblint ", 0) == 0);
  r = Sh(Quote(bin) + " --color never " + Quote(test::SourceDir() + "/fixtures/demo"));
  INFO(r.out);
  CHECK(r.status == 1);
  CHECK(r.out.find("[TB") != std::string::npos);
  r = Sh("cd / && " + Quote(bin) + " --explain TB101");
  CHECK(r.status == 0);
  CHECK(r.out.find("TB101") != std::string::npos);
}

void CheckInstalledFiles(const std::string& root, const std::string& prefix) {
  const std::string share = root + prefix + "/share";
  const std::string man = share + "/man/man1/tblint.1";
  REQUIRE(fs::is_regular_file(man));
  if (Sh("command -v man").status == 0) {
    const Shell r = Sh("MANWIDTH=80 man -l " + Quote(man) + " | cat");
    INFO(r.out);
    CHECK(r.status == 0);
    CHECK(r.out.find("merge-reports") != std::string::npos);
  }
  CHECK(fs::is_regular_file(share + "/bash-completion/completions/tblint"));
  CHECK(fs::is_regular_file(share + "/zsh/site-functions/_tblint"));
  CHECK(fs::is_regular_file(share + "/doc/tblint/rules/TB101.md"));
  CHECK(fs::is_regular_file(share + "/doc/tblint/rules/README.md"));
  // The bash completion loads and completes subcommands.
  if (Sh("command -v bash").status == 0) {
    const Shell r = Sh("bash -c " + Quote("source " + Quote(share + "/bash-completion/completions/tblint") +
                                          "; COMP_WORDS=(tblint merge); COMP_CWORD=1; _tblint; "
                                          "printf '%s\\n' \"${COMPREPLY[@]}\""));
    INFO(r.out);
    CHECK(r.out.find("merge-reports") != std::string::npos);
  }
}

TEST_CASE("install: cmake --install puts the binary, man page, completions and rule docs in the prefix" *
          doctest::test_suite("slow")) {
  test::TempDir prefix;
  const Shell r = Sh("cmake --install " + Quote(BuildDir()) + " --prefix " + Quote(prefix.path()));
  INFO(r.out);
  REQUIRE(r.status == 0);
  CheckInstalledBinary(prefix / "bin/tblint");
  CheckInstalledFiles(prefix.path(), "");
}

TEST_CASE("install: cpack builds a .deb that unpacks to a working tblint" * doctest::test_suite("slow")) {
  if (Sh("command -v dpkg-deb").status != 0) {
    MESSAGE("dpkg-deb not found: the .deb is not tested");
    return;
  }
  test::TempDir out, root;
  // The build tree's install script, run directly: a plain `cpack` first
  // builds every out-of-date target ("preinstall"), which this test (part of
  // that build) must not wait for. The package is otherwise what `cpack`
  // makes, but rooted at CMAKE_INSTALL_PREFIX (/usr/local) rather than /usr.
  Shell r =
      Sh("cd " + Quote(BuildDir()) + " && cpack -G DEB -B " + Quote(out.path()) +
         " -D CPACK_INSTALL_CMAKE_PROJECTS= -D CPACK_INSTALL_SCRIPTS=" + Quote(BuildDir() + "/cmake_install.cmake"));
  INFO(r.out);
  REQUIRE(r.status == 0);
  std::string deb;
  for (const auto& e : fs::directory_iterator(out.path())) {
    if (e.path().extension() == ".deb") deb = e.path().string();
  }
  REQUIRE(!deb.empty());
  r = Sh("dpkg-deb -f " + Quote(deb) + " Package Version Depends");
  INFO(r.out);
  CHECK(r.out.find("Package: tblint") != std::string::npos);
  CHECK(r.out.find("libprotobuf") != std::string::npos);
  CHECK(r.out.find("libboost-program-options") != std::string::npos);
  r = Sh("dpkg-deb -x " + Quote(deb) + " " + Quote(root.path()));
  REQUIRE(r.status == 0);
  const std::string prefix = fs::exists(root / "usr/bin/tblint") ? "/usr" : "/usr/local";
  CheckInstalledBinary(root.path() + prefix + "/bin/tblint");
  CheckInstalledFiles(root.path(), prefix);
}

}  // namespace
}  // namespace tblint
