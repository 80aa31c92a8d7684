#include "rule/hparams_view.h"

#include <algorithm>

namespace tblint {

const RunTagSummary* HparamsView::Tags(std::string_view run) const {
  const auto it = runs.find(run);
  if (it == runs.end()) return nullptr;
  const RunResult& r = *it->second;
  if (r.tag_summary.done) return &r.tag_summary;
  auto made = made_.find(it->first);
  if (made == made_.end()) made = made_.emplace(it->first, SummariseRunTags(r.files)).first;
  return &made->second;
}

std::set<std::string> HparamsView::ScalarTags(std::string_view run) const {
  std::set<std::string> out;
  const RunTagSummary* summary = Tags(run);
  if (summary == nullptr) return out;
  for (const RunTagSummary::Tag& t : summary->tags) {
    if (t.scalar) out.emplace_hint(out.end(), t.name);
  }
  return out;
}

bool HparamsView::HasScalar(std::string_view run, std::string_view tag) const {
  const RunTagSummary* summary = Tags(run);
  if (summary == nullptr) return false;
  const RunTagSummary::Tag* t = summary->Find(tag);
  return t != nullptr && t->scalar;
}

std::string HparamsView::OtherKind(std::string_view run, std::string_view tag) const {
  const RunTagSummary* summary = Tags(run);
  if (summary == nullptr) return "";
  const RunTagSummary::Tag* t = summary->Find(tag);
  return t != nullptr && t->other ? event::TagKindName(t->other_kind) : "";
}

std::vector<std::vector<const HparamsConfigRef*>> HparamsView::DistinctConfigs() const {
  std::map<std::set<std::string>, std::vector<const HparamsConfigRef*>> by_names;
  std::vector<std::set<std::string>> order;
  for (const HparamsConfigRef& c : configs) {
    std::set<std::string> names;
    for (const auto& [name, type] : c.experiment->hparams) names.insert(name);
    auto [it, fresh] = by_names.try_emplace(names);
    if (fresh) order.push_back(names);
    it->second.push_back(&c);
  }
  std::vector<std::vector<const HparamsConfigRef*>> out;
  for (const auto& names : order) out.push_back(by_names[names]);
  return out;
}

HparamsView BuildHparamsView(const LogdirResult& logdir) {
  HparamsView v;
  for (const RunResult& run : logdir.runs) v.runs.emplace(run.name, &run);
  for (const auto& [name, run] : v.runs) {
    const HparamsSessionStart* start = nullptr;
    const HparamsExperiment* experiment = nullptr;
    bool live = false;
    for (const FileResult* f : run->files) {  // TensorBoard's read order: the first metadata per tag wins
      if (start == nullptr && !f->hparams->session_starts.empty()) start = &f->hparams->session_starts.front();
      if (experiment == nullptr && !f->hparams->experiments.empty()) experiment = &f->hparams->experiments.front();
      live = live || f->info.MayStillBeWritten();
    }
    if (start != nullptr) v.sessions.push_back({run, start, experiment != nullptr, live});
    if (experiment != nullptr) v.configs.push_back({run, experiment});
  }
  return v;
}

std::string MetricRun(std::string_view session, std::string_view group) {
  std::string run;
  if (!group.empty() && group.front() == '/') {
    run = std::string(group);  // os.path.join drops what comes before an absolute part
  } else {
    run = std::string(session) + "/" + std::string(group);
  }
  if (!run.empty() && run.back() == '/') run.pop_back();
  return run;
}

std::string ParentRun(std::string_view run) {
  if (run == "." || run.empty()) return "";
  const size_t slash = run.rfind('/');
  return slash == std::string_view::npos ? "." : std::string(run.substr(0, slash));
}

bool RunWithin(std::string_view run, std::string_view root) {
  if (root == ".") return true;
  return run == root || (run.size() > root.size() && run.substr(0, root.size()) == root && run[root.size()] == '/');
}

std::string NameList(const std::vector<std::string>& names, size_t max) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < max; ++i) out += (i > 0 ? ", '" : "'") + names[i] + "'";
  if (names.size() > max) out += ", +" + std::to_string(names.size() - max) + " more";
  return out;
}

}  // namespace tblint
