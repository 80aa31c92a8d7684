// tbparse's wide form of the scalars (`SummaryReader(pivot=True)` with
// dir_name, file_name and wall_time): one row per (dir_name, file_name, step),
// one column per tag. The long rows are first exported into a temporary SQLite
// file, so memory stays bounded however many rows there are.
#ifndef TBLINT_EXPORT_PIVOT_H_
#define TBLINT_EXPORT_PIVOT_H_

#include <ostream>
#include <string>
#include <vector>

#include "export/export.h"

namespace tblint::xport {

bool ExportPivot(const std::vector<LogdirSpec>& logdirs, const ExportOptions& options, bool csv, std::ostream* out,
                 std::ostream& err, ExportStats* stats, std::string* error);

}  // namespace tblint::xport

#endif  // TBLINT_EXPORT_PIVOT_H_
