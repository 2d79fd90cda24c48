#include "app/internal/spc_input.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <functional>
#include <string_view>
#include <utility>

#include "base/text_checks.h"
#include "csv/csv_reader.h"

namespace shewhart::app {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Share of the memory limit given to buffered rows; a sort needs as much again.
constexpr double kRowBudgetShare = 0.4;
constexpr size_t kRunBufferRows = 4096;

// Series name -> index. Open addressing over a flat array of (hash, index): one cache miss to find
// the slot and one to confirm the name, where a node-based map takes three or four; with rows
// interleaved across 100,000 series this lookup is the hottest line of the parse.
class NameIndex {
 public:
  explicit NameIndex(const std::vector<SpcSeriesMeta>* series) : series_(series) {
    slots_.assign(1024, Slot{0, -1});
  }
  // The index of `name`, or -1; `hash` must be Hash(name).
  int32_t Find(std::string_view name, uint64_t hash) const {
    for (size_t i = hash & (slots_.size() - 1);; i = (i + 1) & (slots_.size() - 1)) {
      const Slot& slot = slots_[i];
      if (slot.id < 0) return -1;
      if (slot.hash == hash && (*series_)[static_cast<size_t>(slot.id)].name == name) {
        return slot.id;
      }
    }
  }
  // REQUIRES: Find(name, hash) < 0.
  void Insert(uint64_t hash, int32_t id) {
    if ((count_ + 1) * 2 > slots_.size()) Grow();
    Place(hash, id);
    ++count_;
  }
  static uint64_t Hash(std::string_view name) { return std::hash<std::string_view>{}(name); }

 private:
  struct Slot {
    uint64_t hash;
    int32_t id;
  };
  void Place(uint64_t hash, int32_t id) {
    size_t i = hash & (slots_.size() - 1);
    while (slots_[i].id >= 0) i = (i + 1) & (slots_.size() - 1);
    slots_[i] = Slot{hash, id};
  }
  void Grow() {
    std::vector<Slot> old(slots_.size() * 2, Slot{0, -1});
    old.swap(slots_);
    for (const Slot& slot : old) {
      if (slot.id >= 0) Place(slot.hash, slot.id);
    }
  }
  const std::vector<SpcSeriesMeta>* series_;
  std::vector<Slot> slots_;
  size_t count_ = 0;
};

int64_t KeyOf(int32_t series, Date date) {
  return (static_cast<int64_t>(series) << 32) |
         static_cast<int64_t>(static_cast<uint32_t>(date) ^ 0x80000000u);
}

// Asks for transparent huge pages on a large buffer: filling hundreds of MB of rows otherwise costs
// one page fault per 4 KiB.
void AdviseHugePages(const void* data, size_t bytes) {
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(data) + bytes) & ~(kHuge - 1);
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

bool RowLess(const SpcRow& a, const SpcRow& b) {
  if (a.series != b.series) return a.series < b.series;
  if (a.date != b.date) return a.date < b.date;
  return a.line < b.line;
}

bool IsMissing(std::string_view text) { return text.empty() || text == "NA"; }

std::string Quoted(std::string_view text) {
  std::string s = "\"";
  s.append(text.substr(0, 60));
  if (text.size() > 60) s += "…";
  s += '"';
  return s;
}

bool LooksLikeIsoDate(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return false;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (t[i] < '0' || t[i] > '9') return false;
  }
  return true;
}

std::optional<stats::Direction> ParseDirection(std::string_view text) {
  std::string lower(text);
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (lower == "increase") return stats::Direction::kIncrease;
  if (lower == "decrease") return stats::Direction::kDecrease;
  if (lower == "neutral") return stats::Direction::kNeutral;
  return std::nullopt;
}

}  // namespace

void ErrorList::Add(std::string message) {
  ++count_;
  if (messages_.size() < max_kept_) messages_.push_back(std::move(message));
}

std::string ErrorList::Join() const {
  std::string out;
  for (const std::string& m : messages_) {
    out += m;
    out += '\n';
  }
  if (count_ > static_cast<int64_t>(messages_.size())) {
    const int64_t more = count_ - static_cast<int64_t>(messages_.size());
    out += "…and " + std::to_string(more) + (more == 1 ? " more error\n" : " more errors\n");
  }
  return out;
}

