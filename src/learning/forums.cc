#include "learning/forums.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "base/date.h"
#include "base/text_checks.h"
#include "directory/directory.h"
#include "learning/search.h"

namespace shewhart::learning {
namespace {

using nlohmann::json;

constexpr std::string_view kCaseKinds[] = {"incident", "lesson", "other"};
constexpr std::string_view kActionStatuses[] = {"planned", "in_progress", "done"};

Status Text(std::string_view field, const std::string& text, size_t max, bool required) {
  if (required && text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return InvalidArgumentError(std::string(field) + " is required");
  }
  if (text.size() > max) {
    return InvalidArgumentError(std::string(field) + ": at most " + std::to_string(max) +
                                " characters");
  }
  return ScreenFreeText(field, text);
}

Status Date(std::string_view field, const std::string& d, bool required) {
  if (d.empty() && !required) return Status::Ok();
  if (!ParseIsoDate(d)) return InvalidArgumentError(std::string(field) + ": write YYYY-MM-DD");
  return Status::Ok();
}

bool OneOf(std::string_view w, std::span<const std::string_view> words) {
  return std::find(words.begin(), words.end(), w) != words.end();
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

Result<int64_t> UnitOf(db::Connection& conn, std::string_view field, const std::string& code) {
  ASSIGN_OR_RETURN(std::optional<int64_t> id, directory::FindUnitId(conn, code));
  if (!id) {
    return InvalidArgumentError(std::string(field) + ": there is no organisation \"" + code + "\"");
  }
  return *id;
}

Status CheckCases(const std::vector<NewCase>& cases, std::string_view field) {
  for (const NewCase& c : cases) {
    if (!OneOf(c.kind, kCaseKinds)) {
      return InvalidArgumentError(std::string(field) + ".kind: one of incident, lesson, other");
    }
    RETURN_IF_ERROR(Text(std::string(field) + ".summary", c.summary, 1000, false));
  }
  return Status::Ok();
}

Result<std::optional<int64_t>> CaseUnit(db::Connection& conn, const NewCase& c,
                                        std::string_view field) {
  if (!c.organisation.empty()) {
    ASSIGN_OR_RETURN(int64_t id,
                     UnitOf(conn, std::string(field) + ".organisation", c.organisation));
    return std::optional<int64_t>(id);
  }
  std::optional<int64_t> unit;
  if (c.id && c.kind != "other") {
    bool found = false;
    RETURN_IF_ERROR(conn.Query(c.kind == "incident" ? "SELECT unit_id FROM incident WHERE id = ?"
                                                    : "SELECT unit_id FROM lesson WHERE id = ?",
                               {*c.id}, [&](const db::Row& r) {
                                 found = true;
                                 unit = r.OptionalInt(0);
                                 return db::Flow::kStop;
                               }));
    if (!found) {
      return InvalidArgumentError(std::string(field) + ".id: there is no " + c.kind + " " +
                                  std::to_string(*c.id));
    }
  }
  return unit;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) {
    std::string one = l;
    std::replace(one.begin(), one.end(), '\n', ' ');
    out += (out.empty() ? "" : "\n") + one;
  }
  return out;
}

Status ValidTime(std::string_view field, const std::string& t) {
  // YYYY-MM-DDTHH:MM
  if (t.size() != 16 || t[10] != 'T' || t[13] != ':' || !ParseIsoDate(t.substr(0, 10)) ||
      !std::isdigit(static_cast<unsigned char>(t[11])) ||
      !std::isdigit(static_cast<unsigned char>(t[12])) ||
      !std::isdigit(static_cast<unsigned char>(t[14])) ||
      !std::isdigit(static_cast<unsigned char>(t[15]))) {
    return InvalidArgumentError(std::string(field) + ": write YYYY-MM-DDTHH:MM (UTC)");
  }
  return Status::Ok();
}

std::string IcsText(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == ';' || c == ',') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c != '\r') {
      out += c;
    }
  }
  return out;
}

