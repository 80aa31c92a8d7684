#include "scan/discover.h"

#include <sys/stat.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string_view>
#include <optional>
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

FileInfo MakeFileInfo(const std::string& path, const std::string& rel, const std::string& run,
                      const std::string& name, const struct stat& st, const LintOptions& options) {
  FileInfo info;
  info.path = path;
  info.rel_path = rel;
  info.run = run;
  info.name = name;
  info.size = static_cast<uint64_t>(st.st_size);
  info.mtime = MtimeOf(st);
  info.dev = st.st_dev;
  info.ino = st.st_ino;
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

std::string Join(const std::string& rel, const std::string& name) {
  return rel == "." ? name : rel + "/" + name;
}

class Walker {
 public:
  Walker(const LintOptions& options, LogdirResult* out) : options_(options), out_(out) {
    struct stat st {};
    if (!options.skip_dir.empty() && ::stat(options.skip_dir.c_str(), &st) == 0) skip_ = DevIno{st.st_dev, st.st_ino};
  }

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
    // TensorBoard decides by name alone: a FIFO or a broken symlink named
    // like an event file still makes its directory a run (an empty one).
    bool event_names_here = false;
    std::vector<std::pair<std::string, std::string>> subdirs;  // path, rel
    for (const std::string& name : names) {
      const std::string child = path + "/" + name;
      const std::string child_rel = Join(rel, name);
      const bool event_name = name.find("tfevents") != std::string::npos;
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
        event_names_here = event_names_here || event_name;  // os.walk lists it as a file
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
        DevIno id{st.st_dev, st.st_ino};
        if (name == kBackupDirName || (skip_ && id == *skip_)) continue;  // tblint's own backups
        auto loop = std::find(ancestors_.begin(), ancestors_.end(), id);
        if (loop != ancestors_.end()) {
          out_->problems.push_back(
              {child_rel, "symlink loop: points back to " + ancestor_rels_[loop - ancestors_.begin()]});
          continue;
        }
        subdirs.emplace_back(child, child_rel);
        continue;
      }
      event_names_here = event_names_here || event_name;
      if (name == "projector_config.pbtxt") out_->projector_configs.push_back(child_rel);
      if (name.find("tfevents") == std::string::npos) continue;
      if (!S_ISREG(st.st_mode)) {
        out_->problems.push_back({child_rel, std::string("is ") + NonRegularKind(st.st_mode) +
                                                 ", not a regular file; not read"});
        continue;
      }
      out_->files.emplace_back().info = MakeFileInfo(child, child_rel, rel, name, st, options_);
      files_here.push_back(out_->files.size() - 1);
    }
    if (event_names_here) {
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
  std::optional<DevIno> skip_;
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
      case 'n': out.push_back('\n'); break;
      case 't': out.push_back('\t'); break;
      case 'r': out.push_back('\r'); break;
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
      out->problems.push_back({rel, std::string("projector config is ") + NonRegularKind(st.st_mode) +
                                        ", not a regular file; not read"});
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
    CheckProjectorConfigs(path, out);
  } else {
    // A single file: lint it on its own, as the one file of run ".".
    out->single_file = true;
    const std::string name = fs::path(path).filename().string();
    if (!S_ISREG(st.st_mode)) {
      out->problems.push_back({name, std::string("is ") + NonRegularKind(st.st_mode) +
                                         ", not a regular file; not read"});
      return true;
    }
    out->files.emplace_back().info = MakeFileInfo(path, name, ".", name, st, options);
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
