// Handlers: soft-intelligence notes, restricted to the person's scope.
#include <nlohmann/json.hpp>

#include "http/json.h"
#include "intelligence/notes.h"
#include "server/internal/handlers.h"

namespace shewhart::server::handlers {
namespace {

using nlohmann::json;

Result<http::Response> NotesResponse(RequestContext& ctx, std::optional<std::string> org) {
  ASSIGN_OR_RETURN(access::Scope scope, ctx.Scope());
  ASSIGN_OR_RETURN(std::vector<intelligence::Note> notes,
                   intelligence::ListNotes(ctx.conn, scope, std::move(org)));
  json out = json::array();
  for (const auto& n : notes) {
    out.push_back({{"id", n.id},
                   {"organisation", n.unit_code},
                   {"text", n.text},
                   {"author", n.author},
                   {"noted_on", n.noted_on},
                   {"created_at", n.created_at}});
  }
  return http::JsonResponse({{"notes", out}});
}

}  // namespace

Result<http::Response> ListNotes(RequestContext& ctx) { return NotesResponse(ctx, std::nullopt); }

Result<http::Response> ListOrgNotes(RequestContext& ctx) {
  return NotesResponse(ctx, ctx.req.Param("org"));
}

Result<http::Response> AddOrgNote(RequestContext& ctx) {
  ASSIGN_OR_RETURN(json body, http::ParseJsonObject(ctx.req.body));
  intelligence::Note note;
  note.unit_code = ctx.req.Param("org");
  ASSIGN_OR_RETURN(note.text, http::RequiredString(body, "text", intelligence::kMaxNoteBytes));
  ASSIGN_OR_RETURN(std::optional<std::string> on, http::OptionalString(body, "noted_on", 10));
  note.noted_on = on.value_or(ctx.now.substr(0, 10));
  note.author = ctx.principal->account.email;
  ASSIGN_OR_RETURN(db::Transaction tx, db::Transaction::Begin(ctx.conn));
  ASSIGN_OR_RETURN(int64_t id, intelligence::AddNote(ctx.conn, note, ctx.now));
  // The audit keeps that a note was written, not its restricted text.
  RETURN_IF_ERROR(ctx.Audit("note.create", "note " + std::to_string(id) + " on " + note.unit_code,
                            "",
                            http::DumpJson({{"organisation", note.unit_code},
                                            {"noted_on", note.noted_on},
                                            {"bytes", note.text.size()}})));
  RETURN_IF_ERROR(tx.Commit());
  return http::JsonResponse({{"id", id}}, 201);
}

}  // namespace shewhart::server::handlers
