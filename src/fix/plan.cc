#include "fix/plan.h"

#include <algorithm>
#include <map>

#include "event/event.h"
#include "record/record_reader.h"

namespace tblint {
namespace {

std::string Join(const std::set<std::string>& codes) {
  std::string s;
  for (const std::string& c : codes) s += (s.empty() ? "" : ",") + c;
  return s;
}

}  // namespace

std::string FilePlan::Codes() const { return Join(codes); }
std::string FilePlan::WithheldCodes() const { return Join(withheld_codes); }

std::vector<FilePlan> PlanFixes(const LintResult& result) {
  std::map<std::string, FilePlan> plans;
  std::map<std::string, const FileResult*> by_rel;
  for (const FileResult& f : result.logdir.files) by_rel[f.info.rel_path] = &f;
  for (const Finding& f : result.findings) {
    auto file = by_rel.find(f.path);
    if (file == by_rel.end()) continue;
    const FixAction& fix = f.fix;
    if (fix.kind == FixKind::kNone && fix.withheld.empty()) continue;
    FilePlan& p = plans[f.path];
    p.file = file->second;
    p.rel = f.path;
    if (!fix.withheld.empty()) {
      p.withheld_codes.insert(f.rule->code);
      p.withheld = fix.withheld;
      continue;
    }
    switch (fix.kind) {
      case FixKind::kTruncate:
        if (!fix.truncate_to) continue;
        p.truncate_to = std::min(p.truncate_to.value_or(UINT64_MAX), *fix.truncate_to);
        break;
      case FixKind::kRewrite:
        p.rewrite = true;
        break;
      case FixKind::kMove:
        p.move = true;
        break;
      case FixKind::kNone:
        continue;
    }
    p.codes.insert(f.rule->code);
  }
  std::vector<FilePlan> out;
  out.reserve(plans.size());
  for (auto& [rel, plan] : plans) out.push_back(std::move(plan));
  return out;
}

std::string PlanContent(const FilePlan& plan, Source* src, Content* c) {
  const FileInfo& info = plan.file->info;
  const std::string codes = plan.Codes();
  c->side_rel = "files/" + fixio::DefangPath(plan.rel);
  switch (plan.kind()) {
    case FixKind::kMove:
      c->side_rel += ".moved";
      c->new_size = 0;
      c->message = "move out of the logdir (" + codes + ")";
      return "";
    case FixKind::kRewrite: {
      // Undecodable payloads go too, found or not: TensorBoard fails on them.
      c->keep = SalvageRanges(src, /*drop_undecodable=*/true, &c->kept_records, &c->dropped_records);
      for (const auto& [b, e] : c->keep) c->new_size += e - b;
      c->dropped_bytes = info.size - c->new_size;
      c->side_rel += ".original.bin";
      c->message = "rewrite keeping " + std::to_string(c->kept_records) + " valid records (" +
                   std::to_string(c->new_size) + " bytes), dropping " + std::to_string(c->dropped_records) +
                   " damaged " + (c->dropped_records == 1 ? "record" : "records") + " and " +
                   std::to_string(c->dropped_bytes) + " bytes in all (" + codes + ")";
      return "";
    }
    case FixKind::kTruncate:
    case FixKind::kNone:
      break;
  }
  const uint64_t cut = *plan.truncate_to;
  if (std::string why = VerifyCut(src, cut); !why.empty()) {
    return "refusing to cut at offset " + std::to_string(cut) + ": " + why;
  }
  c->keep = {{0, cut}};
  c->new_size = cut;
  c->dropped_bytes = info.size - cut;
  c->side_rel += ".tail-at-" + std::to_string(cut) + ".bin";
  c->message = "truncate from " + std::to_string(info.size) + " to " + std::to_string(cut) + " bytes (" + codes + ")";
  return "";
}

fixio::Ranges SalvageRanges(Source* src, bool drop_undecodable, uint64_t* kept, uint64_t* dropped) {
  fixio::Ranges keep;
  RecordReader reader(src);
  Record rec;
  event::EventView ev;
  event::WireError err;
  *kept = *dropped = 0;
  while (true) {
    if (!reader.Next(&rec)) {
      if (!reader.Resync()) break;
      continue;
    }
    if (rec.kind == RecordKind::kIoError) break;
    if (rec.kind != RecordKind::kOk) {
      ++*dropped;
      if (!reader.Resync()) break;
      continue;
    }
    if (drop_undecodable && rec.payload_in_memory && !event::DecodeEvent(rec.payload, &ev, &err)) {
      const std::string payload(rec.payload);  // the reader's window moves on
      MemorySource inner(payload);
      RecordReader inner_reader(&inner);
      std::error_code ec;
      if (inner_reader.ScanForValid(0, payload.size(), &ec).count == 0) {
        ++*dropped;
        continue;
      }
    }
    ++*kept;
    if (!keep.empty() && keep.back().second == rec.offset) {
      keep.back().second = rec.end;
    } else {
      keep.emplace_back(rec.offset, rec.end);
    }
  }
  return keep;
}

std::string VerifyCut(Source* src, uint64_t cut) {
  RecordReader reader(src);
  Record rec;
  bool at_cut = false;
  while (reader.Next(&rec)) {
    if (rec.offset == cut) {
      if (rec.kind == RecordKind::kTruncated || rec.kind == RecordKind::kZeroFilled) {
        at_cut = true;
        break;
      }
      return std::string("the bytes after the cut are not a truncated record or zeros (") + RecordKindName(rec.kind) +
             ")";
    }
    if (rec.kind != RecordKind::kOk) {
      return "record " + std::to_string(rec.index) + " before the cut is not valid (" + RecordKindName(rec.kind) + ")";
    }
    if (rec.end > cut) return "the cut falls inside a valid record";
  }
  if (!at_cut) return "the file no longer ends inside a record at offset " + std::to_string(cut);
  std::error_code ec;
  const RecordReader::Found hidden = reader.ScanForValid(cut, src->Size(), &ec);
  if (ec) return "cannot read the bytes after the cut: " + ec.message();
  if (hidden.count > 0) {
    return std::to_string(hidden.count) + " valid " + (hidden.count == 1 ? "record starts" : "records start") +
           " in the bytes that would be cut (the first at offset " + std::to_string(hidden.first) + ")";
  }
  return "";
}

std::string VerifyAllValid(const std::string& path, uint64_t expect_records) {
  FileSource src;
  if (std::error_code ec = src.Open(path)) return "cannot reopen " + path + ": " + ec.message();
  RecordReader reader(&src);
  Record rec;
  uint64_t n = 0;
  while (reader.Next(&rec)) {
    if (rec.kind != RecordKind::kOk) return "the rewritten file does not read back clean";
    ++n;
  }
  if (n != expect_records) return "the rewritten file holds an unexpected number of records";
  return "";
}

}  // namespace tblint
