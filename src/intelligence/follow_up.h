// intelligence: acting on it — concerns with a named owner, follow-up conversations and their
// actions, escalation between the National Quality Board's risk response levels, the system risk
// register (5x5 consequence x likelihood), quality group meetings with a generated agenda, and a
// person's own work. docs/intelligence.md ("Acting on it") is the user's description.
//
// Every service takes who is acting, validates (every field named in the error; free text
// screened for NHS numbers), decides scope on resolved units, writes and records its audit entry
// in one db::ServiceTransaction: nothing is written when anything is wrong. Bodies come in as JSON
// text (the API's body, or a command's options turned into JSON) and answers go out as JSON text,
// so that the screens, the command line and the reports read the same thing.
//
// Scope (access::Scope): a concern, a risk, an escalation and an agenda item are about
// organisations; a person without system scope sees them only when one of their organisations is
// in scope, and the rest are left out of lists (never hinted at; one asked for by id is NotFound).
// Meetings of a system group (JIG, SQG, regional QSG, risk summit) are visible to system scope
// and to their members; an organisation's quality committee to its organisation's scope. Their
// agenda items about organisations out of scope are left out.
//
// Thread-compatible (one connection per thread).
//
// Example:
//   ASSIGN_OR_RETURN(std::string c, intelligence::CreateConcern(*conn, who, scope, R"({
//       "title": "Falls with harm on Ward 7", "organisations": ["RZA"],
//       "owner": "ana@nhs.net", "signals": [], "review_by": "2024-03-01"})"));
//   ASSIGN_OR_RETURN(std::string r, intelligence::CreateRisk(*conn, who, scope, R"({
//       "title": "Ambulance handover delays", "consequence": 4, "likelihood": 4,
//       "organisations": ["RZA", "RZE"], "owner": "ana@nhs.net"})"));   // score 16, "extreme"
#ifndef SHEWHART_INTELLIGENCE_FOLLOW_UP_H_
#define SHEWHART_INTELLIGENCE_FOLLOW_UP_H_

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "access/access.h"
#include "access/audit.h"
#include "base/status.h"
#include "db/db.h"
#include "db/migrate.h"
#include "intelligence/signals.h"

