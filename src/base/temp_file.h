// A private temporary file for writers that need a path (cairo's PDF surface, libxlsxwriter):
// created with mkstemps (mode 0600, an unpredictable name, so no other user can plant or read it),
// removed when the object goes out of scope, and read back whole as bytes.
#ifndef SHEWHART_BASE_TEMP_FILE_H_
#define SHEWHART_BASE_TEMP_FILE_H_

#include <string>
#include <string_view>

#include "base/status.h"

namespace shewhart {

class TempFile {
 public:
  // A file "<temp dir>/shewhart-<stem>-XXXXXX<suffix>" (suffix such as ".pdf").
  static Result<TempFile> Create(std::string_view stem, std::string_view suffix);

  TempFile(TempFile&& other) noexcept;
  TempFile& operator=(TempFile&& other) noexcept;
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile();

  const std::string& path() const { return path_; }
  // The file's bytes as they are now.
  Result<std::string> Read() const;

 private:
  explicit TempFile(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace shewhart

#endif  // SHEWHART_BASE_TEMP_FILE_H_
