// The scan's data model now lives with the rule framework (rule/model.h);
// this header is kept for code written against the old location.
#ifndef TBLINT_SCAN_MODEL_H_
#define TBLINT_SCAN_MODEL_H_
#include "rule/model.h"
#endif  // TBLINT_SCAN_MODEL_H_
