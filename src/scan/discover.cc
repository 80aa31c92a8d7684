#include "scan/discover.h"

#include <sys/stat.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

namespace tblint {
namespace {

namespace fs = boost::filesystem;

using DevIno = std::pair<uint64_t, uint64_t>;

// A hard cap on directories visited, so a pathological tree of symlinks
// (each pointing at several siblings) cannot make discovery run forever.
constexpr size_t kMaxDirectories = 1'000'000;

double MtimeOf(const struct stat& st) {
  return static_cast<double>(st.st_mtim.tv_sec) + st.st_mtim.tv_nsec * 1e-9;
}

const char* NonRegularKind(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "not a regular file";
}

std::string Join(const std::string& rel, const std::string& name) {
  return rel == "." ? name : rel + "/" + name;
}

class Walker {
 public:
  Walker(const LintOptions& options, LogdirResult* out) : options_(options), out_(out) {}

  void Dir(const std::string& path, const std::string& rel, int depth) {
    if (++dirs_visited_ > kMaxDirectories) {
      if (dirs_visited_ == kMaxDirectories + 1) {
        out_->problems.push_back({rel, "more than 1000000 directories; discovery stopped here"});
      }
      return;
    }
    boost::system::error_code ec;
    std::vector<std::string> names;
    fs::directory_iterator it(path, ec), end;
    if (ec) {
      out_->problems.push_back({rel, "cannot list directory: " + ec.message()});
      return;
    }
    for (; it != end; it.increment(ec)) {
      if (ec) break;
      names.push_back(it->path().filename().string());
    }
    if (ec) out_->problems.push_back({rel, "cannot list directory: " + ec.message()});
    std::sort(names.begin(), names.end());

    std::vector<size_t> files_here;
    std::vector<std::pair<std::string, std::string>> subdirs;  // path, rel
    for (const std::string& name : names) {
      const std::string child = path + "/" + name;
      const std::string child_rel = Join(rel, name);
      struct stat lst {};
      if (::lstat(child.c_str(), &lst) != 0) {
        // Vanished between listing and stat, or permission.
        out_->problems.push_back({child_rel, std::string("cannot stat: ") + std::strerror(errno)});
        continue;
      }
      struct stat st = lst;
      const bool is_link = S_ISLNK(lst.st_mode);
      if (is_link && ::stat(child.c_str(), &st) != 0) {
        const int err = errno;
        if (err == ELOOP) {
          out_->problems.push_back({child_rel, "symlink loop"});
        } else if (err == ENOENT) {
          out_->problems.push_back({child_rel, "broken symlink (its target does not exist)"});
        } else {
          out_->problems.push_back({child_rel, std::string("cannot follow symlink: ") + std::strerror(err)});
        }
        continue;
      }
      if (S_ISDIR(st.st_mode)) {
        if (depth == 0 && name == kBackupDirName) continue;  // tblint's own backups
        DevIno id{st.st_dev, st.st_ino};
        auto loop = std::find(ancestors_.begin(), ancestors_.end(), id);
        if (loop != ancestors_.end()) {
          out_->problems.push_back(
              {child_rel, "symlink loop: points back to " + ancestor_rels_[loop - ancestors_.begin()]});
          continue;
        }
        subdirs.emplace_back(child, child_rel);
        continue;
      }
      if (name == "projector_config.pbtxt") out_->projector_configs.push_back(child_rel);
      if (name.find("tfevents") == std::string::npos) continue;
      if (!S_ISREG(st.st_mode)) {
        out_->problems.push_back({child_rel, std::string("is ") + NonRegularKind(st.st_mode) +
                                                 ", not a regular file; not read"});
        continue;
      }
      FileResult& f = out_->files.emplace_back();
      f.info.path = child;
      f.info.rel_path = child_rel;
      f.info.run = rel;
      f.info.name = name;
      f.info.size = static_cast<uint64_t>(st.st_size);
      f.info.mtime = MtimeOf(st);
      f.info.dev = st.st_dev;
      f.info.ino = st.st_ino;
      f.info.recently_modified = options_.now - f.info.mtime < options_.grace_period_s;
      files_here.push_back(out_->files.size() - 1);
    }
    if (!files_here.empty()) {
      RunResult& run = out_->runs.emplace_back();
      run.name = rel;
      run.path = path;
      run.depth = depth;
      run.file_indices = std::move(files_here);
    }
    for (const auto& [child, child_rel] : subdirs) {
      struct stat st {};
      if (::stat(child.c_str(), &st) != 0) {
        out_->problems.push_back({child_rel, std::string("cannot stat: ") + std::strerror(errno)});
        continue;
      }
      ancestors_.emplace_back(st.st_dev, st.st_ino);
      ancestor_rels_.push_back(child_rel);
      Dir(child, child_rel, depth + 1);
      ancestors_.pop_back();
      ancestor_rels_.pop_back();
    }
  }

  void Root(const std::string& path, const struct stat& st) {
    ancestors_.emplace_back(st.st_dev, st.st_ino);
    ancestor_rels_.push_back(".");
    Dir(path, ".", 0);
  }

 private:
  const LintOptions& options_;
  LogdirResult* out_;
  std::vector<DevIno> ancestors_;
  std::vector<std::string> ancestor_rels_;
  size_t dirs_visited_ = 0;
};

}  // namespace

bool Discover(const std::string& given, const LintOptions& options, LogdirResult* out,
              std::string* error) {
  out->given = given;
  std::string path = given;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    *error = given + ": " + std::strerror(errno);
    return false;
  }
  if (S_ISDIR(st.st_mode)) {
    Walker walker(options, out);
    walker.Root(path, st);
  } else {
    // A single file: lint it on its own, as the one file of run ".".
    out->single_file = true;
    const std::string name = fs::path(path).filename().string();
    if (!S_ISREG(st.st_mode)) {
      out->problems.push_back({name, std::string("is ") + NonRegularKind(st.st_mode) +
                                         ", not a regular file; not read"});
      return true;
    }
    FileResult& f = out->files.emplace_back();
    f.info.path = path;
    f.info.rel_path = name;
    f.info.run = ".";
    f.info.name = name;
    f.info.size = static_cast<uint64_t>(st.st_size);
    f.info.mtime = MtimeOf(st);
    f.info.dev = st.st_dev;
    f.info.ino = st.st_ino;
    f.info.recently_modified = options.now - f.info.mtime < options.grace_period_s;
    RunResult& run = out->runs.emplace_back();
    run.name = ".";
    run.path = fs::path(path).parent_path().string();
    run.file_indices = {0};
  }
  // TensorBoard lists runs by name; within a run files are already in
  // lexicographic order because names were sorted per directory.
  std::sort(out->runs.begin(), out->runs.end(),
            [](const RunResult& a, const RunResult& b) { return a.name < b.name; });
  return true;
}

}  // namespace tblint