void SortRows(std::vector<SpcRow>* rows, size_t num_series) {
  if (rows->empty()) return;
  std::vector<int64_t> next(num_series + 1, 0);
  for (const SpcRow& r : *rows) ++next[static_cast<size_t>(r.series) + 1];
  for (size_t s = 1; s <= num_series; ++s) next[s] += next[s - 1];
  const std::vector<int64_t> starts = next;
  {
    std::vector<SpcRow> sorted;
    sorted.reserve(rows->size());
    AdviseHugePages(sorted.data(), rows->size() * sizeof(SpcRow));
    sorted.resize(rows->size());
    for (const SpcRow& r : *rows) sorted[static_cast<size_t>(next[r.series]++)] = r;
    rows->swap(sorted);
  }  // the unsorted copy is freed here
  auto date_less = [](const SpcRow& a, const SpcRow& b) {
    return a.date != b.date ? a.date < b.date : a.line < b.line;
  };
  for (size_t s = 0; s < num_series; ++s) {
    auto b = rows->begin() + starts[s];
    auto e = rows->begin() + starts[s + 1];
    if (!std::is_sorted(b, e, date_less)) std::sort(b, e, date_less);
  }
}

// A sorted run of rows in a temporary file (or the in-memory remainder), read back in blocks.
struct SpcInput::Run {
  std::FILE* file = nullptr;  // null: rows are in `buffer` entirely
  std::vector<SpcRow> buffer;
  size_t pos = 0;
  ~Run() {
    if (file != nullptr) std::fclose(file);
  }
  const SpcRow& head() const { return buffer[pos]; }
  // Advances; false when the run is exhausted.
  bool Advance(Status* status) {
    if (++pos < buffer.size()) return true;
    if (file == nullptr) return false;
    buffer.resize(kRunBufferRows);
    const size_t got = std::fread(buffer.data(), sizeof(SpcRow), kRunBufferRows, file);
    if (got == 0 && std::ferror(file)) *status = IoError("cannot read a temporary sort file");
    buffer.resize(got);
    pos = 0;
    return got > 0;
  }
};

SpcInput::SpcInput(SpcInputOptions options) : options_(options), errors_(options.max_errors) {}

SpcInput::~SpcInput() = default;

