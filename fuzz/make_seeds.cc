// Writes the fuzzers' seed corpora from the fixtures: every event file
// (*tfevents*, deduplicated) into OUT/files, and every record payload found in
// them into OUT/payloads (for the Event decoder fuzzer).
//   tblint_fuzz_seeds FIXTURES_DIR OUT_DIR
#include <boost/filesystem.hpp>
#include <cstdio>
#include <fstream>
#include <set>
#include <string>

#include "independent_scanner.h"

namespace {

namespace fs = boost::filesystem;
namespace ind = tblint::independent;

// Content-named, so that reruns and duplicates write nothing new.
bool WriteSeed(const fs::path& dir, const std::string& bytes, std::set<std::string>* seen) {
  if (!seen->insert(bytes).second) return false;
  char name[32];
  std::snprintf(name, sizeof name, "%08x-%zu", ind::Crc32c(bytes.data(), bytes.size()), bytes.size());
  std::ofstream out((dir / name).string(), std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s FIXTURES_DIR OUT_DIR\n", argv[0]);
    return 2;
  }
  const fs::path files = fs::path(argv[2]) / "files", payloads = fs::path(argv[2]) / "payloads";
  fs::create_directories(files);
  fs::create_directories(payloads);
  std::set<std::string> seen_files, seen_payloads;
  boost::system::error_code ec;
  for (fs::recursive_directory_iterator it(argv[1], ec), end; !ec && it != end; it.increment(ec)) {
    // Regular files only: the fixtures hold symlink loops, FIFOs and
    // unreadable files on purpose (TB504).
    if (!fs::is_regular_file(it->symlink_status()) ||
        it->path().filename().string().find("tfevents") == std::string::npos) {
      continue;
    }
    const std::string bytes = ind::ReadAll(it->path().string());
    WriteSeed(files, bytes, &seen_files);
    for (const ind::Span& r : ind::CanonicalSpans(bytes)) {
      WriteSeed(payloads, std::string(ind::Payload(bytes, r)), &seen_payloads);
    }
  }
  if (ec) {
    std::fprintf(stderr, "%s: %s\n", argv[1], ec.message().c_str());
    return 1;
  }
  std::printf("%zu event files, %zu payloads\n", seen_files.size(), seen_payloads.size());
  return seen_files.empty() ? 1 : 0;
}
