#include "scan/discover.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace tblint {
namespace {

namespace fs = boost::filesystem;

using DevIno = std::pair<uint64_t, uint64_t>;

constexpr std::string_view kProjectorConfigName = "projector_config.pbtxt";

// What discovery keeps of a stat: a few numbers, not the whole struct, so
// that a directory with a million subdirectories lists in little memory.
struct Stat {
  mode_t mode = 0;
  DevIno id;
  uint64_t size = 0;
  double mtime = 0;
};

Stat StatOf(const struct stat& st) {
  return {st.st_mode,
          {st.st_dev, st.st_ino},
          static_cast<uint64_t>(st.st_size),
          static_cast<double>(st.st_mtim.tv_sec) + st.st_mtim.tv_nsec * 1e-9};
}

// `rel` is a suffix of `path`; the run and the name are read from it.
FileInfo MakeFileInfo(std::string path, size_t rel_len, const Stat& st, const LintOptions& options) {
  FileInfo info;
  info.SetPaths(std::move(path), rel_len);
  info.size = st.size;
  info.mtime = st.mtime;
  info.dev = st.id.first;
  info.ino = st.id.second;
  info.recently_modified = options.now - info.mtime < options.grace_period_s;
  return info;
}

const char* NonRegularKind(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "not a regular file";
}

bool IsEventName(std::string_view name) { return name.find("tfevents") != std::string_view::npos; }

// Profile data a Profile tab tool reads, by suffix (TB801): the XSpace of
// TF >= 2.2 and JAX, and the per-tool files of older TF profilers.
bool IsProfileDataName(std::string_view name) {
  static constexpr std::string_view kSuffixes[] = {
      ".xplane.pb",         ".trace.json.gz",       ".trace",           ".overview_page.pb",
      ".input_pipeline.pb", ".tensorflow_stats.pb", ".kernel_stats.pb", ".memory_profile.json.gz",
      ".op_profile.json",   ".memory_viewer.json",  ".pod_viewer.json"};
  for (std::string_view suffix : kSuffixes) {
    if (name.size() > suffix.size() && name.ends_with(suffix)) return true;
  }
  return false;
}

// Whether `rel` is a `[<run>/]plugins/profile/<session>` folder; sets *run.
bool IsProfileSession(std::string_view rel, std::string* run) {
  constexpr std::string_view kProfileDir = "plugins/profile";
  const size_t slash = rel.rfind('/');
  if (slash == std::string_view::npos) return false;
  const std::string_view parent = rel.substr(0, slash);
  if (parent == kProfileDir) {
    *run = ".";
    return true;
  }
  if (parent.size() > kProfileDir.size() && parent.ends_with(kProfileDir) &&
      parent[parent.size() - kProfileDir.size() - 1] == '/') {
    *run = std::string(parent.substr(0, parent.size() - kProfileDir.size() - 1));
    return true;
  }
  return false;
}

std::string Join(const std::string& rel, const std::string& name) { return rel == "." ? name : rel + "/" + name; }

std::string ErrorText(int err) { return std::strerror(err); }

// realpath(3) as a string; empty, with errno set, on failure.
std::string RealPath(const std::string& path) {
  char* resolved = ::realpath(path.c_str(), nullptr);
  if (resolved == nullptr) return "";
  std::string out(resolved);
  std::free(resolved);
  return out;
}

// Whether the canonical path `path` is `dir` or below it.
bool IsUnder(const std::string& path, const std::string& dir) {
  if (dir == "/") return true;
  return path.compare(0, dir.size(), dir) == 0 && (path.size() == dir.size() || path[dir.size()] == '/');
}

// An entry kept from a directory listing: a directory, a file named like an
// event file or a projector config, or one that cannot be stat'ed. Anything
// else is dropped as it is read.
struct Entry {
  enum class Kind : uint8_t { kCannotStat, kCannotFollow, kDirectory, kFile };
  std::string name;
  Kind kind = Kind::kFile;
  bool is_link = false;
  int error = 0;  // errno, for kCannotStat and kCannotFollow
  Stat st;        // symlinks followed; for kDirectory and kFile
};

// A subdirectory waiting to be walked.
struct PendingDir {
  std::string name;
  bool is_link = false;
  std::string outside_target;  // the canonical target of a symlink leading out of the logdir
};

// A directory being walked. The stack of them is the chain from the logdir
// down to the directory being listed. It lives on the heap, not the C++
// stack, and PATH_MAX bounds it (2,048 levels of one-letter names).
struct Frame {
  DevIno id;
  size_t path_size = 0;  // Walker::path_.size() and rel_.size() for this directory
  size_t rel_size = 0;
  int depth = 0;
  bool via_link = false;            // entered through a symlink
  std::vector<PendingDir> subdirs;  // sorted by name
  size_t next = 0;                  // subdirs[next] is walked next
};

// The walk below a symlink that leads out of the logdir: its cost so far and
// how much output to roll back if it goes over its budget.
struct OutsideWalk {
  size_t frame = 0;  // the link's own frame on the stack
  std::string rel;   // the link, relative to the logdir
  std::string target;
  uint64_t entries = 0;
  size_t files = 0;
  size_t runs = 0;
  size_t problems = 0;
  size_t projector_configs = 0;
  size_t profile_sessions = 0;
};

// Depth-first, in sorted name order within each directory, like TensorBoard's
// walkers (the Rust data server's WalkDir sorts by file name); each
// directory's run is recorded when it is listed, before its subdirectories.
class Walker {
 public:
  Walker(const LintOptions& options, LogdirResult* out)
      : options_(options),
        out_(out),
        entry_budget_(options.outside_link_entry_budget > 0 ? options.outside_link_entry_budget
                                                            : kOutsideLinkEntryBudget) {
    struct stat st {};
    if (!options.skip_dir.empty() && ::stat(options.skip_dir.c_str(), &st) == 0) skip_ = StatOf(st).id;
  }

