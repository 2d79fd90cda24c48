#include "oversight/definitions.h"

#include "directory/directory.h"

namespace shewhart::oversight {
namespace {

template <typename Step>
Result<DefinitionOutcome> StepAndRecompute(db::Connection& conn, std::string_view code,
                                           int32_t version, const access::Acting& who, Step step) {
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  DefinitionOutcome out;
  ASSIGN_OR_RETURN(out.before, step(conn, code, version, who));
  // Loaded after the step, so that the recomputation reads the version as it now stands.
  ASSIGN_OR_RETURN(directory::Directory dir, directory::Directory::Load(conn));
  ASSIGN_OR_RETURN(dictionary::Dictionary dict, dictionary::Dictionary::Load(conn));
  const dictionary::Metric* metric = dict.FindByCode(code);
  if (metric == nullptr) return NotFoundError("there is no metric \"" + std::string(code) + "\"");
  ASSIGN_OR_RETURN(out.recomputed, RecomputeMetricSpc(conn, dir, dict, metric->id, who.at));
  RETURN_IF_ERROR(tx.Commit());
  return out;
}

}  // namespace

Result<DefinitionOutcome> AgreeDefinition(db::Connection& conn, std::string_view code,
                                          int32_t version, const access::Acting& who) {
  return StepAndRecompute(conn, code, version, who, dictionary::AgreeVersion);
}

Result<DefinitionOutcome> RetireDefinition(db::Connection& conn, std::string_view code,
                                           int32_t version, const access::Acting& who) {
  return StepAndRecompute(conn, code, version, who, dictionary::RetireVersion);
}

}  // namespace shewhart::oversight
