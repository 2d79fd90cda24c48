// Content hashes: SHA-256 of bytes as lower-case hex, the fingerprint kept with every import
// batch and upload (so a re-import of the same file is recognised) and, for tokens, the only
// form in which sessions are stored. Backed by libsodium.
//
// Thread-safe.
//
// Example:
//   std::string h = Sha256Hex("abc");  // "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#ifndef SHEWHART_BASE_HASH_H_
#define SHEWHART_BASE_HASH_H_

#include <string>
#include <string_view>

namespace shewhart {

// SHA-256 of `bytes`, 64 lower-case hex digits.
std::string Sha256Hex(std::string_view bytes);

}  // namespace shewhart

#endif  // SHEWHART_BASE_HASH_H_
