#include "csv/csv_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

namespace shewhart::csv {
namespace {

// Byte classes for the unquoted scan: anything that is not kPlain stops the inner loop.
enum : uint8_t { kPlain = 0, kComma, kQuote, kLf, kCr, kHigh };

constexpr std::array<uint8_t, 256> MakeClassTable() {
  std::array<uint8_t, 256> t{};
  t[static_cast<uint8_t>(',')] = kComma;
  t[static_cast<uint8_t>('"')] = kQuote;
  t[static_cast<uint8_t>('\n')] = kLf;
  t[static_cast<uint8_t>('\r')] = kCr;
  for (int c = 0x80; c < 0x100; ++c) t[c] = kHigh;
  return t;
}
constexpr std::array<uint8_t, 256> kClass = MakeClassTable();

// Inside quotes only the quote, line feeds (for line counting) and non-ASCII bytes matter.
constexpr std::array<uint8_t, 256> MakeQuotedTable() {
  std::array<uint8_t, 256> t{};
  t[static_cast<uint8_t>('"')] = kQuote;
  t[static_cast<uint8_t>('\n')] = kLf;
  for (int c = 0x80; c < 0x100; ++c) t[c] = kHigh;
  return t;
}
constexpr std::array<uint8_t, 256> kQuotedClass = MakeQuotedTable();

// Length of the UTF-8 sequence at p: > 0 valid, 0 invalid, -1 truncated by `end`.
int Utf8Length(const unsigned char* p, const unsigned char* end) {
  const unsigned c = p[0];
  int n;
  unsigned lo = 0x80, hi = 0xBF;
  if (c < 0x80) return 1;
  if (c < 0xC2) return 0;
  if (c < 0xE0) {
    n = 2;
  } else if (c < 0xF0) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // surrogates
  } else if (c < 0xF5) {
    n = 4;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // beyond U+10FFFF
  } else {
    return 0;
  }
  for (int i = 1; i < n; ++i) {
    if (p + i >= end) return -1;
    const unsigned b = p[i];
    if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return 0;
  }
  return n;
}

std::string Hex(unsigned char c) {
  constexpr char kDigits[] = "0123456789ABCDEF";
  return std::string("0x") + kDigits[c >> 4] + kDigits[c & 15];
}

}  // namespace

Reader::Reader(std::string name, ReaderOptions options)
    : name_(std::move(name)), options_(options) {}

Reader::~Reader() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<Reader>> Reader::Open(const std::string& path, ReaderOptions options) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return IoError(path + ": cannot open the file: " + std::strerror(errno));
  }
#ifdef POSIX_FADV_SEQUENTIAL
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  std::unique_ptr<Reader> reader(new Reader(path, options));
  reader->fd_ = fd;
  if (reader->options_.block_size < 64) reader->options_.block_size = 64;
  reader->capacity_ = reader->options_.block_size * 2;
  reader->buffer_ = std::make_unique<char[]>(reader->capacity_);
  reader->pos_ = reader->end_ = reader->buffer_.get();
  return reader;
}

std::unique_ptr<Reader> Reader::FromString(std::string name, std::string text,
                                           ReaderOptions options) {
  std::unique_ptr<Reader> reader(new Reader(std::move(name), options));
  reader->capacity_ = text.size() + 1;
  reader->buffer_ = std::make_unique<char[]>(reader->capacity_);
  std::memcpy(reader->buffer_.get(), text.data(), text.size());
  reader->pos_ = reader->buffer_.get();
  reader->end_ = reader->pos_ + text.size();
  reader->eof_ = true;
  return reader;
}

int64_t Reader::bytes_consumed() const { return buffer_offset_ + (pos_ - buffer_.get()); }

bool Reader::Refill() {
  if (eof_) return true;
  char* base = buffer_.get();
  const size_t pending = static_cast<size_t>(end_ - pos_);
  // A record longer than half the buffer: grow, so one block always fits after it.
  if (pending + options_.block_size > capacity_) {
    if (pending > options_.max_record_bytes) {
      error_ = InvalidArgumentError(
          name_ + ":" + std::to_string(line_) + ":1: a record longer than " +
          std::to_string(options_.max_record_bytes >> 20) +
          " MiB; expected rows of ordinary length (is a double quote left open?)");
      fatal_ = true;
      return false;
    }
    const size_t new_capacity = (pending + options_.block_size) * 2;
    auto grown = std::make_unique<char[]>(new_capacity);
    std::memcpy(grown.get(), pos_, pending);
    buffer_offset_ += pos_ - base;
    buffer_ = std::move(grown);
    capacity_ = new_capacity;
  } else if (pos_ != base) {
    std::memmove(base, pos_, pending);
    buffer_offset_ += pos_ - base;
  }
  base = buffer_.get();
  pos_ = base;
  end_ = base + pending;
  size_t want = capacity_ - pending;
  while (want > 0) {
    const ssize_t got = ::read(fd_, end_, want);
    if (got < 0) {
      if (errno == EINTR) continue;
      error_ = IoError(name_ + ": read failed: " + std::strerror(errno));
      fatal_ = true;
      return false;
    }
    if (got == 0) {
      eof_ = true;
      break;
    }
    end_ += got;
    want -= static_cast<size_t>(got);
    if (static_cast<size_t>(end_ - pos_) >= options_.block_size) break;
  }
  return true;
}

