// Recognising what a file named like an event file really holds (TB106).
#ifndef TBLINT_SCAN_SNIFF_H_
#define TBLINT_SCAN_SNIFF_H_

#include <cstdint>
#include <string_view>

#include "rule/model.h"

namespace tblint {

// Classifies the first bytes of a file (at most a few hundred are needed).
FileFormat SniffFormat(std::string_view head, uint64_t file_size);

}  // namespace tblint

#endif  // TBLINT_SCAN_SNIFF_H_