  // Walks the logdir at `path`, a directory whose stat is `st`.
  void Walk(const std::string& path, const struct stat& st) {
    FindLogdirAncestors(path, st);
    path_ = path;
    rel_.clear();
    Visit(0, nullptr);
    while (!stack_.empty() && !stopped_) {
      Frame& top = stack_.back();
      if (top.next == top.subdirs.size()) {
        Leave();
        continue;
      }
      const PendingDir next = std::move(top.subdirs[top.next++]);
      path_.resize(top.path_size);
      path_ += '/';
      path_ += next.name;
      rel_.resize(top.rel_size);
      if (!rel_.empty()) rel_ += '/';
      rel_ += next.name;
      Visit(top.depth + 1, &next);
    }
  }

 private:
  // The logdir, each of its ancestors and `/`, by device and inode, with
  // the canonical path of each. TensorBoard follows a symlink to any of them
  // and walks everything above the logdir (the Rust data server's WalkDir
  // only stops where it meets the same symlink again) or goes round it for
  // ever (the Python reader's tf.io.gfile.walk has no loop check).
  void FindLogdirAncestors(const std::string& path, const struct stat& st) {
    logdir_id_ = StatOf(st).id;
    logdir_real_ = RealPath(path);
    logdir_ancestors_.emplace(logdir_id_, logdir_real_.empty() ? path : logdir_real_);
    std::string dir = logdir_real_;
    while (dir.size() > 1) {
      dir.resize(std::max<size_t>(dir.rfind('/'), 1));
      struct stat ast {};
      if (::stat(dir.c_str(), &ast) == 0) logdir_ancestors_.emplace(StatOf(ast).id, dir);
    }
    struct stat root {};
    if (::stat("/", &root) == 0) logdir_ancestors_.emplace(StatOf(root).id, "/");
  }

