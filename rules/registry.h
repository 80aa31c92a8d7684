// Kept so that code written against the old location still builds; include
// "rule/registry.h" instead.
#ifndef TBLINT_RULES_REGISTRY_H_
#define TBLINT_RULES_REGISTRY_H_
#include "rule/registry.h"
#endif  // TBLINT_RULES_REGISTRY_H_
