// THE route table: every route of the API with the roles and scope it needs. Access is enforced
// from this table in one place (Api::Handle in api.cc); the OpenAPI document is generated from it.
#include "server/routes.h"

#include "server/internal/handlers.h"
#include "server/internal/handlers_capability.h"
#include "server/internal/handlers_intelligence.h"
#include "server/internal/handlers_learning.h"

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
// Who records evidence (incidents, complaints, audits, ratings, horizon items) on screens.
constexpr RoleSet kRecorders{Role::kAdministrator, Role::kSystemQualityLead,
                             Role::kOrganisationQualityLead, Role::kDataSubmitter};
constexpr RoleSet kNoteWriters{Role::kAdministrator, Role::kSystemQualityLead,
                               Role::kOrganisationQualityLead, Role::kQiPractitioner};

// Who records bookings and attendance and overrides tiers (in their organisations' scope).
constexpr RoleSet kCapabilityLeads{Role::kAdministrator, Role::kSystemQualityLead,
                                   Role::kOrganisationQualityLead};

// Who records lessons and responses, and actions of thematic reviews (for their organisations);
// who runs forums and sharing events; who sends the digest by e-mail.
constexpr RoleSet kLessonWriters{Role::kAdministrator, Role::kSystemQualityLead,
                                 Role::kOrganisationQualityLead, Role::kQiPractitioner};
