// --format junit: JUnit XML, a <testsuite> per run and a <testcase> per event
// file (docs/formats.md, "JUnit XML"), streamed (JunitWriter).
#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "report/report.h"
#include "report/spool.h"
#include "report/writers.h"
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

std::string_view Relative(std::string_view run, std::string_view rel) {
  if (run == "." || rel.size() <= run.size() + 1 || rel.substr(0, run.size()) != run || rel[run.size()] != '/') {
    return rel;
  }
  return rel.substr(run.size() + 1);
}

// Written as the findings arrive, in memory bounded by the files and runs,
// not the findings: each finding's XML goes to a Spool at once, and only a
// 24-byte entry (its suite, test, failing or not, and where its bytes are)
// stays. End sorts the entries by suite and test (stable: arrival order
// within a test), counts, and writes the document: the totals first, then
// each suite with its tests, copying each finding's bytes back.
//
// A suite per run, in TensorBoard's order, then a suite per other run a
// finding names; in each, a test per event file, in TensorBoard's order,
// then a test per other path a finding names, in order of first appearance.
// A test's failing findings are <failure> elements, the others one
// <system-out>. Findings of one path arrive before the next path's
// (ReportWriter's contract), so suites are numbered in the order written.
class JunitWriter final : public ReportWriter {
 public:
  JunitWriter(std::ostream& out, std::optional<Severity> fail_on) : out_(out), fail_on_(fail_on) {}

  void Begin(const ReportHeader&) override {}

  void Findings(const LintResult& result, std::span<const Finding> findings) override {
    Logdir& l = LogdirOf(result);
    std::string text;
    for (const Finding& f : findings) {
      tally_.Add(f);
      const uint32_t s = SuiteOf(l, f.run);
      const uint32_t c = CaseOf(l, s, f.path);
      const bool fails = fail_on_ && f.severity >= *fail_on_;
      std::string where = Xml(DisplayPath(result, f.path));
      if (f.offset) where += ":" + std::to_string(*f.offset);
      text.clear();
      if (fails) {
        text += "      <failure type=\"" + std::string(f.rule->code) + "\" message=\"" + Xml(f.message) + "\">";
      }
      text += where + ": " + SeverityName(f.severity) + ": " + Xml(f.message) + " [" + f.rule->code + " " +
              f.rule->name + "]";
      if (!f.impact.empty()) text += "\n    tensorboard: " + Xml(f.impact);
      text += fails ? "</failure>\n" : "\n";
      entries_.push_back(Entry{s, c, spool_.Append(text), text.size(), fails});
    }
  }

  void EndPath(const LintResult& result) override { LogdirOf(result); }

