#include "cli/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "rule/rule.h"
#include "util/text.h"

namespace tblint {
namespace {

namespace fs = std::filesystem;
namespace po = boost::program_options;

constexpr const char* kKeys =
    "select, ignore, extend-select, per-path-ignores, severity, fail-on, grace-period, max-depth, max-record-mib, "
    "format, jobs";

bool Matches(std::string_view code, const std::vector<std::string>& prefixes) {
  for (const std::string& p : prefixes) {
    if (code.substr(0, p.size()) == p) return true;
  }
  return false;
}

const char* TypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    default:
      return "a date or time";
  }
}

// A usage message written by one of common.cc's checks ("tblint: --jobs must
// be ..., not '2000'\n"), without its "tblint: " and its newline.
std::string Reason(const std::string& captured) {
  std::string s = captured;
  if (s.rfind("tblint: ", 0) == 0) s.erase(0, 8);
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

std::optional<std::string> ReadWhole(const std::string& path, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = std::strerror(errno);
    return std::nullopt;
  }
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) {
    *error = "read error";
    return std::nullopt;
  }
  return bytes;
}

// Reads one table of settings, refusing with the file, line and key.
class Reader {
 public:
  Reader(const std::string& path, std::string prefix, Config* config, std::ostream& err)
      : path_(path), prefix_(std::move(prefix)), config_(config), err_(err) {}

  int Read(const toml::table& table) {
    for (auto&& [key, node] : table) {
      const std::string name(key.str());
      const int line = Line(key, node);
      int rc = kExitClean;
      if (name == "jobs") {
        rc = Number(name, node, line, &config_->jobs);
      } else if (name == "grace-period") {
        rc = Number(name, node, line, &config_->grace_period);
      } else if (name == "max-record-mib") {
        rc = Number(name, node, line, &config_->max_record_mib);
      } else if (name == "max-depth") {
        rc = Number(name, node, line, &config_->max_depth);
      } else if (name == "format") {
        rc = FormatValue(name, node, line);
      } else if (name == "fail-on") {
        rc = FailOn(name, node, line);
      } else if (name == "select" || name == "ignore" || name == "extend-select") {
        ConfigCodes* codes = name == "select"   ? &config_->select
                             : name == "ignore" ? &config_->ignore
                                                : &config_->extend_select;
        rc = Codes(name, node, line, codes);
        if (rc == kExitClean && name == "select" && codes->codes.empty()) {
          rc = Fail(line, name, "must list at least one rule code or prefix (leave it out for every rule)");
        }
      } else if (name == "per-path-ignores") {
        rc = PerPathIgnores(name, node, line);
      } else if (name == "severity") {
        rc = Severities(name, node, line);
      } else {
        rc = Fail(line, name, std::string("unknown key; the keys are ") + kKeys);
      }
      if (rc != kExitClean) return rc;
    }
    return kExitClean;
  }

 private:
  static int Line(const toml::key& key, const toml::node& node) {
    const auto line = key.source().begin.line;
    return static_cast<int>(line != 0 ? line : node.source().begin.line);
  }

  int Fail(int line, const std::string& key, const std::string& message) {
    err_ << "tblint: " << EscapeForText(path_) << ":" << line << ": key '" << EscapeForText(prefix_ + key)
         << "': " << EscapeForText(message) << "\n";
    return kExitUsage;
  }

  int WrongType(int line, const std::string& key, const char* want, const toml::node& node) {
    return Fail(line, key, std::string("must be ") + want + ", not " + TypeName(node));
  }