// RFC 5545 folds lines longer than 75 octets (continuation lines start with a space), never
// inside a UTF-8 sequence.
std::string Fold(const std::string& line) {
  std::string out;
  size_t i = 0, width = 0;
  while (i < line.size()) {
    size_t len = 1;
    const unsigned char c = static_cast<unsigned char>(line[i]);
    if (c >= 0xF0)
      len = 4;
    else if (c >= 0xE0)
      len = 3;
    else if (c >= 0xC0)
      len = 2;
    if (width + len > 74) {
      out += "\r\n ";
      width = 1;
    }
    out.append(line, i, len);
    width += len;
    i += len;
  }
  return out + "\r\n";
}

std::string IcsTime(std::string_view t) {
  // 2026-03-05T14:00 -> 20260305T140000Z
  std::string out;
  for (char c : t) {
    if (std::isdigit(static_cast<unsigned char>(c)) || c == 'T') out += c;
  }
  while (out.size() < 15) out += '0';
  return out.substr(0, 15) + "Z";
}

Event EventFromRow(const db::Row& r) {
  return {r.Int(0), r.OptionalInt(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5), r.Text(6)};
}

constexpr std::string_view kSelectEvents =
    "SELECT id, forum_id, title, description, location, starts_at, ends_at FROM sharing_event";

}  // namespace

Result<int64_t> CreateForum(db::Connection& conn, const access::Acting& who, const NewForum& f) {
  RETURN_IF_ERROR(Text("name", f.name, 200, true));
  RETURN_IF_ERROR(Text("description", f.description, 2000, false));
  if (f.members.size() < 2) {
    return InvalidArgumentError("members: a forum brings together at least two organisations");
  }
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(int64_t id, conn.ExecuteReturningId(
                                   "INSERT INTO learning_forum (name, description, created_by, "
                                   "created_at) VALUES (?, ?, ?, ?) RETURNING id",
                                   {f.name, f.description, who.actor, who.at}));
  for (const std::string& code : f.members) {
    ASSIGN_OR_RETURN(int64_t unit, UnitOf(conn, "members", code));
    RETURN_IF_ERROR(conn.Execute(
        "INSERT INTO forum_member (forum_id, unit_id, role) VALUES (?, ?, 'member')", {id, unit}));
  }
  RETURN_IF_ERROR(access::RecordAudit(
      conn, who, "forum.create", "forum " + std::to_string(id), "",
      Dump({{"name", f.name}, {"description", f.description}, {"members", f.members}})));
  RETURN_IF_ERROR(tx.Commit());
  return id;
}

