// The one list of rules, sorted by code. Adding a rule: write
// rules/tbNNN_name.cc defining `std::unique_ptr<Rule> MakeTBNNN()`, add one
// line here, and add docs/rules/TBNNN.md, fixture cases and a test (the
// inventory test checks all of them).
#include "rule/registry.h"

#include <cstdio>

#define TBLINT_RULES(X) \
  X(TB101)              \
  X(TB102)              \
  X(TB103)              \
  X(TB104)              \
  X(TB105)              \
  X(TB106)              \
  X(TB107)              \
  X(TB201)              \
  X(TB202)              \
  X(TB203)              \
  X(TB204)              \
  X(TB205)              \
  X(TB301)              \
  X(TB302)              \
  X(TB303)              \
  X(TB401)              \
  X(TB402)              \
  X(TB403)              \
  X(TB404)              \
  X(TB501)              \
  X(TB502)              \
  X(TB503)              \
  X(TB504)              \
  X(TB505)              \
  X(TB506)              \
  X(TB507)              \
  X(TB601)              \
  X(TB602)              \
  X(TB603)              \
  X(TB701)              \
  X(TB702)              \
  X(TB703)              \
  X(TB704)              \
  X(TB801)

namespace tblint {

#define TBLINT_DECLARE(code) std::unique_ptr<Rule> Make##code();
TBLINT_RULES(TBLINT_DECLARE)
#undef TBLINT_DECLARE

const std::vector<std::unique_ptr<Rule>>& AllRules() {
  static const std::vector<std::unique_ptr<Rule>> rules = [] {
    std::vector<std::unique_ptr<Rule>> r;
#define TBLINT_ADD(code) r.push_back(Make##code());
    TBLINT_RULES(TBLINT_ADD)
#undef TBLINT_ADD
    return r;
  }();
  return rules;
}

const Rule* FindRule(std::string_view code) {
  for (const auto& r : AllRules()) {
    if (code == r->info().code) return r.get();
  }
  return nullptr;
}

}  // namespace tblint
