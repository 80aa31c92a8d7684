#include "test_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <boost/filesystem.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "cli/app.h"
#include "record/record_reader.h"
#include "rule/registry.h"

namespace tblint::test {

namespace fs = boost::filesystem;

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/tblint-test-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  boost::system::error_code ec;
  // Make everything removable again (tests chmod things away).
  // Never through a symlink: chmod follows links, and tests link to /, /tmp
  // and devices.
  for (fs::recursive_directory_iterator it(path_, ec), end; !ec && it != end; it.increment(ec)) {
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) == 0 && !S_ISLNK(st.st_mode)) ::chmod(it->path().c_str(), 0755);
  }
  fs::remove_all(path_, ec);
}

std::string SourceDir() { return TBLINT_SOURCE_DIR; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& bytes) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

void SetMtime(const std::string& path, double t) {
  struct timespec times[2];
  times[0].tv_sec = times[1].tv_sec = static_cast<time_t>(t);
  times[0].tv_nsec = times[1].tv_nsec = static_cast<long>((t - static_cast<double>(static_cast<time_t>(t))) * 1e9);
  if (::utimensat(AT_FDCWD, path.c_str(), times, 0) != 0) throw std::runtime_error("utimensat " + path);
}

void CopyTree(const std::string& from, const std::string& to) {
  fs::create_directories(to);
  for (fs::recursive_directory_iterator it(from), end; it != end; ++it) {
    const fs::path rel = fs::relative(it->path(), from);
    const fs::path dst = fs::path(to) / rel;
    if (fs::is_directory(it->symlink_status())) {
      fs::create_directories(dst);
    } else if (fs::is_regular_file(it->symlink_status())) {
      fs::create_directories(dst.parent_path());
      fs::copy_file(it->path(), dst, fs::copy_options::overwrite_existing);
      fs::permissions(dst, fs::owner_read | fs::owner_write | fs::group_read | fs::others_read);
    }
  }
}

double Now() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

std::string Frame(const std::vector<std::string>& payloads) {
  std::string out;
  for (const std::string& p : payloads) AppendRecord(&out, p);
  return out;
}

std::string SmallEventFile(int n, double wall_time) {
  std::vector<std::string> payloads = {events::PlainHeader(wall_time)};
  for (int i = 0; i < n; ++i) payloads.push_back(events::Scalar(wall_time + i, i, "loss", 1.0f / (i + 1)));
  return Frame(payloads);
}

LintResult LintPath(const std::string& path, const std::string& prefix, double now) {
  ScanConfig config;
  config.lint.now = now > 0 ? now : Now();
  config.jobs = 2;
  for (const auto& r : AllRules()) {
    if (std::string(r->info().code).rfind(prefix, 0) == 0) config.rules.push_back(r.get());
  }
  LintResult result;
  std::string error;
  if (!Lint(path, config, &result, &error)) throw std::runtime_error(error);
  return result;
}

CliResult RunCli(const std::vector<std::string>& args) {
  std::vector<const char*> argv = {"tblint"};
  for (const std::string& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  CliResult r;
  r.exit_code = RunApp(static_cast<int>(argv.size()), argv.data(), out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

int Count(const LintResult& r, const std::string& code, const std::string& path) {
  int n = 0;
  for (const Finding& f : r.findings) {
    if (code == f.rule->code && (path.empty() || f.path == path)) ++n;
  }
  return n;
}

}  // namespace tblint::test
