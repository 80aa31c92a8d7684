#include "scan/live_writers.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "rule/writer_name.h"

namespace tblint {
namespace {

// The "flags:" line of /proc/<pid>/fdinfo/<fd>, in octal.
bool ReadFlags(const std::string& fdinfo, long* flags) {
  FILE* f = std::fopen(fdinfo.c_str(), "re");
  if (f == nullptr) return false;
  char line[256];
  bool found = false;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::strncmp(line, "flags:", 6) == 0) {
      *flags = std::strtol(line + 6, nullptr, 8);
      found = true;
      break;
    }
  }
  std::fclose(f);
  return found;
}

}  // namespace

OpenForWriting FindFilesOpenForWriting(const std::string& proc_root) {
  OpenForWriting result;
  DIR* proc = ::opendir(proc_root.c_str());
  if (proc == nullptr) return result;
  const std::string self = std::to_string(::getpid());
  while (dirent* pe = ::readdir(proc)) {
    if (!AllDigits(pe->d_name) || self == pe->d_name) continue;
    const std::string pid_dir = proc_root + "/" + pe->d_name;
    DIR* fds = ::opendir((pid_dir + "/fd").c_str());
    if (fds == nullptr) continue;  // gone, or not ours to see
    while (dirent* fe = ::readdir(fds)) {
      if (!AllDigits(fe->d_name)) continue;
      long flags = 0;
      if (!ReadFlags(pid_dir + "/fdinfo/" + fe->d_name, &flags)) continue;
      if ((flags & O_ACCMODE) == O_RDONLY) continue;
      struct stat st {};
      if (::stat((pid_dir + "/fd/" + fe->d_name).c_str(), &st) != 0) continue;
      if (!S_ISREG(st.st_mode)) continue;
      result.files.emplace(st.st_dev, st.st_ino);
    }
    ::closedir(fds);
  }
  ::closedir(proc);
  return result;
}

}  // namespace tblint
