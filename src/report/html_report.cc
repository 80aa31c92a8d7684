// --format html: one self-contained page (docs/html.md). The C++ side writes
// a static header (logdir, totals, findings by severity) and one JSON data
// island with everything the page draws; an inline script (html_assets.cc)
// builds the findings table and, when a run's section is opened, its timeline
// and tag table as SVG. Nothing is fetched: a Content-Security-Policy of
// default-src 'none' forbids it.
//
// Escaping: every name is first made text the way the text output makes it
// (EscapeForText: controls and bytes that are not UTF-8 become visible
// escapes), then HTML-escaped in the header, and in the data island carried as
// JSON whose '<', '>' and '&' are written as \u003c, \u003e, \u0026, so no
// "</script>" can end the island. The script only ever sets textContent.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "report/report.h"
#include "report/spool.h"
#include "report/writers.h"
#include "rule/registry.h"
#include "rule/rule.h"
#include "rule/writer_name.h"
#include "util/text.h"

namespace tblint {

// The page's style sheet and script (html_assets.cc).
extern const char* const kHtmlStyle;
extern const char* const kHtmlScript;

namespace {

using nlohmann::json;

// Points drawn per scalar tag and run, and over the whole page: a logdir of
// 1,000 runs with a dozen scalars each stays within a few megabytes.
constexpr size_t kSparkPointsPerTag = 48;
constexpr size_t kSparkPointsPerPage = 120000;

std::string Show(std::string_view s) { return EscapeForText(s); }

std::string HtmlEscape(std::string_view raw) {
  const std::string s = Show(raw);
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (const char* entity = MarkupEntity(c, false)) {
      out += entity;
    } else {
      out += c;
    }
  }
  return out;
}

// JSON text that may sit inside <script>: no '<', '>' or '&' at all (they
// only occur inside strings, where \uXXXX means the same character), and
// U+2028/U+2029 escaped for older script parsers.
std::string ScriptSafeJson(const json& doc) {
  const std::string text = DumpJson(doc, -1);
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else if (c == '\xe2' && i + 2 < text.size() && text[i + 1] == '\x80' &&
               (text[i + 2] == '\xa8' || text[i + 2] == '\xa9')) {
      out += text[i + 2] == '\xa8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

// A double for the page: finite, else null; at most 6 significant digits.
json Num(double v) {
  if (!std::isfinite(v)) return nullptr;
  if (v == 0) return 0;
  const double mag = std::pow(10.0, 5 - static_cast<int>(std::floor(std::log10(std::fabs(v)))));
  const double r = std::round(v * mag) / mag;
  return std::isfinite(r) ? r : v;
}

struct StepRange {
  bool any = false;
  int64_t lo = 0, hi = 0;
};

StepRange FileSteps(const FileResult& f) {
  StepRange r;
  for (const auto& [tag, s] : f.tags) {
    if (!r.any) {
      r = {true, s.min_step, s.max_step};
    } else {
      r.lo = std::min(r.lo, s.min_step);
      r.hi = std::max(r.hi, s.max_step);
    }
  }
  return r;
}

// A wall time for the page: seconds, to the millisecond.
json Wall(double v) {
  if (!std::isfinite(v)) return nullptr;
  return std::round(v * 1000) / 1000;
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Overlapping files of a run, drawn for its TB303 and TB402 findings. The
// rules decide; this only finds the files and ranges to draw.
json Overlaps(const RunResult& run, const std::vector<std::pair<Finding, int64_t>>& run_findings) {
  json out = json::array();
  const std::vector<const FileResult*>& files = run.files;
  std::vector<StepRange> steps;
  for (const FileResult* f : files) steps.push_back(FileSteps(*f));
  auto add = [&](int64_t id, const Finding& f, size_t a, size_t b) {
    json o = {{"f", id}, {"c", f.rule->code}, {"a", a}, {"b", b}};
    const StepRange& x = steps[a];
    const StepRange& y = steps[b];
    if (x.any && y.any && std::max(x.lo, y.lo) <= std::min(x.hi, y.hi)) {
      o["s"] = {std::max(x.lo, y.lo), std::min(x.hi, y.hi)};
    }
    const FileResult& p = *files[a];
    const FileResult& q = *files[b];
    if (p.has_wall_time && q.has_wall_time && std::max(p.min_wall, q.min_wall) <= std::min(p.max_wall, q.max_wall)) {
      o["w"] = {Wall(std::max(p.min_wall, q.min_wall)), Wall(std::min(p.max_wall, q.max_wall))};
    }
    out.push_back(std::move(o));
  };
  // TB402's groups, as the rule sweeps them: files with wall times and tags,
  // by first wall time, chained by overlapping ranges.
  std::vector<std::vector<size_t>> groups;
  {
    std::vector<size_t> order;
    for (size_t i = 0; i < files.size(); ++i) {
      if (files[i]->has_wall_time && !files[i]->tags.empty()) order.push_back(i);
    }
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return files[a]->min_wall < files[b]->min_wall; });
    size_t i = 0;
    while (i < order.size()) {
      size_t j = i + 1;
      double end = files[order[i]]->max_wall;
      while (j < order.size() && files[order[j]]->min_wall < end) end = std::max(end, files[order[j++]]->max_wall);
      if (j - i >= 2) groups.emplace_back(order.begin() + static_cast<std::ptrdiff_t>(i),
                                          order.begin() + static_cast<std::ptrdiff_t>(j));
      i = j;
    }
  }
  size_t next_group = 0;
  for (const auto& [finding, id] : run_findings) {
    const Finding* f = &finding;
    const std::string code = f->rule->code;
    if (code == "TB303") {
      // The later file is named first in the message; the earlier one is the
      // file before it whose step range meets it.
      size_t drawn = 0;
      for (size_t b = 0; b < files.size() && drawn == 0; ++b) {
        if (!StartsWith(f->message, std::string(files[b]->info.name()) + " re-logs steps ")) continue;
        for (size_t a = 0; a < b; ++a) {
          if (steps[a].any && steps[b].any && steps[b].lo <= steps[a].hi && steps[a].lo <= steps[b].hi &&
              f->message.find(" that " + std::string(files[a]->info.name()) + " already holds") != std::string::npos) {
            add(id, *f, a, b);
            ++drawn;
          }
        }
      }
      if (drawn == 0) out.push_back({{"f", id}, {"c", code}});  // drawn as a label only
    } else if (code == "TB402") {
      if (next_group < groups.size()) {
        const std::vector<size_t>& g = groups[next_group++];
        for (size_t k = 1; k < g.size(); ++k) add(id, *f, std::min(g[k - 1], g[k]), std::max(g[k - 1], g[k]));
      } else {
        out.push_back({{"f", id}, {"c", code}});
      }
    }
  }
  return out;
}

// True when a TB601 finding names `tag` with its point count.
bool HiddenBy(const Finding& f, const std::string& tag, uint64_t points) {
  if (f.tag && *f.tag == tag) return true;
  const std::string n = std::to_string(points);
  return f.message.find("tag " + tag + " has " + n + " points") != std::string::npos ||
         f.message.find(": " + tag + " " + n + " points") != std::string::npos ||
         f.message.find("; " + tag + " " + n + " points") != std::string::npos;
}

// The page, written as the findings arrive. Each finding's JSON goes to a
// Spool at once (the header's counts and the data island's other parts come
// first or need every run); what stays is its id in its run's and file's
// lists, and a copy of the few findings the timelines draw (TB303, TB402 and
// TB601). End writes the header, then the data island: the findings copied
// back, then the logdirs, rules and runs, each run's timeline and tags built
// from its files (whose details the scan kept: docs/html.md) and written at
// once. The island's keys are in the order a JSON library sorts them, so the
// page is the one a whole-document rendering gave.
class HtmlWriter final : public ReportWriter {
 public:
  explicit HtmlWriter(std::ostream& out) : out_(out) {}

  void Begin(const ReportHeader&) override {}

  void Findings(const LintResult& r, std::span<const Finding> findings) override {
    Logdir& l = LogdirOf(r);
    for (const Finding& f : findings) {
      tally_.Add(f);
      const auto id = static_cast<int64_t>(count_++);
      codes_.insert(f.rule->code);
      json j = {{"id", id},
                {"sv", SeverityName(f.severity)},
                {"c", f.rule->code},
                {"n", f.rule->name},
                {"p", Show(f.path)},
                {"r", Show(f.run)},
                {"m", Show(f.message)},
                {"l", l.index}};
      if (!f.impact.empty()) j["i"] = Show(f.impact);
      if (f.offset) j["o"] = *f.offset;
      if (f.length) j["len"] = *f.length;
      if (f.tag) j["t"] = Show(*f.tag);
      if (f.step) j["st"] = *f.step;
      if (f.fix.applicability != Applicability::kNone) j["fx"] = ApplicabilityName(f.fix.applicability);
      const auto ri = l.run_index.find(f.run);
      const auto fi = l.file_index.find(f.path);
      if (ri != l.run_index.end() && (f.path == f.run || fi != l.file_index.end())) {
        j["ri"] = ri->second;
        RunFindings& rf = runs_[ri->second];
        rf.ids.push_back(id);
        const std::string_view code = f.rule->code;
        if (code == "TB303" || code == "TB402" || code == "TB601") rf.drawn.emplace_back(f, id);
      }
      if (fi != l.file_index.end()) {
        j["fi"] = fi->second.second;
        by_file_[fi->second].push_back(id);
      }
      spool_.Append((id == 0 ? "" : ",") + ScriptSafeJson(j));
    }
  }

  void EndPath(const LintResult& r) override { LogdirOf(r); }

  void End(const ReportInput& in) override {
    Totals t = ComputeTotals(in);
    t.by_severity = tally_.by_severity();
    std::string given;
    for (const LintResult* r : in.results) given += (given.empty() ? "" : ", ") + r->logdir.given;
    out_ << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
            "script-src 'unsafe-inline'; img-src data:\">\n"
         << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         << "<meta name=\"generator\" content=\"tblint " << TBLINT_VERSION << "\">\n"
         << "<title>tblint: " << HtmlEscape(given) << "</title>\n<style>" << kHtmlStyle << "</style>\n</head>\n<body>\n"
         << "<header id=\"top\">\n<h1>tblint report</h1>\n<p class=\"logdir\">" << HtmlEscape(given) << "</p>\n"
         << "<p class=\"totals\"><span id=\"t-files\">" << t.files << " files</span> · <span id=\"t-runs\">" << t.runs
         << " runs</span> · <span id=\"t-records\">" << t.records << " records</span> · <span>" << HumanBytes(t.bytes)
         << "</span></p>\n<p class=\"sev\">";
    const char* names[] = {"error", "warning", "info"};
    const size_t index[] = {static_cast<size_t>(Severity::kError), static_cast<size_t>(Severity::kWarning),
                            static_cast<size_t>(Severity::kInfo)};
    for (int i = 0; i < 3; ++i) {
      out_ << "<span class=\"badge " << names[i] << "\" id=\"count-" << names[i] << "\">" << t.by_severity[index[i]]
           << " " << names[i] << (t.by_severity[index[i]] == 1 || i == 2 ? "" : "s") << "</span> ";
    }
    if (in.baseline_suppressed) {
      out_ << "<span class=\"note\">" << *in.baseline_suppressed << " held back by the baseline</span>";
    }
    out_ << "</p>\n<noscript><p>This report draws its tables and timelines with an inline script; "
            "allow scripts for this file to see them.</p></noscript>\n</header>\n"
         << "<main id=\"main\"></main>\n"
         << "<script type=\"application/json\" id=\"tblint-data\">";
    WriteData();
    out_ << "</script>\n"
         << "<script>" << kHtmlScript << "</script>\n</body>\n</html>\n";
  }

 private:
  struct Logdir {
    const LintResult* result;
    int64_t index;                                                               // in the page's "logdirs"
    size_t run_base;                                                             // the page's index of its first run
    std::unordered_map<std::string_view, size_t> run_index;                      // name -> page run index
    std::unordered_map<std::string_view, std::pair<size_t, size_t>> file_index;  // rel_path -> (run, file in run)
  };
  struct RunFindings {
    std::vector<int64_t> ids;                        // every finding of the run, by id
    std::vector<std::pair<Finding, int64_t>> drawn;  // TB303, TB402, TB601: the timelines read them
  };

  // The path's runs and files, numbered when its first findings (or its
  // end) arrive. The views point into the results, which outlive End.
  Logdir& LogdirOf(const LintResult& r) {
    if (!logdirs_.empty() && logdirs_.back().result == &r) return logdirs_.back();
    Logdir& l = logdirs_.emplace_back();
    l.result = &r;
    l.index = static_cast<int64_t>(logdirs_.size() - 1);
    l.run_base = runs_.size();
    for (const RunResult& run : r.logdir.runs) {
      const size_t ri = l.run_base + l.run_index.size();
      const auto [it, added] = l.run_index.emplace(run.name, ri);
      if (added) runs_.emplace_back();
      for (size_t i = 0; i < run.files.size(); ++i) {
        l.file_index.insert_or_assign(run.files[i]->info.rel_path(), std::pair<size_t, size_t>{it->second, i});
      }
    }
    return l;
  }

  // The data island: {"findings":[...],"logdirs":[...],"rules":{...},
  // "runs":[...],"sample_per_file":N,"spark_points":N}.
  void WriteData() {
    size_t scalar_tags = 0;
    for (const Logdir& l : logdirs_) {
      for (const RunResult& run : l.result->logdir.runs) {
        std::set<std::string> names;
        for (const FileResult* f : run.files) {
          for (const auto& [tag, s] : f->tags) {
            if (!s.sample.empty()) names.emplace(tag);
          }
        }
        scalar_tags += names.size();
      }
    }
    spark_points_ = scalar_tags == 0 ? kSparkPointsPerTag
                                     : std::clamp<size_t>(kSparkPointsPerPage / scalar_tags, 8, kSparkPointsPerTag);
    out_ << "{\"findings\":[";
    if (!spool_.CopyTo(out_, 0, spool_.size())) out_.setstate(std::ios::badbit);
    json logdirs = json::array();
    for (const Logdir& l : logdirs_) {
      logdirs.push_back({{"given", Show(l.result->logdir.given)}, {"single_file", l.result->logdir.single_file}});
    }
    json rules = json::object();
    for (const std::string& code : codes_) {
      const Rule* rule = FindRule(code);
      json r = {{"doc", ToValidUtf8(RuleDoc(code))}};
      if (rule != nullptr) {
        r["name"] = rule->info().name;
        r["summary"] = rule->info().summary;
      }
      rules[code] = std::move(r);
    }
    out_ << "],\"logdirs\":" << ScriptSafeJson(logdirs) << ",\"rules\":" << ScriptSafeJson(rules) << ",\"runs\":[";
    bool first = true;
    for (const Logdir& l : logdirs_) {
      for (const RunResult& run : l.result->logdir.runs) {
        const auto ri = l.run_index.find(run.name);
        if (!first) out_ << ",";
        first = false;
        out_ << ScriptSafeJson(Run(l, run, ri->second));
      }
    }
    out_ << "],\"sample_per_file\":" << kMaxScalarSample << ",\"spark_points\":" << spark_points_ << "}";
  }

  json Run(const Logdir& l, const RunResult& run, size_t ri) {
    const RunFindings& rf = runs_[ri];
    json jr = {{"n", Show(run.name)}, {"l", l.index}, {"fd", rf.ids}};
    json files = json::array();
    for (size_t i = 0; i < run.files.size(); ++i) {
      const FileResult& f = *run.files[i];
      const WriterName w = ParseWriterName(f.info.name());
      json jf = {{"n", Show(f.info.name())},
                 {"p", Show(f.info.rel_path())},
                 {"w", w.standard ? Show(w.Describe()) : "unknown writer (not a standard event file name)"},
                 {"r", f.records},
                 {"e", f.events},
                 {"z", f.info.size},
                 {"g", f.tags.size()}};
      const StepRange s = FileSteps(f);
      if (s.any) jf["s"] = {s.lo, s.hi};
      if (f.has_wall_time && std::isfinite(f.min_wall) && std::isfinite(f.max_wall)) {
        jf["wt"] = {Wall(f.min_wall), Wall(f.max_wall)};
      }
      if (f.info.MayStillBeWritten()) jf["live"] = f.info.open_for_writing ? "open for writing" : "recently modified";
      if (f.damaged) jf["d"] = true;
      if (!f.io_error.empty()) jf["io"] = Show(f.io_error);
      if (f.info.format != FileFormat::kTfRecord) jf["fmt"] = FileFormatName(f.info.format);
      auto bf = by_file_.find({ri, i});
      if (bf != by_file_.end()) jf["fd"] = bf->second;
      files.push_back(std::move(jf));
    }
    jr["f"] = std::move(files);
    jr["t"] = Tags(run, rf.drawn);
    jr["ov"] = Overlaps(run, rf.drawn);
    return jr;
  }

  json Tags(const RunResult& run, const std::vector<std::pair<Finding, int64_t>>& drawn) {
    struct Merged {
      event::TagKind kind;
      uint64_t points = 0;
      std::vector<std::pair<int64_t, double>> sample;
    };
    std::map<std::string, Merged, std::less<>> tags;
    for (const FileResult* f : run.files) {  // read order: the sample follows TensorBoard's order
      for (const auto& [tag, s] : f->tags) {
        auto it = tags.find(tag);
        if (it == tags.end()) it = tags.emplace(tag, Merged{s.kind, 0, {}}).first;
        it->second.points += s.points;
        it->second.sample.insert(it->second.sample.end(), s.sample.begin(), s.sample.end());
      }
    }
    json out = json::array();
    for (auto& [tag, m] : tags) {
      json t = {{"n", Show(tag)}, {"k", event::TagKindName(m.kind)}, {"p", m.points}};
      for (const auto& [f, id] : drawn) {
        if (std::string_view(f.rule->code) == "TB601" && HiddenBy(f, tag, m.points)) t["h"] = id;
      }
      if (!m.sample.empty()) {
        json v = json::array();
        const size_t n = m.sample.size();
        const size_t keep = std::min(n, spark_points_);
        for (size_t k = 0; k < keep; ++k) {
          const auto& [step, value] = m.sample[keep == 1 ? 0 : k * (n - 1) / (keep - 1)];
          v.push_back({step, Num(value)});
        }
        t["v"] = std::move(v);
      }
      out.push_back(std::move(t));
    }
    return out;
  }

  std::ostream& out_;
  Spool spool_;
  uint64_t count_ = 0;
  std::set<std::string> codes_;
  std::deque<Logdir> logdirs_;
  std::vector<RunFindings> runs_;                                      // by page run index
  std::map<std::pair<size_t, size_t>, std::vector<int64_t>> by_file_;  // (run, file in run) -> ids
  size_t spark_points_ = kSparkPointsPerTag;
};

}  // namespace

std::unique_ptr<ReportWriter> MakeHtmlWriter(std::ostream& out) { return std::make_unique<HtmlWriter>(out); }

}  // namespace tblint