  // Lists the directory at path_ and pushes it on the stack: its files and
  // run recorded, its subdirectories pending.
  void Visit(int depth, const PendingDir* pending) {
    if (++dirs_visited_ > kMaxDirectories) {
      Problem(Rel(), "more than " + std::to_string(kMaxDirectories) + " directories; discovery stopped here");
      stopped_ = true;
      return;
    }
    // O_DIRECTORY: if a FIFO has replaced the directory since it was listed,
    // the open fails instead of blocking.
    const int fd = ::open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
      Problem(Rel(), "cannot list directory: " + ErrorText(errno));
      return;
    }
    struct stat st {};
    DIR* dir = ::fstat(fd, &st) == 0 ? ::fdopendir(fd) : nullptr;
    if (dir == nullptr) {
      const int err = errno;
      ::close(fd);
      Problem(Rel(), "cannot list directory: " + ErrorText(err));
      return;
    }
    const DevIno id = StatOf(st).id;
    const bool via_link = pending != nullptr && pending->is_link;
    stack_.push_back({id, path_.size(), rel_.size(), depth, via_link, {}, 0});
    chain_.emplace(id, stack_.size() - 1);
    if (via_link) ++link_frames_;
    if (pending != nullptr && !pending->outside_target.empty() && !outside_) {
      outside_.emplace();
      outside_->frame = stack_.size() - 1;
      outside_->rel = rel_;
      outside_->target = pending->outside_target;
      outside_->files = out_->files.size();
      outside_->runs = out_->runs.size();
      outside_->problems = out_->problems.size();
      outside_->projector_configs = out_->projector_configs.size();
      outside_->profile_sessions = out_->profile_sessions.size();
    }
    in_profile_session_ = out_->profile_sessions.size() < kMaxProfileSessions && IsProfileSession(rel_, &profile_run_);
    std::vector<Entry> entries;
    const bool within_budget = ReadEntries(dir, &entries);
    ::closedir(dir);
    if (!within_budget) {
      GiveUpOutsideWalk();
      return;
    }
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.name < b.name; });
    AddEntries(&entries);
  }

  // Reads every entry of `dir` into `entries`, keeping only those Classify
  // keeps. Returns false when the walk below an outside link runs out of
  // budget.
  bool ReadEntries(DIR* dir, std::vector<Entry>* entries) {
    const int dfd = ::dirfd(dir);
    for (;;) {
      errno = 0;
      const struct dirent* d = ::readdir(dir);
      if (d == nullptr) {
        if (errno != 0) Problem(Rel(), "cannot list directory: " + ErrorText(errno));
        return true;
      }
      const char* name = d->d_name;
      if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
      if (outside_ && ++outside_->entries > entry_budget_) return false;
      std::optional<Entry> entry = Classify(dfd, *d, in_profile_session_);
      if (entry) entries->push_back(std::move(*entry));
    }
  }

  // What an entry is, or nothing when it cannot matter. TensorBoard decides
  // by name, so a file is only looked at when it is named like an event file
  // or a projector config; d_type spares the lstat of every other file, and
  // only symlinks and DT_UNKNOWN entries (file systems that do not fill
  // d_type in) cost one to find out what they are.
  static std::optional<Entry> Classify(int dfd, const struct dirent& d, bool in_profile_session) {
    const std::string_view name = d.d_name;
    const bool wanted_file =
        IsEventName(name) || name == kProjectorConfigName || (in_profile_session && IsProfileDataName(name));
    switch (d.d_type) {
      case DT_REG:
      case DT_FIFO:
      case DT_SOCK:
      case DT_CHR:
      case DT_BLK:
        if (!wanted_file) return std::nullopt;
        break;
      default:  // DT_DIR, DT_LNK, DT_UNKNOWN
        break;
    }
    Entry entry;
    entry.name = name;
    struct stat st {};
    if (::fstatat(dfd, d.d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      entry.kind = Entry::Kind::kCannotStat;
      entry.error = errno;
      return entry;
    }
    if (S_ISLNK(st.st_mode)) {
      entry.is_link = true;
      if (::fstatat(dfd, d.d_name, &st, 0) != 0) {
        entry.kind = Entry::Kind::kCannotFollow;
        entry.error = errno;
        return entry;
      }
    }
    entry.st = StatOf(st);
    if (S_ISDIR(st.st_mode)) {
      entry.kind = Entry::Kind::kDirectory;
      return entry;
    }
    if (!wanted_file) return std::nullopt;
    entry.kind = Entry::Kind::kFile;
    return entry;
  }

  // Records the sorted entries of the directory on top of the stack.
  void AddEntries(std::vector<Entry>* entries) {
    const std::string rel = Rel();
    std::vector<size_t> files_here;
    // TensorBoard decides by name alone: a FIFO or a broken symlink named
    // like an event file still makes its directory a run (an empty one).
    bool event_names_here = false;
    ProfileSession* session = nullptr;
    if (in_profile_session_) {
      session = &out_->profile_sessions.emplace_back();
      session->path = rel;
      session->run = profile_run_;
    }
    for (Entry& e : *entries) {
      const std::string child_rel = Join(rel, e.name);
      const bool event_name = IsEventName(e.name);
      switch (e.kind) {
        case Entry::Kind::kCannotStat:  // vanished between listing and stat, or permission
          Problem(child_rel, "cannot stat: " + ErrorText(e.error));
          break;
        case Entry::Kind::kCannotFollow:
          event_names_here = event_names_here || event_name;  // os.walk lists it as a file
          if (e.error == ELOOP) {
            Problem(child_rel, "symlink loop");
          } else if (e.error == ENOENT) {
            Problem(child_rel, "broken symlink (its target does not exist)");
          } else {
            Problem(child_rel, "cannot follow symlink: " + ErrorText(e.error));
          }
          break;
        case Entry::Kind::kDirectory:
          AddSubdir(&e, child_rel);
          break;
        case Entry::Kind::kFile:
          event_names_here = event_names_here || event_name;
          if (e.name == kProjectorConfigName) out_->projector_configs.push_back(child_rel);
          if (session != nullptr && !event_name && S_ISREG(e.st.mode) && IsProfileDataName(e.name)) {
            if (session->files.size() < kMaxProfileFilesKept) {
              session->files.push_back({e.name, e.st.size, ""});
            } else {
              ++session->files_not_kept;
            }
          }
          if (!event_name) break;
          if (!S_ISREG(e.st.mode)) {
            Problem(child_rel, std::string("is ") + NonRegularKind(e.st.mode) + ", not a regular file; not read");
            break;
          }
          out_->files.emplace_back().info = MakeFileInfo(path_ + "/" + e.name, child_rel.size(), e.st, options_);
          files_here.push_back(out_->files.size() - 1);
          break;
      }
    }
    if (event_names_here) {
      RunResult& run = out_->runs.emplace_back();
      run.name = rel;
      run.path = path_;
      run.depth = stack_.back().depth;
      run.file_indices = std::move(files_here);
    }
  }

  // Queues a subdirectory of the directory on top of the stack, unless it
  // must not be walked.
  void AddSubdir(Entry* e, const std::string& child_rel) {
    const DevIno id = e->st.id;
    if (e->name == kBackupDirName || (skip_ && id == *skip_)) return;  // tblint's own backups
    if (auto up = logdir_ancestors_.find(id); up != logdir_ancestors_.end()) {
      std::string what = e->is_link ? "symlink to " : "directory is the same as ";
      if (id == logdir_id_) {
        what += "the logdir itself (a loop)";
      } else if (up->second == "/") {
        what += "/, the root of the file system";
      } else {
        what += up->second + ", an ancestor of the logdir";
      }
      if (!e->is_link) what += " (a bind mount?)";
      Problem(child_rel, what + "; not walked");
      return;
    }
    if (auto loop = chain_.find(id); loop != chain_.end()) {
      Problem(child_rel, "symlink loop: points back to " + RelOfFrame(loop->second));
      return;
    }
    // Deeper paths are not walked (rather than opened relative to a parent
    // descriptor): TensorBoard's walkers join full paths too, get
    // ENAMETOOLONG and skip them, and the scanner opens event files by path.
    if (path_.size() + 1 + e->name.size() >= PATH_MAX) {
      Problem(child_rel, "path longer than PATH_MAX (" + std::to_string(PATH_MAX) + " bytes); not walked");
      return;
    }
    // Symlinks can reach one directory by a number of paths that grows
    // exponentially with the links (ten directories each linking to the
    // nine others: millions of paths, none of them a loop). TensorBoard walks
    // and lists every path; discovery walks one directory through symlinks
    // at most kMaxWalksThroughLinks times, which bounds the whole walk by
    // that many times the size of the tree.
    if (e->is_link || link_frames_ > 0) {
      const uint32_t walks = ++walks_through_links_[id];
      if (walks > kMaxWalksThroughLinks) {
        if (walks == kMaxWalksThroughLinks + 1) {
          Problem(child_rel, "directory reached through symlinks by more than " +
                                 std::to_string(kMaxWalksThroughLinks) + " paths; this and later paths not walked");
        }
        return;
      }
    }
    PendingDir pending{std::move(e->name), e->is_link, ""};
    // Only a symlink leads out of the logdir. Below one that does, nested
    // links are part of its walk and share its budget.
    if (e->is_link && !outside_) {
      std::string target = RealPath(path_ + "/" + pending.name);
      if (target.empty()) {
        Problem(child_rel, "cannot follow symlink: " + ErrorText(errno));
        return;
      }
      if (logdir_real_.empty() || !IsUnder(target, logdir_real_)) pending.outside_target = std::move(target);
    }
    stack_.back().subdirs.push_back(std::move(pending));
  }

  // The walk below an outside link went over its budget: forget everything
  // found below the link, as if it had not been walked, and say so once.
  void GiveUpOutsideWalk() {
    const OutsideWalk walk = std::move(*outside_);
    while (stack_.size() > walk.frame) Leave();
    outside_.reset();
    out_->files.erase(out_->files.begin() + static_cast<std::ptrdiff_t>(walk.files), out_->files.end());
    out_->runs.erase(out_->runs.begin() + static_cast<std::ptrdiff_t>(walk.runs), out_->runs.end());
    out_->problems.resize(walk.problems);
    out_->projector_configs.resize(walk.projector_configs);
    out_->profile_sessions.resize(walk.profile_sessions);
    Problem(walk.rel, "symlink to " + walk.target + ", outside the logdir, leads to more than " +
                          std::to_string(entry_budget_) + " entries; not walked");
  }

  void Leave() {
    const size_t index = stack_.size() - 1;
    auto it = chain_.find(stack_.back().id);
    if (it != chain_.end() && it->second == index) chain_.erase(it);
    if (outside_ && outside_->frame == index) outside_.reset();
    if (stack_.back().via_link) --link_frames_;
    stack_.pop_back();
  }

  std::string Rel() const { return rel_.empty() ? "." : rel_; }
  std::string RelOfFrame(size_t i) const { return stack_[i].rel_size == 0 ? "." : rel_.substr(0, stack_[i].rel_size); }
  void Problem(const std::string& rel, std::string what) { out_->problems.push_back({rel, std::move(what)}); }

  const LintOptions& options_;
  LogdirResult* out_;
  const uint64_t entry_budget_;
  std::optional<DevIno> skip_;
  DevIno logdir_id_;
  std::string logdir_real_;                         // canonical; empty if realpath failed
  std::map<DevIno, std::string> logdir_ancestors_;  // the logdir, its ancestors and `/`
  std::string path_;                                // the directory being listed, as opened
  std::string rel_;                                 // the same relative to the logdir; empty for the logdir
  std::vector<Frame> stack_;
  std::map<DevIno, size_t> chain_;  // the directories on the stack, to their frames
  std::optional<OutsideWalk> outside_;
  size_t link_frames_ = 0;                          // frames on the stack entered through a symlink
  std::map<DevIno, uint32_t> walks_through_links_;  // directories walked below a symlink: how often
  size_t dirs_visited_ = 0;
  bool stopped_ = false;
  bool in_profile_session_ = false;  // the directory being listed is a plugins/profile/<session>
  std::string profile_run_;          // and the run it belongs to
};