Status SpcInput::Read(const std::string& path) {
  path_ = path;
  ASSIGN_OR_RETURN(std::unique_ptr<csv::Reader> reader, csv::Reader::Open(path));
  row_budget_ =
      std::max<size_t>(1024, static_cast<size_t>(static_cast<double>(options_.memory_limit_bytes) *
                                                 kRowBudgetShare / sizeof(SpcRow)));
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
    rows_.reserve(std::min(row_budget_, static_cast<size_t>(st.st_size) / 12 + 1024));
    AdviseHugePages(rows_.data(), rows_.capacity() * sizeof(SpcRow));
  }

  // The header.
  csv::Reader::Step step = reader->Next();
  while (step == csv::Reader::Step::kError) {
    if (reader->error().code() != StatusCode::kInvalidArgument) return reader->error();
    errors_.Add(reader->error().message());
    return Status::Ok();
  }
  if (step == csv::Reader::Step::kEnd) {
    errors_.Add(path +
                ":1:1: the file is empty; expected a header row naming the columns series, date "
                "and value, then one row per series and date");
    return Status::Ok();
  }
  const std::span<const std::string_view> header = reader->record().fields;
  const auto col = [&](std::string_view name) -> int {
    std::optional<size_t> c = csv::FindColumn(header, name);
    return c ? static_cast<int>(*c) : -1;
  };
  const int c_series = col("series"), c_date = col("date"), c_value = col("value");
  const int c_target = col("target"), c_direction = col("improvement_direction");
  const int c_rebase = col("rebase"), c_reason = col("rebase_reason");
  const int c_denominator = options_.read_denominator ? col("denominator") : -1;
  date_column_ = c_date;
  has_denominator_ = c_denominator >= 0;
  if (options_.require_denominator && c_denominator < 0 && c_series >= 0 && c_date >= 0 &&
      c_value >= 0) {
    errors_.Add(path +
                ":1:1: the header has no column \"denominator\"; the p, pp, u and up charts need "
                "one: value is the count (numerator) and denominator what it is counted among "
                "(e.g. attendances, 1,000 bed days)");
    return Status::Ok();
  }
  {
    std::string missing;
    for (const auto& [name, c] :
         {std::pair<const char*, int>{"series", c_series}, {"date", c_date}, {"value", c_value}}) {
      if (c >= 0) continue;
      if (!missing.empty()) missing += ", ";
      missing += std::string("\"") + name + "\"";
    }
    if (!missing.empty()) {
      std::string found;
      for (std::string_view h : header) {
        if (!found.empty()) found += ", ";
        found += Quoted(h);
      }
      errors_.Add(path + ":1:1: the header has no column " + missing +
                  "; expected columns named series, date and value (optional: target, "
                  "improvement_direction, rebase, rebase_reason); the header found is: " +
                  found);
      return Status::Ok();
    }
  }

  NameIndex names(&series_);
  std::string last_name;
  int32_t last_id = -1;
  bool any_row = false;
  for (;;) {
    step = reader->Next();
    if (step == csv::Reader::Step::kEnd) break;
    if (step == csv::Reader::Step::kError) {
      if (reader->error().code() != StatusCode::kInvalidArgument) return reader->error();
      errors_.Add(reader->error().message());
      any_row = true;
      continue;
    }
    any_row = true;
    const csv::Record& rec = reader->record();
    const auto where = [&](int column) {
      return path + ":" + std::to_string(rec.line) + ":" + std::to_string(column + 1) + ": ";
    };
    bool ok = true;
    const std::string_view name = rec.fields[c_series];
    if (name.empty()) {
      errors_.Add(where(c_series) + "the series name is empty; expected the name of a series");
      ok = false;
    }
    const std::string_view date_text = csv::TrimSpaces(rec.fields[c_date]);
    const std::optional<Date> date = ParseIsoDate(date_text);
    if (!date) {
      if (LooksLikeIsoDate(date_text)) {
        errors_.Add(where(c_date) + "date " + Quoted(date_text) +
                    " is not a real date (no such day in the calendar); expected a real date "
                    "in the form YYYY-MM-DD");
      } else {
        errors_.Add(where(c_date) + "date " + Quoted(date_text) +
                    " is not in the form YYYY-MM-DD; expected a date such as 2023-04-01");
      }
      ok = false;
    }
    double value = kNaN;
    const std::string_view value_text = csv::TrimSpaces(rec.fields[c_value]);
    if (!IsMissing(value_text) && !ParseNumber(value_text, &value)) {
      errors_.Add(where(c_value) + "value " + Quoted(rec.fields[c_value]) +
                  " is not a number; expected a decimal such as 12.5 (or empty / NA for a "
                  "missing value)");
      ok = false;
    }
    double target = options_.target;
    bool target_given = false;
    if (c_target >= 0) {
      const std::string_view t = csv::TrimSpaces(rec.fields[c_target]);
      if (!IsMissing(t)) {
        if (ParseNumber(t, &target)) {
          target_given = true;
        } else {
          errors_.Add(where(c_target) + "target " + Quoted(rec.fields[c_target]) +
                      " is not a number; expected a decimal such as 0.95 (or empty for the "
                      "--target option)");
          ok = false;
        }
      }
    }
    // The denominator takes the target's slot in the row (see SpcRow); the series' target is
    // still tracked below.
    double denominator = kNaN;
    if (c_denominator >= 0) {
      const std::string_view d = csv::TrimSpaces(rec.fields[c_denominator]);
      if (!IsMissing(d)) {
        if (!ParseNumber(d, &denominator)) {
          errors_.Add(where(c_denominator) + "denominator " + Quoted(rec.fields[c_denominator]) +
                      " is not a number; expected a count such as 250 (or empty / NA for a "
                      "missing value)");
          ok = false;
        } else if (!(denominator > 0)) {
          errors_.Add(where(c_denominator) + "denominator " + Quoted(d) +
                      " must be greater than 0; a point with no cases has no proportion or "
                      "rate (leave the value empty to mark it missing)");
          ok = false;
        } else if (value < 0) {
          errors_.Add(where(c_value) + "value " + Quoted(value_text) +
                      " is negative; expected a count of 0 or more");
          ok = false;
        } else if (options_.proportions && value > denominator) {
          errors_.Add(where(c_value) + "value " + Quoted(value_text) +
                      " is larger than its denominator " + Quoted(d) +
                      "; for a p chart the value counts events among the denominator's cases");
          ok = false;
        }
      } else if (options_.require_denominator && !std::isnan(value)) {
        errors_.Add(where(c_denominator) +
                    "the denominator is missing but the value is not; expected the count the "
                    "value is a part of (or leave both empty for a missing point)");
        ok = false;
      }
    }
    std::optional<stats::Direction> direction;
    if (c_direction >= 0) {
      const std::string_view d = csv::TrimSpaces(rec.fields[c_direction]);
      if (!d.empty()) {
        direction = ParseDirection(d);
        if (!direction) {
          errors_.Add(where(c_direction) + "improvement_direction " + Quoted(d) +
                      " is not a direction; expected increase, decrease or neutral (or empty "
                      "for the --improvement option)");
          ok = false;
        }
      }
    }
    bool rebase = false;
    if (c_rebase >= 0) {
      const std::string_view r = csv::TrimSpaces(rec.fields[c_rebase]);
      if (r == "1") {
        rebase = true;
      } else if (!r.empty() && r != "0") {
        errors_.Add(where(c_rebase) + "rebase " + Quoted(r) +
                    " is not 0 or 1; expected 1 on the first row of a new period and 0 or empty "
                    "on other rows");
        ok = false;
      }
    }
    if (!ok) continue;

    int32_t id;
    if (last_id >= 0 && name == last_name) {
      id = last_id;
    } else {
      const uint64_t hash = NameIndex::Hash(name);
      id = names.Find(name, hash);
      if (id < 0) {
        id = static_cast<int32_t>(series_.size());
        SpcSeriesMeta meta;
        meta.name = std::string(name);
        meta.direction = options_.improvement;
        meta.assurance_target = options_.target;
        series_.push_back(std::move(meta));
        names.Insert(hash, id);
      }
      last_name.assign(name);
      last_id = id;
    }
    SpcSeriesMeta& meta = series_[static_cast<size_t>(id)];
    if (direction) {
      if (meta.direction_line == 0) {
        meta.direction = *direction;
        meta.direction_line = rec.line;
      } else if (*direction != meta.direction) {
        errors_.Add(where(c_direction) + "improvement_direction \"" +
                    std::string(stats::Name(*direction)) + "\" for series " + Quoted(name) +
                    " differs from \"" + std::string(stats::Name(meta.direction)) + "\" on line " +
                    std::to_string(meta.direction_line) +
                    "; expected one improvement direction per series");
        continue;
      }
    }
    if (target_given && *date > meta.assurance_target_date) {
      meta.assurance_target_date = *date;
      meta.assurance_target = target;
    }
    if (rebase) {
      meta.recalculations.push_back(
          {*date, c_reason >= 0 ? std::string(csv::TrimSpaces(rec.fields[c_reason])) : ""});
    }
    if (rows_.size() >= row_budget_) RETURN_IF_ERROR(Spill());
    if (rows_.size() == rows_.capacity()) {
      // Grow as a vector would, but never beyond the budget.
      rows_.reserve(std::min(row_budget_, std::max<size_t>(1024, rows_.capacity() * 2)));
      AdviseHugePages(rows_.data(), rows_.capacity() * sizeof(SpcRow));
    }
    const int64_t key = KeyOf(id, *date);
    if (key <= last_key_) in_order_ = false;
    last_key_ = key;
    if (streaming_) {
      if (!in_order_ || !runs_.empty() || !errors_.empty()) {
        streaming_ = false;
      } else if (!rows_.empty() && rows_.back().series != id &&
                 rows_.size() - stream_cursor_ >= early_batch_rows_) {
        EmitEarly(rows_.size());  // every series before this row is complete
      }
    }
    rows_.push_back({id, *date, value, c_denominator >= 0 ? denominator : target, rec.line});
    ++row_count_;
  }
  header_only_ = !any_row;
  if (!in_order_ || !runs_.empty() || !errors_.empty()) streaming_ = false;
  if (streaming_) cursor_ = stream_cursor_;
  return Status::Ok();
}

