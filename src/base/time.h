// Wall-clock time as Shewhart records it: ISO 8601 UTC text to the second ("2024-05-02T10:00:00Z"),
// the form every audit entry, batch and migration row stores. Dates without a time are
// base/date.h.
//
// Thread-safe.
//
// Example:
//   std::string at = NowUtc();            // "2026-12-03T15:52:10Z"
//   std::string t = IsoUtc(1700000000);   // "2023-11-14T22:13:20Z"
#ifndef SHEWHART_BASE_TIME_H_
#define SHEWHART_BASE_TIME_H_

#include <cstdint>
#include <string>

namespace shewhart {

// Seconds since the Unix epoch, now.
int64_t NowSeconds();

// `seconds` since the Unix epoch as "YYYY-MM-DDTHH:MM:SSZ".
std::string IsoUtc(int64_t seconds);

// IsoUtc(NowSeconds()).
std::string NowUtc();

}  // namespace shewhart

#endif  // SHEWHART_BASE_TIME_H_
