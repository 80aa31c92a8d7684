// TB801 empty-profile-session: a plugins/profile/<session>/ folder with no readable profile data. Rationale:
// docs/rules/TB801.md
#include <memory>
#include <string>

#include "rule/rule.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {
    "TB801", "empty-profile-session", Severity::kWarning,
    "a plugins/profile/<session>/ folder with no profile data, or with empty or truncated files", Applicability::kNone};

// Damaged files named in a message before "+N more".
constexpr size_t kFilesNamed = 3;

class TB801 : public Rule {
 public:
  const RuleInfo& info() const override { return kInfo; }

  void CheckLogdir(const LogdirResult& logdir, const LintOptions&, Sink& sink) const override {
    for (const ProfileSession& s : logdir.profile_sessions) {
      const size_t slash = s.path.rfind('/');
      const std::string session = slash == std::string::npos ? s.path : s.path.substr(slash + 1);
      if (s.files.empty() && s.files_not_kept == 0) {
        Finding& f =
            sink.Add("profile session '" + session +
                     "' holds no profile data (no *.xplane.pb, nor a legacy *.trace.json.gz or tool file): "
                     "the profiler was stopped or killed before it wrote its trace; capture the profile again "
                     "and let the profiler finish (stop it, or leave the `with` block) before the process ends");
        Place(f, s);
        f.impact = "TensorBoard's Profile tab lists no tool for session '" + session +
                   "' (or shows no session at all when it is the run's only one)";
        continue;
      }
      size_t damaged = 0;
      std::string names;
      for (const ProfileFile& file : s.files) {
        if (file.damage.empty()) continue;
        if (damaged < kFilesNamed) names += (damaged > 0 ? "; '" : "'") + file.name + "' is " + file.damage;
        ++damaged;
      }
      if (damaged == 0) continue;
      if (damaged > kFilesNamed) names += "; +" + std::to_string(damaged - kFilesNamed) + " more";
      const bool all = damaged == s.files.size() && s.files_not_kept == 0;
      Finding& f = sink.Add(std::to_string(damaged) + " of the " + std::to_string(s.files.size() + s.files_not_kept) +
                            " profile data files of session '" + session + "' cannot be read: " + names +
                            "; the profiler or a copy was interrupted while writing: capture the profile again");
      Place(f, s);
      f.impact = all ? "TensorBoard's Profile tab shows session '" + session +
                           "' but its tools fail to load (an error, or an empty trace viewer)"
                     : "TensorBoard's Profile tab fails to load the damaged hosts' data of session '" + session +
                           "'; the other hosts' data still shows";
    }
  }

 private:
  static void Place(Finding& f, const ProfileSession& s) {
    f.path = s.path;
    f.run = s.run;
  }
};

}  // namespace

std::unique_ptr<Rule> MakeTB801() { return std::make_unique<TB801>(); }

}  // namespace tblint