Result<int64_t> AddMeeting(db::Connection& conn, const access::Acting& who, int64_t forum_id,
                           const NewMeeting& m) {
  RETURN_IF_ERROR(Text("title", m.title, 200, true));
  RETURN_IF_ERROR(Text("notes", m.notes, 8000, false));
  RETURN_IF_ERROR(Date("held_on", m.held_on, true));
  RETURN_IF_ERROR(CheckCases(m.cases, "cases"));
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  ASSIGN_OR_RETURN(Forum f, GetForum(conn, forum_id));
  ASSIGN_OR_RETURN(int64_t id,
                   conn.ExecuteReturningId(
                       "INSERT INTO forum_meeting (forum_id, held_on, title, notes, created_by, "
                       "created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                       {forum_id, m.held_on, m.title, m.notes, who.actor, who.at}));
  json cases = json::array();
  for (const NewCase& c : m.cases) {
    ASSIGN_OR_RETURN(std::optional<int64_t> unit, CaseUnit(conn, c, "cases"));
    RETURN_IF_ERROR(
        conn.Execute("INSERT INTO forum_case (meeting_id, kind, ref_id, unit_id, summary) VALUES "
                     "(?, ?, ?, ?, ?)",
                     {id, c.kind, c.id, unit, c.summary}));
    cases.push_back(
        {{"kind", c.kind}, {"id", c.id ? json(*c.id) : json()}, {"summary", c.summary}});
  }
  RETURN_IF_ERROR(access::RecordAudit(
      conn, who, "forum.meeting", "forum " + std::to_string(f.id), "",
      Dump({{"meeting", id}, {"held_on", m.held_on}, {"title", m.title}, {"cases", cases}})));
  RETURN_IF_ERROR(tx.Commit());
  return id;
}

Result<int64_t> CreateReview(db::Connection& conn, const access::Acting& who, int64_t forum_id,
                             const NewReview& r) {
  RETURN_IF_ERROR(Text("theme", r.theme, 80, true));
  RETURN_IF_ERROR(Text("title", r.title, 200, true));
  RETURN_IF_ERROR(Text("summary", r.summary, 8000, false));
  for (const std::string& p : r.learning_points) {
    RETURN_IF_ERROR(Text("learning_points", p, 500, true));
  }
  RETURN_IF_ERROR(CheckCases(r.items, "items"));
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  RETURN_IF_ERROR(GetForum(conn, forum_id).status());
  const std::string theme = NormaliseTheme(r.theme);
  ASSIGN_OR_RETURN(int64_t id, conn.ExecuteReturningId(
                                   "INSERT INTO thematic_review (forum_id, theme, title, summary, "
                                   "learning_points, created_by, created_at) VALUES (?, ?, ?, ?, "
                                   "?, ?, ?) RETURNING id",
                                   {forum_id, theme, r.title, r.summary,
                                    JoinLines(r.learning_points), who.actor, who.at}));
  for (const NewCase& c : r.items) {
    if (!c.id) return InvalidArgumentError("items.id is required");
    ASSIGN_OR_RETURN(std::optional<int64_t> unit, CaseUnit(conn, c, "items"));
    RETURN_IF_ERROR(
        conn.Execute("INSERT INTO thematic_review_item (review_id, kind, ref_id, unit_id, summary) "
                     "VALUES (?, ?, ?, ?, ?)",
                     {id, c.kind, *c.id, unit, c.summary}));
  }
  RETURN_IF_ERROR(access::RecordAudit(conn, who, "review.create", "review " + std::to_string(id),
                                      "",
                                      Dump({{"forum", forum_id},
                                            {"theme", theme},
                                            {"title", r.title},
                                            {"learning_points", r.learning_points},
                                            {"items", r.items.size()}})));
  RETURN_IF_ERROR(tx.Commit());
  return id;
}

Result<int64_t> AddAction(db::Connection& conn, const access::Acting& who,
                          const access::Scope& scope, int64_t review_id, const NewAction& a) {
  RETURN_IF_ERROR(Text("action", a.action, 500, true));
  const std::string status = a.status.empty() ? "planned" : a.status;
  if (!OneOf(status, kActionStatuses)) {
    return InvalidArgumentError("status: one of planned, in_progress, done");
  }
  RETURN_IF_ERROR(Date("due", a.due, false));
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  RETURN_IF_ERROR(GetReview(conn, scope, review_id).status());
  if (a.organisation.empty()) return InvalidArgumentError("organisation is required");
  ASSIGN_OR_RETURN(int64_t unit, UnitOf(conn, "organisation", a.organisation));
  if (!scope.Contains(unit)) {
    return Status(StatusCode::kPermissionDenied,
                  "organisation: " + a.organisation + " is not in your organisations");
  }
  ASSIGN_OR_RETURN(int64_t id, conn.ExecuteReturningId(
                                   "INSERT INTO forum_action (review_id, unit_id, action, status, "
                                   "due, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                                   "RETURNING id",
                                   {review_id, unit, a.action, status, a.due, who.actor, who.at}));
  RETURN_IF_ERROR(access::RecordAudit(conn, who, "review.action",
                                      "review " + std::to_string(review_id), "",
                                      Dump({{"organisation", a.organisation},
                                            {"action", a.action},
                                            {"status", status},
                                            {"due", a.due}})));
  RETURN_IF_ERROR(tx.Commit());
  return id;
}

Result<int64_t> CreateEvent(db::Connection& conn, const access::Acting& who, const NewEvent& e) {
  RETURN_IF_ERROR(Text("title", e.title, 200, true));
  RETURN_IF_ERROR(Text("description", e.description, 4000, false));
  RETURN_IF_ERROR(Text("location", e.location, 300, false));
  RETURN_IF_ERROR(ValidTime("starts_at", e.starts_at));
  RETURN_IF_ERROR(ValidTime("ends_at", e.ends_at));
  if (e.ends_at < e.starts_at) return InvalidArgumentError("ends_at: before starts_at");
  ASSIGN_OR_RETURN(db::ServiceTransaction tx, db::ServiceTransaction::Begin(conn));
  if (e.forum_id) RETURN_IF_ERROR(GetForum(conn, *e.forum_id).status());
  ASSIGN_OR_RETURN(
      int64_t id, conn.ExecuteReturningId(
                      "INSERT INTO sharing_event (forum_id, title, description, location, "
                      "starts_at, ends_at, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                      "RETURNING id",
                      {e.forum_id, e.title, e.description, e.location, e.starts_at, e.ends_at,
                       who.actor, who.at}));
  RETURN_IF_ERROR(access::RecordAudit(conn, who, "sharing_event.create", "event " + std::to_string(id), "",
                                      Dump({{"title", e.title},
                                            {"starts_at", e.starts_at},
                                            {"ends_at", e.ends_at},
                                            {"location", e.location}})));
  RETURN_IF_ERROR(tx.Commit());
  return id;
}

Result<std::vector<Forum>> ListForums(db::Connection& conn) {
  std::vector<Forum> out;
  RETURN_IF_ERROR(
      conn.Query("SELECT id FROM learning_forum ORDER BY name", {}, [&](const db::Row& r) {
        Forum f;
        f.id = r.Int(0);
        out.push_back(std::move(f));
        return db::Flow::kContinue;
      }));
  for (Forum& f : out) {
    ASSIGN_OR_RETURN(f, GetForum(conn, f.id));
  }
  return out;
}

Result<Forum> GetForum(db::Connection& conn, int64_t id) {
  Forum f;
  bool found = false;
  RETURN_IF_ERROR(conn.Query("SELECT id, name, description FROM learning_forum WHERE id = ?", {id},
                             [&](const db::Row& r) {
                               found = true;
                               f.id = r.Int(0);
                               f.name = r.Text(1);
                               f.description = r.Text(2);
                               return db::Flow::kStop;
                             }));
  if (!found) return NotFoundError("there is no forum " + std::to_string(id));
  RETURN_IF_ERROR(conn.Query(
      "SELECT u.code, u.name, m.role FROM forum_member m JOIN unit u ON u.id = m.unit_id "
      "WHERE m.forum_id = ? ORDER BY u.name",
      {id}, [&](const db::Row& r) {
        f.members.push_back({r.Text(0), r.Text(1), r.Text(2)});
        return db::Flow::kContinue;
      }));
  RETURN_IF_ERROR(
      conn.Query("SELECT id, held_on, title, notes FROM forum_meeting WHERE forum_id = ? "
                 "ORDER BY held_on DESC, id DESC",
                 {id}, [&](const db::Row& r) {
                   f.meetings.push_back({r.Int(0), r.Text(1), r.Text(2), r.Text(3), {}});
                   return db::Flow::kContinue;
                 }));
  for (Meeting& m : f.meetings) {
    RETURN_IF_ERROR(
        conn.Query("SELECT c.kind, c.ref_id, COALESCE(u.code, ''), c.summary FROM forum_case c "
                   "LEFT JOIN unit u ON u.id = c.unit_id WHERE c.meeting_id = ? ORDER BY c.id",
                   {m.id}, [&](const db::Row& r) {
                     m.cases.push_back({r.Text(0), r.OptionalInt(1), r.Text(2), r.Text(3)});
                     return db::Flow::kContinue;
                   }));
  }
  RETURN_IF_ERROR(conn.Query(
      "SELECT id, theme, title, summary, learning_points FROM thematic_review WHERE forum_id = ? "
      "ORDER BY id",
      {id}, [&](const db::Row& r) {
        Review v;
        v.id = r.Int(0);
        v.forum_id = id;
        v.forum = f.name;
        v.theme = r.Text(1);
        v.title = r.Text(2);
        v.summary = r.Text(3);
        v.learning_points = Lines(r.Text(4));
        f.reviews.push_back(std::move(v));
        return db::Flow::kContinue;
      }));
  RETURN_IF_ERROR(conn.Query(std::string(kSelectEvents) + " WHERE forum_id = ? ORDER BY starts_at",
                             {id}, [&](const db::Row& r) {
                               f.events.push_back(EventFromRow(r));
                               return db::Flow::kContinue;
                             }));
  return f;
}

Result<Review> GetReview(db::Connection& conn, const access::Scope& scope, int64_t id) {
  std::optional<int64_t> forum_id;
  RETURN_IF_ERROR(
      conn.Query("SELECT forum_id FROM thematic_review WHERE id = ?", {id}, [&](const db::Row& r) {
        forum_id = r.Int(0);
        return db::Flow::kStop;
      }));
  if (!forum_id) return NotFoundError("there is no thematic review " + std::to_string(id));
  ASSIGN_OR_RETURN(Forum f, GetForum(conn, *forum_id));
  Review v;
  for (const Review& x : f.reviews) {
    if (x.id == id) v = x;
  }
  std::set<std::string> orgs;
  RETURN_IF_ERROR(conn.Query(
      "SELECT i.kind, i.ref_id, COALESCE(u.code, ''), i.summary, i.unit_id FROM "
      "thematic_review_item i LEFT JOIN unit u ON u.id = i.unit_id WHERE i.review_id = ? "
      "ORDER BY i.kind, i.ref_id",
      {id}, [&](const db::Row& r) {
        const std::optional<int64_t> unit = r.OptionalInt(4);
        if (!r.Text(2).empty()) orgs.insert(r.Text(2));
        // An incident's organisation is shown, the record itself stays in its own scope.
        v.items.push_back({r.Text(0), r.OptionalInt(1), r.Text(2), r.Text(3)});
        (void)unit;
        return db::Flow::kContinue;
      }));
  ASSIGN_OR_RETURN(std::vector<Lesson> lessons, ListLessons(conn, scope, {.theme = v.theme}));
  std::set<int64_t> lesson_ids;
  for (Lesson& l : lessons) {
    if (l.share == "organisation_only") continue;  // shared lessons only
    if (!l.organisation.empty()) orgs.insert(l.organisation);
    lesson_ids.insert(l.id);
    v.lessons.push_back(std::move(l));
  }
  // Anonymised lessons count as organisations without naming them.
  int hidden = 0;
  for (const Lesson& l : v.lessons) hidden += l.organisation.empty() ? 1 : 0;
  v.organisations = static_cast<int>(orgs.size()) + (hidden > 0 ? 1 : 0);
  RETURN_IF_ERROR(conn.Query(
      "SELECT a.id, u.code, u.name, a.action, a.status, a.due FROM forum_action a JOIN unit u ON "
      "u.id = a.unit_id WHERE a.review_id = ? ORDER BY u.name, a.id",
      {id}, [&](const db::Row& r) {
        v.actions.push_back({r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5)});
        return db::Flow::kContinue;
      }));
  return v;
}

Result<std::vector<Event>> ListEvents(db::Connection& conn, std::string_view from) {
  std::vector<Event> out;
  RETURN_IF_ERROR(
      conn.Query(std::string(kSelectEvents) + " WHERE starts_at >= ? ORDER BY starts_at, id",
                 {from}, [&](const db::Row& r) {
                   out.push_back(EventFromRow(r));
                   return db::Flow::kContinue;
                 }));
  return out;
}

Result<Event> GetEvent(db::Connection& conn, int64_t id) {
  std::optional<Event> e;
  RETURN_IF_ERROR(
      conn.Query(std::string(kSelectEvents) + " WHERE id = ?", {id}, [&](const db::Row& r) {
        e = EventFromRow(r);
        return db::Flow::kStop;
      }));
  if (!e) return NotFoundError("there is no sharing event " + std::to_string(id));
  return *e;
}

std::string ICalendar(const std::vector<Event>& events, std::string_view stamp) {
  std::string out =
      "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Shewhart//Learning//EN\r\n"
      "CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n";
  for (const Event& e : events) {
    out += "BEGIN:VEVENT\r\n";
    out += Fold("UID:event-" + std::to_string(e.id) + "@shewhart");
    out += "DTSTAMP:" + IcsTime(stamp.substr(0, 16)) + "\r\n";
    out += "DTSTART:" + IcsTime(e.starts_at) + "\r\n";
    out += "DTEND:" + IcsTime(e.ends_at) + "\r\n";
    out += Fold("SUMMARY:" + IcsText(e.title));
    if (!e.description.empty()) out += Fold("DESCRIPTION:" + IcsText(e.description));
    if (!e.location.empty()) out += Fold("LOCATION:" + IcsText(e.location));
    out += "END:VEVENT\r\n";
  }
  return out + "END:VCALENDAR\r\n";
}

}  // namespace shewhart::learning
