// --format junit: JUnit XML, a <testsuite> per run and a <testcase> per event
// file (docs/formats.md, "JUnit XML").
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "report/report.h"
#include "rule/rule.h"
#include "util/text.h"

namespace tblint {
namespace {

// XML 1.0 cannot hold most control characters, not even as character
// references, nor U+FFFE and U+FFFF. Names and messages are first made text
// the way the text output makes them (EscapeForText: controls and invalid
// UTF-8 become \n, \xHH, ...; a backslash becomes \\), U+FFFE/U+FFFF become
// \u{fffe}/\u{ffff}, and then the XML specials become entities. The result
// is well-formed whatever the bytes, and the escaping can be undone.
std::string Xml(std::string_view s) {
  const std::string text = EscapeForText(s);
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\xef' && i + 2 < text.size() && text[i + 1] == '\xbf' &&
        (text[i + 2] == '\xbe' || text[i + 2] == '\xbf')) {
      out += text[i + 2] == '\xbe' ? "\\u{fffe}" : "\\u{ffff}";
      i += 2;
      continue;
    }
    if (const char* entity = MarkupEntity(c, true)) {
      out += entity;
    } else {
      out += c;
    }
  }
  return out;
}

struct Case {
  std::string name;  // the file relative to its run, or a path relative to the logdir
  std::string path;  // as a person would open it
  std::vector<const Finding*> findings;
};

struct Suite {
  std::string run;
  std::vector<Case> cases;
  std::map<std::string, size_t> by_path;  // rel path -> index in cases
};

std::string Relative(const std::string& run, const std::string& rel) {
  if (run == "." || rel.size() <= run.size() + 1 || rel.compare(0, run.size(), run) != 0 || rel[run.size()] != '/') {
    return rel;
  }
  return rel.substr(run.size() + 1);
}

}  // namespace

void WriteJunit(std::ostream& out, const ReportInput& in, std::optional<Severity> fail_on) {
  auto fails = [&](const Finding& f) { return fail_on && f.severity >= *fail_on; };
  struct Logdir {
    const LintResult* result;
    std::vector<Suite> suites;
  };
  std::vector<Logdir> logdirs;
  uint64_t total_tests = 0, total_failures = 0;
  for (const LintResult* r : in.results) {
    Logdir& l = logdirs.emplace_back(Logdir{r, {}});
    std::map<std::string, size_t> by_run;
    auto suite = [&](const std::string& run) -> Suite& {
      auto [it, added] = by_run.emplace(run, l.suites.size());
      if (added) l.suites.push_back(Suite{run, {}, {}});
      return l.suites[it->second];
    };
    auto add_case = [&](Suite& s, const std::string& rel) -> Case& {
      auto [it, added] = s.by_path.emplace(rel, s.cases.size());
      if (added) s.cases.push_back(Case{Relative(s.run, rel), DisplayPath(*r, rel), {}});
      return s.cases[it->second];
    };
    // Every event file is a test, in TensorBoard's order, passing or not.
    for (const RunResult& run : r->logdir.runs) {
      Suite& s = suite(run.name);
      for (const FileResult* file : run.files) add_case(s, std::string(file->info.rel_path()));
    }
    // A finding about something else (a run, the logdir, an impostor file)
    // gets a test of its own, named by its path, in its run's suite.
    for (const Finding& f : r->findings) add_case(suite(f.run), f.path).findings.push_back(&f);
  }
  std::string body;
  for (const Logdir& l : logdirs) {
    for (const Suite& s : l.suites) {
      uint64_t failures = 0;
      for (const Case& c : s.cases) {
        for (const Finding* f : c.findings) {
          if (fails(*f)) {
            ++failures;
            break;
          }
        }
      }
      total_tests += s.cases.size();
      total_failures += failures;
      body += "  <testsuite name=\"" + Xml(s.run) + "\" tests=\"" + std::to_string(s.cases.size()) + "\" failures=\"" +
              std::to_string(failures) + "\" errors=\"0\" skipped=\"0\">\n";
      body += "    <properties>\n      <property name=\"logdir\" value=\"" + Xml(l.result->logdir.given) +
              "\"/>\n    </properties>\n";
      for (const Case& c : s.cases) {
        body +=
            "    <testcase classname=\"" + Xml(s.run) + "\" name=\"" + Xml(c.name) + "\" file=\"" + Xml(c.path) + "\"";
        if (c.findings.empty()) {
          body += "/>\n";
          continue;
        }
        body += ">\n";
        std::string below;  // findings under --fail-on: reported, not failures
        for (const Finding* f : c.findings) {
          std::string where = Xml(c.path);
          if (f->offset) where += ":" + std::to_string(*f->offset);
          std::string text = where + ": " + SeverityName(f->severity) + ": " + Xml(f->message) + " [" + f->rule->code +
                             " " + f->rule->name + "]";
          if (!f->impact.empty()) text += "\n    tensorboard: " + Xml(f->impact);
          if (fails(*f)) {
            body += "      <failure type=\"" + std::string(f->rule->code) + "\" message=\"" + Xml(f->message) + "\">" +
                    text + "</failure>\n";
          } else {
            below += text + "\n";
          }
        }
        if (!below.empty()) body += "      <system-out>" + below + "</system-out>\n";
        body += "    </testcase>\n";
      }
      body += "  </testsuite>\n";
    }
  }
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<testsuites name=\"tblint\" tests=\"" << total_tests << "\" failures=\"" << total_failures
      << "\" errors=\"0\">\n"
      << body << "</testsuites>\n";
}

}  // namespace tblint
