#include "rules/registry.h"

#include <cstdio>

namespace tblint {

const std::vector<std::unique_ptr<Rule>>& AllRules() {
  static const std::vector<std::unique_ptr<Rule>> rules = [] {
    std::vector<std::unique_ptr<Rule>> r;
    r.push_back(MakeTB101());
    r.push_back(MakeTB102());
    r.push_back(MakeTB103());
    r.push_back(MakeTB104());
    r.push_back(MakeTB105());
    r.push_back(MakeTB106());
    r.push_back(MakeTB107());
    r.push_back(MakeTB201());
    r.push_back(MakeTB202());
    r.push_back(MakeTB203());
    r.push_back(MakeTB204());
    r.push_back(MakeTB205());
    r.push_back(MakeTB301());
    r.push_back(MakeTB302());
    r.push_back(MakeTB303());
    r.push_back(MakeTB401());
    r.push_back(MakeTB402());
    r.push_back(MakeTB403());
    r.push_back(MakeTB501());
    r.push_back(MakeTB502());
    r.push_back(MakeTB503());
    r.push_back(MakeTB504());
    r.push_back(MakeTB505());
    r.push_back(MakeTB506());
    r.push_back(MakeTB601());
    r.push_back(MakeTB602());
    r.push_back(MakeTB603());
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

std::string HumanBytes(uint64_t bytes) {
  char buf[32];
  if (bytes < 1024) {
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  } else if (bytes < (1ull << 20)) {
    std::snprintf(buf, sizeof buf, "%.1f KiB", bytes / 1024.0);
  } else if (bytes < (1ull << 30)) {
    std::snprintf(buf, sizeof buf, "%.1f MiB", bytes / 1048576.0);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f GiB", bytes / 1073741824.0);
  }
  return buf;
}

}  // namespace tblint
