#include "cli/merge_command.h"

#include <algorithm>

#include "export/export.h"
#include "merge/merge.h"
#include "util/text.h"

namespace tblint {

namespace po = boost::program_options;

namespace {

class MergeCommand : public Command {
 public:
  std::string_view Synopsis() const override {
    return "tblint merge [OPTIONS] -o OUTDIR SPEC...\n"
           "tblint merge --join [OPTIONS] -o OUTDIR SPEC...\n"
           "tblint merge --reduce STATS [OPTIONS] -o OUTDIR SPEC...\n";
  }

  std::string_view Description() const override {
    return "Writes new event files under OUTDIR (which must be new or empty) from the\n"
           "runs of each SPEC (a logdir, a run directory, or NAME:PATH to prefix its\n"
           "run names with NAME, as TensorBoard's --logdir_spec). Inputs are never\n"
           "modified; every output file is written atomically.\n"
           "  combine (default): every input run under its (prefixed) name in one\n"
           "    logdir, copied record by record (valid records only).\n"
           "  --join: all files of a run (from every SPEC) become one event file in\n"
           "    step order; --on-overlap says which write of a step is kept.\n"
           "  --reduce: per tag and step, statistics over the runs (seeds), one run\n"
           "    per statistic (NAME-mean, ...), and --csv in long form.\n"
           "Damaged records are skipped and reported on standard error. Exit status:\n"
           "0, or 2 for a usage error, a name clash, an overlap under --on-overlap\n"
           "error, or output that could not be written. See docs/merge.md.\n";
  }

  std::string_view Examples() const override {
    return "Examples:\n"
           "  tblint merge -o all a:./logs_a b:./logs_b       compare two logdirs in one TensorBoard\n"
           "  tblint merge --join -o glued ./runs/resumed     one file per run, what TensorBoard showed\n"
           "  tblint merge --reduce mean,std --csv stats.csv -o avg ./sweep/seed-*\n"
           "  tblint merge --join --on-overlap error --report conflicts.json -o out ./run\n";
  }

  void AddOptions(po::options_description* options) override {
    options->add_options()                                                                           //
        ("output,o", po::value(&out_dir_)->value_name("OUTDIR"), "the new logdir to write (required)")  //
        ("join", po::bool_switch(&join_), "join the files of each run into one event file in step order")  //
        ("reduce", po::value(&reduce_)->value_name("STATS"),
         "statistics over the runs: mean,std,min,max,median,count (or all)")  //
        ("on-overlap", po::value(&on_overlap_)->value_name("last|first|keep-all|error"),
         "a (tag, step) written twice: last (default; what TensorBoard shows), first, keep-all, error")  //
        ("nan", po::value(&nan_)->value_name("skip|propagate"), "reduce: NaN values left out (default) or kept")  //
        ("steps", po::value(&steps_)->value_name("intersection|union"),
         "reduce: steps every run has (default) or any run has")                                           //
        ("name", po::value(&name_)->value_name("NAME"), "reduce: output runs are NAME-mean, ... (default reduce)")  //
        ("csv", po::value(&csv_)->value_name("FILE"), "reduce: also write statistic,tag,step,value to FILE")      //
        ("report", po::value(&report_)->value_name("FILE"),
         "write every overlap, dropped point and skipped record to FILE (JSON)");
  }