Reader::Parse Reader::Fail(int64_t line, size_t column, std::string what, bool fatal) {
  error_ = InvalidArgumentError(name_ + ":" + std::to_string(line) + ":" + std::to_string(column) +
                                ": " + std::move(what));
  return fatal ? Parse::kFatal : Parse::kError;
}

Reader::Parse Reader::ParseRecord() {
  // Parses one record starting at pos_. Nothing is committed (pos_, line_) until it is complete,
  // so kNeedMore simply re-parses after a refill.
  char* p = pos_;
  char* const end = end_;
  int64_t line = line_;
  spans_.clear();
  // Skip blank lines.
  for (;;) {
    if (p == end) {
      if (!eof_) return Parse::kNeedMore;
      pos_ = p;
      line_ = line;
      return Parse::kComplete;  // spans_ empty: end of input
    }
    if (*p == '\n') {
      ++p;
      ++line;
    } else if (*p == '\r') {
      if (p + 1 == end && !eof_) return Parse::kNeedMore;
      p += (p + 1 < end && p[1] == '\n') ? 2 : 1;
      ++line;
    } else {
      break;
    }
  }
  const int64_t record_line = line;
  const auto* u = reinterpret_cast<const unsigned char*>(end);
  for (;;) {
    const size_t column = spans_.size() + 1;
    if (p < end && *p == '"') {
      // Quoted field.
      const int64_t open_line = line;
      char* q = p + 1;
      bool escaped = false;
      for (;;) {
        while (q < end && kQuotedClass[static_cast<unsigned char>(*q)] == kPlain) ++q;
        if (q == end) {
          if (!eof_) return Parse::kNeedMore;
          return Fail(open_line, column,
                      "a quoted field that is never closed (its opening double quote is here); "
                      "expected a closing double quote before the end of the file",
                      /*fatal=*/true);
        }
        const unsigned char c = static_cast<unsigned char>(*q);
        if (c == '"') {
          if (q + 1 == end && !eof_) return Parse::kNeedMore;
          if (q + 1 < end && q[1] == '"') {
            escaped = true;
            q += 2;
            continue;
          }
          break;  // closing quote
        }
        if (c == '\n') {
          ++line;
          ++q;
          continue;
        }
        const int len = Utf8Length(reinterpret_cast<const unsigned char*>(q), u);
        if (len < 0 && !eof_) return Parse::kNeedMore;
        if (len <= 0) {
          line_ = line;
          pos_ = q;
          return Fail(line, column,
                      "byte " + Hex(c) + " (at byte " +
                          std::to_string(1 + buffer_offset_ + (q - buffer_.get())) +
                          " of the file) is not valid UTF-8; expected UTF-8 text (save the file "
                          "as \"CSV UTF-8\")",
                      false);
        }
        q += len;
      }
      spans_.push_back({p + 1, static_cast<uint32_t>(q - (p + 1)), escaped});
      p = q + 1;  // after the closing quote
      if (p == end) {
        if (!eof_) return Parse::kNeedMore;
        break;
      }
      if (*p == ',') {
        ++p;
        if (p == end && eof_) {
          spans_.push_back({p, 0, false});
          break;
        }
        continue;
      }
      if (*p == '\n') {
        ++p;
        ++line;
        break;
      }
      if (*p == '\r') {
        if (p + 1 == end && !eof_) return Parse::kNeedMore;
        p += (p + 1 < end && p[1] == '\n') ? 2 : 1;
        ++line;
        break;
      }
      line_ = line;
      pos_ = p;
      std::string found(1, *p);
      if (static_cast<unsigned char>(*p) >= 0x80 || *p < 0x20) found = Hex(*p);
      return Fail(line, column,
                  "text '" + found +
                      "' after the closing double quote of a quoted field; expected a comma or "
                      "the end of the line (a double quote inside a quoted field is written twice: "
                      "\"\")",
                  false);
    }
    // Unquoted field.
    char* const start = p;
    for (;;) {
      while (p < end && kClass[static_cast<unsigned char>(*p)] == kPlain) ++p;
      if (p == end || kClass[static_cast<unsigned char>(*p)] != kHigh) break;
      const int len = Utf8Length(reinterpret_cast<const unsigned char*>(p), u);
      if (len < 0 && !eof_) return Parse::kNeedMore;
      if (len <= 0) {
        line_ = line;
        pos_ = p;
        return Fail(line, column,
                    "byte " + Hex(static_cast<unsigned char>(*p)) + " (at byte " +
                        std::to_string(1 + buffer_offset_ + (p - buffer_.get())) +
                        " of the file) is not valid UTF-8; expected UTF-8 text (save the file as "
                        "\"CSV UTF-8\")",
                    false);
      }
      p += len;
    }
    if (p == end) {
      if (!eof_) return Parse::kNeedMore;
      spans_.push_back({start, static_cast<uint32_t>(p - start), false});
      break;
    }
    spans_.push_back({start, static_cast<uint32_t>(p - start), false});
    const uint8_t cls = kClass[static_cast<unsigned char>(*p)];
    if (cls == kComma) {
      ++p;
      if (p == end && eof_) {
        spans_.push_back({p, 0, false});
        break;
      }
      continue;
    }
    if (cls == kLf) {
      ++p;
      ++line;
      break;
    }
    if (cls == kCr) {
      if (p + 1 == end && !eof_) return Parse::kNeedMore;
      p += (p + 1 < end && p[1] == '\n') ? 2 : 1;
      ++line;
      break;
    }
    // A quote inside an unquoted field.
    line_ = line;
    pos_ = p;
    return Fail(line, column,
                "a double quote inside a field that does not start with one; expected the whole "
                "field in double quotes with each \" inside it doubled (\"\")",
                false);
  }
  pos_ = p;
  line_ = line;
  // Commit: unescape quoted fields in place and expose views.
  fields_.clear();
  for (const FieldSpan& s : spans_) {
    if (!s.escaped) {
      fields_.emplace_back(s.begin, s.size);
      continue;
    }
    char* out = s.begin;
    const char* in = s.begin;
    const char* const stop = s.begin + s.size;
    while (in < stop) {
      const char c = *in++;
      *out++ = c;
      if (c == '"') ++in;  // skip the second quote of a pair
    }
    fields_.emplace_back(s.begin, static_cast<size_t>(out - s.begin));
  }
  record_.fields = fields_;
  record_.line = record_line;
  return Parse::kComplete;
}

