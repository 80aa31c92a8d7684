// TB501 deep-run: a run nested too deep, or an accidental torch nest. Rationale: docs/rules/TB501.md
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include "rule/rule.h"
#include "rule/writer_name.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {"TB501", "deep-run", Severity::kWarning,
                            "a run nested deeper than max-depth, or a PyTorch add_hparams/add_scalars nest",
                            Applicability::kNone};

std::string_view BaseName(std::string_view run) {
  const size_t slash = run.rfind('/');
  return slash == std::string_view::npos ? run : run.substr(slash + 1);
}

// torch's add_hparams names its run str(time.time()): "1795300613.1663823".
// Ten digits before the dot (any date from 2001 to 2286) keep sweep folders
// such as "lr/0.001" out.
bool LooksLikeTimeDotTime(std::string_view name) {
  const size_t dot = name.find('.');
  return dot == 10 && AllDigits(name.substr(0, dot)) && AllDigits(name.substr(dot + 1));
}

// torch's add_scalars(main_tag, {key: v}) writes each key to its own run
// "<logdir>/<main_tag with '/' as '_'>_<key>", logging the tag main_tag there.
// Returns the main_tag when the run's directory is named that way (the
// longest such tag, so the answer does not depend on hash order).
std::string AddScalarsMainTag(const RunResult& run, std::string_view name) {
  std::string best;
  for (const FileResult* f : run.files) {
    for (const auto& [tag, stats] : f->tags) {
      if (stats.kind != event::TagKind::kScalar) continue;
      std::string prefix(tag);
      for (char& c : prefix) c = c == '/' ? '_' : c;
      prefix += '_';
      if (name.size() <= prefix.size() || name.substr(0, prefix.size()) != prefix) continue;
      if (tag.size() > best.size() || (tag.size() == best.size() && tag < best)) best = tag;
    }
  }
  return best;
}

class TB501 : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void CheckRun(const RunResult& run, const LintOptions& options, Sink& sink) const override {
    if (run.name == ".") return;
    const std::string_view name = BaseName(run.name);
    std::vector<std::string> reasons;
    bool torch_nest = false;
    if (LooksLikeTimeDotTime(name)) {
      reasons.push_back(
          "directory named like time.time(): a run PyTorch's add_hparams nests inside the "
          "writer's logdir");
      torch_nest = true;
    }
    if (const std::string tag = AddScalarsMainTag(run, name); !tag.empty()) {
      reasons.push_back("a PyTorch add_scalars per-key run: directory '" + std::string(name) + "' holds tag '" + tag +
                        "' and is named after it plus '_<key>'");
      torch_nest = true;
    }
    if (run.depth > options.max_depth) {
      reasons.push_back(std::to_string(run.depth) + " directory levels below the logdir, more than max-depth " +
                        std::to_string(options.max_depth));
    }
    if (reasons.empty()) return;
    std::string msg;
    for (size_t i = 0; i < reasons.size(); ++i) msg += (i > 0 ? "; " : "") + reasons[i];
    Finding& f = sink.Add(std::move(msg));
    f.path = run.name;
    f.impact = "TensorBoard recurses without limit and lists it as run '" + run.name + "'" +
               (torch_nest ? ", apart from the run whose writer made it" : "") +
               "; tools that read only one level of runs (tensorboard-reducer, tflogs2pandas, wandb sync, aim) "
               "miss it or take it for a separate experiment";
  }
};

}  // namespace

std::unique_ptr<Rule> MakeTB501() { return std::make_unique<TB501>(); }

}  // namespace tblint
