#include "base/temp_file.h"

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace shewhart {

Result<TempFile> TempFile::Create(std::string_view stem, std::string_view suffix) {
  std::error_code ec;
  const std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
  if (ec) return IoError("no temporary directory: " + ec.message());
  std::string name = (dir / ("shewhart-" + std::string(stem) + "-XXXXXX" + std::string(suffix)))
                         .string();
  const int fd = mkstemps(name.data(), static_cast<int>(suffix.size()));
  if (fd < 0) return IoError("cannot create a temporary file in " + dir.string());
  close(fd);
  return TempFile(std::move(name));
}

TempFile::TempFile(TempFile&& other) noexcept : path_(std::move(other.path_)) {
  other.path_.clear();
}

TempFile& TempFile::operator=(TempFile&& other) noexcept {
  if (this != &other) {
    if (!path_.empty()) std::remove(path_.c_str());
    path_ = std::move(other.path_);
    other.path_.clear();
  }
  return *this;
}

TempFile::~TempFile() {
  if (!path_.empty()) std::remove(path_.c_str());
}

Result<std::string> TempFile::Read() const {
  std::ifstream in(path_, std::ios::binary);
  if (!in) return IoError("cannot read back " + path_);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return IoError("cannot read back " + path_);
  return ss.str();
}

}  // namespace shewhart