  void End(const ReportInput&) override {
    std::stable_sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
      if (a.suite != b.suite) return a.suite < b.suite;
      if (a.kase != b.kase) return a.kase < b.kase;
      return a.fails && !b.fails;
    });
    // A test fails when one of its findings does; failing entries sort first.
    std::vector<uint64_t> failures(suites_.size(), 0);
    for (size_t i = 0; i < entries_.size(); ++i) {
      const Entry& e = entries_[i];
      if (e.fails && (i == 0 || entries_[i - 1].suite != e.suite || entries_[i - 1].kase != e.kase)) {
        ++failures[e.suite];
      }
    }
    uint64_t total_tests = 0, total_failures = 0;
    for (size_t s = 0; s < suites_.size(); ++s) {
      total_tests += suites_[s].cases.size();
      total_failures += failures[s];
    }
    out_ << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         << "<testsuites name=\"tblint\" tests=\"" << total_tests << "\" failures=\"" << total_failures
         << "\" errors=\"0\">\n";
    size_t next = 0;  // the first entry not written
    for (uint32_t s = 0; s < suites_.size(); ++s) {
      const Suite& suite = suites_[s];
      const std::string run = Xml(suite.run);
      out_ << "  <testsuite name=\"" << run << "\" tests=\"" << suite.cases.size() << "\" failures=\"" << failures[s]
           << "\" errors=\"0\" skipped=\"0\">\n"
           << "    <properties>\n      <property name=\"logdir\" value=\"" << Xml(suite.result->logdir.given)
           << "\"/>\n    </properties>\n";
      for (uint32_t c = 0; c < suite.cases.size(); ++c) {
        const std::string rel(suite.cases[c]);
        out_ << "    <testcase classname=\"" << run << "\" name=\"" << Xml(Relative(suite.run, rel)) << "\" file=\""
             << Xml(DisplayPath(*suite.result, rel)) << "\"";
        size_t end = next;
        while (end < entries_.size() && entries_[end].suite == s && entries_[end].kase == c) ++end;
        if (end == next) {
          out_ << "/>\n";
          continue;
        }
        out_ << ">\n";
        bool below = false;  // findings under --fail-on: reported, not failures
        for (; next < end; ++next) {
          const Entry& e = entries_[next];
          if (!e.fails && !below) {
            out_ << "      <system-out>";
            below = true;
          }
          if (!spool_.CopyTo(out_, e.at, e.length)) out_.setstate(std::ios::badbit);
        }
        if (below) out_ << "</system-out>\n";
        out_ << "    </testcase>\n";
      }
      out_ << "  </testsuite>\n";
    }
    out_ << "</testsuites>\n";
  }

 private:
  struct Entry {
    uint32_t suite;
    uint32_t kase;
    uint64_t at;            // in the spool
    uint64_t length : 63;   // a message can hold a long tag: no 32-bit limit
    uint64_t fails : 1;
  };
  static_assert(sizeof(Entry) == 24);
  struct Suite {
    const LintResult* result;
    std::string_view run;                                // the run's name, or an owned copy (owned_)
    std::vector<std::string_view> cases;                 // relative paths: a file's, or an extra's key
    std::map<std::string, uint32_t, std::less<>> extra;  // paths that are no event file of this run
  };
  struct FileCase {
    std::string_view rel;
    uint32_t suite;
    uint32_t kase;
  };
  struct Logdir {
    const LintResult* result;
    std::unordered_map<std::string_view, uint32_t> by_run;  // run name -> suite
    std::vector<FileCase> files;                            // sorted by rel
  };

  // The path's suites and tests, made when its first findings (or its end)
  // arrive: every run and event file, findings or not.
  Logdir& LogdirOf(const LintResult& result) {
    if (!logdirs_.empty() && logdirs_.back().result == &result) return logdirs_.back();
    Logdir& l = logdirs_.emplace_back();
    l.result = &result;
    for (const RunResult& run : result.logdir.runs) {
      const uint32_t s = SuiteOf(l, run.name, /*lasting=*/true);
      for (const FileResult* file : run.files) {
        const std::string_view rel = file->info.rel_path();
        l.files.push_back(FileCase{rel, s, static_cast<uint32_t>(suites_[s].cases.size())});
        suites_[s].cases.push_back(rel);
      }
    }
    std::stable_sort(l.files.begin(), l.files.end(),
                     [](const FileCase& a, const FileCase& b) { return a.rel < b.rel; });
    return l;
  }

  // `lasting`: `run` lives as long as the writer (a RunResult's name: the
  // results outlive End); else a copy is kept.
  uint32_t SuiteOf(Logdir& l, std::string_view run, bool lasting = false) {
    if (auto it = l.by_run.find(run); it != l.by_run.end()) return it->second;
    const auto s = static_cast<uint32_t>(suites_.size());
    const std::string_view name = lasting ? run : Own(run);
    suites_.push_back(Suite{l.result, name, {}, {}});
    l.by_run.emplace(name, s);
    return s;
  }

  uint32_t CaseOf(Logdir& l, uint32_t s, const std::string& path) {
    const auto it = std::lower_bound(l.files.begin(), l.files.end(), std::string_view(path),
                                     [](const FileCase& a, std::string_view b) { return a.rel < b; });
    for (auto f = it; f != l.files.end() && f->rel == path; ++f) {
      if (f->suite == s) return f->kase;
    }
    Suite& suite = suites_[s];
    auto [e, added] = suite.extra.emplace(path, static_cast<uint32_t>(suite.cases.size()));
    if (added) suite.cases.push_back(e->first);
    return e->second;
  }

  std::string_view Own(std::string_view s) { return owned_.emplace_back(s); }

  std::ostream& out_;
  std::optional<Severity> fail_on_;
  Spool spool_;
  std::vector<Entry> entries_;
  std::deque<Suite> suites_;
  std::deque<Logdir> logdirs_;
  std::deque<std::string> owned_;
};

}  // namespace

std::unique_ptr<ReportWriter> MakeJunitWriter(std::ostream& out, std::optional<Severity> fail_on) {
  return std::make_unique<JunitWriter>(out, fail_on);
}

}  // namespace tblint
