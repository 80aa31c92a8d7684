// Which files a running process holds open for writing, read from Linux
// /proc/<pid>/fd and /proc/<pid>/fdinfo. Where /proc is missing or a process
// is not ours to inspect, nothing is known about it and nothing is claimed.
#ifndef TBLINT_SCAN_LIVE_WRITERS_H_
#define TBLINT_SCAN_LIVE_WRITERS_H_

#include <cstdint>
#include <set>
#include <string>
#include <utility>

namespace tblint {

struct OpenForWriting {
  std::set<std::pair<uint64_t, uint64_t>> files;  // (st_dev, st_ino)
  bool Contains(uint64_t dev, uint64_t ino) const { return files.count({dev, ino}) != 0; }
};

// Scans /proc (or `proc_root`, for tests) once. Skips this process.
OpenForWriting FindFilesOpenForWriting(const std::string& proc_root = "/proc");

}  // namespace tblint

#endif  // TBLINT_SCAN_LIVE_WRITERS_H_