namespace shewhart::intelligence {

// Migrations 710-711: concerns, follow-ups, actions, escalations, risks, meetings.
std::span<const db::Migration> FollowUpMigrations();

// ---- the scales (../shared/quality-reference.md §1.3, §1.5)

// Concern statuses in lifecycle order, and the moves allowed between them.
inline constexpr std::string_view kConcernStatuses[] = {"open", "under_follow_up", "resolved",
                                                        "escalated", "closed"};
bool ConcernMoveAllowed(std::string_view from, std::string_view to);

// Escalation levels, lowest first. Display names and meanings live in the table
// escalation_level (configurable: PUT /api/escalation-levels/{level}).
inline constexpr std::string_view kEscalationLevels[] = {"routine", "enhanced", "intensive"};
int EscalationOrder(std::string_view level);  // 0, 1, 2; -1 when unknown

// Risk score = consequence x likelihood (each 1-5); band per the NPSA 5x5 matrix as NHS trusts
// write it: 1-3 low, 4-6 moderate, 8-12 high, 15-25 extreme. REQUIRES 1 <= c, l <= 5.
inline constexpr std::string_view kRiskBands[] = {"low", "moderate", "high", "extreme"};
std::string_view RiskBand(int score);
std::string_view RiskBandColour(std::string_view band);  // "#00B050", ...
// A risk scoring above this is above the system's appetite (agenda, report's top risks).
inline constexpr int kRiskAppetite = 12;

inline constexpr std::string_view kMeetingGroups[] = {"jig", "sqg", "regional_qsg", "risk_summit",
                                                      "quality_committee"};
std::string_view MeetingGroupName(std::string_view group);  // "Joint Intelligence Group", ...

// ---- concerns
// Body: title, organisations [ODS...], owner (an e-mail with an account), signals [...] (objects
// as GET /api/organisations/{org}/signals answers them, or empty), review_by YYYY-MM-DD;
// optional description, metrics [codes], quality_domain. Returns the concern as GetConcern does.
Result<std::string> CreateConcern(db::Connection& conn, const access::Acting& who,
                                  const access::Scope& scope, std::string_view body);
struct ConcernFilter {
  std::string organisation;  // this unit and every unit below it; "" = all in scope
  std::string status;        // "" = any; "active" = not closed
  std::string owner;         // e-mail; "" = anyone
};
// {"concerns": [...]}, newest first. NotFound for an unknown organisation.
Result<std::string> ListConcerns(db::Connection& conn, const access::Scope& scope,
                                 const ConcernFilter& filter);
// One concern with its organisations, signals, history (every move: from, to, on, by, reason),
// follow-ups, actions, escalations of its organisations and linked risks. NotFound when absent or
// out of scope.
Result<std::string> GetConcern(db::Connection& conn, const access::Scope& scope, int64_t id);
// Body: status, reason (required), on (YYYY-MM-DD, default today). InvalidArgument naming
// "status" for a move the lifecycle does not allow.
Result<std::string> MoveConcern(db::Connection& conn, const access::Acting& who,
                                const access::Scope& scope, int64_t id, std::string_view body);
// Body: held_on, organisation, with_whom, role, asked, heard, agreed, assurance (assured |
// partially_assured | not_assured), actions [{title, owner, due}]. An open concern moves to
// under_follow_up. Returns the concern.
Result<std::string> AddFollowUp(db::Connection& conn, const access::Acting& who,
                                const access::Scope& scope, int64_t concern_id,
                                std::string_view body);

// ---- actions (from follow-ups, concerns and meeting items)
// Body: title, owner, due. Returns the concern.
Result<std::string> AddConcernAction(db::Connection& conn, const access::Acting& who,
                                     const access::Scope& scope, int64_t concern_id,
                                     std::string_view body);
struct ActionFilter {
  std::string owner;   // e-mail; "" = anyone
  std::string status;  // open | complete | closed; "" = any
  bool overdue_only = false;
  std::string today;   // YYYY-MM-DD, for "overdue"
};
// {"actions": [...]} visible within scope, by due date.
Result<std::string> ListActions(db::Connection& conn, const access::Scope& scope,
                                const ActionFilter& filter);
// Body: status (open | complete | closed), note. Its owner may update it, or anyone who may write
// concerns (`may_write`) within scope. Returns the action.
Result<std::string> UpdateAction(db::Connection& conn, const access::Acting& who,
                                 const access::Scope& scope, bool may_write, std::string_view me,
                                 int64_t id, std::string_view body);

// ---- escalations
// Body: level, reason (required); meeting (id), step_down_criteria, people_told [..],
// review_by, decided_on (default today), concern (id). InvalidArgument naming "level" for an
// unknown level or the level it is already at. Returns the organisation's escalations.
Result<std::string> Escalate(db::Connection& conn, const access::Acting& who,
                             const access::Scope& scope, std::string_view org,
                             std::string_view body);
// {"organisation", "level", "display_name", "since", "history": [... newest first]}; an
// organisation never escalated is at routine with an empty history.
Result<std::string> OrganisationEscalations(db::Connection& conn, const access::Scope& scope,
                                            std::string_view org);
// {"escalations": [...]}: every organisation in scope whose current level is above routine, or
// whose level changed within [from, to] (when given), highest level first.
Result<std::string> CurrentEscalations(db::Connection& conn, const access::Scope& scope,
                                       std::string_view from, std::string_view to);
// {"levels": [{level, order, display_name, meaning}]}.
Result<std::string> EscalationLevels(db::Connection& conn);
// Body: display_name, meaning. Audited "escalation_level.set".
Result<std::string> SetEscalationLevel(db::Connection& conn, const access::Acting& who,
                                       std::string_view level, std::string_view body);

// ---- risks
// Body: title, consequence (1-5), likelihood (1-5), organisations [ODS...], owner; optional
// description, target_consequence, target_likelihood, controls, review_by, concerns [ids],
// metrics [codes]. Returns the risk with score and band.
Result<std::string> CreateRisk(db::Connection& conn, const access::Acting& who,
                               const access::Scope& scope, std::string_view body);
// Body: consequence, likelihood, reason; optional controls, review_by, status (open | tolerated |
// closed). Keeps the previous scores in the risk's history.
Result<std::string> ReviewRisk(db::Connection& conn, const access::Acting& who,
                               const access::Scope& scope, int64_t id, std::string_view body);
// {"appetite", "risks": [... highest score first], "heatmap": [[count by likelihood 1-5] by
// consequence 1-5], "bands": ...}. `organisation` "" = all in scope.
Result<std::string> ListRisks(db::Connection& conn, const access::Scope& scope,
                              std::string_view organisation);
Result<std::string> GetRisk(db::Connection& conn, const access::Scope& scope, int64_t id);

// ---- meetings
// Body: group (kMeetingGroups), title, held_on, chair, members [emails]; organisation (a quality
// committee's); generate (default true). The agenda is generated (GenerateAgenda).
Result<std::string> CreateMeeting(db::Connection& conn, const access::Acting& who,
                                  const access::Scope& scope, std::string_view body);
// {"meetings": [...]} visible to the person, by date; `upcoming_from` keeps those on or after.
Result<std::string> ListMeetings(db::Connection& conn, const access::Scope& scope,
                                 std::string_view me, std::string_view upcoming_from);
// The meeting with its agenda (items with minutes, decisions and actions).
Result<std::string> GetMeeting(db::Connection& conn, const access::Scope& scope,
                               std::string_view me, int64_t id);
// Regenerates the generated items that have no minutes yet from what needs the group as of the
// meeting's date: new high-ranked signals, concerns due for review, escalations, risks above
// appetite, overdue actions (standing items stay; items added by hand stay).
Result<std::string> GenerateAgenda(db::Connection& conn, const access::Acting& who,
                                   const access::Scope& scope, std::string_view me, int64_t id);
// Body: title, kind (default "other"), organisation, detail, position.
Result<std::string> AddAgendaItem(db::Connection& conn, const access::Acting& who,
                                  const access::Scope& scope, std::string_view me, int64_t id,
                                  std::string_view body);
// Body: any of title, position, detail, minutes, decision, actions [{title, owner, due}].
// Minutes and decisions are screened for NHS numbers. Returns the meeting.
Result<std::string> UpdateAgendaItem(db::Connection& conn, const access::Acting& who,
                                     const access::Scope& scope, std::string_view me,
                                     int64_t meeting_id, int64_t item_id, std::string_view body);
Result<std::string> RemoveAgendaItem(db::Connection& conn, const access::Acting& who,
                                     const access::Scope& scope, std::string_view me,
                                     int64_t meeting_id, int64_t item_id);

// ---- my work
// {"concerns", "actions", "meetings", "risks", "since", "changed": [...]}: what is assigned to
// `me`, and what changed on it since they last marked it seen.
Result<std::string> MyWork(db::Connection& conn, const access::Scope& scope, std::string_view me,
                           std::string_view today);
Status MarkWorkSeen(db::Connection& conn, std::string_view me, std::string_view at);

// For signals.cc: overdue actions (open, due before as_of) and risks whose review is overdue or
// whose linked metric shows special cause of concern, as signals of the organisation `org_of`
// maps their units to (0 = leave out); restricted to scope.
Status AppendFollowUpSignals(db::Connection& conn, const access::Scope& scope,
                             std::string_view as_of,
                             const std::function<int64_t(int64_t)>& org_of,
                             std::map<int64_t, std::vector<Signal>>* out);
// The open concerns of an organisation (and the units below it) by the signals they were raised
// from: (source + "|" + metric) -> concern id, so that a signal that matches links to it.
Result<std::map<std::string, int64_t>> OpenConcernsBySignal(db::Connection& conn,
                                                            const access::Scope& scope,
                                                            std::string_view org);

// ---- the system quality report and the meeting pack (system_report.cc)
struct ReportOptions {
  std::string place;  // a place or system code; "" = everything in scope
  std::string from, to;  // YYYY-MM-DD; "" = the year to the data date
  std::string generated_at;
};
// The report for the governing body as PDF: summary in words, the board's icons, the signals
// that matter, concerns and escalations with their status, the risk heat map and top risks, what
// changed in the period. Writes `path`. Returns the section titles written.
Result<std::vector<std::string>> WriteSystemQualityPdf(db::Connection& conn,
                                                       const access::Scope& scope,
                                                       const ReportOptions& options,
                                                       const std::string& path);
// The same as an Excel workbook: a sheet per section.
Status WriteSystemQualityXlsx(db::Connection& conn, const access::Scope& scope,
                              const ReportOptions& options, const std::string& path);
// A meeting's pack: the agenda, then per item its evidence (the item's detail, the concern's
// history, the organisation's escalation, the charts of its metrics).
Status WriteMeetingPack(db::Connection& conn, const access::Scope& scope, std::string_view me,
                        int64_t meeting_id, std::string_view generated_at,
                        const std::string& path);

// Demo data (follow_up_demo.cc): concerns, follow-ups, an organisation at enhanced with its
// history, a dozen system risks and a year of monthly JIG meetings; fixed seed.
Status FillFollowUpDemo(db::Connection& conn, std::string_view actor, std::string_view at);

}  // namespace shewhart::intelligence

#endif  // SHEWHART_INTELLIGENCE_FOLLOW_UP_H_