// Reads one quoted text-format string starting at text[*i] (the quote),
// undoing C escapes; leaves *i after the closing quote.
std::string ReadQuoted(std::string_view text, size_t* i) {
  const char quote = text[(*i)++];
  std::string out;
  while (*i < text.size() && text[*i] != quote && text[*i] != '\n') {
    char c = text[(*i)++];
    if (c != '\\' || *i >= text.size()) {
      out.push_back(c);
      continue;
    }
    c = text[(*i)++];
    switch (c) {
      case 'n':
        out.push_back('\n');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 'x': {  // \xH or \xHH
        int v = 0;
        for (int n = 0; n < 2 && *i < text.size() && std::isxdigit(static_cast<unsigned char>(text[*i])); ++n) {
          const char h = text[(*i)++];
          v = v * 16 + (h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
        }
        out.push_back(static_cast<char>(v));
        break;
      }
      default:
        if (c >= '0' && c <= '7') {  // \N, \NN or \NNN
          int v = c - '0';
          for (int n = 1; n < 3 && *i < text.size() && text[*i] >= '0' && text[*i] <= '7'; ++n) {
            v = v * 8 + (text[(*i)++] - '0');
          }
          out.push_back(static_cast<char>(v));
        } else {
          out.push_back(c);  // \\ \" \' and anything else stand for themselves
        }
    }
  }
  if (*i < text.size() && text[*i] == quote) ++*i;
  return out;
}

// The asset paths a projector_config.pbtxt names, as (field, path) pairs:
// tensor_path and metadata_path inside `embeddings { }`, image_path inside
// `sprite { }` (tensorboard/plugins/projector/projector_config.proto). The
// file is text-format protobuf; this tolerant scan skips comments, numbers,
// enums and unknown fields instead of rejecting them, and concatenates
// adjacent string literals as text_format does.
std::vector<std::pair<std::string, std::string>> ProjectorAssetPaths(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  std::vector<std::string> blocks;
  std::string key;  // the last identifier, waiting for its value or block
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '#') {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (c == '{' || c == '<') {
      blocks.push_back(std::move(key));
      key.clear();
      ++i;
    } else if (c == '}' || c == '>') {
      if (!blocks.empty()) blocks.pop_back();
      key.clear();
      ++i;
    } else if (c == '"' || c == '\'') {
      std::string value = ReadQuoted(text, &i);
      for (;;) {  // "a" "b" is "ab"
        size_t j = i;
        while (j < text.size() && std::isspace(static_cast<unsigned char>(text[j]))) ++j;
        if (j >= text.size() || (text[j] != '"' && text[j] != '\'')) break;
        i = j;
        value += ReadQuoted(text, &i);
      }
      const std::string block = blocks.empty() ? "" : blocks.back();
      if (!value.empty() && block == "embeddings" && (key == "tensor_path" || key == "metadata_path")) {
        out.emplace_back(key, std::move(value));
      } else if (!value.empty() && block == "sprite" && key == "image_path") {
        out.emplace_back("sprite.image_path", std::move(value));
      }
      key.clear();
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t j = i;
      while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_')) ++j;
      key = std::string(text.substr(i, j - i));
      i = j;
    } else {
      if (c != ':' && !std::isspace(static_cast<unsigned char>(c))) key.clear();  // a number, ',' ';' ...
      ++i;
    }
  }
  return out;
}

