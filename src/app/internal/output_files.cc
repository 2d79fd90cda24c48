#include "app/internal/output_files.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace shewhart::app {
namespace {

std::string Errno() { return std::strerror(errno); }

}  // namespace

OutputFile::OutputFile(std::string path, std::string temp_path, int fd)
    : path_(std::move(path)), temp_path_(std::move(temp_path)), fd_(fd) {}

Result<std::unique_ptr<OutputFile>> OutputFile::Create(const std::string& path) {
  std::string temp = path + ".tmp-XXXXXX";
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) return IoError(path + ": cannot create the output file: " + Errno());
  ::fchmod(fd, 0644);
  return std::unique_ptr<OutputFile>(new OutputFile(path, std::move(temp), fd));
}

OutputFile::~OutputFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_path_.c_str());
}

int64_t OutputFile::Reserve(size_t size) {
  const int64_t offset = size_;
  size_ += static_cast<int64_t>(size);
  return offset;
}

Status OutputFile::Write(std::string_view data) { return WriteAt(Reserve(data.size()), data); }

Status OutputFile::WriteAt(int64_t offset, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::pwrite(fd_, data.data(), data.size(), offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError(path_ + ": write failed: " + Errno());
    }
    data.remove_prefix(static_cast<size_t>(n));
    offset += n;
  }
  return Status::Ok();
}

Status OutputFile::Truncate() {
  if (::ftruncate(fd_, 0) != 0) return IoError(path_ + ": cannot empty the file: " + Errno());
  size_ = 0;
  return Status::Ok();
}

Status OutputFile::Commit() {
  if (fd_ < 0) return InternalError(path_ + ": committed twice");
  const bool closed = ::close(fd_) == 0;
  fd_ = -1;
  if (!closed) return IoError(path_ + ": write failed: " + Errno());
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    return IoError(path_ + ": cannot move the finished file into place: " + Errno());
  }
  committed_ = true;
  return Status::Ok();
}

OutputDirectory::OutputDirectory(std::string dir, std::string staging, bool created_dir)
    : dir_(std::move(dir)), staging_(std::move(staging)), created_dir_(created_dir) {}

Result<std::unique_ptr<OutputDirectory>> OutputDirectory::Create(const std::string& dir) {
  bool created = false;
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) {
    if (::mkdir(dir.c_str(), 0755) != 0) {
      return IoError(dir + ": cannot create the plot directory: " + Errno());
    }
    created = true;
  } else if (!S_ISDIR(st.st_mode)) {
    return IoError(dir + ": exists and is not a directory");
  }
  std::string staging = dir + "/.shewhart-tmp-XXXXXX";
  if (::mkdtemp(staging.data()) == nullptr) {
    if (created) ::rmdir(dir.c_str());
    return IoError(dir + ": cannot write in the plot directory: " + Errno());
  }
  return std::unique_ptr<OutputDirectory>(new OutputDirectory(dir, std::move(staging), created));
}

OutputDirectory::~OutputDirectory() {
  if (committed_) return;
  // Remove whatever is staged, including files written through StagingPath().
  if (DIR* d = ::opendir(staging_.c_str())) {
    while (const dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      ::unlink((staging_ + "/" + name).c_str());
    }
    ::closedir(d);
  }
  ::rmdir(staging_.c_str());
  if (created_dir_) ::rmdir(dir_.c_str());
}

Status OutputDirectory::Write(const std::string& name, std::string_view data) {
  const std::string path = StagingPath(name);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return IoError(path + ": cannot create: " + Errno());
  const bool ok = std::fwrite(data.data(), 1, data.size(), f) == data.size();
  if (std::fclose(f) != 0 || !ok) return IoError(path + ": write failed: " + Errno());
  return Status::Ok();
}

std::string OutputDirectory::StagingPath(const std::string& name) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    names_.push_back(name);
  }
  return staging_ + "/" + name;
}

Status OutputDirectory::Commit() {
  for (const std::string& name : names_) {
    const std::string from = staging_ + "/" + name;
    const std::string to = dir_ + "/" + name;
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return IoError(to + ": cannot move the chart into place: " + Errno());
    }
  }
  ::rmdir(staging_.c_str());
  committed_ = true;
  return Status::Ok();
}

}  // namespace shewhart::app