  // A number, as text, checked by ParseNumericOptions on its own.
  int Number(const std::string& key, const toml::node& node, int line, ConfigValue* out) {
    std::string text;
    if (const auto* i = node.as_integer()) {
      text = std::to_string(i->get());
    } else if (const auto* f = node.as_floating_point()) {
      char buf[64];
      const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, f->get());
      text = ec == std::errc() ? std::string(buf, end) : "?";
    } else {
      return WrongType(line, key, "a number", node);
    }
    ScanOptionText probe;
    if (key == "jobs") probe.jobs = text;
    if (key == "grace-period") probe.grace_period = text;
    if (key == "max-record-mib") probe.max_record_mib = text;
    if (key == "max-depth") probe.max_depth = text;
    NumericValues values;
    std::ostringstream why;
    if (ParseNumericOptions(probe, &values, why) != kExitClean) return Fail(line, key, Reason(why.str()));
    *out = {true, text, line};
    return kExitClean;
  }

  int FormatValue(const std::string& key, const toml::node& node, int line) {
    const auto* s = node.as_string();
    if (s == nullptr) return WrongType(line, key, "a string", node);
    std::vector<Format> all;
    for (const FormatNameEntry& e : kFormatNames) all.push_back(e.format);
    std::ostringstream why;
    if (!ResolveFormat(s->get(), "check", all, why)) return Fail(line, key, Reason(why.str()));
    config_->format = {true, s->get(), line};
    return kExitClean;
  }

  int FailOn(const std::string& key, const toml::node& node, int line) {
    const auto* s = node.as_string();
    if (s == nullptr) return WrongType(line, key, "a string", node);
    if (s->get() != "never" && !ParseSeverity(s->get())) {
      return Fail(line, key, "--fail-on must be error, warning, info or never, not '" + s->get() + "'");
    }
    config_->fail_on = {true, s->get(), line};
    return kExitClean;
  }

  // Rule codes or prefixes, each checked by SelectRules as --select's are.
  int CheckCode(const std::string& key, const std::string& code, int line) {
    ScanOptionText probe;
    probe.select = {code};
    std::vector<const Rule*> rules;
    std::ostringstream why;
    if (SelectRules(probe, &rules, why) != kExitClean) return Fail(line, key, Reason(why.str()));
    return kExitClean;
  }

  int CodeList(const std::string& key, const toml::node& node, int line, std::vector<std::string>* out) {
    const auto* array = node.as_array();
    if (array == nullptr) return WrongType(line, key, "an array of rule codes", node);
    for (const toml::node& item : *array) {
      const auto* s = item.as_string();
      const int item_line = static_cast<int>(item.source().begin.line != 0 ? item.source().begin.line : line);
      if (s == nullptr)
        return Fail(item_line, key, std::string("must list rule codes (strings), not ") + TypeName(item));
      const std::vector<std::string> codes = SplitCodes({s->get()});
      if (codes.empty()) return Fail(item_line, key, "holds an empty rule code");
      for (const std::string& code : codes) {
        if (CheckCode(key, code, item_line) != kExitClean) return kExitUsage;
        out->push_back(code);
      }
    }
    return kExitClean;
  }

  int Codes(const std::string& key, const toml::node& node, int line, ConfigCodes* out) {
    out->codes.clear();
    if (CodeList(key, node, line, &out->codes) != kExitClean) return kExitUsage;
    out->set = true;
    out->line = line;
    return kExitClean;
  }

  int PerPathIgnores(const std::string& key, const toml::node& node, int line) {
    const auto* table = node.as_table();
    if (table == nullptr) return WrongType(line, key, "a table of glob = [codes]", node);
    for (auto&& [glob, codes] : *table) {
      const std::string sub = key + ".\"" + std::string(glob.str()) + "\"";
      const int entry_line = Line(glob, codes);
      if (glob.str().empty()) return Fail(entry_line, sub, "a glob must not be empty");
      PathIgnore pi;
      pi.glob = std::string(glob.str());
      pi.line = entry_line;
      if (CodeList(sub, codes, entry_line, &pi.codes) != kExitClean) return kExitUsage;
      config_->per_path_ignores.push_back(std::move(pi));
    }
    return kExitClean;
  }

  int Severities(const std::string& key, const toml::node& node, int line) {
    const auto* table = node.as_table();
    if (table == nullptr) return WrongType(line, key, "a table of code = \"error\", \"warning\" or \"info\"", node);
    for (auto&& [code_key, value] : *table) {
      const std::string sub = key + "." + std::string(code_key.str());
      const int entry_line = Line(code_key, value);
      const std::vector<std::string> codes = SplitCodes({std::string(code_key.str())});
      if (codes.size() != 1) return Fail(entry_line, sub, "must name one rule code or prefix");
      if (CheckCode(sub, codes.front(), entry_line) != kExitClean) return kExitUsage;
      const auto* s = value.as_string();
      if (s == nullptr) return WrongType(entry_line, sub, "a string: error, warning or info", value);
      const std::optional<Severity> severity = ParseSeverity(s->get());
      if (!severity) return Fail(entry_line, sub, "must be error, warning or info, not '" + s->get() + "'");
      config_->severity.push_back({codes.front(), *severity, entry_line});
    }
    return kExitClean;
  }

  const std::string& path_;
  const std::string prefix_;
  Config* config_;
  std::ostream& err_;
};

