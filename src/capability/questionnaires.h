// capability questionnaires: a small questionnaire builder (questions on a scale, with choices or
// free text; each change a new version) and the responses of organisations, repeated in rounds
// and compared — each organisation's scores per component (a radar chart), the change since its
// last round, and the system's spread (lowest, median, highest) per component.
//
// Seeded instruments (migration 903, docs/capability.md "Assessments"): HF-READINESS (the Health
// Foundation improvement journey: four key elements, six steps), NHS-IMPACT (the five components
// of NHS IMPACT), LONDON-BASELINE (a baseline of QI approaches), POST-TRAINING (evaluation after
// a training event).
//
// Submitting checks every answer first: an answer outside its scale, not one of its choices, a
// required answer missing, an unknown question, or an NHS number in a free-text answer is an
// InvalidArgument naming the question (code and text); nothing is written. Audited
// `assessment.submit` / `questionnaire.save`.
//
// Thread-compatible.
//
// Example:
//   ASSIGN_OR_RETURN(int64_t id, SubmitResponse(*conn, who, {.questionnaire = "NHS-IMPACT",
//                    .organisation = "RAA", .round = "2024", .answers = {{"C1", "3"}}}));
//   ASSIGN_OR_RETURN(Comparison c, CompareRound(*conn, "NHS-IMPACT", "2024"));
#ifndef SHEWHART_CAPABILITY_QUESTIONNAIRES_H_
#define SHEWHART_CAPABILITY_QUESTIONNAIRES_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "access/audit.h"
#include "base/status.h"
#include "db/db.h"
#include "db/migrate.h"

namespace shewhart::capability {

// Version 903 (the seeded instruments).
std::span<const db::Migration> QuestionnaireMigrations();

struct Question {
  std::string code;       // unique within the questionnaire: "LG1"
  std::string component;  // the axis it scores on ("" = none): "Leadership and governance"
  std::string title;      // the question's text
  std::string kind;       // "scale", "choice" or "text"
  std::optional<int64_t> scale_min, scale_max;  // scale only
  std::vector<std::string> labels;  // scale: a label per point (optional); choice: the choices
  bool required = true;
};
struct Questionnaire {
  int64_t id = 0;
  std::string code;
  int64_t version = 0;
  std::string title, purpose, source;  // purpose: readiness, impact, baseline, evaluation, other
  std::vector<Question> questions;
};

// The latest version of each questionnaire, by code.
Result<std::vector<Questionnaire>> ListQuestionnaires(db::Connection& conn);
// One questionnaire (version 0 = the latest). NotFound.
Result<Questionnaire> GetQuestionnaire(db::Connection& conn, std::string_view code,
                                       int64_t version = 0);
// The builder: saves `q` as the next version of its code (1 for a new code). InvalidArgument
// naming the field or question (no questions, a duplicate code, a kind outside its list, a scale
// without min < max, a choice without two choices, an NHS number). Returns the version.
Result<int64_t> SaveQuestionnaire(db::Connection& conn, const access::Acting& who,
                                  const Questionnaire& q);

struct ResponseInput {
  std::string questionnaire;  // its code (the latest version is answered)
  std::string organisation;   // a unit code
  std::string round;          // "2023", "2024-Q1", "2024-03": YYYY and an optional -suffix
  std::optional<int64_t> event_id;  // evaluation after an event
  std::string person;               // an email, for an evaluation by a person ("" otherwise)
  std::vector<std::pair<std::string, std::string>> answers;  // question code -> answer as text
};
// Records a response. An organisation's response to a questionnaire in a round is replaced when
// answered again (without an event or person); evaluations add a response each. Returns its id.
Result<int64_t> SubmitResponse(db::Connection& conn, const access::Acting& who,
                               const ResponseInput& in);

struct ComponentScore {
  std::string component;
  std::optional<double> score;   // the mean of its scale answers
  double scale_min = 0, scale_max = 0;
};
struct OrgResult {
  std::string organisation, name, round, submitted_at, submitted_by;
  std::vector<ComponentScore> scores;
  std::string previous_round;                       // "" when none
  std::vector<std::optional<double>> change;        // per component, since previous_round
  std::vector<std::pair<std::string, std::string>> answers;  // code -> answer (text)
};
struct Spread {
  std::string component;
  int64_t n = 0;
  std::optional<double> min, median, max;
};
struct Comparison {
  std::string questionnaire, title, round;
  std::vector<std::string> rounds;      // every round with a response, oldest first
  std::vector<std::string> components;  // the axes, in question order
  std::vector<OrgResult> organisations;  // by organisation code
  std::vector<Spread> spread;            // per component
};
// The organisations' responses in `round` ("" = the latest round), each with its change since its
// own previous round, and the system's spread. `organisation` non-empty keeps that one only
// (and the units below it). Evaluations by people are left out.
Result<Comparison> CompareRound(db::Connection& conn, std::string_view questionnaire,
                                std::string_view round, std::string_view organisation = "");

// Evaluations after events: per question with a scale, the mean answer and count; for
// `event_id` 0, all events.
struct EvaluationSummary {
  int64_t responses = 0;
  std::vector<std::pair<std::string, double>> means;  // question code -> mean
};
Result<EvaluationSummary> SummariseEvaluations(db::Connection& conn, int64_t event_id);

}  // namespace shewhart::capability

#endif  // SHEWHART_CAPABILITY_QUESTIONNAIRES_H_
