// THE route table: every route of the API with the roles and scope it needs. Access is enforced
// from this table in one place (Api::Handle in api.cc); the OpenAPI document is generated from it.
#include "server/routes.h"

#include "server/internal/handlers.h"

namespace shewhart::server {
namespace {

using access::Role;
using access::RoleSet;
using http::Method;
namespace h = handlers;

constexpr RoleSet kAnyone = RoleSet::All();
constexpr RoleSet kAdmin{Role::kAdministrator};
constexpr RoleSet kAgreers{Role::kAdministrator, Role::kSystemQualityLead};
constexpr RoleSet kProposers{Role::kAdministrator, Role::kSystemQualityLead,
                             Role::kOrganisationQualityLead, Role::kQiPractitioner};
constexpr RoleSet kSubmitters{Role::kAdministrator, Role::kSystemQualityLead,
                              Role::kOrganisationQualityLead, Role::kDataSubmitter};
constexpr RoleSet kNoteWriters{Role::kAdministrator, Role::kSystemQualityLead,
                               Role::kOrganisationQualityLead, Role::kQiPractitioner};

constexpr Auth kPublic = Auth::kPublic;
constexpr Auth kSession = Auth::kSession;
constexpr ScopeRule kPublished = ScopeRule::kPublished;
constexpr ScopeRule kOrg = ScopeRule::kOrgInPath;
constexpr ScopeRule kFiltered = ScopeRule::kFiltered;
constexpr BodyKind kNone = BodyKind::kNone;
constexpr BodyKind kJson = BodyKind::kJson;
constexpr BodyKind kUpload = BodyKind::kUpload;

// clang-format off
const Route kRoutes[] = {
  // method          path                                              summary                                                       auth      roles        scope       body     handler               query parameters
  {Method::kGet,    "/api/health",                                     "Liveness and database check",                                kPublic,  kAnyone,     kPublished, kNone,   h::Health},
  {Method::kGet,    "/api/openapi.json",                               "This API as an OpenAPI 3.0 document",                        kPublic,  kAnyone,     kPublished, kNone,   h::OpenApi},
  {Method::kPost,   "/api/session",                                    "Sign in: sets the session cookie, returns csrf_token",       kPublic,  kAnyone,     kPublished, kJson,   h::SignIn},
  {Method::kDelete, "/api/session",                                    "Sign out",                                                   kSession, kAnyone,     kPublished, kNone,   h::SignOut},
  {Method::kGet,    "/api/session",                                    "Who is signed in",                                           kSession, kAnyone,     kPublished, kNone,   h::WhoAmI},
  {Method::kGet,    "/api/users",                                      "Accounts",                                                   kSession, kAdmin,      kPublished, kNone,   h::ListUsers},
  {Method::kPost,   "/api/users",                                      "Create an account",                                          kSession, kAdmin,      kPublished, kJson,   h::CreateUser},
  {Method::kPost,   "/api/users/{id}/unlock",                          "Lift an account's sign-in lock-out",                         kSession, kAdmin,      kPublished, kNone,   h::UnlockUser},
  {Method::kGet,    "/api/audit",                                      "The audit log, newest first",                                kSession, kAdmin,      kPublished, kNone,   h::ListAudit,          "limit,before"},
  {Method::kGet,    "/api/organisations",                              "Organisations and other units",                              kSession, kAnyone,     kPublished, kNone,   h::ListOrganisations,  "kind,place"},
  {Method::kGet,    "/api/organisations/{org}",                        "One organisation with its history",                          kSession, kAnyone,     kPublished, kNone,   h::GetOrganisation},
  {Method::kGet,    "/api/metrics",                                    "The dictionary: every metric's latest definition",           kSession, kAnyone,     kPublished, kNone,   h::ListMetrics,        "domain,status"},
  {Method::kGet,    "/api/metrics/{code}",                             "One metric with its version history",                        kSession, kAnyone,     kPublished, kNone,   h::GetMetric},
  {Method::kPost,   "/api/metrics",                                    "Propose a definition (a new draft version)",                 kSession, kProposers,  kPublished, kJson,   h::ProposeMetric},
  {Method::kPost,   "/api/metrics/{code}/versions/{version}/agree",    "Agree a draft definition",                                   kSession, kAgreers,    kPublished, kNone,   h::AgreeVersion},
  {Method::kPost,   "/api/metrics/{code}/versions/{version}/retire",   "Retire an agreed definition",                                kSession, kAgreers,    kPublished, kNone,   h::RetireVersion},
  {Method::kGet,    "/api/glossary",                                   "The glossary: every term's latest definition",               kSession, kAnyone,     kPublished, kNone,   h::ListGlossary},
  {Method::kGet,    "/api/glossary/{term}",                            "One term with its version history",                          kSession, kAnyone,     kPublished, kNone,   h::GetGlossaryTerm},
  {Method::kPut,    "/api/glossary/{term}",                            "Define a term (a new version)",                              kSession, kAgreers,    kPublished, kJson,   h::SetGlossaryTerm},
  {Method::kGet,    "/api/board",                                      "Board summary: metrics x organisations with both icons",     kSession, kAnyone,     kPublished, kNone,   h::Board,              "domain,place,kind,metric,limit,offset"},
  {Method::kGet,    "/api/board/export.xlsx",                          "The board summary as an Excel workbook with native charts",  kSession, kAnyone,     kPublished, kNone,   h::BoardWorkbook,      "domain,place,kind,metric"},
  {Method::kGet,    "/api/board/pack.pdf",                             "The board pack: summary, then a chart per signal (PDF)",     kSession, kAnyone,     kPublished, kNone,   h::BoardPack,          "domain,place,kind,metric"},
  {Method::kGet,    "/api/series/{metric}/{unit}",                     "A series' stored SPC result: summary and every point",       kSession, kAnyone,     kPublished, kNone,   h::Series,             "aggregate"},
  {Method::kPost,   "/api/series/{metric}/{unit}/recalculations",      "Recalculate the limits from a period, with a reason",        kSession, kAgreers,    kPublished, kJson,   h::AddRecalculation,   "aggregate"},
  {Method::kGet,    "/api/series/{metric}/{unit}/annotations",         "A series' annotations (events at its periods)",              kSession, kAnyone,     kPublished, kNone,   h::ListAnnotations,    "aggregate"},
  {Method::kPost,   "/api/series/{metric}/{unit}/annotations",         "Annotate a series: an event at one of its periods",          kSession, kProposers,  kPublished, kJson,   h::AddAnnotation,      "aggregate"},
  {Method::kGet,    "/api/observations/{metric}/{unit}",               "A series' observations with their corrections",              kSession, kAnyone,     kPublished, kNone,   h::Observations},
  {Method::kGet,    "/api/funnel/{metric}",                            "Funnel of all organisations for one period",                 kSession, kAnyone,     kPublished, kNone,   h::Funnel,             "period"},
  {Method::kGet,    "/api/standing/{metric}",                          "Rank and quartile of all organisations for one period",      kSession, kAnyone,     kPublished, kNone,   h::Standing,           "period"},
  {Method::kGet,    "/api/trend/{metric}/{unit}",                      "Rate of improvement of a series (per year, with 95% CI)",    kSession, kAnyone,     kPublished, kNone,   h::Trend},
  {Method::kGet,    "/api/submissions",                                "Completeness and timeliness per organisation",               kSession, kAnyone,     kPublished, kNone,   h::Submissions,        "as_of"},
  {Method::kPost,   "/api/imports",                                    "Upload a file to import (CSV or .xlsx body)",                kSession, kSubmitters, kPublished, kUpload, h::UploadImport,       "kind,file_name"},
  {Method::kGet,    "/api/imports/{id}",                               "An upload and its state",                                    kSession, kSubmitters, kPublished, kNone,   h::GetImport},
  {Method::kPost,   "/api/imports/{id}/preview",                       "Dry run: what the upload would add or change",               kSession, kSubmitters, kPublished, kNone,   h::PreviewImport},
  {Method::kPost,   "/api/imports/{id}/commit",                        "Import the upload, all or nothing",                          kSession, kSubmitters, kPublished, kNone,   h::CommitImport},
  {Method::kGet,    "/api/notes",                                      "Soft-intelligence notes in your scope (restricted)",         kSession, kAnyone,     kFiltered,  kNone,   h::ListNotes},
  {Method::kGet,    "/api/organisations/{org}/notes",                  "An organisation's soft-intelligence notes (restricted)",     kSession, kAnyone,     kOrg,       kNone,   h::ListOrgNotes},
  {Method::kPost,   "/api/organisations/{org}/notes",                  "Add a soft-intelligence note (restricted)",                  kSession, kNoteWriters, kOrg,      kJson,   h::AddOrgNote},
};
// clang-format on

}  // namespace

std::span<const Route> Routes() { return kRoutes; }

}  // namespace shewhart::server