// Reads the projector configs discovery found and records every asset path
// they name, checked the way TensorBoard's projector plugin resolves it
// (_rel_to_abs_asset_path): `~` expanded, relative paths joined to the
// config's directory. Remote paths (gs://, s3://, ...) are not checked.
void CheckProjectorConfigs(const std::string& root, LogdirResult* out) {
  constexpr size_t kMaxConfigBytes = 1 << 20;
  for (const std::string& rel : out->projector_configs) {
    const std::string config = root + "/" + rel;
    struct stat st {};
    if (::stat(config.c_str(), &st) != 0) {
      out->problems.push_back({rel, std::string("cannot stat projector config: ") + std::strerror(errno)});
      continue;
    }
    if (!S_ISREG(st.st_mode)) {  // a FIFO would block the read
      out->problems.push_back(
          {rel, std::string("projector config is ") + NonRegularKind(st.st_mode) + ", not a regular file; not read"});
      continue;
    }
    std::ifstream in(config, std::ios::binary);
    std::string text(std::min<size_t>(static_cast<size_t>(st.st_size), kMaxConfigBytes), '\0');
    if (!in.read(text.data(), static_cast<std::streamsize>(text.size()))) {
      out->problems.push_back({rel, std::string("cannot read projector config: ") + std::strerror(errno)});
      continue;
    }
    const std::string dir = config.substr(0, config.rfind('/'));
    for (auto& [field, path] : ProjectorAssetPaths(text)) {
      if (path.find("://") != std::string::npos) continue;
      std::string resolved = path;
      const char* home = std::getenv("HOME");
      if (home != nullptr && (resolved == "~" || resolved.rfind("~/", 0) == 0)) resolved = home + resolved.substr(1);
      if (resolved[0] != '/') resolved = dir + "/" + resolved;
      // The plugin answers "not found, or is not a file" for a directory too.
      struct stat ast {};
      const bool exists = ::stat(resolved.c_str(), &ast) == 0 && !S_ISDIR(ast.st_mode);
      out->projector_assets.push_back({rel, std::move(field), std::move(path), exists});
    }
  }
}

