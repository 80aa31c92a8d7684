#include "rule/finding.h"

namespace tblint {

const char* SeverityName(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
  }
  return "?";
}

std::optional<Severity> ParseSeverity(std::string_view s) {
  if (s == "info") return Severity::kInfo;
  if (s == "warning") return Severity::kWarning;
  if (s == "error") return Severity::kError;
  return std::nullopt;
}

const char* ApplicabilityName(Applicability a) {
  switch (a) {
    case Applicability::kNone:
      return "none";
    case Applicability::kSafe:
      return "safe";
    case Applicability::kUnsafe:
      return "unsafe";
  }
  return "?";
}

const char* FixKindName(FixKind k) {
  switch (k) {
    case FixKind::kNone:
      return "none";
    case FixKind::kTruncate:
      return "truncate";
    case FixKind::kRewrite:
      return "rewrite";
    case FixKind::kMove:
      return "move";
  }
  return "?";
}

}  // namespace tblint
