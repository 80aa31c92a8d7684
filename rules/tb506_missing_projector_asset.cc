// TB506 missing-projector-asset: a projector config names a file that does not exist. Rationale: docs/rules/TB506.md
#include <string>

#include "rule/rule.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {"TB506", "missing-projector-asset", Severity::kWarning,
                            "a projector_config.pbtxt names a tensor, metadata or sprite file that does not exist",
                            Applicability::kNone};

// What TensorBoard's projector plugin does without the file.
const char* Impact(const std::string& field) {
  if (field == "tensor_path") {
    return "TensorBoard's projector plugin raises an error reading the tensor file while it loads the configs, "
           "so the Projector tab shows no embeddings at all";
  }
  if (field == "metadata_path") {
    return "TensorBoard's Projector answers the metadata request with an error: the points have no labels "
           "to search or colour by";
  }
  return "TensorBoard's Projector answers the sprite request with an error: the points have no thumbnails";
}

class TB506 : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void CheckLogdir(const LogdirResult& logdir, const LintOptions&, Sink& sink) const override {
    for (const ProjectorAsset& a : logdir.projector_assets) {
      if (a.exists) continue;
      const size_t slash = a.config.rfind('/');
      Finding& f = sink.Add("projector config names " + a.field + " '" + a.path + "', which does not exist" +
                            (a.path[0] == '/' || a.path[0] == '~' ? "" : " (relative to the config's directory)"));
      f.path = a.config;
      f.run = slash == std::string::npos ? "." : a.config.substr(0, slash);
      f.impact = Impact(a.field);
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeTB506() { return std::make_unique<TB506>(); }

}  // namespace tblint
