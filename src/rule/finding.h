// What a rule reports. Findings are plain data: rules create them, the
// scanner places them (path, run), reporters render them, the fixer acts on
// the fix part.
#ifndef TBLINT_RULE_FINDING_H_
#define TBLINT_RULE_FINDING_H_

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

// What a fix does to the file a finding is about. The fixer plans from this
// alone and never looks at rule codes: a new rule offers one of these kinds
// and the fixer carries it out.
enum class FixKind : uint8_t {
  kNone,
  kTruncate,  // keep bytes [0, truncate_to): only whole, valid records before it
  kRewrite,   // rewrite the file keeping every valid record (the salvage)
  kMove,      // move the file out of the logdir into the backup folder
};
const char* FixKindName(FixKind k);

// A repair the fixer knows how to carry out.
struct FixAction {
  Applicability applicability = Applicability::kNone;
  FixKind kind = FixKind::kNone;
  std::string description;
  // kTruncate: keep bytes [0, truncate_to).
  std::optional<uint64_t> truncate_to;
  // kRewrite: the byte range [drop_begin, drop_end) this finding's damage
  // covers, for the report; the rewrite itself keeps every valid record.
  uint64_t drop_begin = 0;
  uint64_t drop_end = 0;
  // A fix this finding would offer but holds back, and why (a file that may
  // still be written): the fixer lists the file as not fixed with this reason.
  std::string withheld;
};

struct Finding {
  const RuleInfo* rule = nullptr;
  Severity severity = Severity::kWarning;
  std::string message;
  std::string impact;  // what TensorBoard's readers will show or hide
  std::string path;    // relative to the path given on the command line
  std::string run;     // run directory relative to the logdir, "." for the root
  std::optional<uint64_t> offset;
  // Bytes from `offset` the finding is about, where the rule knows them: the
  // damaged record's span (TB101, TB102 to the end of the file; TB104, TB105
  // the record). SARIF's region.byteLength; JSON "length".
  std::optional<uint64_t> length;
  std::optional<uint64_t> record;
  std::optional<std::string> tag;
  std::optional<int64_t> step;
  FixAction fix;
};

}  // namespace tblint

#endif  // TBLINT_RULE_FINDING_H_
