// Downloads: a body sent as a named attachment (never cached by a browser or a proxy), and the
// documents whose writers need a path (cairo's PDF surface, libxlsxwriter), written to a private
// temporary file (base/temp_file.h) that is read back and removed before the answer goes out.
#ifndef SHEWHART_SERVER_INTERNAL_ATTACHMENT_H_
#define SHEWHART_SERVER_INTERNAL_ATTACHMENT_H_

#include <string>
#include <string_view>
#include <utility>

#include "base/status.h"
#include "base/temp_file.h"
#include "http/http.h"

namespace shewhart::server::handlers {

inline http::Response Attachment(std::string body, std::string content_type,
                                 std::string_view filename) {
  http::Response r;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  r.headers.emplace_back("Content-Disposition",
                         "attachment; filename=\"" + std::string(filename) + "\"");
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

// `write(path)` returns a Status; its file's bytes become the attachment.
template <typename Write>
Result<http::Response> WrittenAttachment(std::string_view suffix, Write&& write,
                                         std::string content_type, std::string_view filename) {
  ASSIGN_OR_RETURN(TempFile file, TempFile::Create("download", suffix));
  RETURN_IF_ERROR(write(file.path()));
  ASSIGN_OR_RETURN(std::string body, file.Read());
  return Attachment(std::move(body), std::move(content_type), filename);
}

}  // namespace shewhart::server::handlers

#endif  // SHEWHART_SERVER_INTERNAL_ATTACHMENT_H_
