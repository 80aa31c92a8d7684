// The one list of rules, sorted by code. Adding a rule: write rules/tbNNN_*.cc
// defining MakeTBNNN(), declare it here, add it to AllRules() in registry.cc,
// and add docs/rules/TBNNN.md, fixtures and tests (the inventory test checks).
#ifndef TBLINT_RULES_REGISTRY_H_
#define TBLINT_RULES_REGISTRY_H_

#include <memory>
#include <string_view>
#include <vector>

#include "rules/rule.h"

namespace tblint {

std::unique_ptr<Rule> MakeTB101();
std::unique_ptr<Rule> MakeTB102();
std::unique_ptr<Rule> MakeTB103();
std::unique_ptr<Rule> MakeTB104();
std::unique_ptr<Rule> MakeTB105();
std::unique_ptr<Rule> MakeTB106();
std::unique_ptr<Rule> MakeTB107();
std::unique_ptr<Rule> MakeTB201();
std::unique_ptr<Rule> MakeTB202();
std::unique_ptr<Rule> MakeTB203();
std::unique_ptr<Rule> MakeTB204();
std::unique_ptr<Rule> MakeTB205();
std::unique_ptr<Rule> MakeTB301();
std::unique_ptr<Rule> MakeTB302();
std::unique_ptr<Rule> MakeTB303();
std::unique_ptr<Rule> MakeTB401();
std::unique_ptr<Rule> MakeTB402();
std::unique_ptr<Rule> MakeTB403();
std::unique_ptr<Rule> MakeTB501();
std::unique_ptr<Rule> MakeTB502();
std::unique_ptr<Rule> MakeTB503();
std::unique_ptr<Rule> MakeTB504();
std::unique_ptr<Rule> MakeTB505();
std::unique_ptr<Rule> MakeTB506();
std::unique_ptr<Rule> MakeTB601();
std::unique_ptr<Rule> MakeTB602();
std::unique_ptr<Rule> MakeTB603();

// Every rule, sorted by code.
const std::vector<std::unique_ptr<Rule>>& AllRules();
const Rule* FindRule(std::string_view code);

// The rule's documentation page (docs/rules/TBxxx.md, embedded at build time),
// or empty when there is none.
std::string_view RuleDoc(std::string_view code);

}  // namespace tblint

#endif  // TBLINT_RULES_REGISTRY_H_
