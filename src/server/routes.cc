// THE route table: every route of the API with the roles and scope it needs. Access is enforced
// from this table in one place (Api::Handle in api.cc); the OpenAPI document is generated from it.
#include "server/routes.h"

#include "server/internal/handlers.h"
#include "server/internal/handlers_capability.h"
#include "server/internal/handlers_improvement.h"
#include "server/internal/handlers_intelligence.h"
#include "server/internal/handlers_intelligence2.h"
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

// Who raises concerns, holds follow-ups, keeps risks and runs quality meetings (within scope).
constexpr RoleSet kConcernWriters{Role::kAdministrator, Role::kSystemQualityLead,
                                  Role::kOrganisationQualityLead};

// Who runs improvement work: projects, PDSA cycles, programmes (the services check scope and team).
constexpr RoleSet kImprovers{Role::kAdministrator, Role::kSystemQualityLead,
                             Role::kOrganisationQualityLead, Role::kQiPractitioner};
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
  {Method::kGet,    "/api/board",                                      "board.read",               "Board summary: metrics x organisations with both icons",     kSession, kAnyone,     kPublished, kNone,   h::Board,              "domain,place,kind,metric,scope,limit,offset"},
  {Method::kGet,    "/api/board/report",                               "board.report",             "The four questions for one system or organisation: targets, variation, standing, improvement", kSession, kAnyone, kPublished, kNone, h::BoardReport, "scope,domain"},
  {Method::kGet,    "/api/board/export.xlsx",                          "board.workbook",           "The board summary as an Excel workbook with native charts",  kSession, kAnyone,     kPublished, kNone,   h::BoardWorkbook,      "domain,place,kind,metric,scope"},
  {Method::kGet,    "/api/board/pack.pdf",                             "board.pack",               "The board pack: summary, then a chart per signal (PDF)",     kSession, kAnyone,     kPublished, kNone,   h::BoardPack,          "domain,place,kind,metric,scope"},
  {Method::kGet,    "/api/series/{metric}/{unit}",                     "series.read",              "A series' stored SPC result: summary and every point",       kSession, kAnyone,     kPublished, kNone,   h::Series,             "aggregate"},
  {Method::kPost,   "/api/series/{metric}/{unit}/recalculations",      "series.recalculate",       "Recalculate the limits from a period, with a reason",        kSession, kAgreers,    kPublished, kJson,   h::AddRecalculation,   "aggregate"},
  {Method::kGet,    "/api/series/{metric}/{unit}/recalculations",      "series.recalculations",    "A series' recalculations recorded by people, with who and when", kSession, kAnyone, kPublished, kNone, h::ListRecalculations, "aggregate"},
  {Method::kDelete, "/api/series/{metric}/{unit}/recalculations/{id}", "series.recalculation_undo", "Undo a recalculation (recomputes the series; audited)",    kSession, kAgreers,    kPublished, kNone,   h::UndoRecalculation,  "aggregate"},
  {Method::kGet,    "/api/series/{metric}/{unit}/annotations",         "series.annotations",       "A series' annotations (events at its periods)",              kSession, kAnyone,     kPublished, kNone,   h::ListAnnotations,    "aggregate"},
  {Method::kPost,   "/api/series/{metric}/{unit}/annotations",         "series.annotate",          "Annotate a series: an event at one of its periods",          kSession, kProposers,  kPublished, kJson,   h::AddAnnotation,      "aggregate"},
  {Method::kGet,    "/api/observations/{metric}/{unit}",               "observation.list",         "A series' observations with their corrections",              kSession, kAnyone,     kPublished, kNone,   h::Observations},
  {Method::kGet,    "/api/funnel/{metric}",                            "funnel.read",              "Funnel of all organisations for one period",                 kSession, kAnyone,     kPublished, kNone,   h::Funnel,             "period,kind,group"},
  {Method::kGet,    "/api/standing/{metric}",                          "standing.read",            "Rank and quartile of all organisations for one period",      kSession, kAnyone,     kPublished, kNone,   h::Standing,           "period,kind,group"},
  {Method::kGet,    "/api/trend/{metric}/{unit}",                      "trend.read",               "Rate of improvement of a series (per year, with 95% CI)",    kSession, kAnyone,     kPublished, kNone,   h::Trend},
  {Method::kGet,    "/api/benchmark/{metric}",                         "benchmark.read",           "Every organisation vs the benchmark (Fingertips) and its rate of improvement", kSession, kAnyone, kPublished, kNone, h::Benchmark, "period,kind,group"},
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
  {Method::kGet,    "/api/concerns",                                   "concern.list",             "Concerns in your scope (restricted)",                        kSession, kAnyone,     kFiltered,  kNone,   h::ListConcerns,       "organisation,status,owner"},
  {Method::kPost,   "/api/concerns",                                   "concern.create",           "Raise a concern from signals, with a named owner (restricted)", kSession, kConcernWriters, kFiltered, kJson, h::CreateConcern},
  {Method::kGet,    "/api/concerns/{id}",                              "concern.read",             "One concern with its history, follow-ups and actions (restricted)", kSession, kAnyone, kFiltered, kNone,  h::GetConcern},
  {Method::kPost,   "/api/concerns/{id}/status",                       "concern.move",             "Move a concern on its lifecycle, with a reason",             kSession, kConcernWriters, kFiltered, kJson, h::MoveConcern},
  {Method::kPost,   "/api/concerns/{id}/follow-ups",                   "follow_up.create",         "Record a follow-up conversation and its actions",            kSession, kConcernWriters, kFiltered, kJson, h::AddFollowUp},
  {Method::kPost,   "/api/concerns/{id}/actions",                      "action.create",            "Add an action with an owner and a due date to a concern",    kSession, kConcernWriters, kFiltered, kJson, h::AddConcernAction},
  {Method::kGet,    "/api/actions",                                    "action.list",              "Actions from follow-ups and meetings (restricted)",          kSession, kAnyone,     kFiltered,  kNone,   h::ListActions,        "owner,status,overdue"},
  {Method::kPost,   "/api/actions/{id}",                               "action.update",            "Complete or reopen an action (its owner or a quality lead)", kSession, kAnyone,     kFiltered,  kJson,   h::UpdateAction},
  {Method::kGet,    "/api/organisations/{org}/escalations",            "escalation.list",          "An organisation's escalation level and its history (restricted)", kSession, kAnyone, kOrg,    kNone,   h::ListOrgEscalations},
  {Method::kPost,   "/api/organisations/{org}/escalations",            "escalation.create",        "Move an organisation between escalation levels, with a reason", kSession, kAgreers,  kOrg,       kJson,   h::CreateOrgEscalation},
  {Method::kGet,    "/api/escalations",                                "escalation.system",        "Organisations above routine, or whose level changed (restricted)", kSession, kAnyone, kFiltered, kNone,  h::ListEscalations,    "from,to"},
  {Method::kGet,    "/api/escalation-levels",                          "escalation_level.list",    "The escalation levels with their display names and meanings", kSession, kAnyone,    kPublished, kNone,   h::ListEscalationLevels},
  {Method::kPut,    "/api/escalation-levels/{level}",                  "escalation_level.set",     "Rename an escalation level or restate its meaning",          kSession, kAgreers,    kPublished, kJson,   h::SetEscalationLevel},
  {Method::kGet,    "/api/risks",                                      "risk.list",                "The system risk register and its heat map (restricted)",     kSession, kAnyone,     kFiltered,  kNone,   h::ListRisks,          "organisation"},
  {Method::kPost,   "/api/risks",                                      "risk.create",              "Add a risk (consequence x likelihood) to the register",      kSession, kConcernWriters, kFiltered, kJson, h::CreateRisk},
  {Method::kGet,    "/api/risks/{id}",                                 "risk.read",                "One risk with its review history (restricted)",              kSession, kAnyone,     kFiltered,  kNone,   h::GetRisk},
  {Method::kPost,   "/api/risks/{id}/review",                          "risk.review",              "Review a risk: new scores and the reason",                   kSession, kConcernWriters, kFiltered, kJson, h::ReviewRisk},
  {Method::kGet,    "/api/meetings",                                   "meeting.list",             "Quality group meetings visible to you",                      kSession, kAnyone,     kFiltered,  kNone,   h::ListMeetings,       "from"},
  {Method::kPost,   "/api/meetings",                                   "meeting.create",           "Arrange a quality group meeting; its agenda is generated",   kSession, kConcernWriters, kFiltered, kJson, h::CreateMeeting},
  {Method::kGet,    "/api/meetings/{id}",                              "meeting.read",             "A meeting with its agenda, minutes, decisions and actions",  kSession, kAnyone,     kFiltered,  kNone,   h::GetMeeting},
  {Method::kPost,   "/api/meetings/{id}/generate",                     "agenda.generate",          "Regenerate the agenda from what needs the group",            kSession, kConcernWriters, kFiltered, kNone, h::GenerateAgenda},
  {Method::kPost,   "/api/meetings/{id}/agenda",                       "agenda.add",               "Add an item to a meeting's agenda",                          kSession, kConcernWriters, kFiltered, kJson, h::AddAgendaItem},
  {Method::kPut,    "/api/meetings/{id}/agenda/{item}",                "agenda.update",            "Edit an agenda item; record its minutes, decision and actions", kSession, kConcernWriters, kFiltered, kJson, h::UpdateAgendaItem},
  {Method::kDelete, "/api/meetings/{id}/agenda/{item}",                "agenda.remove",            "Remove an agenda item without actions",                      kSession, kConcernWriters, kFiltered, kNone, h::RemoveAgendaItem},
  {Method::kGet,    "/api/meetings/{id}/pack.pdf",                     "meeting.pack",             "The meeting's pack: agenda, evidence and charts (PDF)",      kSession, kAnyone,     kFiltered,  kNone,   h::MeetingPack},
  {Method::kGet,    "/api/my-work",                                    "work.read",                "What is assigned to you and what changed since you looked",  kSession, kAnyone,     kFiltered,  kNone,   h::MyWork},
  {Method::kPost,   "/api/my-work/seen",                               "work.seen",                "Mark your work as looked at now",                            kSession, kAnyone,     kPublished, kNone,   h::MarkWorkSeen},
  {Method::kGet,    "/api/reports/system-quality.pdf",                 "report.system_quality",    "The system quality report for the governing body (PDF)",     kSession, kAnyone,     kFiltered,  kNone,   h::SystemQualityPdf,   "place,from,to"},
  {Method::kGet,    "/api/reports/system-quality.xlsx",                "report.system_quality_workbook", "The system quality report as an Excel workbook",       kSession, kAnyone,     kFiltered,  kNone,   h::SystemQualityXlsx,  "place,from,to"},
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
  {Method::kGet,    "/api/events",                                     "sharing_event.list",       "Upcoming sharing events",                                    kSession, kAnyone,     kPublished, kNone,   h::ListSharingEvents,  "from"},
  {Method::kPost,   "/api/events",                                     "sharing_event.create",     "Plan a sharing event",                                       kSession, kForumLeads, kPublished, kJson,   h::CreateSharingEvent},
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
  {Method::kGet,    "/api/projects",                                   "project.list",             "QI projects (restricted ones only in scope or on the team)", kSession, kAnyone,     kFiltered,  kNone,   h::ListProjects,       "organisation,status,programme"},
  {Method::kPost,   "/api/projects",                                   "project.create",           "Register a QI project in one of your organisations",         kSession, kImprovers,  kFiltered,  kJson,   h::CreateProject},
  {Method::kGet,    "/api/projects/{id}",                              "project.read",             "A project: aim, team, driver diagram, measures, PDSA cycles", kSession, kAnyone,    kFiltered,  kNone,   h::GetProject},
  {Method::kPost,   "/api/projects/{id}/measures",                     "measure.create",           "Add an outcome, process or balancing measure (a system series)", kSession, kImprovers, kFiltered, kJson, h::AddProjectMeasure},
  {Method::kPost,   "/api/projects/{id}/pdsa",                         "pdsa.create",              "Log a PDSA cycle on a change idea (annotates the system charts)", kSession, kImprovers, kFiltered, kJson, h::AddProjectPdsa},
  {Method::kPut,    "/api/projects/{id}/pdsa/{pdsa}",                  "pdsa.update",              "Record a cycle's do, study and act",                         kSession, kImprovers,  kFiltered,  kJson,   h::UpdateProjectPdsa},
  {Method::kPost,   "/api/projects/{id}/pdsa/{pdsa}",                  "pdsa.record",              "Record a cycle's do, study and act (as PUT)",                kSession, kImprovers,  kFiltered,  kJson,   h::UpdateProjectPdsa},
  {Method::kPost,   "/api/projects/{id}/drivers",                      "driver.create",            "Add a primary or secondary driver or a change idea",         kSession, kImprovers,  kFiltered,  kJson,   h::AddProjectDriver},
  {Method::kPut,    "/api/projects/{id}/drivers/{driver}",             "driver.update",            "Rename a driver or change idea",                             kSession, kImprovers,  kFiltered,  kJson,   h::RenameProjectDriver},
  {Method::kDelete, "/api/projects/{id}/drivers/{driver}",             "driver.delete",            "Remove a driver or change idea with nothing below it",       kSession, kImprovers,  kFiltered,  kNone,   h::DeleteProjectDriver},
  {Method::kGet,    "/api/projects/{id}/impact",                       "impact.read",              "Measured impact of each outcome measure, with its evidence", kSession, kAnyone,     kFiltered,  kNone,   h::ProjectImpact},
  {Method::kGet,    "/api/projects/{id}/progress",                     "progress.read",            "The IHI progress score, the score the evidence supports, the evidence", kSession, kAnyone, kFiltered, kNone, h::ProjectProgress},
  {Method::kPost,   "/api/projects/{id}/progress",                     "progress.set",             "Set the team's progress score (above the evidence needs a reason)", kSession, kImprovers, kFiltered, kJson, h::SetProjectScore},
  {Method::kPost,   "/api/projects/{id}/involvement",                  "involvement.create",       "Record co-design involvement (inform, consult, involve, co-produce)", kSession, kImprovers, kFiltered, kJson, h::AddProjectInvolvement},
  {Method::kGet,    "/api/programmes",                                 "programme.list",           "Improvement programmes",                                     kSession, kAnyone,     kPublished, kNone,   h::ListProgrammes},
  {Method::kPost,   "/api/programmes",                                 "programme.create",         "Create a programme",                                         kSession, kImprovers,  kFiltered,  kJson,   h::CreateProgramme},
  {Method::kGet,    "/api/programmes/{id}",                            "programme.read",           "A programme: logic model, milestones, projects",             kSession, kAnyone,     kFiltered,  kNone,   h::GetProgramme},
  {Method::kPost,   "/api/programmes/{id}/logic",                      "logic.create",             "Add a logic model item (outcomes may link a system series)", kSession, kImprovers,  kFiltered,  kJson,   h::AddProgrammeLogic},
  {Method::kPost,   "/api/programmes/{id}/milestones",                 "milestone.create",         "Add a milestone to a programme's plan",                      kSession, kImprovers,  kFiltered,  kJson,   h::AddProgrammeMilestone},
  {Method::kGet,    "/api/programmes/{id}/impact",                     "programme.impact",         "A programme's cumulative impact per metric, never double counting", kSession, kAnyone, kPublished, kNone, h::ProgrammeImpact},
  {Method::kGet,    "/api/programmes/{id}/report.pdf",                 "programme.report",         "The programme report for its executive (PDF): logic model, projects, plan, impact", kSession, kAnyone, kFiltered, kNone, h::ProgrammeReportPdf},
  {Method::kGet,    "/api/portfolio/impact",                           "portfolio.impact",         "The whole portfolio's cumulative impact per metric",         kSession, kAnyone,     kPublished, kNone,   h::PortfolioImpact},
  {Method::kGet,    "/api/portfolio/reach",                            "portfolio.reach",          "Which populations (directory segments) the portfolio's projects serve, and which none does", kSession, kAnyone, kFiltered, kNone, h::PortfolioReach, "programme"},
  {Method::kGet,    "/api/rollouts",                                   "rollout.list",             "Roll-outs of interventions across units",                    kSession, kAnyone,     kPublished, kNone,   h::ListRollouts},
  {Method::kPost,   "/api/rollouts",                                   "rollout.create",           "Start a roll-out across a set of sites",                     kSession, kAgreers,    kPublished, kJson,   h::CreateRollout},
  {Method::kGet,    "/api/rollouts/{id}",                              "rollout.read",             "A roll-out: each site's stage, the adoption curve, outcome before and after", kSession, kAnyone, kPublished, kNone, h::GetRollout},
  {Method::kPost,   "/api/rollouts/{id}/sites/{site}/stage",           "rollout.stage",            "Move a site to a stage (not_started, training, live, sustained)", kSession, kImprovers, kFiltered, kJson, h::SetRolloutStage},
  {Method::kGet,    "/api/capability/events",                          "event.list",               "Training events: course, date, place, capacity, trainers, places left", kSession, kAnyone, kPublished, kNone, h::ListEvents, "from,to"},
  {Method::kPost,   "/api/capability/events",                          "event.create",             "Plan a training event (course, date, place or online, capacity, trainers)", kSession, kCapabilityLeads, kPublished, kJson, h::CreateEvent},
  {Method::kGet,    "/api/capability/events/{id}",                     "event.read",               "One event with its attendees and evaluation",                kSession, kAnyone,     kPublished, kNone,   h::GetEvent},
  {Method::kPost,   "/api/capability/events/{id}/bookings",            "event.book",               "Book a person on an event (capacity enforced)",              kSession, kCapabilityLeads, kFiltered, kJson, h::BookOnEvent},
  {Method::kPost,   "/api/capability/events/{id}/attendance",          "event.attendance",         "Mark a person's attendance at an event",                     kSession, kCapabilityLeads, kFiltered, kJson, h::MarkEventAttendance},
  {Method::kPost,   "/api/capability/events/{id}/evaluations",         "event.evaluate",           "An attendee's evaluation of an event (POST-TRAINING)",       kSession, kCapabilityLeads, kFiltered, kJson, h::SubmitEvaluation},
  {Method::kGet,    "/api/capability/coaching/sessions",               "coaching.sessions",        "Coaching sessions held, with the hours",                     kSession, kAnyone,     kPublished, kNone,   h::ListCoachingSessions, "email"},
  {Method::kPost,   "/api/capability/coaching/sessions",               "coaching.session",         "Record a coaching session held",                             kSession, kCapabilityLeads, kFiltered, kJson, h::RecordCoachingSession},
  {Method::kGet,    "/api/capability/communities",                     "community.list",           "Communities of practice: members, meetings, projects",       kSession, kAnyone,     kPublished, kNone,   h::ListCommunities},
  {Method::kPost,   "/api/capability/communities",                     "community.create",         "Start a community of practice",                              kSession, kAgreers,    kPublished, kJson,   h::CreateCommunity},
  {Method::kPost,   "/api/capability/communities/{code}/members",      "community.join",           "Add a member to a community of practice",                    kSession, kCapabilityLeads, kPublished, kJson, h::JoinCommunity},
  {Method::kPost,   "/api/capability/communities/{code}/meetings",     "community.meeting",        "Record a meeting or sharing event with its attendance",      kSession, kCapabilityLeads, kPublished, kJson, h::RecordCommunityMeeting},
  {Method::kPost,   "/api/capability/communities/{code}/projects",     "community.project",        "Record a project the community leads",                       kSession, kCapabilityLeads, kPublished, kJson, h::AddCommunityProject},
  {Method::kGet,    "/api/capability/plan",                            "plan.read",                "The programme plan time line: milestones, owners, status",   kSession, kAnyone,     kPublished, kNone,   h::ListPlan},
  {Method::kPost,   "/api/capability/plan",                            "milestone.save",           "Add or update a milestone of the programme plan",            kSession, kAgreers,    kPublished, kJson,   h::SaveMilestone},
  {Method::kPost,   "/api/capability/measures",                        "capability.measures",      "Recompute the capability measures as monthly series",        kSession, kAgreers,    kPublished, kNone,   h::RefreshMeasures},
  {Method::kGet,    "/api/questionnaires",                             "questionnaire.list",       "Questionnaires (latest versions) with their questions",      kSession, kAnyone,     kPublished, kNone,   h::ListQuestionnaires},
  {Method::kGet,    "/api/questionnaires/{code}",                      "questionnaire.read",       "One questionnaire (a version, or the latest)",               kSession, kAnyone,     kPublished, kNone,   h::GetQuestionnaire,   "version"},
  {Method::kPost,   "/api/questionnaires",                             "questionnaire.save",       "Save a questionnaire as its next version",                   kSession, kAgreers,    kPublished, kJson,   h::SaveQuestionnaire},
  {Method::kGet,    "/api/assessments",                                "assessment.compare",       "Organisations' responses in a round: scores, change, spread", kSession, kAnyone,    kPublished, kNone,   h::CompareAssessments, "questionnaire,round,organisation"},
  {Method::kPost,   "/api/organisations/{org}/assessments",            "assessment.submit",        "An organisation's answers to a questionnaire in a round",    kSession, kCapabilityLeads, kOrg, kJson,     h::SubmitAssessment},
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
