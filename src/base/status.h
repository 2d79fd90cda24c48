// Status and Result<T>: how Shewhart reports an expected failure.
//
// A fallible function returns Status (or Result<T> when it also produces a value). Exceptions are
// used only at module edges, where a third-party library throws; they are caught there and turned
// into a Status. The codes are protocol-neutral: the command line maps them to exit statuses and
// the HTTP layer to HTTP statuses, each in exactly one place.
//
// Which code to use:
//   kInvalidArgument   the caller's input is wrong (bad CSV cell, bad option); the message says
//                      where and why, in words a non-programmer can act on.
//   kNotFound          a named thing (file, series, metric) does not exist.
//   kAlreadyExists     a thing that must be unique is there already.
//   kFailedPrecondition the system is not in a state to do this (e.g. definition not agreed).
//   kPermissionDenied  the person may not do this.
//   kResourceExhausted a limit was hit (size, time, memory budget).
//   kIoError           the operating system refused a read or write.
//   kInternal          a bug: an invariant did not hold.
//
// Example:
//   Result<int> ParsePositive(std::string_view s);
//   ...
//   ASSIGN_OR_RETURN(int n, ParsePositive(text));
//   RETURN_IF_ERROR(Write(n));
#ifndef SHEWHART_BASE_STATUS_H_
#define SHEWHART_BASE_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace shewhart {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,
  kPermissionDenied,
  kResourceExhausted,
  kIoError,
  kInternal,
};

// Stable lower-case name of a code ("invalid_argument"), used in JSON error bodies and logs.
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "invalid_argument: <message>", or "ok".
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgumentError(std::string message) {
  return Status(StatusCode::kInvalidArgument, std::move(message));
}
inline Status NotFoundError(std::string message) {
  return Status(StatusCode::kNotFound, std::move(message));
}
inline Status FailedPreconditionError(std::string message) {
  return Status(StatusCode::kFailedPrecondition, std::move(message));
}
inline Status ResourceExhaustedError(std::string message) {
  return Status(StatusCode::kResourceExhausted, std::move(message));
}
inline Status IoError(std::string message) {
  return Status(StatusCode::kIoError, std::move(message));
}
inline Status InternalError(std::string message) {
  return Status(StatusCode::kInternal, std::move(message));
}

// A value or a non-OK Status. REQUIRES: never constructed from an OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : data_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(data_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  // The error; an OK Status when this holds a value.
  Status status() const { return ok() ? Status() : std::get<Status>(data_); }

  // REQUIRES: ok().
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace shewhart

#define SHEWHART_CONCAT_INNER_(a, b) a##b
#define SHEWHART_CONCAT_(a, b) SHEWHART_CONCAT_INNER_(a, b)

// Returns the Status from the enclosing function if `expr` is not OK.
#define RETURN_IF_ERROR(expr)                      \
  do {                                             \
    ::shewhart::Status _status_ = (expr);          \
    if (!_status_.ok()) return _status_;           \
  } while (false)

// `lhs` = the value of the Result `rexpr`, or returns its Status from the enclosing function.
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  ASSIGN_OR_RETURN_IMPL_(SHEWHART_CONCAT_(_result_, __LINE__), lhs, rexpr)
#define ASSIGN_OR_RETURN_IMPL_(result, lhs, rexpr) \
  auto result = (rexpr);                           \
  if (!result.ok()) return result.status();        \
  lhs = std::move(result).value()

#endif  // SHEWHART_BASE_STATUS_H_