// Reads `n` bytes at `offset`; false on a short read or an error.
bool ReadExact(int fd, uint64_t offset, size_t n, uint8_t* out) {
  size_t done = 0;
  while (done < n) {
    const ssize_t r = ::pread(fd, out + done, n - done, static_cast<off_t>(offset + done));
    if (r <= 0) return false;
    done += static_cast<size_t>(r);
  }
  return true;
}

// A gzip file (RFC 1952) checked from its first and last bytes, never
// inflated: the magic, room for a header and trailer, and an ISIZE (the
// uncompressed size mod 2^32, the last 4 bytes) no larger than deflate can
// produce from this many compressed bytes (1032:1). A file cut short ends in
// compressed data, whose last 4 bytes are almost always a larger number.
// Checked only while that largest size is below 4 GiB, where ISIZE is exact.
std::string GzipDamage(int fd, uint64_t size) {
  constexpr uint64_t kHeaderAndTrailer = 18;
  if (size < kHeaderAndTrailer + 2) {
    return "cut short (gzip): " + std::to_string(size) + " bytes, too short for a header, data and trailer";
  }
  uint8_t head[2];
  uint8_t tail[8];
  if (!ReadExact(fd, 0, 2, head) || !ReadExact(fd, size - 8, 8, tail)) return "";  // unreadable: not judged
  if (head[0] != 0x1f || head[1] != 0x8b) return "not gzip (no gzip magic at its start)";
  const uint64_t isize = uint64_t{tail[4]} | uint64_t{tail[5]} << 8 | uint64_t{tail[6]} << 16 | uint64_t{tail[7]} << 24;
  const uint64_t deflated = size - kHeaderAndTrailer;  // an upper bound: the header may hold a file name
  if (deflated * 1032 + 1024 >= (uint64_t{1} << 32)) return "";
  // Only "too large" is judged: a gzip of several members (appended to)
  // ends in its last member's size, which may well be small.
  if (isize <= deflated * 1032 + 1024) return "";
  return "cut short (gzip): its last bytes give an uncompressed size of " + std::to_string(isize) +
         " bytes, impossible for " + std::to_string(size) + " compressed bytes";
}