// Parses `bytes` as TOML; kExitUsage with "FILE:LINE: what" on failure.
int ParseToml(const std::string& path, std::string_view bytes, toml::table* out, std::ostream& err) {
  try {
    *out = toml::parse(bytes, path);
  } catch (const toml::parse_error& e) {
    err << "tblint: " << EscapeForText(path) << ":" << e.source().begin.line
        << ": not valid TOML: " << EscapeForText(e.description()) << "\n";
    return kExitUsage;
  }
  return kExitClean;
}

// The [tool.tblint] node of a pyproject.toml, or nullptr.
const toml::node* ToolTable(const toml::table& root) {
  const toml::table* tool = root["tool"].as_table();
  return tool == nullptr ? nullptr : tool->get("tblint");
}

bool IsPyproject(const std::string& path) { return fs::path(path).filename() == "pyproject.toml"; }

// Globs: one component against one pattern segment.
// Whether p[*pi] (one pattern element) matches the byte `ch`; advances *pi.
bool MatchOne(std::string_view p, size_t* pi, unsigned char ch) {
  const char c = p[*pi];
  if (c == '?') {
    ++*pi;
    return true;
  }
  if (c == '\\' && *pi + 1 < p.size()) {
    const bool ok = static_cast<unsigned char>(p[*pi + 1]) == ch;
    *pi += 2;
    return ok;
  }
  if (c == '[') {
    size_t i = *pi + 1;
    const bool negate = i < p.size() && (p[i] == '!' || p[i] == '^');
    if (negate) ++i;
    const size_t first = i;
    bool matched = false;
    while (i < p.size() && (p[i] != ']' || i == first)) {
      unsigned char lo = static_cast<unsigned char>(p[i]);
      if (p[i] == '\\' && i + 1 < p.size()) lo = static_cast<unsigned char>(p[++i]);
      unsigned char hi = lo;
      if (i + 2 < p.size() && p[i + 1] == '-' && p[i + 2] != ']') {
        hi = static_cast<unsigned char>(p[i + 2]);
        i += 2;
      }
      matched = matched || (ch >= lo && ch <= hi);
      ++i;
    }
    if (i < p.size()) {  // a closed class
      *pi = i + 1;
      return matched != negate;
    }
    // No closing ']': a literal '['.
  }
  ++*pi;
  return static_cast<unsigned char>(c) == ch;
}

bool MatchSegment(std::string_view p, std::string_view s) {
  size_t pi = 0, si = 0, star_p = std::string_view::npos, star_s = 0;
  while (si < s.size()) {
    if (pi < p.size() && p[pi] == '*') {
      star_p = ++pi;
      star_s = si;
      continue;
    }
    size_t next = pi;
    if (pi < p.size() && MatchOne(p, &next, static_cast<unsigned char>(s[si]))) {
      pi = next;
      ++si;
      continue;
    }
    if (star_p == std::string_view::npos) return false;
    pi = star_p;
    si = ++star_s;
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

std::vector<std::string_view> Split(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    const size_t slash = s.find('/', start);
    const std::string_view part = s.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (!part.empty() && part != ".") out.push_back(part);
    if (slash == std::string_view::npos) return out;
    start = slash + 1;
  }
}

// parts[pi..] against exactly comps[ci..end).
bool MatchParts(const std::vector<std::string_view>& parts, size_t pi, const std::vector<std::string_view>& comps,
                size_t ci, size_t end) {
  if (pi == parts.size()) return ci == end;
  if (parts[pi] == "**") {
    for (size_t j = ci; j <= end; ++j) {
      if (MatchParts(parts, pi + 1, comps, j, end)) return true;
    }
    return false;
  }
  return ci < end && MatchSegment(parts[pi], comps[ci]) && MatchParts(parts, pi + 1, comps, ci + 1, end);
}

// TOML's basic string, for --show-settings.
std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char ch : ToValidUtf8(s)) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

std::string QuoteList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + Quote(items[i]);
  return out + "]";
}

}  // namespace

void AddConfigOptions(po::options_description* options, ConfigOptionText* text) {
  // clang-format off
  options->add_options()
    ("config", po::value(&text->file)->value_name("FILE"),
     "read settings from FILE (TOML; a pyproject.toml's [tool.tblint]) instead of the tblint.toml or "
     "pyproject.toml found above the first PATH; command-line options override it (docs/config.md)")
    ("isolated", "read no config file")
    ("show-settings", "print the settings in effect and the config file they come from, then exit");
  // clang-format on
}