bool Reader::SkipToNextLine() {
  for (;;) {
    char* nl = static_cast<char*>(std::memchr(pos_, '\n', static_cast<size_t>(end_ - pos_)));
    if (nl != nullptr) {
      pos_ = nl + 1;
      ++line_;
      return true;
    }
    pos_ = end_;
    if (eof_) return true;
    if (!Refill()) return false;
  }
}

Reader::Step Reader::Next() {
  if (fatal_) return Step::kEnd;
  if (!started_) {
    if (!Refill()) return Step::kError;
    started_ = true;
    if (end_ - pos_ >= 3 && static_cast<unsigned char>(pos_[0]) == 0xEF &&
        static_cast<unsigned char>(pos_[1]) == 0xBB &&
        static_cast<unsigned char>(pos_[2]) == 0xBF) {
      pos_ += 3;
    }
  }
  if (skip_line_) {
    skip_line_ = false;
    if (!SkipToNextLine()) return Step::kError;
  }
  for (;;) {
    const Parse parse = ParseRecord();
    switch (parse) {
      case Parse::kNeedMore:
        if (!Refill()) return Step::kError;
        continue;
      case Parse::kError:
        skip_line_ = true;
        return Step::kError;
      case Parse::kFatal:
        fatal_ = true;
        return Step::kError;
      case Parse::kComplete:
        break;
    }
    if (spans_.empty()) return Step::kEnd;
    if (options_.check_field_count) {
      if (expected_fields_ == 0) {
        expected_fields_ = fields_.size();
      } else if (fields_.size() != expected_fields_) {
        const size_t n = fields_.size();
        error_ = InvalidArgumentError(
            name_ + ":" + std::to_string(record_.line) + ":" +
            std::to_string(n > expected_fields_ ? expected_fields_ + 1 : n) + ": a row with " +
            std::to_string(n) + (n == 1 ? " field" : " fields") + "; expected " +
            std::to_string(expected_fields_) +
            " fields, as in the header (a value containing a comma must be in double quotes)");
        return Step::kError;
      }
    }
    return Step::kRecord;
  }
}

std::string_view TrimSpaces(std::string_view text) {
  size_t b = 0, e = text.size();
  while (b < e && (text[b] == ' ' || text[b] == '\t')) ++b;
  while (e > b && (text[e - 1] == ' ' || text[e - 1] == '\t')) --e;
  return text.substr(b, e - b);
}

std::optional<size_t> FindColumn(std::span<const std::string_view> header, std::string_view name) {
  const std::string_view want = TrimSpaces(name);
  for (size_t i = 0; i < header.size(); ++i) {
    if (TrimSpaces(header[i]) == want) return i;
  }
  return std::nullopt;
}

void AppendCsvField(std::string_view text, std::string* out) {
  bool quote = !text.empty() && (text.front() == ' ' || text.back() == ' ');
  if (!quote) {
    for (const char c : text) {
      if (c == ',' || c == '"' || c == '\n' || c == '\r') {
        quote = true;
        break;
      }
    }
  }
  if (!quote) {
    out->append(text);
    return;
  }
  out->push_back('"');
  for (const char c : text) {
    out->push_back(c);
    if (c == '"') out->push_back('"');
  }
  out->push_back('"');
}

}  // namespace shewhart::csv
