#include "rule/writer_name.h"

#include <cctype>
#include <vector>

namespace tblint {
namespace {

constexpr std::string_view kPrefix = "events.out.tfevents.";

}  // namespace

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string WriterName::Describe() const {
  std::string out = host.empty() ? "unknown host" : host;
  if (pid) out += " pid " + std::to_string(*pid);
  if (counter && !tf2) out += " #" + std::to_string(*counter);
  return out;
}

WriterName ParseWriterName(std::string_view name) {
  WriterName w;
  if (name.substr(0, kPrefix.size()) != kPrefix) return w;
  std::string_view rest = name.substr(kPrefix.size());
  const size_t dot = rest.find('.');
  if (dot == std::string_view::npos) return w;
  // tensorboardX takes the first 10 characters of time.time(), which are
  // digits for any date after 2001; torch and TF use the integer seconds.
  if (!AllDigits(rest.substr(0, dot))) return w;
  w.standard = true;
  w.timestamp = std::stoll(std::string(rest.substr(0, dot)));
  std::string_view host = rest.substr(dot + 1);
  if (host.ends_with(".profile-empty")) {
    w.profile_empty = true;
    host.remove_suffix(std::string_view(".profile-empty").size());
  }
  if (host.ends_with(".v2")) {
    w.tf2 = true;
    host.remove_suffix(3);
  }
  // Trailing ".<pid>.<counter>".
  const size_t last = host.rfind('.');
  if (last != std::string_view::npos && AllDigits(host.substr(last + 1))) {
    const size_t prev = host.rfind('.', last - 1);
    if (prev != std::string_view::npos && prev < last && AllDigits(host.substr(prev + 1, last - prev - 1)) &&
        prev > 0) {
      w.pid = std::stoll(std::string(host.substr(prev + 1, last - prev - 1)));
      w.counter = std::stoll(std::string(host.substr(last + 1)));
      host = host.substr(0, prev);
    }
  }
  w.host = std::string(host);
  return w;
}

std::string StrayCopyReason(std::string_view name) {
  // rsync writes ".<name>.XXXXXX" beside the target while copying.
  if (name.size() > 8 && name[0] == '.' && name.substr(1, kPrefix.size()) == kPrefix) {
    return "an rsync or editor temporary (leading dot)";
  }
  struct Suffix {
    std::string_view suffix;
    const char* reason;
  };
  static const std::vector<Suffix> kSuffixes = {
      {".bak", "a .bak copy"},
      {".backup", "a .backup copy"},
      {".orig", "an .orig copy"},
      {".old", "an .old copy"},
      {".copy", "a .copy copy"},
      {".tmp", "a .tmp temporary"},
      {".temp", "a .temp temporary"},
      {".swp", "an editor swap file"},
      {".part", "a partial download"},
      {".partial", "a partial download"},
      {".crdownload", "a partial download"},
      {"~", "a ~ backup copy"},
      {" copy", "a file-manager copy"},
  };
  for (const Suffix& s : kSuffixes) {
    if (name.ends_with(s.suffix)) return s.reason;
  }
  // " (1)", " (2)": copies made by browsers and file managers.
  if (name.ends_with(")")) {
    const size_t open = name.rfind(" (");
    if (open != std::string_view::npos && AllDigits(name.substr(open + 2, name.size() - open - 3))) {
      return "a numbered duplicate (\" (N)\")";
    }
  }
  if (name.substr(0, kPrefix.size()) != kPrefix) {
    // Writers always start the name with "events.out.tfevents.".
    const size_t at = name.find("events.out.tfevents.");
    if (at != std::string_view::npos && at > 0) return "a renamed copy (text before \"events.out.tfevents.\")";
  }
  // rsync temporaries also end in a dot and 6 random characters.
  if (name.size() > 7 && name[name.size() - 7] == '.' && name[0] == '.') return "an rsync temporary";
  return "";
}

}  // namespace tblint