int ParseConfig(const std::string& path, std::string_view bytes, bool pyproject, Config* config, std::ostream& err) {
  toml::table root;
  if (ParseToml(path, bytes, &root, err) != kExitClean) return kExitUsage;
  config->path = path;
  const toml::table* table = &root;
  std::string prefix;
  if (pyproject) {
    config->table = "tool.tblint";
    prefix = "tool.tblint.";
    const toml::node* node = ToolTable(root);
    if (node == nullptr) return kExitClean;
    table = node->as_table();
    if (table == nullptr) {
      err << "tblint: " << EscapeForText(path) << ":" << node->source().begin.line
          << ": key 'tool.tblint': must be a table, not " << TypeName(*node) << "\n";
      return kExitUsage;
    }
  }
  return Reader(path, prefix, config, err).Read(*table);
}

int FindConfig(const std::string& start, std::optional<std::string>* found, std::ostream& err) {
  found->reset();
  std::error_code ec;
  fs::path dir = fs::absolute(fs::path(start), ec).lexically_normal();
  if (ec) return kExitClean;
  if (!dir.has_filename() && dir.has_parent_path()) dir = dir.parent_path();  // "a/b/" -> "a/b"
  if (!fs::is_directory(dir, ec)) dir = dir.parent_path();
  for (;;) {
    const fs::path toml_file = dir / "tblint.toml";
    if (fs::exists(toml_file, ec) && !fs::is_directory(toml_file, ec)) {
      *found = toml_file.string();
      return kExitClean;
    }
    const fs::path pyproject = dir / "pyproject.toml";
    if (fs::is_regular_file(pyproject, ec)) {
      std::string error;
      const std::optional<std::string> bytes = ReadWhole(pyproject.string(), &error);
      if (!bytes) {
        err << "tblint: cannot read " << EscapeForText(pyproject.string()) << ": " << EscapeForText(error) << "\n";
        return kExitUsage;
      }
      toml::table root;
      if (ParseToml(pyproject.string(), *bytes, &root, err) != kExitClean) return kExitUsage;
      if (ToolTable(root) != nullptr) {
        *found = pyproject.string();
        return kExitClean;
      }
    }
    const fs::path parent = dir.parent_path();
    if (parent.empty() || parent == dir) return kExitClean;
    dir = parent;
  }
}

int LoadConfig(const po::variables_map& vm, const ConfigOptionText& text, const std::vector<std::string>& paths,
               Config* config, std::ostream& err) {
  *config = Config{};
  const bool given = vm.count("config") > 0;
  if (vm.count("isolated")) {
    if (given) {
      err << "tblint: --config and --isolated cannot be used together\n";
      return kExitUsage;
    }
    return kExitClean;
  }
  std::string file = text.file;
  if (!given) {
    std::optional<std::string> found;
    if (FindConfig(paths.empty() ? "." : paths.front(), &found, err) != kExitClean) return kExitUsage;
    if (!found) return kExitClean;
    file = *found;
  }
  std::string error;
  const std::optional<std::string> bytes = ReadWhole(file, &error);
  if (!bytes) {
    err << "tblint: cannot read the config file " << EscapeForText(file) << ": " << EscapeForText(error) << "\n";
    return kExitUsage;
  }
  const bool pyproject = IsPyproject(file);
  if (ParseConfig(file, *bytes, pyproject, config, err) != kExitClean) return kExitUsage;
  config->found = !given;
  if (given && pyproject) {
    toml::table root;
    std::ostringstream ignored;
    if (ParseToml(file, *bytes, &root, ignored) == kExitClean && ToolTable(root) == nullptr) {
      err << "tblint: " << EscapeForText(file) << " has no [tool.tblint] table\n";
      return kExitUsage;
    }
  }
  return kExitClean;
}

