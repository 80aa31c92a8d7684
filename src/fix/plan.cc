#include "fix/plan.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>

#include "event/event.h"
#include "record/crc32c.h"
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

bool OffersFix(const Finding& f) { return f.fix.kind != FixKind::kNone || !f.fix.withheld.empty(); }

void FixPlanner::Add(const Finding& f) {
  if (!OffersFix(f)) return;
  const FixAction& fix = f.fix;
  FilePlan& p = plans_[f.path];
  if (p.rel.empty()) p.rel = f.path;
  if (!fix.withheld.empty()) {
    p.withheld_codes.insert(f.rule->code);
    p.withheld = fix.withheld;
    return;
  }
  switch (fix.kind) {
    case FixKind::kTruncate:
      if (!fix.truncate_to) return;
      p.truncate_to = std::min(p.truncate_to.value_or(UINT64_MAX), *fix.truncate_to);
      break;
    case FixKind::kRewrite:
      p.rewrite = true;
      break;
    case FixKind::kMove:
      p.move = true;
      break;
    case FixKind::kNone:
      return;
  }
  p.codes.insert(f.rule->code);
}

std::vector<FilePlan> FixPlanner::Take(const LintResult& result) {
  std::map<std::string_view, const FileResult*> by_rel;
  for (const FileResult& f : result.logdir.files) by_rel[f.info.rel_path()] = &f;
  std::vector<FilePlan> out;
  out.reserve(plans_.size());
  for (auto& [rel, plan] : plans_) {
    auto file = by_rel.find(rel);
    if (file == by_rel.end()) continue;
    plan.file = file->second;
    out.push_back(std::move(plan));
  }
  plans_.clear();
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
  if (std::string why = VerifyCut(src, cut, &c->cut); !why.empty()) {
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

namespace {

// The bytes of `base` from `from` on, as a source of their own: the record
// reader starts at the cut without reading anything before it.
class TailSource final : public Source {
 public:
  TailSource(Source* base, uint64_t from) : base_(base), from_(from) {}
  uint64_t Size() const override { return base_->Size() - from_; }
  std::error_code ReadAt(uint64_t offset, size_t n, uint8_t* buf) override {
    return base_->ReadAt(from_ + offset, n, buf);
  }
  uint64_t NextData(uint64_t offset) override { return std::max(base_->NextData(from_ + offset), from_ + offset) - from_; }
  uint64_t NextHole(uint64_t offset) override { return std::max(base_->NextHole(from_ + offset), from_ + offset) - from_; }

 private:
  Source* base_;
  uint64_t from_;
};

// From `cut` to the end: a truncated record or zeros, with no valid record
// starting anywhere among those bytes. The reader's outcome for the record at
// the cut resynchronises over the whole span (Record::hidden_records). "" or
// why not.
std::string CheckCutBytes(Source* src, uint64_t cut) {
  if (cut >= src->Size()) return "the file no longer ends inside a record at offset " + std::to_string(cut);
  TailSource tail(src, cut);
  RecordReader reader(&tail);
  Record rec;
  if (!reader.Next(&rec)) return "the file no longer ends inside a record at offset " + std::to_string(cut);
  if (rec.kind == RecordKind::kIoError) return "cannot read the bytes after the cut: " + rec.error.message();
  if (rec.kind != RecordKind::kTruncated && rec.kind != RecordKind::kZeroFilled) {
    return std::string("the bytes after the cut are not a truncated record or zeros (") + RecordKindName(rec.kind) +
           ")";
  }
  if (rec.hidden_records > 0) {
    return std::to_string(rec.hidden_records) + " valid " + (rec.hidden_records == 1 ? "record starts" : "records start") +
           " in the bytes that would be cut (the first at offset " + std::to_string(cut + rec.hidden_first) + ")";
  }
  return "";
}

// Reads a source backwards, a block at a time: bytes just before those read
// last are usually in the block already.
class BackWindow {
 public:
  static constexpr uint64_t kBlock = 64 << 10;
  explicit BackWindow(Source* src) : src_(src), buf_(std::make_unique_for_overwrite<uint8_t[]>(kBlock)) {}
  Source* src() const { return src_; }
  // Bytes [offset, offset + n), n <= 16; the block read ends at offset + n.
  const uint8_t* At(uint64_t offset, size_t n, std::error_code* ec) {
    if (offset >= from_ && offset + n <= to_) return buf_.get() + (offset - from_);
    to_ = offset + n;
    from_ = to_ > kBlock ? to_ - kBlock : 0;
    if ((*ec = src_->ReadAt(from_, static_cast<size_t>(to_ - from_), buf_.get()))) {
      from_ = to_ = 0;
      return nullptr;
    }
    return buf_.get() + (offset - from_);
  }

 private:
  Source* src_;
  std::unique_ptr<uint8_t[]> buf_;
  uint64_t from_ = 0, to_ = 0;
};

enum class Back : uint8_t { kFound, kNone, kGaveUp, kIoError };

// The start of a valid record (length CRC and data CRC check) that ends
// exactly at `end`. Searched backwards from the shortest candidate: a header
// at s must declare a payload of end - s - 16 bytes, so almost every offset is
// dismissed by one comparison, and the search ends at the first record found,
// within one record's length of `end`. Holes are stepped over in growing
// steps without a read (twelve zero bytes are never a valid header). Gives up
// after a few headers that declare the right length and check but whose
// payload does not: a file built to make this search slow is read from the
// start instead.
Back RecordEndingAt(BackWindow* w, uint64_t end, uint64_t lowest, uint64_t* start, std::error_code* ec) {
  constexpr int kMaxFalseHeaders = 4;
  if (end < kFramingSize || end - kFramingSize < lowest) return Back::kNone;
  Source* src = w->src();
  const uint8_t* f = w->At(end - kFooterSize, kFooterSize, ec);
  if (f == nullptr) return Back::kIoError;
  const uint32_t stored_data_crc = DecodeLE32(f);
  int false_headers = 0;
  uint64_t s = end - kFramingSize;  // an empty payload
  uint64_t next_probe = UINT64_MAX;  // below this offset, ask the file system for holes again
  while (true) {
    if (s < next_probe) {
      // Skip the zeros of a hole: no header lies wholly inside one. A span
      // [lo, top) without data holds no candidate in [lo, top - 12].
      uint64_t top = s + kHeaderSize;  // a header at s needs the bytes up to here
      for (uint64_t span = BackWindow::kBlock;; span = std::min<uint64_t>(span * 2, uint64_t{1} << 40)) {
        const uint64_t lo = std::max(lowest, top > span ? top - span : 0);
        if (src->NextData(lo) < top) {
          next_probe = lo;
          break;
        }
        if (lo == lowest) return Back::kNone;
        top = lo + kHeaderSize - 1;  // the candidates below lo
      }
      s = top - kHeaderSize;
    }
    const uint8_t* h = w->At(s, kHeaderSize, ec);
    if (h == nullptr) return Back::kIoError;
    if (DecodeLE64(h) == end - s - kFramingSize && crc32c::Mask(crc32c::Value(h, 8)) == DecodeLE32(h + 8)) {
      uint32_t crc = 0;
      if (!fixio::SourceCrc(src, s + kHeaderSize, end - kFooterSize, &crc)) {
        *ec = std::make_error_code(std::errc::io_error);
        return Back::kIoError;
      }
      if (crc32c::Mask(crc) == stored_data_crc) {
        *start = s;
        return Back::kFound;
      }
      if (++false_headers > kMaxFalseHeaders) return Back::kGaveUp;
    }
    if (s == lowest) return Back::kNone;
    --s;
  }
}

}  // namespace

std::string VerifyCut(Source* src, uint64_t cut, CutCheck* check) {
  *check = CutCheck{};
  if (std::string why = CheckCutBytes(src, cut); !why.empty()) return why;
  check->window_from = cut - std::min(cut, kKeptWindow);
  // The record that ends at the cut, however long, then those before it that
  // lie wholly in the window.
  BackWindow w(src);
  std::error_code ec;
  for (uint64_t pos = cut; pos > 0;) {
    const bool first = check->records_read_back == 0;
    uint64_t start = 0;
    const Back found = RecordEndingAt(&w, pos, first ? 0 : check->window_from, &start, &ec);
    if (found == Back::kIoError) return "cannot read the records before the cut: " + ec.message();
    if (found == Back::kFound) {
      ++check->records_read_back;
      pos = start;
      continue;
    }
    if (first) {
      // Not conclusive: no valid record ends at the cut, or too many headers
      // look as if one did. The reader's word, from the start of the file.
      check->read_from_start = true;
      if (std::string why = VerifyCutFromStart(src, cut); !why.empty()) return why;
    }
    break;  // the window's first bytes belong to a record that starts before it
  }
  if (!fixio::SourceCrc(src, check->window_from, cut, &check->window_crc)) return "cannot read the bytes before the cut";
  return "";
}

std::string VerifyCutFromStart(Source* src, uint64_t cut) {
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
