// The document cache: read-mostly answers (the board and its report, the funnel, standing, the
// metric page's small multiples, a series) kept as encoded bytes, so that the thousandth person
// opening the board in a meeting costs what a static file costs. It does not know what a document
// holds: it keeps a handler's 200 answer whole, per
//   (route action, path, query parameters sorted, the caller's visibility key, the day),
// stamped with the database's data version (access::DataVersion, bumped by every commit that
// changes data). An entry serves only while the database answers the same version, so every
// server process on one database — and every replica, which reads the version it has replayed —
// stays correct without telling the others anything.
//
// Each entry is kept twice: as is and gzip-compressed (once, when stored). Its ETag is a hash of
// the bytes, so it is the same in every process and survives a version bump that did not change
// the document; `If-None-Match` with it answers 304 without a body. Answers carry
// `Cache-Control: private, no-cache` (a browser may keep the document but asks again each time)
// and `Vary: Accept-Encoding, Cookie`.
//
// Bounded: at most `max_bytes` of bytes kept (as is + gzip); when full, entries of older versions
// go first, then everything. Thread-safe.
//
// Example:
//   DocCache cache(256u << 20);
//   std::string key = DocCache::Key("board.read", req, "viewer:12", "2026-12-03");
//   if (auto hit = cache.Find(key, version)) return cache.Answer(*hit, req);
//   http::Response r = ...handler...;
//   if (r.status == 200) return cache.Answer(cache.Put(key, version, std::move(r)), req);
#ifndef SHEWHART_SERVER_DOC_CACHE_H_
#define SHEWHART_SERVER_DOC_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "http/http.h"

namespace shewhart::server {

class DocCache {
 public:
  struct Entry {
    int64_t version = 0;
    std::string content_type;
    std::string body;  // as the handler made it
    std::string gzip;  // the same, gzip-compressed ("" when it would not be smaller)
    std::string etag;  // W/"<hash of body>"
    std::vector<std::pair<std::string, std::string>> headers;  // the handler's own
  };

  explicit DocCache(size_t max_bytes) : max_bytes_(max_bytes) {}

  // The cache key of a request: the action, the path, every query parameter sorted by name and
  // value, who may see what (`visibility`) and the day (`day`, for documents that say "today").
  static std::string Key(std::string_view action, const http::Request& req,
                         std::string_view visibility, std::string_view day);

  // The entry for `key` if it was made at `version`; nullptr otherwise.
  std::shared_ptr<const Entry> Find(const std::string& key, int64_t version);

  // Keeps a handler's 200 answer for `key` at `version` and returns the entry.
  std::shared_ptr<const Entry> Put(const std::string& key, int64_t version, http::Response r);

  // The answer to `req` from `entry`: 304 when If-None-Match names its ETag, else 200 with the
  // gzip bytes when the client accepts gzip, the plain bytes otherwise.
  static http::Response Answer(const Entry& entry, const http::Request& req);

  // For tests and the health of the cache.
  size_t entries() const;
  size_t bytes() const;
  int64_t hits() const;
  int64_t misses() const;

 private:
  size_t max_bytes_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const Entry>> entries_;
  size_t bytes_ = 0;
  int64_t hits_ = 0;
  int64_t misses_ = 0;
};

}  // namespace shewhart::server

#endif  // SHEWHART_SERVER_DOC_CACHE_H_
