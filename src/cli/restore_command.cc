#include "cli/restore_command.h"

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fix/fixer.h"
#include "util/text.h"

namespace tblint {
namespace {

namespace po = boost::program_options;

constexpr Format kRestoreFormats[] = {Format::kText, Format::kJson};

class RestoreCommand : public Command {
 public:
  std::string_view Synopsis() const override {
    return "tblint restore [--backup-dir DIR] [--format FORMAT] [PATH...]\n";
  }

  std::string_view Description() const override {
    return "Puts back, byte-identical, every file that --fix changed or moved under\n"
           "PATH (default .), from its backup folder and journal. Exit status: 0 all\n"
           "restored, 1 a file changed after the fix and could not be restored, 2 a\n"
           "usage error, a PATH that does not exist or holds no backup folder, or\n"
           "output that could not be written in full.\n";
  }

  std::string_view Examples() const override {
    return "Examples:\n"
           "  tblint restore ./logs              undo every fix, byte-identical\n"
           "  tblint restore --backup-dir DIR ./logs\n"
           "                                     undo the fixes of 'tblint --fix --backup-dir DIR ./logs'\n";
  }

  void AddOptions(po::options_description* options) override {
    AddFormatOption(options, kRestoreFormats, &format_);
    options->add_options()("backup-dir", po::value(&backup_dir_)->value_name("DIR"),
                           "where 'tblint --fix --backup-dir DIR' kept what it removed "
                           "(default: <logdir>/.tblint-backup)");
  }

  int Run(const po::variables_map&, const std::vector<std::string>& paths, std::ostream& out,
          std::ostream& err) override {
    const std::optional<Format> format = ResolveFormat(format_, "restore", kRestoreFormats, err);
    if (!format) return kExitUsage;
    bool all_ok = true;
    nlohmann::json report = nlohmann::json::array();
    for (const std::string& path : paths) {
      std::vector<RestoreOutcome> outcomes;
      std::string error;
      const bool ok = Restore(path, backup_dir_, &outcomes, &error);
      if (!error.empty()) {
        err << "tblint: " << EscapeForText(error) << "\n";
        return kExitUsage;
      }
      all_ok = all_ok && ok;
      for (const RestoreOutcome& o : outcomes) {
        // Paths are any bytes: escaped for the terminal, exact in JSON (PutName).
        switch (*format) {
          case Format::kJson: {
            nlohmann::json j = {{"status", o.status}, {"message", ToValidUtf8(o.message)}};
            PutName(j, "path", o.path);
            report.push_back(std::move(j));
            break;
          }
          default:  // text: kRestoreFormats holds only text and json
            out << EscapeForText(o.path) << ": " << o.status << ": " << EscapeForText(o.message) << "\n";
            break;
        }
      }
      if (outcomes.empty() && *format == Format::kText) out << EscapeForText(path) << ": nothing to restore\n";
    }
    if (*format == Format::kJson) out << DumpJson(nlohmann::json{{"restored", report}}) << "\n";
    return all_ok ? kExitClean : kExitFindings;
  }

 private:
  std::string format_;
  std::string backup_dir_;
};

}  // namespace

std::unique_ptr<Command> MakeRestoreCommand() { return std::make_unique<RestoreCommand>(); }

}  // namespace tblint