void MergeConfig(const Config& config, const po::variables_map& vm, ScanOptionText* scan, std::string* format,
                 std::string* fail_on) {
  const auto take = [&vm](const ConfigValue& value, const char* option, std::string* to) {
    if (to != nullptr && value.set && vm.count(option) == 0) *to = value.text;
  };
  take(config.jobs, "jobs", &scan->jobs);
  take(config.grace_period, "grace-period", &scan->grace_period);
  take(config.max_record_mib, "max-record-mib", &scan->max_record_mib);
  take(config.max_depth, "max-depth", &scan->max_depth);
  take(config.format, "format", format);
  take(config.fail_on, "fail-on", fail_on);
  // --select replaces the file's select and extend-select; --extend-select
  // adds to whichever select is in effect.
  if (vm.count("select") == 0) {
    if (config.select.set) scan->select = config.select.codes;
    scan->extend_select.insert(scan->extend_select.begin(), config.extend_select.codes.begin(),
                               config.extend_select.codes.end());
  }
  scan->ignore.insert(scan->ignore.begin(), config.ignore.codes.begin(), config.ignore.codes.end());
}

bool GlobMatches(std::string_view glob, std::string_view path) {
  const std::vector<std::string_view> parts = Split(glob), comps = Split(path);
  if (parts.empty()) return false;
  // Without a '/' (a trailing one aside): any single component, at any depth.
  const std::string_view trimmed = glob.substr(0, glob.find_last_not_of('/') + 1);
  if (trimmed.find('/') == std::string_view::npos) {
    if (parts.front() == "**") return true;
    return std::any_of(comps.begin(), comps.end(), [&](std::string_view c) { return MatchSegment(parts.front(), c); });
  }
  // Anchored at the logdir: the whole path, or one of its leading directories.
  for (size_t end = comps.size(); end >= 1; --end) {
    if (MatchParts(parts, 0, comps, 0, end)) return true;
  }
  return comps.empty() && MatchParts(parts, 0, comps, 0, 0);
}

void ApplyFindingSettings(const Config& config, LintResult* result) {
  ApplyFindingSettings(config, &result->findings);
}

void ApplyFindingSettings(const Config& config, std::vector<Finding>* findings) {
  if (!config.per_path_ignores.empty()) {
    std::erase_if(*findings, [&config](const Finding& f) {
      for (const PathIgnore& pi : config.per_path_ignores) {
        if (Matches(f.rule->code, pi.codes) && GlobMatches(pi.glob, f.path)) return true;
      }
      return false;
    });
  }
  if (config.severity.empty()) return;
  for (Finding& f : *findings) {
    // The most specific code or prefix wins; among equals, the last.
    const SeverityOverride* best = nullptr;
    for (const SeverityOverride& o : config.severity) {
      if (Matches(f.rule->code, {o.code}) && (best == nullptr || o.code.size() >= best->code.size())) best = &o;
    }
    if (best == nullptr) continue;
    // A finding the rule lowered to info because its file may still be
    // written (TB101, TB102, TB201, TB202) stays info: a live run never fails.
    if (f.severity == Severity::kInfo && f.rule->default_severity != Severity::kInfo) continue;
    f.severity = best->severity;
  }
}

void WriteSettings(std::ostream& out, const Config& config, const ScanOptionText& scan,
                   const std::vector<const Rule*>& rules, const std::string* format, const std::string* fail_on) {
  out << "# config file: ";
  if (config.path.empty()) {
    out << "none\n";
  } else {
    out << EscapeForText(config.path) << (config.table.empty() ? "" : " [" + config.table + "]") << "\n";
  }
  const std::vector<std::string> select = SplitCodes(scan.select);
  out << "select = " << QuoteList(select.empty() ? std::vector<std::string>{"TB"} : select) << "\n";
  out << "extend-select = " << QuoteList(select.empty() ? std::vector<std::string>{} : SplitCodes(scan.extend_select))
      << "\n";
  out << "ignore = " << QuoteList(SplitCodes(scan.ignore)) << "\n";
  if (fail_on != nullptr) out << "fail-on = " << Quote(*fail_on) << "\n";
  if (format != nullptr) out << "format = " << Quote(*format) << "\n";
  out << "grace-period = " << scan.grace_period << "\n"
      << "jobs = " << scan.jobs << "\n"
      << "max-depth = " << scan.max_depth << "\n"
      << "max-record-mib = " << scan.max_record_mib << "\n";
  out << "# enabled rules (" << rules.size() << "):";
  for (const Rule* r : rules) out << " " << r->info().code;
  out << "\n";
  out << "\n[per-path-ignores]\n";
  for (const PathIgnore& pi : config.per_path_ignores) out << Quote(pi.glob) << " = " << QuoteList(pi.codes) << "\n";
  out << "\n[severity]\n";
  for (const SeverityOverride& o : config.severity) out << o.code << " = " << Quote(SeverityName(o.severity)) << "\n";
}

}  // namespace tblint