// A serialized protobuf (an XSpace) walked field by field at the top level,
// reading only tags and lengths: a length that runs past the end is a file
// cut short. At most kMaxFields fields are walked.
std::string ProtobufDamage(int fd, uint64_t size) {
  constexpr uint64_t kMaxFields = 100'000;
  uint64_t pos = 0;
  for (uint64_t fields = 0; pos < size && fields < kMaxFields; ++fields) {
    uint8_t buf[20];
    const size_t n = static_cast<size_t>(std::min<uint64_t>(sizeof buf, size - pos));
    if (!ReadExact(fd, pos, n, buf)) return "";
    size_t i = 0;
    auto varint = [&](uint64_t* v) {
      *v = 0;
      for (int shift = 0; i < n && shift < 64; shift += 7) {
        const uint8_t b = buf[i++];
        *v |= uint64_t{b & 0x7fu} << shift;
        if ((b & 0x80) == 0) return true;
      }
      return false;
    };
    uint64_t tag = 0;
    if (!varint(&tag)) return "cut short (protobuf): a field tag at offset " + std::to_string(pos) + " is cut off";
    const uint64_t wire = tag & 7;
    if ((tag >> 3) == 0 || wire == 3 || wire == 4 || wire > 5) {
      return "not a protobuf (invalid field tag at offset " + std::to_string(pos) + ")";
    }
    uint64_t skip = 0;
    if (wire == 0) {
      uint64_t ignored = 0;
      if (!varint(&ignored)) return "cut short (protobuf): a value at offset " + std::to_string(pos) + " is cut off";
    } else if (wire == 1) {
      skip = 8;
    } else if (wire == 5) {
      skip = 4;
    } else if (!varint(&skip)) {
      return "cut short (protobuf): a length at offset " + std::to_string(pos) + " is cut off";
    }
    const uint64_t end = pos + i + skip;
    if (end > size || end < pos) {
      return "cut short (protobuf): the field at offset " + std::to_string(pos) + " runs " +
             std::to_string(end - size) + " bytes past the end";
    }
    pos = end;
  }
  return "";
}

