#include "capability/questionnaires.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "base/text_checks.h"
#include "capability/people.h"

namespace shewhart::capability {
namespace {

using nlohmann::json;

constexpr db::Migration kMigrations[] = {
    {903, "capability: the seeded questionnaires (HF readiness, NHS IMPACT, baseline, evaluation)",
#include "capability/questionnaires_seed.inc"
     , ""},
};

constexpr std::string_view kKinds[] = {"scale", "choice", "text"};
constexpr std::string_view kPurposes[] = {"readiness", "impact", "baseline", "evaluation",
                                          "other"};
constexpr size_t kMaxAnswer = 2000;

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string AsciiUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string Trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' ||
                        s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

std::vector<std::string> SplitLabels(const std::string& s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  size_t start = 0;
  for (;;) {
    const size_t bar = s.find('|', start);
    out.push_back(s.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  return out;
}

std::string JoinLabels(const std::vector<std::string>& labels) {
  std::string out;
  for (size_t i = 0; i < labels.size(); ++i) out += (i ? "|" : "") + labels[i];
  return out;
}

// "question LG1 (\"The board has ...\")".
std::string Named(const Question& q) {
  std::string t = q.title.size() > 80 ? q.title.substr(0, 77) + "..." : q.title;
  return "question " + q.code + " (" + Quote(t) + ")";
}

bool ValidRound(std::string_view r) {
  if (r.size() < 4 || r.size() > 20) return false;
  for (size_t i = 0; i < 4; ++i) {
    if (r[i] < '0' || r[i] > '9') return false;
  }
  if (r.size() == 4) return true;
  if (r[4] != '-' || r.size() == 5) return false;
  for (size_t i = 5; i < r.size(); ++i) {
    const char c = r[i];
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
      return false;
    }
  }
  return true;
}

Result<std::vector<Question>> LoadQuestions(db::Connection& conn, int64_t questionnaire_id) {
  std::vector<Question> out;
  RETURN_IF_ERROR(conn.Query(
      "SELECT code, component, title, kind, scale_min, scale_max, labels, required FROM "
      "capability_question WHERE questionnaire_id = ? ORDER BY position, id",
      {questionnaire_id}, [&](const db::Row& r) {
        out.push_back({r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.OptionalInt(4),
                       r.OptionalInt(5), SplitLabels(r.Text(6)), r.Int(7) != 0});
        return db::Flow::kContinue;
      }));
  return out;
}

std::optional<double> Median(std::vector<double> v) {
  if (v.empty()) return std::nullopt;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

std::span<const db::Migration> QuestionnaireMigrations() { return kMigrations; }

Result<std::vector<Questionnaire>> ListQuestionnaires(db::Connection& conn) {
  std::vector<Questionnaire> out;
  RETURN_IF_ERROR(conn.Query(
      "SELECT q.id, q.code, q.version, q.title, q.purpose, q.source FROM capability_questionnaire "
      "q WHERE q.version = (SELECT MAX(x.version) FROM capability_questionnaire x WHERE x.code = "
      "q.code) ORDER BY q.code",
      {}, [&](const db::Row& r) {
        out.push_back({r.Int(0), r.Text(1), r.Int(2), r.Text(3), r.Text(4), r.Text(5), {}});
        return db::Flow::kContinue;
      }));
  for (Questionnaire& q : out) {
    ASSIGN_OR_RETURN(q.questions, LoadQuestions(conn, q.id));
  }
  return out;
}

Result<Questionnaire> GetQuestionnaire(db::Connection& conn, std::string_view code_in,
                                       int64_t version) {
  const std::string code = AsciiUpper(Trimmed(code_in));
  ASSIGN_OR_RETURN(
      std::optional<db::Row> r,
      conn.QueryRow("SELECT id, code, version, title, purpose, source FROM "
                    "capability_questionnaire WHERE code = ? AND (? = 0 OR version = ?) "
                    "ORDER BY version DESC LIMIT 1",
                    {code, version, version}));
  if (!r) return NotFoundError("there is no questionnaire " + Quote(code_in));
  Questionnaire q{r->Int(0), r->Text(1), r->Int(2), r->Text(3), r->Text(4), r->Text(5), {}};
  ASSIGN_OR_RETURN(q.questions, LoadQuestions(conn, q.id));
  return q;
}

Result<int64_t> SaveQuestionnaire(db::Connection& conn, const access::Acting& who,
                                  const Questionnaire& in) {
  const std::string code = AsciiUpper(Trimmed(in.code));
  if (code.empty() || code.size() > 40 ||
      code.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != std::string::npos) {
    return InvalidArgumentError("code must be 1-40 letters, digits, hyphens or underscores");
  }
  const std::string title = Trimmed(in.title);
  if (title.empty()) return InvalidArgumentError("title is required");
  if (title.size() > 200) return InvalidArgumentError("title is longer than 200 bytes");
  const std::string purpose = AsciiLower(Trimmed(in.purpose.empty() ? "other" : in.purpose));
  if (std::find(std::begin(kPurposes), std::end(kPurposes), purpose) == std::end(kPurposes)) {
    return InvalidArgumentError("purpose " + Quote(in.purpose) +
                                " is not one of readiness, impact, baseline, evaluation or other");
  }
  if (ContainsNhsNumber(title) || ContainsNhsNumber(in.source)) {
    return InvalidArgumentError("title or source " + std::string(kNhsNumberMessage));
  }
  if (in.questions.empty()) return InvalidArgumentError("questions: add at least one question");
  if (in.questions.size() > 200) return InvalidArgumentError("questions: at most 200");
  std::set<std::string> codes;
  std::vector<Question> qs;
  for (size_t i = 0; i < in.questions.size(); ++i) {
    Question q = in.questions[i];
    q.code = AsciiUpper(Trimmed(q.code));
    q.title = Trimmed(q.title);
    q.component = Trimmed(q.component);
    q.kind = AsciiLower(Trimmed(q.kind));
    const std::string where = "questions[" + std::to_string(i) + "]";
    if (q.code.empty() || q.code.size() > 40 ||
        q.code.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != std::string::npos) {
      return InvalidArgumentError(where + ".code must be 1-40 letters, digits, - or _");
    }
    if (!codes.insert(q.code).second) {
      return InvalidArgumentError(where + ".code " + q.code + " is used twice");
    }
    if (q.title.empty() || q.title.size() > 500) {
      return InvalidArgumentError(where + ".title (question " + q.code +
                                  ") is required, at most 500 bytes");
    }
    if (ContainsNhsNumber(q.title) || ContainsNhsNumber(q.component)) {
      return InvalidArgumentError(where + " (question " + q.code + ") " +
                                  std::string(kNhsNumberMessage));
    }
    if (std::find(std::begin(kKinds), std::end(kKinds), q.kind) == std::end(kKinds)) {
      return InvalidArgumentError(where + ".kind " + Quote(q.kind) + " (question " + q.code +
                                  ") is not scale, choice or text");
    }
    for (std::string& l : q.labels) {
      l = Trimmed(l);
      if (l.empty() || l.find('|') != std::string::npos || l.size() > 200) {
        return InvalidArgumentError(where + ".labels (question " + q.code +
                                    "): each is 1-200 bytes without |");
      }
    }
    if (q.kind == "scale") {
      if (!q.scale_min || !q.scale_max || *q.scale_min >= *q.scale_max ||
          *q.scale_max - *q.scale_min > 1000) {
        return InvalidArgumentError(where + " (question " + q.code +
                                    "): a scale needs scale_min < scale_max (at most 1000 apart)");
      }
      if (!q.labels.empty() &&
          static_cast<int64_t>(q.labels.size()) != *q.scale_max - *q.scale_min + 1) {
        return InvalidArgumentError(where + ".labels (question " + q.code +
                                    "): one label per point of the scale, or none");
      }
    } else {
      q.scale_min.reset();
      q.scale_max.reset();
      if (q.kind == "choice" && q.labels.size() < 2) {
        return InvalidArgumentError(where + ".labels (question " + q.code +
                                    "): a choice needs at least two choices");
      }
      if (q.kind == "text") q.labels.clear();
    }
    qs.push_back(std::move(q));
  }
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(std::optional<db::Row> last,
                   conn.QueryRow("SELECT MAX(version) FROM capability_questionnaire WHERE code = ?",
                                 {code}));
  const int64_t version = last && !last->IsNull(0) ? last->Int(0) + 1 : 1;
  ASSIGN_OR_RETURN(int64_t id, conn.ExecuteReturningId(
                                   "INSERT INTO capability_questionnaire (code, version, title, "
                                   "purpose, source, created_by, created_at) VALUES (?, ?, ?, ?, "
                                   "?, ?, ?) RETURNING id",
                                   {code, version, title, purpose, Trimmed(in.source), who.actor,
                                    who.at}));
  for (size_t i = 0; i < qs.size(); ++i) {
    const Question& q = qs[i];
    RETURN_IF_ERROR(conn.Execute(
        "INSERT INTO capability_question (questionnaire_id, position, code, component, title, "
        "kind, scale_min, scale_max, labels, required) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {id, static_cast<int64_t>(i + 1), q.code, q.component, q.title, q.kind, q.scale_min,
         q.scale_max, JoinLabels(q.labels), q.required ? 1 : 0}));
  }
  RETURN_IF_ERROR(access::RecordAudit(
      conn, who, "questionnaire.save", code + " v" + std::to_string(version), "",
      json{{"title", title}, {"questions", qs.size()}}.dump()));
  RETURN_IF_ERROR(tx.Commit());
  return version;
}

Result<int64_t> SubmitResponse(db::Connection& conn, const access::Acting& who,
                               const ResponseInput& in) {
  const std::string round = Trimmed(in.round);
  if (!ValidRound(round)) {
    return InvalidArgumentError("round " + Quote(in.round) +
                                " is not a round; write a year and an optional suffix, like 2024 "
                                "or 2024-Q1");
  }
  ASSIGN_OR_RETURN(Questionnaire q, GetQuestionnaire(conn, in.questionnaire));
  // Check every answer before anything is written.
  std::map<std::string, std::pair<std::optional<double>, std::string>> values;  // code -> answer
  std::map<std::string, const Question*> by_code;
  for (const Question& x : q.questions) by_code[x.code] = &x;
  for (const auto& [code_in, raw] : in.answers) {
    const std::string code = AsciiUpper(Trimmed(code_in));
    auto it = by_code.find(code);
    if (it == by_code.end()) {
      return InvalidArgumentError("answers: " + q.code + " has no question " + Quote(code_in));
    }
    const Question& x = *it->second;
    const std::string a = Trimmed(raw);
    if (a.empty()) continue;
    if (values.count(code)) {
      return InvalidArgumentError(Named(x) + " is answered twice");
    }
    if (x.kind == "scale") {
      int64_t v = 0;
      const auto [end, ec] = std::from_chars(a.data(), a.data() + a.size(), v);
      if (ec != std::errc() || end != a.data() + a.size()) {
        return InvalidArgumentError(Named(x) + ": " + Quote(a) + " is not a whole number on its "
                                    "scale " + std::to_string(*x.scale_min) + " to " +
                                    std::to_string(*x.scale_max));
      }
      if (v < *x.scale_min || v > *x.scale_max) {
        return InvalidArgumentError(Named(x) + ": " + a + " is outside its scale " +
                                    std::to_string(*x.scale_min) + " to " +
                                    std::to_string(*x.scale_max));
      }
      values[code] = {static_cast<double>(v), a};
    } else if (x.kind == "choice") {
      auto c = std::find_if(x.labels.begin(), x.labels.end(), [&](const std::string& l) {
        return AsciiLower(l) == AsciiLower(a);
      });
      if (c == x.labels.end()) {
        std::string list;
        for (size_t i = 0; i < x.labels.size(); ++i) list += (i ? ", " : "") + x.labels[i];
        return InvalidArgumentError(Named(x) + ": " + Quote(a) + " is not one of its choices (" +
                                    list + ")");
      }
      values[code] = {std::nullopt, *c};
    } else {
      if (a.size() > kMaxAnswer) {
        return InvalidArgumentError(Named(x) + ": the answer is longer than " +
                                    std::to_string(kMaxAnswer) + " bytes");
      }
      if (ContainsNhsNumber(a)) {
        return InvalidArgumentError(Named(x) + ": the answer " + std::string(kNhsNumberMessage));
      }
      values[code] = {std::nullopt, a};
    }
  }
  for (const Question& x : q.questions) {
    if (x.required && !values.count(x.code)) {
      return InvalidArgumentError(Named(x) + " needs an answer");
    }
  }
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(std::optional<db::Row> unit,
                   conn.QueryRow("SELECT id FROM unit WHERE code = ?",
                                 {Trimmed(in.organisation)}));
  if (!unit) return NotFoundError("there is no organisation " + Quote(in.organisation));
  std::optional<int64_t> person;
  if (!Trimmed(in.person).empty()) {
    ASSIGN_OR_RETURN(std::optional<db::Row> p,
                     conn.QueryRow("SELECT id FROM capability_person WHERE email = ?",
                                   {AsciiLower(Trimmed(in.person))}));
    if (!p) return NotFoundError("there is no person " + Quote(in.person));
    person = p->Int(0);
  }
  if (in.event_id) {
    ASSIGN_OR_RETURN(std::optional<db::Row> e,
                     conn.QueryRow("SELECT id FROM capability_event WHERE id = ?", {*in.event_id}));
    if (!e) return NotFoundError("there is no event " + std::to_string(*in.event_id));
  }
  std::string before;
  if (!person && !in.event_id) {
    ASSIGN_OR_RETURN(std::optional<db::Row> old,
                     conn.QueryRow("SELECT r.id FROM capability_response r JOIN "
                                   "capability_questionnaire q ON q.id = r.questionnaire_id "
                                   "WHERE q.code = ? AND r.unit_id = ? AND r.round = ? AND "
                                   "r.person_id IS NULL AND r.event_id IS NULL",
                                   {q.code, unit->Int(0), round}));
    if (old) {
      before = json{{"response", old->Int(0)}}.dump();
      RETURN_IF_ERROR(
          conn.Execute("DELETE FROM capability_answer WHERE response_id = ?", {old->Int(0)}));
      RETURN_IF_ERROR(
          conn.Execute("DELETE FROM capability_response WHERE id = ?", {old->Int(0)}));
    }
  }
  ASSIGN_OR_RETURN(int64_t id, conn.ExecuteReturningId(
                                   "INSERT INTO capability_response (questionnaire_id, unit_id, "
                                   "round, event_id, person_id, submitted_by, submitted_at) "
                                   "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                   {q.id, unit->Int(0), round, in.event_id, person, who.actor,
                                    who.at}));
  ASSIGN_OR_RETURN(std::vector<db::Row> ids,
                   conn.QueryAll("SELECT id, code FROM capability_question WHERE "
                                 "questionnaire_id = ?",
                                 {q.id}));
  std::map<std::string, int64_t> qid;
  for (const db::Row& r : ids) qid[r.Text(1)] = r.Int(0);
  for (const auto& [code, v] : values) {
    RETURN_IF_ERROR(conn.Execute(
        "INSERT INTO capability_answer (response_id, question_id, number, text) VALUES (?, ?, ?, "
        "?)",
        {id, qid.at(code), v.first, v.second}));
  }
  RETURN_IF_ERROR(access::RecordAudit(
      conn, who, "assessment.submit",
      q.code + " " + Trimmed(in.organisation) + " " + round, before,
      json{{"questionnaire", q.code}, {"version", q.version}, {"answers", values.size()}}.dump()));
  RETURN_IF_ERROR(tx.Commit());
  return id;
}

Result<Comparison> CompareRound(db::Connection& conn, std::string_view questionnaire,
                                std::string_view round_in, std::string_view organisation) {
  ASSIGN_OR_RETURN(Questionnaire q, GetQuestionnaire(conn, questionnaire));
  Comparison c;
  c.questionnaire = q.code;
  c.title = q.title;
  // Components in question order (of the latest version), scale questions only.
  std::map<std::string, std::pair<double, double>> range;
  for (const Question& x : q.questions) {
    if (x.kind != "scale" || x.component.empty()) continue;
    if (!range.count(x.component)) {
      c.components.push_back(x.component);
      range[x.component] = {static_cast<double>(*x.scale_min), static_cast<double>(*x.scale_max)};
    } else {
      range[x.component].first = std::min<double>(range[x.component].first, *x.scale_min);
      range[x.component].second = std::max<double>(range[x.component].second, *x.scale_max);
    }
  }
  std::vector<int64_t> units;
  if (!organisation.empty()) {
    ASSIGN_OR_RETURN(std::optional<db::Row> u,
                     conn.QueryRow("SELECT id FROM unit WHERE code = ?",
                                   {std::string(organisation)}));
    if (!u) return NotFoundError("there is no organisation " + Quote(organisation));
    ASSIGN_OR_RETURN(units, UnitAndBelow(conn, u->Int(0)));
  }
  // Every organisational response to any version of the questionnaire.
  struct Resp {
    int64_t id = 0;
    std::string org, name, round, at, by;
    int64_t unit = 0;
    std::map<std::string, std::vector<double>> numbers;  // component -> answers
    std::vector<std::pair<std::string, std::string>> answers;
  };
  std::vector<Resp> all;
  std::map<int64_t, size_t> index;
  RETURN_IF_ERROR(conn.Query(
      "SELECT r.id, u.code, u.name, r.round, r.submitted_at, r.submitted_by, u.id FROM "
      "capability_response r JOIN capability_questionnaire q ON q.id = r.questionnaire_id JOIN "
      "unit u ON u.id = r.unit_id WHERE q.code = ? AND r.person_id IS NULL AND r.event_id IS "
      "NULL ORDER BY u.code, r.round",
      {q.code}, [&](const db::Row& r) {
        if (!units.empty() && std::find(units.begin(), units.end(), r.Int(6)) == units.end()) {
          return db::Flow::kContinue;
        }
        index[r.Int(0)] = all.size();
        all.push_back({r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5), r.Int(6),
                       {}, {}});
        return db::Flow::kContinue;
      }));
  RETURN_IF_ERROR(conn.Query(
      "SELECT a.response_id, x.code, x.component, x.kind, a.number, a.text FROM capability_answer "
      "a JOIN capability_question x ON x.id = a.question_id JOIN capability_response r ON r.id = "
      "a.response_id JOIN capability_questionnaire q ON q.id = r.questionnaire_id WHERE q.code = "
      "? ORDER BY a.response_id, x.position",
      {q.code}, [&](const db::Row& r) {
        auto it = index.find(r.Int(0));
        if (it == index.end()) return db::Flow::kContinue;
        Resp& resp = all[it->second];
        resp.answers.push_back({r.Text(1), r.Text(5)});
        if (r.Text(3) == "scale" && !r.Text(2).empty() && !r.IsNull(4)) {
          resp.numbers[r.Text(2)].push_back(r.Double(4));
        }
        return db::Flow::kContinue;
      }));
  std::set<std::string> rounds;
  for (const Resp& r : all) rounds.insert(r.round);
  c.rounds.assign(rounds.begin(), rounds.end());
  c.round = round_in.empty() ? (c.rounds.empty() ? "" : c.rounds.back()) : std::string(round_in);
  auto scores_of = [&](const Resp& r) {
    std::vector<ComponentScore> out;
    for (const std::string& comp : c.components) {
      ComponentScore s{comp, std::nullopt, range[comp].first, range[comp].second};
      auto it = r.numbers.find(comp);
      if (it != r.numbers.end() && !it->second.empty()) {
        double sum = 0;
        for (double v : it->second) sum += v;
        s.score = sum / static_cast<double>(it->second.size());
      }
      out.push_back(s);
    }
    return out;
  };
  std::map<std::string, std::vector<double>> per_component;
  for (size_t i = 0; i < all.size(); ++i) {
    const Resp& r = all[i];
    if (r.round != c.round) continue;
    OrgResult o{r.org, r.name, r.round, r.at, r.by, scores_of(r), "", {}, r.answers};
    // The same organisation's latest earlier round.
    const Resp* prev = nullptr;
    for (const Resp& p : all) {
      if (p.org == r.org && p.round < r.round && (prev == nullptr || p.round > prev->round)) {
        prev = &p;
      }
    }
    if (prev != nullptr) {
      o.previous_round = prev->round;
      const std::vector<ComponentScore> before = scores_of(*prev);
      for (size_t k = 0; k < o.scores.size(); ++k) {
        o.change.push_back(o.scores[k].score && before[k].score
                               ? std::optional<double>(*o.scores[k].score - *before[k].score)
                               : std::nullopt);
      }
    } else {
      o.change.assign(o.scores.size(), std::nullopt);
    }
    for (const ComponentScore& s : o.scores) {
      if (s.score) per_component[s.component].push_back(*s.score);
    }
    c.organisations.push_back(std::move(o));
  }
  for (const std::string& comp : c.components) {
    const std::vector<double>& v = per_component[comp];
    Spread s{comp, static_cast<int64_t>(v.size()), std::nullopt, Median(v), std::nullopt};
    if (!v.empty()) {
      s.min = *std::min_element(v.begin(), v.end());
      s.max = *std::max_element(v.begin(), v.end());
    }
    c.spread.push_back(s);
  }
  return c;
}

Result<EvaluationSummary> SummariseEvaluations(db::Connection& conn, int64_t event_id) {
  EvaluationSummary out;
  ASSIGN_OR_RETURN(std::optional<db::Row> n,
                   conn.QueryRow("SELECT COUNT(*) FROM capability_response r JOIN "
                                 "capability_questionnaire q ON q.id = r.questionnaire_id WHERE "
                                 "q.purpose = 'evaluation' AND (? = 0 OR r.event_id = ?)",
                                 {event_id, event_id}));
  out.responses = n ? n->Int(0) : 0;
  RETURN_IF_ERROR(conn.Query(
      "SELECT x.code, AVG(a.number) FROM capability_answer a JOIN capability_question x ON x.id "
      "= a.question_id JOIN capability_response r ON r.id = a.response_id JOIN "
      "capability_questionnaire q ON q.id = r.questionnaire_id WHERE q.purpose = 'evaluation' "
      "AND a.number IS NOT NULL AND (? = 0 OR r.event_id = ?) GROUP BY x.code ORDER BY x.code",
      {event_id, event_id}, [&](const db::Row& r) {
        out.means.push_back({r.Text(0), r.Double(1)});
        return db::Flow::kContinue;
      }));
  return out;
}

}  // namespace shewhart::capability
