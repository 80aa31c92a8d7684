// The journal of one fix session (docs/fixing.md, "The journal"): every
// action is written, fsynced and renamed into place before the change it
// describes, so that it always tells `tblint restore` what may be on disk.
// Internal to src/fix.
#ifndef TBLINT_FIX_JOURNAL_H_
#define TBLINT_FIX_JOURNAL_H_

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

namespace tblint {

// Paths are bytes, and restore needs them exact: every string field goes in
// through PutName, so a path that is not UTF-8 is kept in base64 beside its
// readable form, and saving can never throw halfway through a session,
// leaving a backup with no journal entry.
class Journal {
 public:
  // `dir` is the session folder (it holds journal.json); `logdir` the
  // absolute logdir the actions' paths are relative to.
  Journal(std::string dir, const std::string& logdir);

  // Adds an action (state "pending") and saves: "" or what went wrong.
  std::string Begin(nlohmann::json action, size_t* index);
  // Sets a field of action `index` (not saved).
  void Set(size_t index, const char* key, nlohmann::json value);
  // Marks action `index` done and saves: "" or what went wrong.
  std::string Done(size_t index);
  // Marks action `index` abandoned (the file was left as it was) and saves,
  // best effort.
  void Abandon(size_t index);
  // Writes journal.json atomically: "" or what went wrong.
  std::string Save();

 private:
  std::string dir_;
  nlohmann::json doc_;
};

}  // namespace tblint

#endif  // TBLINT_FIX_JOURNAL_H_
