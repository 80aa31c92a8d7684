// TB504 unreadable-path: a file or directory that cannot be read. Rationale: docs/rules/TB504.md
#include <string>

#include "rule/rule.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {"TB504", "unreadable-path", Severity::kError, "a directory or file that cannot be read",
                            Applicability::kNone};

// The run a path belongs to: its parent directory relative to the logdir.
std::string ParentRun(const std::string& rel) {
  const size_t slash = rel.rfind('/');
  return slash == std::string::npos ? "." : rel.substr(0, slash);
}

std::string ImpactOf(const std::string& what) {
  auto has = [&](const char* s) { return what.find(s) != std::string::npos; };
  // Directories discovery refused to walk (src/scan/discover.h). TensorBoard
  // follows symlinks with no such bounds: the Rust data server's WalkDir
  // (follow_links) checks only for a link back to a directory it is inside,
  // and the Python reader's tf.io.gfile.walk checks nothing.
  if (has("the root of the file system")) {
    return "TensorBoard follows it: the Rust data server walks the whole file system through it, and the Python "
           "reader's tf.io.gfile.walk does too, then comes back into the logdir and round the link again until the "
           "path is too long; remove the link";
  }
  if (has("the logdir itself")) {
    return "TensorBoard follows it: the Rust data server stops at the loop with a warning, the Python reader's "
           "tf.io.gfile.walk goes round it, walking the logdir again at every level until the path is too long; "
           "remove the link";
  }
  if (has("an ancestor of the logdir")) {
    return "TensorBoard follows it: the Rust data server walks everything under that directory, the logdir's runs "
           "again among them, and the Python reader's tf.io.gfile.walk goes round it until the path is too long; "
           "remove the link";
  }
  if (has("outside the logdir")) {
    return "TensorBoard follows it and walks the whole tree, both readers, on every reload; tblint checked nothing "
           "below it: link only the runs you want, or lint the target on its own";
  }
  if (has("reached through symlinks by more than")) {
    return "TensorBoard walks every path to it and lists its runs once per path, so the run list and the loading "
           "time multiply; link each run once";
  }
  if (has("PATH_MAX")) {
    return "TensorBoard cannot open it either (its walkers join full paths and get ENAMETOOLONG): runs below it are "
           "not shown";
  }
  if (has("discovery stopped")) {
    return "TensorBoard has no such limit and walks on; runs beyond this point were not checked";
  }
  if (has("FIFO")) {
    return "TensorBoard's Python reader opens it and blocks waiting for a writer, stalling that run's loading";
  }
  if (has("socket") || has("device")) return "TensorBoard cannot read it as an event file; nothing from it is shown";
  if (has("symlink loop")) {
    return "the Rust data server skips the loop; the Python reader's directory walk can recurse until it fails";
  }
  if (has("broken symlink")) return "TensorBoard skips it; whatever it pointed to is not shown";
  if (has("directory")) return "TensorBoard cannot list it either: runs below it are not shown";
  return "TensorBoard cannot read it either; whatever it holds is not shown";
}

class TB504 : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void CheckLogdir(const LogdirResult& logdir, const LintOptions&, Sink& sink) const override {
    for (const PathProblem& p : logdir.problems) {
      Finding& f = sink.Add("unreadable path: " + p.what);
      f.path = p.rel_path;
      f.run = ParentRun(p.rel_path);
      f.impact = ImpactOf(p.what);
    }
    for (const FileResult& file : logdir.files) {
      if (file.io_error.empty()) continue;
      Finding& f = sink.Add("unreadable event file: " + file.io_error);
      f.path = file.info.rel_path();
      f.run = file.info.run();
      f.impact = "TensorBoard cannot read it either; its data is not shown";
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeTB504() { return std::make_unique<TB504>(); }

}  // namespace tblint
