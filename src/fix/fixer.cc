#include "fix/fixer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <boost/filesystem.hpp>

#include "record/record_reader.h"
#include "record/source.h"
#include "report/report.h"
#include "scan/discover.h"
#include "scan/live_writers.h"

namespace tblint {
namespace {

namespace fs = boost::filesystem;

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

// Writes all of buf to fd.
bool WriteAll(int fd, const char* buf, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, buf, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    buf += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

bool FsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

// Copies [from, from + n) of src into the open fd dst.
bool CopyRange(Source* src, uint64_t from, uint64_t n, int dst) {
  std::vector<uint8_t> buf(1 << 20);
  while (n > 0) {
    size_t chunk = static_cast<size_t>(std::min<uint64_t>(n, buf.size()));
    if (src->ReadAt(from, chunk, buf.data())) return false;
    if (!WriteAll(dst, reinterpret_cast<const char*>(buf.data()), chunk)) return false;
    from += chunk;
    n -= chunk;
  }
  return true;
}

// The kept prefix must be whole, valid records ending exactly at `cut`, and
// everything from `cut` to the end must be a truncated record or zeros: the
// fix then removes nothing a reader could use.
std::string VerifyCut(Source* src, uint64_t cut) {
  RecordReader reader(src);
  Record rec;
  while (reader.Next(&rec)) {
    if (rec.offset == cut) {
      if (rec.kind == RecordKind::kTruncated || rec.kind == RecordKind::kZeroFilled) return "";
      return std::string("the bytes after the cut are not a truncated record or zeros (") +
             RecordKindName(rec.kind) + ")";
    }
    if (rec.kind != RecordKind::kOk) {
      return "record " + std::to_string(rec.index) + " before the cut is not valid (" +
             RecordKindName(rec.kind) + ")";
    }
    if (rec.end > cut) return "the cut falls inside a valid record";
  }
  return "the file no longer ends inside a record at offset " + std::to_string(cut);
}

std::string Timestamp(double now) {
  std::time_t t = static_cast<std::time_t>(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

struct Plan {
  const FileResult* file = nullptr;
  uint64_t cut = 0;
  std::vector<const Finding*> findings;
};

}  // namespace

const char* FixStatusName(FixStatus s, bool dry_run) {
  switch (s) {
    case FixStatus::kFixed: return "fixed";
    case FixStatus::kWouldFix: return dry_run ? "would fix" : "fixable";
    case FixStatus::kRefused: return "not fixed";
    case FixStatus::kFailed: return "fix failed";
  }
  return "?";
}

std::string DefangName(const std::string& name) {
  std::string out;
  for (size_t i = 0; i < name.size();) {
    if (name.size() - i >= 8 && strncasecmp(name.c_str() + i, "tfevents", 8) == 0) {
      out += "tf-events";
      i += 8;
    } else {
      out += name[i++];
    }
  }
  return out;
}

std::vector<FixOutcome> ApplySafeFixes(const LintResult& result, const FixOptions& options) {
  std::vector<FixOutcome> outcomes;
  const LogdirResult& logdir = result.logdir;

  // One plan per file: cut at the earliest safe truncation point.
  std::map<std::string, Plan> plans;
  std::map<std::string, const FileResult*> by_rel;
  for (const FileResult& f : logdir.files) by_rel[f.info.rel_path] = &f;
  for (const Finding& f : result.findings) {
    auto file = by_rel.find(f.path);
    if (file == by_rel.end()) continue;
    const std::string code = f.rule->code;
    if (code != "TB101" && code != "TB102") continue;
    if (f.fix.applicability != Applicability::kSafe || !f.fix.truncate_to) {
      // A truncated tail that is still being written gets no fix: say so.
      FixOutcome o;
      o.logdir = logdir.given;
      o.rel_path = f.path;
      o.display_path = DisplayPath(result, f.path);
      o.status = FixStatus::kRefused;
      o.message = file->second->info.open_for_writing
                      ? "a process has it open for writing; a live writer may still append to it"
                      : "modified within the grace period; a writer may still be appending to it";
      outcomes.push_back(std::move(o));
      continue;
    }
    Plan& p = plans[f.path];
    if (p.file == nullptr || *f.fix.truncate_to < p.cut) p.cut = *f.fix.truncate_to;
    p.file = file->second;
    p.findings.push_back(&f);
  }
  if (plans.empty()) return outcomes;

  const OpenForWriting writers = options.check_live_writers ? FindFilesOpenForWriting() : OpenForWriting{};
  const std::string backup_root =
      (logdir.single_file ? fs::path(logdir.files.front().info.path).parent_path().string()
                          : logdir.given) +
      "/" + kBackupDirName;
  const std::string session_dir =
      backup_root + "/" + Timestamp(options.now) + "-" + std::to_string(::getpid());
  nlohmann::json journal = nlohmann::json::array();

  for (auto& [rel, plan] : plans) {
    const FileInfo& info = plan.file->info;
    FixOutcome o;
    o.logdir = logdir.given;
    o.rel_path = rel;
    o.display_path = DisplayPath(result, rel);
    o.old_size = info.size;
    o.new_size = plan.cut;
    auto refuse = [&](FixStatus status, std::string why) {
      o.status = status;
      o.message = std::move(why);
      outcomes.push_back(o);
    };

    // The file must be exactly what was scanned, and quiet.
    struct stat st {};
    if (::stat(info.path.c_str(), &st) != 0) {
      refuse(FixStatus::kRefused, Errno("cannot stat"));
      continue;
    }
    const double mtime = st.st_mtim.tv_sec + st.st_mtim.tv_nsec * 1e-9;
    if (static_cast<uint64_t>(st.st_size) != info.size || st.st_ino != info.ino || mtime != info.mtime) {
      refuse(FixStatus::kRefused, "the file changed since it was scanned (size, mtime or inode); lint it again");
      continue;
    }
    if (options.now - mtime < options.grace_period_s) {
      refuse(FixStatus::kRefused, "modified within the grace period; a writer may still be appending to it");
      continue;
    }
    if (writers.Contains(st.st_dev, st.st_ino)) {
      refuse(FixStatus::kRefused, "a process has it open for writing");
      continue;
    }
    FileSource src;
    if (std::error_code ec = src.Open(info.path)) {
      refuse(FixStatus::kFailed, "cannot open: " + ec.message());
      continue;
    }
    if (std::string why = VerifyCut(&src, plan.cut); !why.empty()) {
      refuse(FixStatus::kRefused, "refusing to cut at offset " + std::to_string(plan.cut) + ": " + why);
      continue;
    }
    const uint64_t cut_bytes = info.size - plan.cut;
    const std::string side_rel = DefangName(rel) + ".tail-at-" + std::to_string(plan.cut) + ".bin";
    o.side_file = session_dir + "/" + side_rel;
    o.message = "truncate from " + std::to_string(info.size) + " to " + std::to_string(plan.cut) + " bytes; the " +
                std::to_string(cut_bytes) + " cut bytes kept in " + o.side_file;
    if (options.dry_run) {
      o.status = FixStatus::kWouldFix;
      outcomes.push_back(o);
      continue;
    }

    // 1. Keep the cut bytes, durably, before touching the original.
    boost::system::error_code ec;
    fs::create_directories(fs::path(o.side_file).parent_path(), ec);
    if (ec) {
      refuse(FixStatus::kFailed, "cannot create " + fs::path(o.side_file).parent_path().string() + ": " + ec.message());
      continue;
    }
    int side = ::open(o.side_file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (side < 0) {
      refuse(FixStatus::kFailed, Errno("cannot create " + o.side_file));
      continue;
    }
    bool ok = CopyRange(&src, plan.cut, cut_bytes, side) && ::fsync(side) == 0;
    ::close(side);
    if (!ok || !FsyncDir(fs::path(o.side_file).parent_path().string())) {
      refuse(FixStatus::kFailed, Errno("cannot write " + o.side_file));
      continue;
    }

    // 2. Write the kept prefix to a temporary beside the original. Its name
    //    has no "tfevents", so TensorBoard never loads a half-written copy.
    const std::string dir = fs::path(info.path).parent_path().string();
    std::string tmp = dir + "/.tblint-fix-" + std::to_string(::getpid()) + "-" + DefangName(info.name) + ".tmp";
    int out = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 07777);
    if (out < 0) {
      refuse(FixStatus::kFailed, Errno("cannot create " + tmp));
      continue;
    }
    ok = CopyRange(&src, 0, plan.cut, out);
    // Same permissions and, where we may, the same owner as the original.
    ok = ok && ::fchmod(out, st.st_mode & 07777) == 0;
    if (ok && (st.st_uid != ::geteuid() || st.st_gid != ::getegid())) {
      if (::fchown(out, st.st_uid, st.st_gid) != 0) ok = false;
    }
    // Keep the original's times: the file's content is as old as it was, and
    // a fresh mtime would make the re-lint (and the next --fix) take it for
    // a file a writer is still appending to.
    const struct timespec times[2] = {st.st_atim, st.st_mtim};
    ok = ok && ::futimens(out, times) == 0;
    ok = ok && ::fsync(out) == 0;
    ::close(out);
    if (!ok) {
      std::string why = Errno("cannot write " + tmp);
      ::unlink(tmp.c_str());
      refuse(FixStatus::kFailed, why);
      continue;
    }

    // 3. Last check that nobody wrote to the original meanwhile, then swap.
    struct stat again {};
    if (::stat(info.path.c_str(), &again) != 0 || again.st_size != st.st_size ||
        again.st_mtim.tv_sec != st.st_mtim.tv_sec || again.st_mtim.tv_nsec != st.st_mtim.tv_nsec) {
      ::unlink(tmp.c_str());
      refuse(FixStatus::kRefused, "the file changed while it was being fixed; left as it was");
      continue;
    }
    if (::rename(tmp.c_str(), info.path.c_str()) != 0) {
      std::string why = Errno("cannot rename over the original");
      ::unlink(tmp.c_str());
      refuse(FixStatus::kFailed, why);
      continue;
    }
    FsyncDir(dir);
    o.status = FixStatus::kFixed;
    outcomes.push_back(o);
    journal.push_back({{"action", "truncate"},
                       {"path", rel},
                       {"old_size", info.size},
                       {"new_size", plan.cut},
                       {"cut_bytes_file", side_rel}});
  }

  if (!journal.empty()) {
    // A small record of what was done, beside the kept bytes.
    const std::string journal_path = session_dir + "/journal.json";
    if (FILE* f = std::fopen(journal_path.c_str(), "w")) {
      const std::string text = nlohmann::json{{"tool", "tblint"}, {"version", TBLINT_VERSION},
                                              {"logdir", logdir.given}, {"actions", journal}}
                                   .dump(2);
      std::fwrite(text.data(), 1, text.size(), f);
      std::fputc('\n', f);
      std::fflush(f);
      ::fsync(fileno(f));
      std::fclose(f);
    }
  }
  return outcomes;
}

}  // namespace tblint
