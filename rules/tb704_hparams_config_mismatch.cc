// TB704 hparams-config-mismatch: sessions whose hyperparameters the
// experiment config TensorBoard uses does not declare. Rationale: docs/rules/TB704.md
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "rule/hparams_view.h"
#include "rule/rule.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {"TB704", "hparams-config-mismatch", Severity::kWarning,
                            "sessions set hyperparameters the experiment config TensorBoard uses does not declare "
                            "(with several configs it takes one): those get no column",
                            Applicability::kNone};

class TB704 : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void CheckLogdir(const LogdirResult& logdir, const LintOptions&, Sink& sink) const override {
    const HparamsView view = BuildHparamsView(logdir);
    // With no experiment config TensorBoard builds one from every session:
    // every hyperparameter gets its column.
    if (view.sessions.empty() || view.configs.empty()) return;
    // hparam name -> sessions setting it.
    std::map<std::string, std::vector<std::string>> set_by;
    for (const HparamsSessionRef& s : view.sessions) {
      for (const HparamEntry& e : s.start->hparams) set_by[e.name].push_back(s.run->name);
    }
    const auto groups = view.DistinctConfigs();
    // Hidden whichever config is taken, and hidden by some config only.
    std::vector<std::string> always, sometimes;
    for (const auto& [name, sessions] : set_by) {
      size_t declaring = 0;
      for (const auto& g : groups) {
        for (const auto& [n, type] : g.front()->experiment->hparams) declaring += n == name ? 1 : 0;
      }
      if (declaring == 0) always.push_back(name);
      if (declaring > 0 && declaring < groups.size()) sometimes.push_back(name);
    }
    if (always.empty() && sometimes.empty()) return;
    const HparamsConfigRef& first = *groups.front().front();
    std::string msg;
    if (groups.size() == 1) {
      msg = "the experiment config in run '" + first.run->name + "'" +
            (groups.front().size() > 1 ? " (and " + std::to_string(groups.front().size() - 1) + " like it)" : "") +
            " declares " + std::to_string(first.experiment->hparams.size()) + " hyperparameters, but sessions also set " +
            Described(always, set_by) +
            "; declare them in the config (TF: hp.hparams_config(hparams=[...]); torch: the same keys in every "
            "add_hparams call)";
    } else {
      std::vector<std::string> runs;
      for (const auto& g : groups) runs.push_back(g.front()->run->name);
      msg = std::to_string(groups.size()) + " experiment configs declare different hyperparameters (runs " +
            NameList(runs, 3) + "); TensorBoard takes one of them, whichever run it happens to list first";
      if (!always.empty()) msg += "; no config declares " + Described(always, set_by);
      if (!sometimes.empty()) msg += "; depending on the one taken, these get no column: " + NameList(sometimes, 8);
      msg += "; write one config naming every hyperparameter (TF: hp.hparams_config once at the logdir root), "
             "or the same hyperparameter names in every add_hparams call";
    }
    Finding& f = sink.Add(std::move(msg));
    f.path = first.run->name;
    f.run = first.run->name;
    std::vector<std::string> hidden = always;
    hidden.insert(hidden.end(), sometimes.begin(), sometimes.end());
    f.impact = "TensorBoard's HParams dashboard shows a column only for the hyperparameters of the config it "
               "takes: " + NameList(hidden, 8) + (always.empty() ? " may be" : " are") +
               " missing from the table, the filters and the parallel-coordinates and scatter views";
  }

 private:
  static std::string Described(const std::vector<std::string>& names,
                               const std::map<std::string, std::vector<std::string>>& set_by) {
    std::string out;
    for (size_t i = 0; i < names.size() && i < 8; ++i) {
      const auto& sessions = set_by.at(names[i]);
      out += (i > 0 ? ", '" : "'") + names[i] + "' (" + std::to_string(sessions.size()) + " session" +
             (sessions.size() == 1 ? "" : "s") + ")";
    }
    if (names.size() > 8) out += ", +" + std::to_string(names.size() - 8) + " more";
    return out;
  }
};

}  // namespace

std::unique_ptr<Rule> MakeTB704() { return std::make_unique<TB704>(); }

}  // namespace tblint
