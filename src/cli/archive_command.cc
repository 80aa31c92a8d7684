#include "cli/archive_command.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fix/archive.h"
#include "util/text.h"

namespace tblint {
namespace {

namespace po = boost::program_options;

constexpr Format kArchiveFormats[] = {Format::kText, Format::kJson};

// "45d", "3h", "12m", "30s": the age of a run's newest file.
std::string Age(double seconds) {
  const double d = std::max(0.0, seconds);
  if (d >= 2 * 86400) return std::to_string(static_cast<int64_t>(d / 86400)) + "d";
  if (d >= 2 * 3600) return std::to_string(static_cast<int64_t>(d / 3600)) + "h";
  if (d >= 120) return std::to_string(static_cast<int64_t>(d / 60)) + "m";
  return std::to_string(static_cast<int64_t>(d)) + "s";
}

// Columns a cell takes: one per code point (cells are escaped, so valid UTF-8).
size_t Columns(const std::string& cell) {
  size_t n = 0;
  for (char ch : cell) n += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
  return n;
}

void WriteTable(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    if (width.size() < row.size()) width.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], Columns(row[i]));
  }
  for (const auto& row : rows) {
    std::string line = "  ";
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - Columns(row[i]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  }
}

std::string Plural(uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

class ArchiveCommand : public Command {
 public:
  std::string_view Synopsis() const override {
    return "tblint archive --older-than AGE [--dead] [--to DIR] [--dry-run] [OPTIONS] [PATH...]\n"
           "tblint archive --dead [--to DIR] [--dry-run] [OPTIONS] [PATH...]\n";
  }

  std::string_view Description() const override {
    return "Moves whole runs out of each logdir PATH (default .) into an archive folder\n"
           "TensorBoard does not load: runs whose newest file (any file in the run's\n"
           "folder, not only event files) is older than AGE, and with --dead runs whose\n"
           "event files hold nothing beyond their header (empty, header-only or damaged\n"
           "beyond salvage). A run's folder moves whole, with the runs nested in it; a\n"
           "run with a file modified within the grace period or open for writing is\n"
           "refused, never moved. Nothing is deleted or overwritten; every move is\n"
           "journaled in <logdir>/.tblint-backup and 'tblint restore PATH' puts the runs\n"
           "back byte-identical (docs/archive.md). Exit status: 0 moved (or would move)\n"
           "everything selected, or nothing to do; 1 a selected run was refused; 2 a\n"
           "usage error, a PATH that does not exist, or an I/O error while moving.\n";
  }

  std::string_view Examples() const override {
    return "Examples:\n"
           "  tblint archive --older-than 30d --dry-run ./logs\n"
           "                                     list the runs that would move, with sizes\n"
           "  tblint archive --older-than 30d ./logs\n"
           "                                     move them to ./logs.tblint-archive\n"
           "  tblint archive --dead ./logs       move only the runs that hold no data\n"
           "  tblint archive --older-than 2w --dead --to /mnt/cold/logs ./logs\n"
           "  tblint restore ./logs              put every archived run back\n";
  }

  void AddOptions(po::options_description* options) override {
    AddFormatOption(options, kArchiveFormats, &format_);
    // clang-format off
    options->add_options()
      ("older-than", po::value(&older_than_)->value_name("AGE"),
       "archive runs whose newest file is older than AGE: 30d, 12h, 90m, 2w, 45s or plain seconds")
      ("dead", "also archive runs whose event files hold no data (empty, header-only, or no valid record "
       "beyond the header), of any age past the grace period")
      ("to", po::value(&to_)->value_name("DIR"),
       "the archive folder (default: <logdir>.tblint-archive beside the logdir); inside the logdir, every "
       "moved name has its 'tfevents' defanged so TensorBoard never loads it")
      ("dry-run", "list what would move, with sizes; write nothing")
      ("grace-period", po::value(&grace_period_)->value_name("SECONDS"),
       "a run with a file modified less than SECONDS ago may still be written and is never moved "
       "(default 120)")
      ("backup-dir", po::value(&backup_dir_)->value_name("DIR"),
       "where the journal goes ('tblint restore --backup-dir DIR' then finds it; default: "
       "<logdir>/.tblint-backup)");
    // clang-format on
  }

  int Run(const po::variables_map& vm, const std::vector<std::string>& paths, std::ostream& out,
          std::ostream& err) override {
    const std::optional<Format> format = ResolveFormat(format_, "archive", kArchiveFormats, err);
    if (!format) return kExitUsage;
    ArchiveOptions ao;
    ao.dead = vm.count("dead") > 0;
    ao.dry_run = vm.count("dry-run") > 0;
    if (vm.count("older-than")) {
      const std::optional<double> age = ParseAge(older_than_);
      if (!age) {
        err << "tblint: --older-than must be an age like 30d, 12h, 90m, 2w, 45s or plain seconds (at most ten "
               "years), not '"
            << EscapeForText(older_than_) << "'\n";
        return kExitUsage;
      }
      ao.older_than_s = *age;
    } else if (!ao.dead) {
      err << "tblint: archive needs --older-than AGE, --dead, or both: which runs should move?\n";
      return kExitUsage;
    }
    if (vm.count("to") && to_.empty()) {
      err << "tblint: --to needs a folder\n";
      return kExitUsage;
    }
    ScanOptionText scan;
    if (vm.count("grace-period")) scan.grace_period = grace_period_;
    NumericValues values;
    if (ParseNumericOptions(scan, &values, err) != kExitClean) return kExitUsage;
    // Discovery and the liveness evidence are the scan's; no rule is needed.
    const ScanConfig config = MakeScanConfig(values, {}, backup_dir_);
    ao.now = config.lint.now;
    ao.grace_period_s = values.grace_period_s;
    ao.to = to_;
    ao.backup_dir = backup_dir_;

    int code = kExitClean;
    nlohmann::json report = nlohmann::json::array();
    for (const std::string& path : paths) {
      LintResult result;
      std::string error;
      if (!Lint(path, config, &result, &error)) {
        err << "tblint: " << EscapeForText(error) << "\n";
        return kExitUsage;
      }
      ArchiveResult ar;
      if (!Archive(result, ao, &ar, &error)) {
        err << "tblint: " << EscapeForText(error) << "\n";
        return kExitUsage;
      }
      for (const ArchivedRun& r : ar.runs) {
        if (r.status == ArchiveStatus::kFailed) code = kExitUsage;
        if (r.status == ArchiveStatus::kRefused && code == kExitClean) code = kExitFindings;
      }
      if (*format == Format::kJson) {
        report.push_back(ToJson(path, ar, ao));
      } else {
        WriteText(out, path, ar, ao, paths.size() > 1);
      }
    }
    if (*format == Format::kJson) out << DumpJson(nlohmann::json{{"archive", report}}) << "\n";
    return code;
  }

 private:
  static nlohmann::json ToJson(const std::string& path, const ArchiveResult& ar, const ArchiveOptions& ao) {
    nlohmann::json runs = nlohmann::json::array();
    for (const ArchivedRun& r : ar.runs) {
      nlohmann::json j = {{"status", ArchiveStatusName(r.status)},
                          {"reason", ToValidUtf8(r.why)},
                          {"files", r.files},
                          {"bytes", r.bytes}};
      PutName(j, "run", r.run);
      PutName(j, "path", r.display_path);
      j["newest_mtime"] = r.files > 0 ? nlohmann::json(r.newest_mtime) : nlohmann::json(nullptr);
      j["age_seconds"] = r.files > 0 ? nlohmann::json(std::max(0.0, ao.now - r.newest_mtime)) : nlohmann::json(nullptr);
      if (r.destination.empty()) {
        j["destination"] = nullptr;
      } else {
        PutName(j, "destination", r.destination);
      }
      nlohmann::json nested = nlohmann::json::array();
      for (const std::string& n : r.nested_runs) {
        nlohmann::json jn;
        PutName(jn, "run", n);
        nested.push_back(std::move(jn));
      }
      j["nested_runs"] = std::move(nested);
      runs.push_back(std::move(j));
    }
    nlohmann::json doc = {{"dry_run", ao.dry_run}, {"defanged", ar.defanged}, {"runs", std::move(runs)}};
    PutName(doc, "path", path);
    PutName(doc, "archive_dir", ar.archive_dir);
    if (ar.journal.empty()) {
      doc["journal"] = nullptr;
    } else {
      PutName(doc, "journal", ar.journal);
    }
    ReplaceInvalidUtf8(&doc);
    return doc;
  }

  static void WriteText(std::ostream& out, const std::string& path, const ArchiveResult& ar, const ArchiveOptions& ao,
                        bool several) {
    uint64_t moving = 0, refused = 0, failed = 0, kept = 0, files = 0, bytes = 0;
    std::vector<std::vector<std::string>> rows = {{"status", "run", "files", "size", "newest", "note"}};
    for (const ArchivedRun& r : ar.runs) {
      if (r.status == ArchiveStatus::kKept) {
        ++kept;
        continue;
      }
      if (r.status == ArchiveStatus::kMoved || r.status == ArchiveStatus::kWouldMove) {
        ++moving;
        files += r.files;
        bytes += r.bytes;
      }
      refused += r.status == ArchiveStatus::kRefused;
      failed += r.status == ArchiveStatus::kFailed;
      std::string note = r.why;
      if (!r.nested_runs.empty()) note += "; with " + Plural(r.nested_runs.size(), "nested run", "nested runs");
      rows.push_back({ArchiveStatusName(r.status), EscapeForText(r.run), std::to_string(r.files), HumanBytes(r.bytes),
                      r.files > 0 ? Age(ao.now - r.newest_mtime) : "-", EscapeForText(note)});
    }
    if (several) out << "\n";
    out << EscapeForText(path) << ": ";
    if (rows.size() == 1) {
      out << "nothing to archive (" << Plural(kept, "run", "runs") << " kept)\n";
      return;
    }
    out << Plural(moving, "run", "runs") << (ao.dry_run ? " would move" : " moved") << " (" << Plural(files, "file", "files")
        << ", " << HumanBytes(bytes) << ") to " << EscapeForText(ar.archive_dir)
        << (ar.defanged ? " (names defanged)" : "");
    if (refused > 0) out << "; " << refused << " refused";
    if (failed > 0) out << "; " << failed << " failed";
    out << "; " << kept << " kept\n";
    WriteTable(out, rows);
    if (!ar.journal.empty()) {
      out << "journal: " << EscapeForText(ar.journal) << "; 'tblint restore " << EscapeForText(path)
          << (ao.backup_dir.empty() ? "" : " --backup-dir " + EscapeForText(ao.backup_dir)) << "' puts the runs back\n";
    }
  }

  std::string format_;
  std::string older_than_;
  std::string to_;
  std::string grace_period_;
  std::string backup_dir_;
};

}  // namespace

std::optional<double> ParseAge(std::string_view text) {
  if (text.empty()) return std::nullopt;
  double unit = 1;
  std::string_view number = text;
  switch (text.back()) {
    case 's':
      unit = 1;
      break;
    case 'm':
      unit = 60;
      break;
    case 'h':
      unit = 3600;
      break;
    case 'd':
      unit = 86400;
      break;
    case 'w':
      unit = 7 * 86400;
      break;
    default:
      unit = 0;
  }
  if (unit != 0) {
    number.remove_suffix(1);
  } else {
    unit = 1;
  }
  // Digits with at most one '.', nothing else (no sign, exponent, spaces).
  if (number.empty() || number == ".") return std::nullopt;
  int dots = 0;
  for (char c : number) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      return std::nullopt;
    }
  }
  if (dots > 1) return std::nullopt;
  double value = 0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc() || end != number.data() + number.size() || !std::isfinite(value)) return std::nullopt;
  const double seconds = value * unit;
  if (seconds > kMaxGracePeriodS) return std::nullopt;  // ten years
  return seconds;
}

std::unique_ptr<Command> MakeArchiveCommand() { return std::make_unique<ArchiveCommand>(); }

}  // namespace tblint
