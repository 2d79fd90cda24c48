// The capability part's demo data: filled in a later step.
#include "capability/part.h"

namespace shewhart::capability {

Status FillDemo(db::Connection& conn, std::string_view actor, std::string_view at) {
  (void)conn;
  (void)actor;
  (void)at;
  return Status::Ok();
}

}  // namespace shewhart::capability