void SpcInput::SetEarlySink(std::function<void(EarlyBatch&&)> sink, size_t batch_rows) {
  sink_ = std::move(sink);
  early_batch_rows_ = std::max<size_t>(1, batch_rows);
  streaming_ = static_cast<bool>(sink_);
}

void SpcInput::EmitEarly(size_t end) {
  EarlyBatch batch;
  batch.rows.assign(rows_.begin() + static_cast<std::ptrdiff_t>(stream_cursor_),
                    rows_.begin() + static_cast<std::ptrdiff_t>(end));
  size_t i = 0;
  while (i < batch.rows.size()) {
    const size_t begin = i;
    const int32_t id = batch.rows[i].series;
    while (i < batch.rows.size() && batch.rows[i].series == id) ++i;
    batch.series.push_back({id, std::span<const SpcRow>(batch.rows.data() + begin, i - begin)});
    batch.metas.push_back(series_[static_cast<size_t>(id)]);
  }
  stream_cursor_ = end;
  ++early_batches_;
  sink_(std::move(batch));
}

Status SpcInput::Spill() {
  SortRows(&rows_, series_.size());
  auto run = std::make_unique<Run>();
  run->file = std::tmpfile();
  if (run->file == nullptr) {
    return IoError("cannot create a temporary sort file: " + std::string(std::strerror(errno)));
  }
  if (std::fwrite(rows_.data(), sizeof(SpcRow), rows_.size(), run->file) != rows_.size() ||
      std::fflush(run->file) != 0) {
    return IoError("cannot write a temporary sort file (is the disk full?)");
  }
  runs_.push_back(std::move(run));
  rows_.clear();
  in_order_ = true;
  last_key_ = std::numeric_limits<int64_t>::min();
  return Status::Ok();
}