constexpr RoleSet kForumLeads{Role::kAdministrator, Role::kSystemQualityLead,
                              Role::kOrganisationQualityLead};

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
  // method          path                                              action                      summary                                                       auth      roles        scope       body     handler               query parameters
  {Method::kGet,    "/api/health",                                     "health.read",              "Liveness and database check",                                kPublic,  kAnyone,     kPublished, kNone,   h::Health},
  {Method::kGet,    "/api/openapi.json",                               "openapi.read",             "This API as an OpenAPI 3.0 document",                        kPublic,  kAnyone,     kPublished, kNone,   h::OpenApi},
  {Method::kPost,   "/api/session",                                    "session.create",           "Sign in: sets the session cookie, returns csrf_token",       kPublic,  kAnyone,     kPublished, kJson,   h::SignIn},
  {Method::kDelete, "/api/session",                                    "session.delete",           "Sign out",                                                   kSession, kAnyone,     kPublished, kNone,   h::SignOut},
  {Method::kGet,    "/api/session",                                    "session.read",             "Who is signed in and the actions they may call",             kSession, kAnyone,     kPublished, kNone,   h::WhoAmI},
  {Method::kGet,    "/api/users",                                      "account.list",             "Accounts",                                                   kSession, kAdmin,      kPublished, kNone,   h::ListUsers},
  {Method::kPost,   "/api/users",                                      "account.create",           "Create an account",                                          kSession, kAdmin,      kPublished, kJson,   h::CreateUser},
  {Method::kPost,   "/api/users/{id}/unlock",                          "account.unlock",           "Lift an account's sign-in lock-out",                         kSession, kAdmin,      kPublished, kNone,   h::UnlockUser},
  {Method::kGet,    "/api/audit",                                      "audit.list",               "The audit log, newest first",                                kSession, kAdmin,      kPublished, kNone,   h::ListAudit,          "limit,before"},
  {Method::kGet,    "/api/organisations",                              "organisation.list",        "Organisations and other units",                              kSession, kAnyone,     kPublished, kNone,   h::ListOrganisations,  "kind,place"},
  {Method::kGet,    "/api/organisations/{org}",                        "organisation.read",        "One organisation with its history",                          kSession, kAnyone,     kPublished, kNone,   h::GetOrganisation},
  {Method::kGet,    "/api/metrics",                                    "metric.list",              "The dictionary: every metric's latest definition",           kSession, kAnyone,     kPublished, kNone,   h::ListMetrics,        "domain,status"},
  {Method::kGet,    "/api/metrics/{code}",                             "metric.read",              "One metric with its version history",                        kSession, kAnyone,     kPublished, kNone,   h::GetMetric},
  {Method::kPost,   "/api/metrics",                                    "metric.propose",           "Propose a definition (a new draft version)",                 kSession, kProposers,  kPublished, kJson,   h::ProposeMetric},
  {Method::kPost,   "/api/metrics/{code}/versions/{version}/agree",    "metric.agree",             "Agree a draft definition",                                   kSession, kAgreers,    kPublished, kNone,   h::AgreeVersion},
  {Method::kPost,   "/api/metrics/{code}/versions/{version}/retire",   "metric.retire",            "Retire an agreed definition",                                kSession, kAgreers,    kPublished, kNone,   h::RetireVersion},
  {Method::kGet,    "/api/glossary",                                   "glossary.list",            "The glossary: every term's latest definition",               kSession, kAnyone,     kPublished, kNone,   h::ListGlossary},
  {Method::kGet,    "/api/glossary/{term}",                            "glossary.read",            "One term with its version history",                          kSession, kAnyone,     kPublished, kNone,   h::GetGlossaryTerm},
  {Method::kPut,    "/api/glossary/{term}",                            "glossary.set",             "Define a term (a new version)",                              kSession, kAgreers,    kPublished, kJson,   h::SetGlossaryTerm},
  {Method::kGet,    "/api/board",                                      "board.read",               "Board summary: metrics x organisations with both icons",     kSession, kAnyone,     kPublished, kNone,   h::Board,              "domain,place,kind,metric,limit,offset"},
  {Method::kGet,    "/api/board/export.xlsx",                          "board.workbook",           "The board summary as an Excel workbook with native charts",  kSession, kAnyone,     kPublished, kNone,   h::BoardWorkbook,      "domain,place,kind,metric"},
  {Method::kGet,    "/api/board/pack.pdf",                             "board.pack",               "The board pack: summary, then a chart per signal (PDF)",     kSession, kAnyone,     kPublished, kNone,   h::BoardPack,          "domain,place,kind,metric"},
  {Method::kGet,    "/api/series/{metric}/{unit}",                     "series.read",              "A series' stored SPC result: summary and every point",       kSession, kAnyone,     kPublished, kNone,   h::Series,             "aggregate"},
  {Method::kPost,   "/api/series/{metric}/{unit}/recalculations",      "series.recalculate",       "Recalculate the limits from a period, with a reason",        kSession, kAgreers,    kPublished, kJson,   h::AddRecalculation,   "aggregate"},
  {Method::kGet,    "/api/series/{metric}/{unit}/annotations",         "series.annotations",       "A series' annotations (events at its periods)",              kSession, kAnyone,     kPublished, kNone,   h::ListAnnotations,    "aggregate"},
  {Method::kPost,   "/api/series/{metric}/{unit}/annotations",         "series.annotate",          "Annotate a series: an event at one of its periods",          kSession, kProposers,  kPublished, kJson,   h::AddAnnotation,      "aggregate"},
  {Method::kGet,    "/api/observations/{metric}/{unit}",               "observation.list",         "A series' observations with their corrections",              kSession, kAnyone,     kPublished, kNone,   h::Observations},
  {Method::kGet,    "/api/funnel/{metric}",                            "funnel.read",              "Funnel of all organisations for one period",                 kSession, kAnyone,     kPublished, kNone,   h::Funnel,             "period"},
  {Method::kGet,    "/api/standing/{metric}",                          "standing.read",            "Rank and quartile of all organisations for one period",      kSession, kAnyone,     kPublished, kNone,   h::Standing,           "period"},
  {Method::kGet,    "/api/trend/{metric}/{unit}",                      "trend.read",               "Rate of improvement of a series (per year, with 95% CI)",    kSession, kAnyone,     kPublished, kNone,   h::Trend},
  {Method::kGet,    "/api/benchmark/{metric}",                         "benchmark.read",           "Every organisation vs the benchmark (Fingertips) and its rate of improvement", kSession, kAnyone, kPublished, kNone, h::Benchmark, "period"},
  {Method::kGet,    "/api/submissions",                                "submission.list",          "Completeness and timeliness per organisation",               kSession, kAnyone,     kPublished, kNone,   h::Submissions,        "as_of"},
  {Method::kPost,   "/api/imports",                                    "import.upload",            "Upload a file to import (CSV or .xlsx body)",                kSession, kSubmitters, kPublished, kUpload, h::UploadImport,       "kind,file_name"},
  {Method::kGet,    "/api/imports/{id}",                               "import.read",              "An upload and its state",                                    kSession, kSubmitters, kPublished, kNone,   h::GetImport},
  {Method::kPost,   "/api/imports/{id}/preview",                       "import.preview",           "Dry run: what the upload would add or change",               kSession, kSubmitters, kPublished, kNone,   h::PreviewImport},
  {Method::kPost,   "/api/imports/{id}/commit",                        "import.commit",            "Import the upload, all or nothing",                          kSession, kSubmitters, kPublished, kNone,   h::CommitImport},
  {Method::kGet,    "/api/notes",                                      "note.list",                "Soft-intelligence notes in your scope (restricted)",         kSession, kAnyone,     kFiltered,  kNone,   h::ListNotes},
  {Method::kGet,    "/api/organisations/{org}/notes",                  "note.list_organisation",   "An organisation's soft-intelligence notes (restricted)",     kSession, kAnyone,     kOrg,       kNone,   h::ListOrgNotes},
  {Method::kPost,   "/api/organisations/{org}/notes",                  "note.create",              "Add a soft-intelligence note (restricted)",                  kSession, kNoteWriters, kOrg,      kJson,   h::AddOrgNote},
  {Method::kGet,    "/api/organisations/{org}/incidents",              "incident.list",            "Patient safety incidents of an organisation and the units below it (restricted)", kSession, kAnyone, kOrg, kNone, h::ListOrgIncidents, "from,to"},
  {Method::kPost,   "/api/organisations/{org}/incidents",              "incident.create",          "Record a patient safety incident (restricted)",              kSession, kRecorders,  kOrg,       kJson,   h::CreateOrgIncident},
  {Method::kGet,    "/api/organisations/{org}/complaints",             "complaint.list",           "Complaints of an organisation and the units below it (restricted)", kSession, kAnyone, kOrg,  kNone,   h::ListOrgComplaints,  "from,to"},
  {Method::kPost,   "/api/organisations/{org}/complaints",             "complaint.create",         "Record a complaint (restricted)",                            kSession, kRecorders,  kOrg,       kJson,   h::CreateOrgComplaint},
  {Method::kGet,    "/api/organisations/{org}/audits",                 "clinical_audit.list",      "Clinical audits of an organisation and the units below it",  kSession, kAnyone,     kPublished, kNone,   h::ListOrgAudits,      "from,to"},
  {Method::kPost,   "/api/organisations/{org}/audits",                 "clinical_audit.create",    "Record a clinical audit result",                             kSession, kRecorders,  kOrg,       kJson,   h::CreateOrgAudit},
  {Method::kGet,    "/api/organisations/{org}/ratings",                "rating.list",              "Regulator (CQC) ratings of an organisation and the units below it", kSession, kAnyone,  kPublished, kNone,   h::ListOrgRatings,     "from,to"},
  {Method::kPost,   "/api/organisations/{org}/ratings",                "rating.create",            "Record a regulator (CQC) rating",                            kSession, kRecorders,  kOrg,       kJson,   h::CreateOrgRating},
  {Method::kGet,    "/api/horizon",                                    "horizon.list",             "Horizon scanning: guidance, safety alerts, reports",         kSession, kAnyone,     kPublished, kNone,   h::ListHorizon,        "from,to"},
  {Method::kPost,   "/api/horizon",                                    "horizon.create",           "Record a horizon-scanning item",                             kSession, kAgreers,    kPublished, kJson,   h::CreateHorizon},
  {Method::kGet,    "/api/organisations/{org}/signals",                "signal.list",              "An organisation's signals, ranked (restricted ones in scope only)", kSession, kAnyone, kFiltered, kNone, h::OrgSignals,       "as_of"},
  {Method::kGet,    "/api/organisations/{org}/timeline",               "timeline.read",            "Every strand of evidence in date order (restricted ones in scope only)", kSession, kAnyone, kFiltered, kNone, h::OrgTimeline, "from,to"},
  {Method::kGet,    "/api/signals",                                    "signal.system",            "The system view: organisations by the weight of their signals", kSession, kAnyone,   kFiltered,  kNone,   h::SystemSignals,      "as_of,place"},
  {Method::kGet,    "/api/metrics/{code}/evidence",                    "evidence.read",            "Incidents, complaints and audits bearing on a metric (restricted ones in scope)", kSession, kAnyone, kFiltered, kNone, h::MetricEvidence},
  {Method::kGet,    "/api/search",                                     "search.read",              "Search everything you may see, best first (restricted records in scope only)", kSession, kAnyone, kFiltered, kNone, h::SearchAll, "q,kind,organisation,theme,from,to,co_design,limit"},
  {Method::kGet,    "/api/search/kinds",                               "search.kinds",             "The kinds of record search indexes, and which are present",  kSession, kAnyone,     kPublished, kNone,   h::SearchKinds},
  {Method::kGet,    "/api/lessons",                                    "lesson.list",              "Lessons you may see, newest first",                          kSession, kAnyone,     kFiltered,  kNone,   h::ListLessons,        "theme,organisation,from,to,co_design"},
  {Method::kPost,   "/api/lessons",                                    "lesson.create",            "Record a lesson for one of your organisations",              kSession, kLessonWriters, kFiltered, kJson,  h::CreateLesson},
  {Method::kGet,    "/api/lessons/{id}",                               "lesson.read",              "One lesson with its responses (anonymised ones without their source)", kSession, kAnyone, kFiltered, kNone, h::GetLesson},
  {Method::kPost,   "/api/lessons/{id}/responses",                     "lesson.respond",           "Record your organisation's response: adopted, adapted, not_applicable, reviewing", kSession, kLessonWriters, kFiltered, kJson, h::RespondToLesson},
  {Method::kGet,    "/api/lessons/{id}/spread",                        "lesson.spread",            "How far a lesson travelled, and who has not yet looked",     kSession, kAnyone,     kFiltered,  kNone,   h::LessonSpread},
  {Method::kGet,    "/api/themes",                                     "theme.list",               "Themes of the shared taxonomy (glossary terms) with their lessons", kSession, kAnyone, kFiltered, kNone,  h::ListThemes},
  {Method::kGet,    "/api/forums",                                     "forum.list",               "Learning forums with their members, meetings and reviews",   kSession, kAnyone,     kPublished, kNone,   h::ListForums},
  {Method::kPost,   "/api/forums",                                     "forum.create",             "Create a learning forum of several organisations",           kSession, kForumLeads, kPublished, kJson,   h::CreateForum},
  {Method::kGet,    "/api/forums/{id}",                                "forum.read",               "One learning forum",                                         kSession, kAnyone,     kPublished, kNone,   h::GetForum},
  {Method::kPost,   "/api/forums/{id}/meetings",                       "forum.meeting",            "Record a forum meeting and the cases discussed",             kSession, kForumLeads, kPublished, kJson,   h::AddForumMeeting},
  {Method::kPost,   "/api/forums/{id}/reviews",                        "review.create",            "Start a thematic review with its agreed learning points",    kSession, kForumLeads, kPublished, kJson,   h::CreateReview},
  {Method::kGet,    "/api/reviews/{id}",                               "review.read",              "A thematic review: incidents and lessons of its theme, actions", kSession, kAnyone,  kFiltered,  kNone,   h::GetReview},
  {Method::kPost,   "/api/reviews/{id}/actions",                       "review.action",            "Record the action your organisation took",                   kSession, kLessonWriters, kFiltered, kJson,  h::AddReviewAction},
  {Method::kGet,    "/api/events",                                     "event.list",               "Upcoming sharing events",                                    kSession, kAnyone,     kPublished, kNone,   h::ListEvents,         "from"},
  {Method::kPost,   "/api/events",                                     "event.create",             "Plan a sharing event",                                       kSession, kForumLeads, kPublished, kJson,   h::CreateEvent},
  {Method::kGet,    "/api/events.ics",                                 "event.calendar",           "Upcoming sharing events as iCalendar",                       kSession, kAnyone,     kPublished, kNone,   h::EventsCalendar},
  {Method::kGet,    "/api/events/{id}/event.ics",                      "event.ics",                "One sharing event as iCalendar",                             kSession, kAnyone,     kPublished, kNone,   h::EventCalendar},
  {Method::kGet,    "/api/digest",                                     "digest.read",              "The learning digest for a period and audience (HTML page)",  kSession, kAnyone,     kPublished, kNone,   h::DigestPage,         "from,to,audience"},
  {Method::kGet,    "/api/digest.pdf",                                 "digest.pdf",               "The learning digest as PDF",                                 kSession, kAnyone,     kPublished, kNone,   h::DigestPdf,          "from,to,audience"},
  {Method::kGet,    "/api/digest.atom",                                "digest.atom",              "The learning digest as an Atom feed",                        kSession, kAnyone,     kPublished, kNone,   h::DigestAtom,         "from,to,audience"},
  {Method::kPost,   "/api/digest/email",                               "digest.email",             "Send the digest by e-mail through the configured SMTP relay", kSession, kAgreers,   kPublished, kJson,   h::EmailDigest},
  {Method::kGet,    "/api/capability",                                 "capability.read",          "Learn / Live / Lead counts, attendance, coaches and the self-sustainability index", kSession, kAnyone, kPublished, kNone, h::Capability, "organisation,as_of"},
  {Method::kGet,    "/api/people",                                     "person.list",              "People in QI capability building, with their tiers",         kSession, kAnyone,     kPublished, kNone,   h::ListPeople,         "organisation,as_of"},
  {Method::kGet,    "/api/people/{email}",                             "person.read",              "A person's page: tier, evidence, training, coaching",        kSession, kAnyone,     kPublished, kNone,   h::GetPerson},
  {Method::kGet,    "/api/people/{email}/tier",                        "tier.read",                "A person's Learn / Live / Lead tier and the evidence for it", kSession, kAnyone,    kPublished, kNone,   h::GetPersonTier,      "as_of"},
  {Method::kPost,   "/api/people/{email}/tier",                        "tier.override",            "Override a person's tier (a reason is required)",            kSession, kCapabilityLeads, kFiltered, kJson, h::OverridePersonTier},
  {Method::kPost,   "/api/people/{email}/attendance",                  "attendance.record",        "Book a person on a course, or mark their attendance",        kSession, kCapabilityLeads, kFiltered, kJson, h::RecordPersonAttendance},
  {Method::kGet,    "/api/courses",                                    "course.list",              "QI courses by tier",                                         kSession, kAnyone,     kPublished, kNone,   h::ListCourses},
};
// clang-format on

}  // namespace

std::span<const Route> Routes() { return kRoutes; }

std::vector<std::string_view> PermittedActions(access::Role role) {
  std::vector<std::string_view> out;
  for (const Route& r : kRoutes) {
    if (r.auth == Auth::kPublic || r.roles.Contains(role)) out.push_back(r.action);
  }
  return out;
}

}  // namespace shewhart::server