  int Run(const po::variables_map& vm, const std::vector<std::string>& paths, std::ostream& out,
          std::ostream& err) override {
    if (vm.count("path") == 0) {
      err << "tblint: merge needs at least one SPEC (a logdir, a run, or NAME:PATH); see 'tblint merge --help'\n";
      return kExitUsage;
    }
    if (out_dir_.empty()) {
      err << "tblint: merge needs -o OUTDIR, the new logdir to write\n";
      return kExitUsage;
    }
    merge::Options o;
    o.out_dir = out_dir_;
    o.mode = join_ ? merge::Mode::kJoin : merge::Mode::kCombine;
    if (vm.count("reduce")) {
      if (join_) {
        err << "tblint: --join and --reduce are different modes; give one\n";
        return kExitUsage;
      }
      o.mode = merge::Mode::kReduce;
      size_t start = 0;
      while (start <= reduce_.size()) {
        size_t comma = reduce_.find(',', start);
        if (comma == std::string::npos) comma = reduce_.size();
        std::string word = reduce_.substr(start, comma - start);
        start = comma + 1;
        while (!word.empty() && word.back() == ' ') word.pop_back();
        while (!word.empty() && word.front() == ' ') word.erase(0, 1);
        if (word.empty()) continue;
        if (word == "all") {
          o.statistics.clear();
          for (int i = 0; i < merge::kStatisticCount; ++i) o.statistics.push_back(static_cast<merge::Statistic>(i));
          continue;
        }
        const std::optional<merge::Statistic> s = merge::ParseStatistic(word);
        if (!s) {
          err << "tblint: unknown statistic '" << EscapeForText(word)
              << "': --reduce takes mean, std, min, max, median, count or all\n";
          return kExitUsage;
        }
        if (std::find(o.statistics.begin(), o.statistics.end(), *s) == o.statistics.end()) o.statistics.push_back(*s);
      }
      if (o.statistics.empty()) {
        err << "tblint: --reduce needs at least one statistic (mean, std, min, max, median, count or all)\n";
        return kExitUsage;
      }
    }
    const bool reduce = o.mode == merge::Mode::kReduce;
    for (const char* opt : {"nan", "steps", "name", "csv"}) {
      if (vm.count(opt) && !reduce) {
        err << "tblint: --" << opt << " is for --reduce\n";
        return kExitUsage;
      }
    }
    if (vm.count("on-overlap")) {
      const std::optional<merge::OnOverlap> p = merge::ParseOnOverlap(on_overlap_);
      if (!p) {
        err << "tblint: unknown policy '" << EscapeForText(on_overlap_)
            << "': --on-overlap must be last, first, keep-all or error\n";
        return kExitUsage;
      }
      if (o.mode == merge::Mode::kCombine) {
        err << "tblint: --on-overlap is for --join and --reduce (combine copies every run as it is)\n";
        return kExitUsage;
      }
      o.on_overlap = *p;
    }
    if (vm.count("nan")) {
      if (nan_ == "skip") {
        o.nan = merge::NanPolicy::kSkip;
      } else if (nan_ == "propagate") {
        o.nan = merge::NanPolicy::kPropagate;
      } else {
        err << "tblint: unknown value '" << EscapeForText(nan_) << "': --nan must be skip or propagate\n";
        return kExitUsage;
      }
    }
    if (vm.count("steps")) {
      if (steps_ == "intersection") {
        o.steps = merge::StepSet::kIntersection;
      } else if (steps_ == "union") {
        o.steps = merge::StepSet::kUnion;
      } else {
        err << "tblint: unknown value '" << EscapeForText(steps_) << "': --steps must be intersection or union\n";
        return kExitUsage;
      }
    }
    if (vm.count("name")) o.reduce_name = name_;
    o.csv_path = csv_;
    o.report_path = report_;
    std::vector<merge::Input> inputs;
    for (const std::string& p : paths) {
      const xport::LogdirSpec spec = xport::ParseLogdirSpec(p);
      inputs.push_back({spec.name, spec.path});
    }
    merge::Stats stats;
    std::string error;
    if (!merge::Merge(inputs, o, err, &stats, &error)) {
      err << "tblint: merge: " << error << "\n";
      return kExitUsage;
    }
    out << "tblint: merge: " << stats.runs_in << " run" << (stats.runs_in == 1 ? "" : "s") << ", "
        << stats.files_in << " file" << (stats.files_in == 1 ? "" : "s") << " (" << HumanBytes(stats.bytes_in)
        << ") -> " << stats.runs_out << " run" << (stats.runs_out == 1 ? "" : "s") << ", " << stats.files_out
        << " file" << (stats.files_out == 1 ? "" : "s") << " (" << HumanBytes(stats.bytes_out) << ") in "
        << EscapeForText(out_dir_) << "; " << stats.overlaps << " overlap" << (stats.overlaps == 1 ? "" : "s")
        << ", " << stats.dropped << " point" << (stats.dropped == 1 ? "" : "s") << " dropped, "
        << stats.skipped_spans << " damaged span" << (stats.skipped_spans == 1 ? "" : "s") << " skipped\n";
    return kExitClean;
  }

 private:
  std::string out_dir_;
  bool join_ = false;
  std::string reduce_;
  std::string on_overlap_ = "last";
  std::string nan_ = "skip";
  std::string steps_ = "intersection";
  std::string name_ = "reduce";
  std::string csv_;
  std::string report_;
};

}  // namespace

std::unique_ptr<Command> MakeMergeCommand() { return std::make_unique<MergeCommand>(); }

}  // namespace tblint