Status SpcInput::PrepareMerge() {
  prepared_ = true;
  if (runs_.empty()) {
    if (!in_order_) SortRows(&rows_, series_.size());
    return Status::Ok();
  }
  if (!rows_.empty()) {
    SortRows(&rows_, series_.size());
    auto mem = std::make_unique<Run>();
    mem->buffer = std::move(rows_);
    rows_ = {};
    runs_.push_back(std::move(mem));
  }
  for (size_t i = 0; i < runs_.size(); ++i) {
    Run& run = *runs_[i];
    if (run.file != nullptr) {
      std::rewind(run.file);
      run.pos = static_cast<size_t>(-1);  // Advance() to the first block
      run.buffer.clear();
      Status status;
      const bool has = run.Advance(&status);
      RETURN_IF_ERROR(status);
      if (!has) continue;
    } else if (run.buffer.empty()) {
      continue;
    }
    heap_.push_back(static_cast<int>(i));
  }
  auto greater = [this](int a, int b) { return RowLess(runs_[b]->head(), runs_[a]->head()); };
  std::make_heap(heap_.begin(), heap_.end(), greater);
  return Status::Ok();
}

bool SpcInput::PullMerged(SpcRow* row) {
  if (heap_.empty()) return false;
  auto greater = [this](int a, int b) { return RowLess(runs_[b]->head(), runs_[a]->head()); };
  std::pop_heap(heap_.begin(), heap_.end(), greater);
  Run& run = *runs_[heap_.back()];
  *row = run.head();
  if (run.Advance(&merge_status_)) {
    std::push_heap(heap_.begin(), heap_.end(), greater);
  } else {
    heap_.pop_back();
  }
  return true;
}

void SpcInput::CheckDuplicates(const SeriesRows& s) {
  if (options_.subgroups) return;
  for (size_t i = 1; i < s.rows.size(); ++i) {
    if (s.rows[i].date != s.rows[i - 1].date) continue;
    errors_.Add(path_ + ":" + std::to_string(s.rows[i].line) + ":" +
                std::to_string(date_column_ + 1) + ": a second row for series " +
                Quoted(series_[static_cast<size_t>(s.series)].name) + " on " +
                FormatIsoDate(s.rows[i].date) + " (the first is on line " +
                std::to_string(s.rows[i - 1].line) + "); expected one row per series and date");
  }
}

Result<bool> SpcInput::NextBatch(size_t target_rows, std::vector<SeriesRows>* batch) {
  batch->clear();
  if (!prepared_) RETURN_IF_ERROR(PrepareMerge());
  if (runs_.empty()) {
    size_t taken = 0;
    while (cursor_ < rows_.size() && taken < target_rows) {
      const size_t begin = cursor_;
      const int32_t id = rows_[begin].series;
      while (cursor_ < rows_.size() && rows_[cursor_].series == id) ++cursor_;
      batch->push_back({id, std::span<const SpcRow>(rows_.data() + begin, cursor_ - begin)});
      taken += cursor_ - begin;
    }
  } else {
    batch_rows_.clear();
    std::vector<std::pair<int32_t, size_t>> starts;
    SpcRow row;
    for (;;) {
      if (have_pending_) {
        row = pending_;
        have_pending_ = false;
      } else if (!PullMerged(&row)) {
        break;
      }
      if (starts.empty() || starts.back().first != row.series) {
        if (batch_rows_.size() >= target_rows) {
          pending_ = row;
          have_pending_ = true;
          break;
        }
        starts.emplace_back(row.series, batch_rows_.size());
      }
      batch_rows_.push_back(row);
    }
    RETURN_IF_ERROR(merge_status_);
    for (size_t i = 0; i < starts.size(); ++i) {
      const size_t end = i + 1 < starts.size() ? starts[i + 1].second : batch_rows_.size();
      batch->push_back(
          {starts[i].first,
           std::span<const SpcRow>(batch_rows_.data() + starts[i].second, end - starts[i].second)});
    }
  }
  for (const SeriesRows& s : *batch) CheckDuplicates(s);
  return !batch->empty();
}

}  // namespace shewhart::app
