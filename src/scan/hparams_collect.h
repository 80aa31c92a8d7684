// The scan's hook for the hparams plugin (TB701-TB704): called for the rare
// summary value whose plugin is "hparams", off the per-record hot path. It
// decodes the value's HParamsPluginData (event/hparams.h) and keeps a bounded
// summary of it in FileResult::hparams.
#ifndef TBLINT_SCAN_HPARAMS_COLLECT_H_
#define TBLINT_SCAN_HPARAMS_COLLECT_H_

#include <cstddef>
#include <string_view>

#include "rule/model.h"

namespace tblint {

// `payload` is the Event that decoded; `value_index` the position of the
// hparams value among its summary values.
[[gnu::cold, gnu::noinline]] void CollectHparams(FileResult* file, std::string_view payload, size_t value_index);

}  // namespace tblint

#endif  // TBLINT_SCAN_HPARAMS_COLLECT_H_
