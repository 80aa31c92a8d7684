// The rule registry as the rest of tblint sees it. The one list of rules is
// rules/registry.cc (one line per rule, sorted by code); this header only
// declares how to reach it, so nothing under src/ includes anything under
// rules/: the rules build on the framework, never the other way round.
#ifndef TBLINT_RULE_REGISTRY_H_
#define TBLINT_RULE_REGISTRY_H_

#include <memory>
#include <string_view>
#include <vector>

#include "rule/rule.h"

namespace tblint {

// Every rule, sorted by code (defined in rules/registry.cc).
const std::vector<std::unique_ptr<Rule>>& AllRules();
const Rule* FindRule(std::string_view code);

// The rule's documentation page (docs/rules/TBxxx.md, embedded at build time),
// or empty when there is none.
std::string_view RuleDoc(std::string_view code);

}  // namespace tblint

#endif  // TBLINT_RULE_REGISTRY_H_