// Checks the profile data files discovery found (TB801): empty files, and
// .json.gz and .xplane.pb files cut short. Reads a few bytes per file.
void CheckProfileFiles(const std::string& root, LogdirResult* out) {
  for (ProfileSession& session : out->profile_sessions) {
    for (ProfileFile& file : session.files) {
      if (file.size == 0) {
        file.damage = "empty (0 bytes)";
        continue;
      }
      const bool gz = std::string_view(file.name).ends_with(".json.gz");
      const bool xplane = std::string_view(file.name).ends_with(".xplane.pb");
      if (!gz && !xplane) continue;
      const std::string path = root + "/" + session.path + "/" + file.name;
      const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
      if (fd < 0) continue;  // vanished or unreadable: not profile data TB801 judges
      struct stat st {};
      if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        const uint64_t size = static_cast<uint64_t>(st.st_size);
        file.size = size;
        file.damage = size == 0 ? "empty (0 bytes)" : gz ? GzipDamage(fd, size) : ProtobufDamage(fd, size);
      }
      ::close(fd);
    }
  }
}

}  // namespace

bool RefreshFileInfo(FileInfo* info, const LintOptions& options) {
  struct stat st {};
  if (::stat(info->path().c_str(), &st) != 0) return false;
  const Stat now = StatOf(st);
  info->size = now.size;
  info->mtime = now.mtime;
  info->dev = now.id.first;
  info->ino = now.id.second;
  info->recently_modified = options.now - info->mtime < options.grace_period_s;
  return true;
}

bool Discover(const std::string& given, const LintOptions& options, LogdirResult* out, std::string* error) {
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
    walker.Walk(path, st);
    CheckProjectorConfigs(path, out);
    CheckProfileFiles(path, out);
  } else {
    // A single file: lint it on its own, as the one file of run ".".
    out->single_file = true;
    const std::string name = fs::path(path).filename().string();
    if (!S_ISREG(st.st_mode)) {
      out->problems.push_back(
          {name, std::string("is ") + NonRegularKind(st.st_mode) + ", not a regular file; not read"});
      return true;
    }
    out->files.emplace_back().info = MakeFileInfo(path, name.size(), StatOf(st), options);
    RunResult& run = out->runs.emplace_back();
    run.name = ".";
    run.path = fs::path(path).parent_path().string();
    run.file_indices = {0};
  }
  // TensorBoard lists runs by name; within a run files are already in
  // lexicographic order because names were sorted per directory.
  std::sort(out->runs.begin(), out->runs.end(), [](const RunResult& a, const RunResult& b) { return a.name < b.name; });
  return true;
}

}  // namespace tblint
