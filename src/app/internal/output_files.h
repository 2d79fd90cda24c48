// All-or-nothing output files: written beside their target under a temporary name and renamed
// into place only when the whole command has succeeded.
//
// A command that fails half-way must leave no output behind, not even a truncated one, so an
// analyst (or a script) never mistakes a partial file for a result. Every file a command writes
// goes through an OutputFile; files for a directory (e.g. one chart per series) go through an
// OutputDirectory, which stages them in a hidden sub-directory. Nothing is visible at the target
// paths until Commit(); destruction without Commit() removes every temporary.
//
// Thread-safety: OutputFile::WriteAt may be called concurrently for disjoint ranges (so threads can
// write their parts of a file in parallel); the other methods are thread-compatible.
// OutputDirectory::Write is thread-safe.
//
// Example:
//   ASSIGN_OR_RETURN(std::unique_ptr<OutputFile> out, OutputFile::Create("points.csv"));
//   RETURN_IF_ERROR(out->Write("series,date\n"));
//   RETURN_IF_ERROR(out->Commit());   // now points.csv exists
#ifndef SHEWHART_APP_INTERNAL_OUTPUT_FILES_H_
#define SHEWHART_APP_INTERNAL_OUTPUT_FILES_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace shewhart::app {

class OutputFile {
 public:
  // Creates a temporary file beside `path`. IoError if the directory is not writable.
  static Result<std::unique_ptr<OutputFile>> Create(const std::string& path);
  ~OutputFile();  // removes the temporary unless committed
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // Appends `data` at the end of what was written or reserved so far.
  Status Write(std::string_view data);
  // Reserves the next `size` bytes of the file and returns their offset, for WriteAt.
  int64_t Reserve(size_t size);
  // Writes `data` at `offset`. REQUIRES: the range was reserved. Thread-safe for disjoint ranges.
  Status WriteAt(int64_t offset, std::string_view data);
  // Empties the file: what was written is discarded and the next Write starts at offset 0.
  Status Truncate();
  // Flushes, closes and renames the temporary to the target path.
  Status Commit();

  const std::string& path() const { return path_; }

 private:
  OutputFile(std::string path, std::string temp_path, int fd);
  std::string path_;
  std::string temp_path_;
  int fd_;
  int64_t size_ = 0;
  bool committed_ = false;
};

class OutputDirectory {
 public:
  // Prepares `dir` (created if missing) and a hidden staging directory inside it.
  static Result<std::unique_ptr<OutputDirectory>> Create(const std::string& dir);
  ~OutputDirectory();  // removes staged files, and `dir` itself if this created it
  OutputDirectory(const OutputDirectory&) = delete;
  OutputDirectory& operator=(const OutputDirectory&) = delete;

  // Stages `data` as file `name` (a plain file name, no slashes). Thread-safe.
  Status Write(const std::string& name, std::string_view data);
  // The staging path for `name`, for writers that need a path (e.g. a PDF library). The file
  // must be created there before Commit().
  std::string StagingPath(const std::string& name);
  // Moves every staged file into `dir`, replacing files of the same name.
  Status Commit();

 private:
  OutputDirectory(std::string dir, std::string staging, bool created_dir);
  std::string dir_;
  std::string staging_;
  bool created_dir_;
  bool committed_ = false;
  std::mutex mutex_;
  std::vector<std::string> names_;
};

}  // namespace shewhart::app

#endif  // SHEWHART_APP_INTERNAL_OUTPUT_FILES_H_
