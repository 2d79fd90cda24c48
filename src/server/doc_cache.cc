#include "server/doc_cache.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <utility>
#include <vector>

namespace shewhart::server {
namespace {

std::string GzipOf(std::string_view in) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return "";
  }
  std::string out(deflateBound(&z, in.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  const size_t n = z.total_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END || n >= in.size()) return "";
  out.resize(n);
  return out;
}

// FNV-1a, 64 bits: the ETag only has to tell two versions of one document apart.
std::string HashHex(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  char out[17];
  std::snprintf(out, sizeof(out), "%016llx", static_cast<unsigned long long>(h));
  return std::string(out, 16);
}

// True if an If-None-Match value names `etag` (weak comparison: W/ is ignored on both sides).
bool NoneMatchNames(std::string_view header, std::string_view etag) {
  auto strip = [](std::string_view t) {
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
    if (t.starts_with("W/")) t.remove_prefix(2);
    return t;
  };
  const std::string_view want = strip(etag);
  while (!header.empty()) {
    const size_t comma = header.find(',');
    const std::string_view one = strip(header.substr(0, comma));
    if (one == "*" || one == want) return true;
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
  }
  return false;
}

bool AcceptsGzip(std::string_view accept_encoding) {
  // "gzip" listed and not refused with q=0 (the common forms; anything odd gets plain bytes).
  const size_t at = accept_encoding.find("gzip");
  if (at == std::string_view::npos) return false;
  const std::string_view rest = accept_encoding.substr(at + 4);
  const size_t comma = rest.find(',');
  const std::string_view params = rest.substr(0, comma);
  return params.find("q=0") == std::string_view::npos || params.find("q=0.") != std::string_view::npos;
}

}  // namespace

std::string DocCache::Key(std::string_view action, const http::Request& req,
                          std::string_view visibility, std::string_view day) {
  std::vector<std::pair<std::string, std::string>> query(req.query.begin(), req.query.end());
  std::sort(query.begin(), query.end());
  std::string key;
  key.reserve(128);
  key.append(action).append(1, '\n').append(req.path).append(1, '\n');
  for (const auto& [k, v] : query) {
    // Lengths first: no choice of names and values makes two different queries one key.
    key.append(std::to_string(k.size())).append(1, ':').append(k);
    key.append(std::to_string(v.size())).append(1, ':').append(v);
  }
  key.append(1, '\n').append(visibility).append(1, '\n').append(day);
  return key;
}

std::shared_ptr<const DocCache::Entry> DocCache::Find(const std::string& key, int64_t version) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = entries_.find(key);
  if (it == entries_.end() || it->second->version != version) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  return it->second;
}

std::shared_ptr<const DocCache::Entry> DocCache::Put(const std::string& key, int64_t version,
                                                     http::Response r) {
  auto entry = std::make_shared<Entry>();
  entry->version = version;
  entry->content_type = std::move(r.content_type);
  entry->gzip = GzipOf(r.body);
  entry->etag = "W/\"" + HashHex(r.body) + "\"";
  entry->body = std::move(r.body);
  for (auto& [k, v] : r.headers) {
    std::string lower = k;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    // Ours are set by Answer().
    if (lower == "etag" || lower == "cache-control" || lower == "vary" ||
        lower == "content-encoding" || lower == "set-cookie") {
      continue;
    }
    entry->headers.emplace_back(std::move(k), std::move(v));
  }
  const size_t size = entry->body.size() + entry->gzip.size() + key.size();
  std::lock_guard<std::mutex> lock(mu_);
  if (size > max_bytes_) return entry;  // served, not kept
  if (bytes_ + size > max_bytes_) {
    // Older versions first (they can no longer be served here unless a replica lags), then all.
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (it->second->version < version) {
        bytes_ -= it->second->body.size() + it->second->gzip.size() + it->first.size();
        it = entries_.erase(it);
      } else {
        ++it;
      }
    }
    if (bytes_ + size > max_bytes_) {
      entries_.clear();
      bytes_ = 0;
    }
  }
  auto [it, inserted] = entries_.try_emplace(key, entry);
  if (!inserted) {
    bytes_ -= it->second->body.size() + it->second->gzip.size() + it->first.size();
    it->second = entry;
  }
  bytes_ += size;
  return entry;
}

http::Response DocCache::Answer(const Entry& entry, const http::Request& req) {
  http::Response out;
  out.content_type = entry.content_type;
  out.headers = entry.headers;
  out.headers.emplace_back("ETag", entry.etag);
  out.headers.emplace_back("Cache-Control", "private, no-cache");
  out.headers.emplace_back("Vary", "Accept-Encoding, Cookie");
  const std::string if_none_match = req.Header("if-none-match");
  if (!if_none_match.empty() && NoneMatchNames(if_none_match, entry.etag)) {
    out.status = 304;
    out.content_type.clear();
    return out;
  }
  out.status = 200;
  if (!entry.gzip.empty() && AcceptsGzip(req.Header("accept-encoding"))) {
    out.body = entry.gzip;
    out.headers.emplace_back("Content-Encoding", "gzip");
  } else {
    out.body = entry.body;
  }
  return out;
}

size_t DocCache::entries() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}
size_t DocCache::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}
int64_t DocCache::hits() const {
  std::lock_guard<std::mutex> lock(mu_);
  return hits_;
}
int64_t DocCache::misses() const {
  std::lock_guard<std::mutex> lock(mu_);
  return misses_;
}

}  // namespace shewhart::server
