// What a rule reports. Findings are plain data: rules create them, the
// scanner places them (path, run), reporters render them, the fixer acts on
// the fix part.
#ifndef TBLINT_SCAN_FINDING_H_
#define TBLINT_SCAN_FINDING_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tblint {

enum class Severity : uint8_t { kInfo = 0, kWarning = 1, kError = 2 };
const char* SeverityName(Severity s);
std::optional<Severity> ParseSeverity(std::string_view s);

enum class Applicability : uint8_t { kNone, kSafe, kUnsafe };
const char* ApplicabilityName(Applicability a);

struct RuleInfo;

// A repair the fixer knows how to carry out.
struct FixAction {
  Applicability applicability = Applicability::kNone;
  std::string description;
  // Safe tail fixes (TB101, TB102): keep bytes [0, truncate_to).
  std::optional<uint64_t> truncate_to;
};

struct Finding {
  const RuleInfo* rule = nullptr;
  Severity severity = Severity::kWarning;
  std::string message;
  std::string impact;  // what TensorBoard's readers will show or hide
  std::string path;    // relative to the path given on the command line
  std::string run;     // run directory relative to the logdir, "." for the root
  std::optional<uint64_t> offset;
  std::optional<uint64_t> record;
  std::optional<std::string> tag;
  std::optional<int64_t> step;
  FixAction fix;
};

}  // namespace tblint

#endif  // TBLINT_SCAN_FINDING_H_
