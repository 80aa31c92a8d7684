// TB703 hparams-type-conflict: one hyperparameter with values of different
// types across sessions. Rationale: docs/rules/TB703.md
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "rule/hparams_view.h"
#include "rule/rule.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {"TB703", "hparams-type-conflict", Severity::kWarning,
                            "one hyperparameter holds values of different types across sessions (a number in one, a "
                            "string in another)",
                            Applicability::kNone};

bool Typed(event::HparamType t) {
  return t == event::HparamType::kNumber || t == event::HparamType::kString || t == event::HparamType::kBool;
}

class TB703 : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void CheckLogdir(const LogdirResult& logdir, const LintOptions&, Sink& sink) const override {
    const HparamsView view = BuildHparamsView(logdir);
    struct Seen {
      std::vector<std::string> runs;  // sessions with this type
      std::string example;            // the first session's value
    };
    // hparam name -> type -> sessions (types in HparamType order).
    std::map<std::string, std::map<event::HparamType, Seen>> types;
    for (const HparamsSessionRef& s : view.sessions) {
      for (const HparamEntry& e : s.start->hparams) {
        if (!Typed(e.type)) continue;  // TensorBoard types only numbers, strings and bools
        Seen& seen = types[e.name][e.type];
        if (seen.runs.empty()) seen.example = e.text;
        seen.runs.push_back(s.run->name);
      }
    }
    bool any_config = !view.configs.empty();
    for (const auto& [name, by_type] : types) {
      if (by_type.size() < 2) continue;
      // The most common type is taken as meant; the first session of another
      // type is where the finding points.
      auto common = by_type.begin();
      for (auto it = by_type.begin(); it != by_type.end(); ++it) {
        if (it->second.runs.size() > common->second.runs.size()) common = it;
      }
      std::string parts, path;
      bool has_string = false;
      for (const auto& [type, seen] : by_type) {
        has_string = has_string || type == event::HparamType::kString;
        if (!parts.empty()) parts += ", ";
        parts += "a " + std::string(event::HparamTypeName(type)) + " in " + std::to_string(seen.runs.size()) +
                 " session" + (seen.runs.size() == 1 ? "" : "s") + " (" + NameList(seen.runs, 2) + ": " +
                 seen.example + ")";
        if (type != common->first && path.empty()) path = seen.runs.front();
      }
      Finding& f = sink.Add("hyperparameter '" + name + "' is " + parts +
                            ": log it with one type in every trial (e.g. float(x) or str(x) before "
                            "add_hparams / hp.hparams; a value from a config file or the command line is "
                            "often a string)");
      f.path = path;
      f.run = path;
      std::string impact = "TensorBoard's HParams dashboard has one column type for '" + name + "': ";
      impact += any_config ? "the experiment config's declared type, which the other values do not fit"
                           : "with no experiment config it falls back to string, so the column loses its numeric "
                             "range filter and axis";
      impact += has_string ? "; sorting the table by it fails (the server cannot order a string against a "
                             "number or bool) and filtering it by value drops the sessions of the other type"
                           : "; filtering it by value drops the sessions of the other type";
      f.impact = std::move(impact);
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeTB703() { return std::make_unique<TB703>(); }

}  // namespace tblint
