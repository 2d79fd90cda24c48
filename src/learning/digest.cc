#include "learning/digest.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#ifdef SHEWHART_HAVE_CURL
#include <curl/curl.h>
#endif

#include "base/date.h"
#include "base/markup.h"
#include "base/temp_file.h"
#include "chart/table_page.h"
#include "chart/xmr_chart.h"
#include "directory/directory.h"

namespace shewhart::learning {
namespace {

constexpr int kDefaultDays = 30;
constexpr int kEventHorizonDays = 120;
constexpr int kMaxRows = 25;

std::string Esc(std::string_view s) { return MarkupEscaped(s); }

Result<bool> HasTable(db::Connection& conn, std::string_view table) {
  bool found = false;
  RETURN_IF_ERROR(conn.Query(
      conn.dialect() == db::Dialect::kPostgres
          ? "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND "
            "table_name = ?"
          : "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
      {table}, [&](const db::Row&) {
        found = true;
        return db::Flow::kStop;
      }));
  return found;
}

Result<std::set<std::string>> Columns(db::Connection& conn, std::string_view table) {
  std::set<std::string> out;
  RETURN_IF_ERROR(conn.Query(
      conn.dialect() == db::Dialect::kPostgres
          ? "SELECT CAST(column_name AS TEXT) FROM information_schema.columns WHERE table_schema "
            "= current_schema() AND table_name = ?"
          : "SELECT name FROM pragma_table_info(?)",
      {table}, [&](const db::Row& r) {
        out.insert(r.Text(0));
        return db::Flow::kContinue;
      }));
  return out;
}

std::string ResponseWord(std::string_view r) {
  if (r == "not_applicable") return "found it not applicable";
  if (r == "reviewing") return "is reviewing it";
  return std::string(r);
}

std::string When(std::string_view t) {
  // 2026-03-05T14:00 -> 2026-03-05 14:00 UTC
  if (t.size() < 16) return std::string(t);
  return std::string(t.substr(0, 10)) + " " + std::string(t.substr(11, 5)) + " UTC";
}

std::string Query(const Digest& d) {
  return "from=" + d.from + "&to=" + d.to + "&audience=" + d.audience;
}

}  // namespace

Result<Digest> BuildDigest(db::Connection& conn, const DigestRequest& req, std::string_view now) {
  Digest d;
  d.generated_at = std::string(now);
  d.to = req.to.empty() ? std::string(now.substr(0, 10)) : req.to;
  const std::optional<Date> to = ParseIsoDate(d.to);
  if (!to) return InvalidArgumentError("to: write the date as YYYY-MM-DD");
  if (req.from.empty()) {
    d.from = FormatIsoDate(*to - (kDefaultDays - 1));
  } else {
    d.from = req.from;
  }
  const std::optional<Date> from = ParseIsoDate(d.from);
  if (!from) return InvalidArgumentError("from: write the date as YYYY-MM-DD");
  if (*from > *to) return InvalidArgumentError("from: after to");
  const int days = static_cast<int>(*to - *from) + 1;
  const std::string before_from = FormatIsoDate(*from - days);

  // The audience: which organisations' news it carries.
  d.audience = req.audience.empty() ? "system" : req.audience;
  ASSIGN_OR_RETURN(directory::Directory dir, directory::Directory::Load(conn));
  std::optional<std::set<int64_t>> units;  // nullopt = every unit
  std::optional<int64_t> forum_id;
  if (d.audience == "system") {
    d.audience_name = "the whole system";
    for (const directory::Unit& u : dir.units()) {
      if (u.kind == "system") {
        d.audience_name = u.name;
        break;
      }
    }
  } else if (d.audience.starts_with("forum:")) {
    int64_t id = 0;
    try {
      id = std::stoll(d.audience.substr(6));
    } catch (...) {
      return InvalidArgumentError("audience: write forum:ID, a place's code or system");
    }
    ASSIGN_OR_RETURN(Forum f, GetForum(conn, id));
    forum_id = id;
    d.audience_name = f.name;
    units.emplace();
    for (const Member& m : f.members) {
      if (const directory::Unit* u = dir.FindByCode(m.organisation)) units->insert(u->id);
    }
  } else {
    const directory::Unit* place = dir.FindByCode(d.audience);
    if (place == nullptr) {
      return InvalidArgumentError("audience: \"" + d.audience +
                                  "\" is neither system, forum:ID nor a place's code");
    }
    d.audience_name = place->name;
    units.emplace();
    for (const directory::Unit& u : dir.units()) {
      for (std::optional<int64_t> p = u.id; p;) {
        if (*p == place->id) {
          units->insert(u.id);
          break;
        }
        const directory::Unit* up = dir.FindById(*p);
        p = up ? up->parent_id : std::nullopt;
      }
    }
  }
  auto in_audience = [&](std::optional<int64_t> unit) {
    return !units || (unit && units->contains(*unit));
  };

  // Lessons: only what everyone may see.
  std::map<int64_t, int64_t> lesson_unit;
  RETURN_IF_ERROR(conn.Query("SELECT id, unit_id FROM lesson WHERE share <> 'organisation_only'",
                             {}, [&](const db::Row& r) {
                               lesson_unit[r.Int(0)] = r.Int(1);
                               return db::Flow::kContinue;
                             }));
  access::Scope nobody;  // a broadcast: nobody's scope, so anonymised lessons stay anonymous
  ASSIGN_OR_RETURN(std::vector<Lesson> lessons,
                   ListLessons(conn, nobody, {.from = d.from, .to = d.to}));
  for (Lesson& l : lessons) {
    if (!in_audience(lesson_unit[l.id])) continue;
    if (l.co_design) d.co_design.push_back(l);
    d.new_lessons.push_back(std::move(l));
  }
  // Responses in the period, to any shared lesson, by organisations of the audience.
  std::map<std::string, int64_t> by_response;
  RETURN_IF_ERROR(conn.Query(
      "SELECT r.lesson_id, l.title, u.name, r.response, r.responded_on, r.project, r.unit_id, "
      "l.learned_on FROM lesson_response r JOIN lesson l ON l.id = r.lesson_id JOIN unit u ON "
      "u.id = r.unit_id WHERE l.share <> 'organisation_only' AND r.responded_on >= ? AND "
      "r.responded_on <= ? ORDER BY r.responded_on DESC, r.id DESC",
      {d.from, d.to}, [&](const db::Row& r) {
        if (!in_audience(r.Int(6))) return db::Flow::kContinue;
        if (d.responses.size() < static_cast<size_t>(kMaxRows)) {
          d.responses.push_back({r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5)});
        }
        ++by_response[r.Text(3)];
        return db::Flow::kContinue;
      }));
  for (std::string_view w : ResponseWords()) {
    d.spread.push_back({ResponseWord(w), "", by_response[std::string(w)], 0});
  }
  // Improvements SPC confirmed: series whose latest point signals special-cause improvement.
  RETURN_IF_ERROR(conn.Query(
      "SELECT v.name, u.name, s.last_period, s.unit_id FROM spc_result s JOIN unit u ON u.id = "
      "s.unit_id JOIN metric_version v ON v.metric_id = s.metric_id AND v.version = (SELECT "
      "MAX(w.version) FROM metric_version w WHERE w.metric_id = s.metric_id) WHERE s.variation "
      "LIKE 'improvement%' AND s.last_period >= ? AND s.last_period <= ? ORDER BY v.name, u.name",
      {d.from.substr(0, 7), d.to}, [&](const db::Row& r) {
        if (in_audience(r.Int(3)) && d.improvements.size() < static_cast<size_t>(kMaxRows)) {
          d.improvements.push_back({r.Text(0), r.Text(1) + " (to " + r.Text(2) + ")", 1, 0});
        }
        return db::Flow::kContinue;
      }));
  // Projects completed, and projects with patient partners, when the improvement part is here.
  ASSIGN_OR_RETURN(bool projects, HasTable(conn, "improvement_project"));
  if (projects) {
    ASSIGN_OR_RETURN(std::set<std::string> cols, Columns(conn, "improvement_project"));
    if (cols.contains("status") && cols.contains("title") && cols.contains("unit_id")) {
      RETURN_IF_ERROR(conn.Query(
          "SELECT p.title, COALESCE(u.name, ''), p.unit_id FROM improvement_project p LEFT JOIN "
          "unit u ON u.id = p.unit_id WHERE p.status = 'completed' ORDER BY p.title",
          {}, [&](const db::Row& r) {
            if (in_audience(r.OptionalInt(2)) &&
                d.projects.size() < static_cast<size_t>(kMaxRows)) {
              d.projects.push_back({r.Text(0), r.Text(1), 1, 0});
            }
            return db::Flow::kContinue;
          }));
      ASSIGN_OR_RETURN(bool team, HasTable(conn, "improvement_team_member"));
      if (team) {
        RETURN_IF_ERROR(conn.Query(
            "SELECT p.title, COALESCE(u.name, ''), p.unit_id FROM improvement_project p LEFT "
            "JOIN unit u ON u.id = p.unit_id WHERE EXISTS (SELECT 1 FROM improvement_team_member "
            "m WHERE m.project_id = p.id AND m.role = 'patient_partner') ORDER BY p.title",
            {}, [&](const db::Row& r) {
              if (in_audience(r.OptionalInt(2)) &&
                  d.co_design_projects.size() < static_cast<size_t>(kMaxRows)) {
                d.co_design_projects.push_back({r.Text(0), r.Text(1), 1, 0});
              }
              return db::Flow::kContinue;
            }));
      }
    }
  }
  // Signals that rose or fell: incidents and complaints reported across the audience, this
  // period against the one before. Totals only — a broadcast names no organisation's restricted
  // records (nor lets a count beside an anonymised lesson name its source).
  for (const auto& [table, date_col, noun] :
       {std::tuple<std::string_view, std::string_view, std::string_view>{"incident", "occurred",
                                                                         "Incidents reported"},
        {"complaint", "received", "Complaints received"}}) {
    ASSIGN_OR_RETURN(bool has, HasTable(conn, table));
    if (!has) continue;
    int64_t now_n = 0, before_n = 0;
    RETURN_IF_ERROR(conn.Query("SELECT unit_id, " + std::string(date_col) + " >= ? FROM " +
                                   std::string(table) + " WHERE " + std::string(date_col) +
                                   " >= ? AND " + std::string(date_col) + " <= ?",
                               {d.from, before_from, d.to}, [&](const db::Row& r) {
                                 if (!in_audience(r.Int(0))) return db::Flow::kContinue;
                                 (r.Int(1) != 0 ? now_n : before_n) += 1;
                                 return db::Flow::kContinue;
                               }));
    if (now_n == before_n) continue;
    d.signals.push_back({std::string(noun), now_n > before_n ? "rose" : "fell", now_n, before_n});
  }
  // Upcoming sharing events: from the day after the period for four months (or from today).
  const std::string start = FormatIsoDate(*to + 1);
  const std::string horizon = FormatIsoDate(*ParseIsoDate(start) + kEventHorizonDays);
  ASSIGN_OR_RETURN(std::vector<Event> events, ListEvents(conn, start));
  for (Event& e : events) {
    if (e.starts_at.substr(0, 10) > horizon) break;
    if (forum_id && e.forum_id && *e.forum_id != *forum_id) continue;
    d.events.push_back(std::move(e));
  }
  // Population segments engaged by co-designed lessons up to the end of the period.
  std::set<std::string> engaged;
  RETURN_IF_ERROR(conn.Query(
      "SELECT populations FROM lesson WHERE co_design = 1 AND share <> 'organisation_only' AND "
      "learned_on <= ?",
      {d.to}, [&](const db::Row& r) {
        std::string_view s = r.Text(0);
        size_t i = 0;
        while (i < s.size()) {
          size_t j = s.find('|', i);
          if (j == std::string_view::npos) j = s.size();
          if (j > i) engaged.insert(std::string(s.substr(i, j - i)));
          i = j + 1;
        }
        return db::Flow::kContinue;
      }));
  for (const directory::Unit& u : dir.units()) {
    if (u.kind == "segment") d.segments.push_back({u.code, u.name, engaged.contains(u.code)});
  }
  return d;
}

std::string DigestHtml(const Digest& d, std::string_view base) {
  const std::string b(base);
  std::ostringstream o;
  o << "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    << "<title>Learning digest: " << Esc(d.audience_name) << ", " << d.from << " to " << d.to
    << "</title>\n<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Learning digest "
       "feed\" href=\""
    << Esc(b + "/api/digest.atom?" + Query(d)) << "\">\n"
    << "<style>body{font-family:Arial,sans-serif;line-height:1.5;color:#212b32;margin:0;"
       "background:#f0f4f5}main{max-width:60rem;margin:0 auto;padding:1rem;background:#fff}"
       "h1{font-size:2rem}h2{border-top:4px solid #005eb8;padding-top:.5rem;margin-top:2rem}"
       "a{color:#005eb8}table{border-collapse:collapse;width:100%}th,td{text-align:left;"
       "padding:.25rem .5rem;border-bottom:1px solid #d8dde0;vertical-align:top}"
       ".tag{display:inline-block;background:#e8edee;padding:0 .4rem;margin-right:.25rem;"
       "border-radius:2px}.muted{color:#4c6272}</style>\n</head>\n<body>\n<main id=\"digest\">\n";
  o << "<h1>Learning digest</h1>\n<p class=\"muted\">For " << Esc(d.audience_name) << ", " << d.from
    << " to " << d.to << ". Generated " << Esc(d.generated_at.substr(0, 16)) << " UTC. <a href=\""
    << Esc(b + "/api/digest.pdf?" + Query(d)) << "\">Download as PDF</a> · <a href=\""
    << Esc(b + "/api/digest.atom?" + Query(d)) << "\">Atom feed</a></p>\n";

  o << "<section aria-labelledby=\"new-lessons\">\n<h2 id=\"new-lessons\">New lessons ("
    << d.new_lessons.size() << ")</h2>\n";
  if (d.new_lessons.empty()) o << "<p>No new lessons were shared in this period.</p>\n";
  for (const Lesson& l : d.new_lessons) {
    o << "<article>\n<h3><a href=\"" << Esc(b + "/lessons/" + std::to_string(l.id)) << "\">"
      << Esc(l.title) << "</a></h3>\n<p class=\"muted\">"
      << (l.anonymised ? std::string("Shared anonymised") : "From " + Esc(l.organisation_name))
      << ", " << l.learned_on << (l.co_design ? ". Co-designed with patients and the public" : "")
      << "</p>\n<p>" << Esc(l.summary) << "</p>\n";
    if (!l.themes.empty()) {
      o << "<p>Themes: ";
      for (const std::string& t : l.themes) o << "<span class=\"tag\">" << Esc(t) << "</span>";
      o << "</p>\n";
    }
    if (!l.rapid_learning_points.empty()) {
      o << "<p>Rapid learning points:</p>\n<ul>\n";
      for (const std::string& p : l.rapid_learning_points) o << "<li>" << Esc(p) << "</li>\n";
      o << "</ul>\n";
    }
    o << "</article>\n";
  }
  o << "</section>\n";

  o << "<section aria-labelledby=\"spread\">\n<h2 id=\"spread\">How far lessons "
       "spread</h2>\n<ul>\n";
  for (const DigestCount& c : d.spread) {
    o << "<li>" << c.value << (c.value == 1 ? " organisation " : " organisations ")
      << Esc(c.label == "adopted" || c.label == "adapted" ? c.label + " a lesson" : c.label)
      << "</li>\n";
  }
  o << "</ul>\n";
  if (!d.responses.empty()) {
    o << "<table>\n<caption>Responses recorded in the period</caption>\n<thead><tr><th "
         "scope=\"col\">Lesson</th><th scope=\"col\">Organisation</th><th "
         "scope=\"col\">Response</th><th scope=\"col\">Date</th><th scope=\"col\">Linked "
         "project</th></tr></thead>\n<tbody>\n";
    for (const DigestResponse& r : d.responses) {
      o << "<tr><td><a href=\"" << Esc(b + "/lessons/" + std::to_string(r.lesson_id)) << "\">"
        << Esc(r.lesson_title) << "</a></td><td>" << Esc(r.organisation_name) << "</td><td>"
        << Esc(r.response == "not_applicable" ? "not applicable" : r.response) << "</td><td>"
        << r.date << "</td><td>" << Esc(r.project) << "</td></tr>\n";
    }
    o << "</tbody>\n</table>\n";
  }
  o << "</section>\n";

  auto list = [&](std::string_view id, std::string_view heading,
                  const std::vector<DigestCount>& items, std::string_view none) {
    o << "<section aria-labelledby=\"" << id << "\">\n<h2 id=\"" << id << "\">" << heading
      << "</h2>\n";
    if (items.empty()) {
      o << "<p>" << none << "</p>\n";
    } else {
      o << "<ul>\n";
      for (const DigestCount& c : items) {
        o << "<li>" << Esc(c.label) << (c.detail.empty() ? "" : ": " + Esc(c.detail)) << "</li>\n";
      }
      o << "</ul>\n";
    }
    o << "</section>\n";
  };
  list("improvements", "Improvements SPC confirmed", d.improvements,
       "No series showed special-cause improvement in this period.");
  list("projects", "Projects completed", d.projects, "No projects were recorded as completed.");

  o << "<section aria-labelledby=\"signals\">\n<h2 id=\"signals\">Signals that rose or fell</h2>\n";
  if (d.signals.empty()) {
    o << "<p>No change in incidents or complaints reported against the period before.</p>\n";
  } else {
    o << "<table>\n<caption>Reported in this period against the "
      << "period before</caption>\n"
      << "<thead><tr><th scope=\"col\">Measure</th><th scope=\"col\">Change</th><th "
         "scope=\"col\">This period</th><th scope=\"col\">Period "
         "before</th></tr></thead>\n<tbody>\n";
    for (const DigestCount& c : d.signals) {
      o << "<tr><td>" << Esc(c.label) << "</td><td>" << Esc(c.detail) << "</td><td>" << c.value
        << "</td><td>" << c.before << "</td></tr>\n";
    }
    o << "</tbody>\n</table>\n";
  }
  o << "</section>\n";

  o << "<section aria-labelledby=\"events\">\n<h2 id=\"events\">Upcoming sharing events</h2>\n";
  if (d.events.empty()) o << "<p>No sharing events are planned.</p>\n";
  o << "<ul>\n";
  for (const Event& e : d.events) {
    o << "<li><strong>" << Esc(e.title) << "</strong>, " << Esc(When(e.starts_at))
      << (e.location.empty() ? "" : ", " + Esc(e.location)) << ". <a href=\""
      << Esc(b + "/api/events/" + std::to_string(e.id) + "/event.ics") << "\">Add " << Esc(e.title)
      << " to your calendar (.ics)</a></li>\n";
  }
  o << "</ul>\n</section>\n";

  o << "<section aria-labelledby=\"co-design\">\n<h2 id=\"co-design\">Co-design with patients "
       "and the public</h2>\n";
  if (d.co_design.empty() && d.co_design_projects.empty()) {
    o << "<p>No lesson or project in this period involved patients and the public.</p>\n";
  } else {
    o << "<ul>\n";
    for (const Lesson& l : d.co_design) {
      o << "<li><a href=\"" << Esc(b + "/lessons/" + std::to_string(l.id)) << "\">" << Esc(l.title)
        << "</a> (lesson)</li>\n";
    }
    for (const DigestCount& p : d.co_design_projects) {
      o << "<li>" << Esc(p.label) << " (project, " << Esc(p.detail) << ")</li>\n";
    }
    o << "</ul>\n";
  }
  if (!d.segments.empty()) {
    o << "<table>\n<caption>Populations the system has engaged</caption>\n<thead><tr><th "
         "scope=\"col\">Population</th><th scope=\"col\">Engaged</th></tr></thead>\n<tbody>\n";
    for (const Segment& s : d.segments) {
      o << "<tr><td>" << Esc(s.name) << "</td><td>" << (s.engaged ? "Engaged" : "Not yet engaged")
        << "</td></tr>\n";
    }
    o << "</tbody>\n</table>\n";
  }
  o << "</section>\n</main>\n</body>\n</html>\n";
  return o.str();
}

std::string DigestText(const Digest& d) {
  std::ostringstream o;
  o << "Learning digest for " << d.audience_name << ", " << d.from << " to " << d.to << "\n\n";
  o << "New lessons (" << d.new_lessons.size() << ")\n";
  for (const Lesson& l : d.new_lessons) {
    o << "- " << l.title << (l.anonymised ? " (anonymised)" : " (" + l.organisation_name + ")")
      << "\n  " << l.summary << "\n";
  }
  o << "\nHow far lessons spread\n";
  for (const DigestCount& c : d.spread) o << "- " << c.value << " " << c.label << "\n";
  o << "\nUpcoming sharing events\n";
  for (const Event& e : d.events) o << "- " << e.title << ", " << When(e.starts_at) << "\n";
  return o.str();
}

std::string DigestAtom(const Digest& d, std::string_view base) {
  const std::string b(base);
  auto stamp = [&](const std::string& t) {
    if (t.size() >= 19 && t[10] == 'T') return t.substr(0, 19) + "Z";
    if (t.size() == 10) return t + "T00:00:00Z";
    return d.generated_at.substr(0, 19) + "Z";
  };
  std::ostringstream o;
  o << "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
    << "<id>urn:shewhart:digest:" << Esc(d.audience) << "</id>\n"
    << "<title>Learning digest: " << Esc(d.audience_name) << "</title>\n"
    << "<subtitle>" << d.from << " to " << d.to << "</subtitle>\n"
    << "<updated>" << stamp(d.generated_at) << "</updated>\n"
    << "<author><name>Shewhart learning system</name></author>\n"
    << "<link rel=\"self\" type=\"application/atom+xml\" href=\""
    << Esc(b + "/api/digest.atom?" + Query(d)) << "\"/>\n"
    << "<link rel=\"alternate\" type=\"text/html\" href=\"" << Esc(b + "/api/digest?" + Query(d))
    << "\"/>\n";
  for (const Lesson& l : d.new_lessons) {
    o << "<entry>\n<id>urn:shewhart:lesson:" << l.id << "</id>\n<title>" << Esc(l.title)
      << "</title>\n<updated>" << stamp(l.created_at.empty() ? l.learned_on : l.created_at)
      << "</updated>\n<link rel=\"alternate\" type=\"text/html\" href=\""
      << Esc(b + "/lessons/" + std::to_string(l.id)) << "\"/>\n";
    for (const std::string& t : l.themes) o << "<category term=\"" << Esc(t) << "\"/>\n";
    o << "<summary>" << Esc(l.summary) << "</summary>\n</entry>\n";
  }
  for (const Event& e : d.events) {
    o << "<entry>\n<id>urn:shewhart:event:" << e.id << "</id>\n<title>" << Esc(e.title)
      << "</title>\n<updated>" << stamp(d.generated_at) << "</updated>\n"
      << "<link rel=\"alternate\" type=\"text/calendar\" href=\""
      << Esc(b + "/api/events/" + std::to_string(e.id) + "/event.ics") << "\"/>\n<summary>"
      << Esc("Sharing event, " + When(e.starts_at) + (e.location.empty() ? "" : ", " + e.location))
      << "</summary>\n</entry>\n";
  }
  o << "</feed>\n";
  return o.str();
}

Result<std::string> DigestPdf(const Digest& d) {
  // cairo writes to a path: a private temporary file, removed on every way out.
  ASSIGN_OR_RETURN(TempFile file, TempFile::Create("digest", ".pdf"));
  {
    ASSIGN_OR_RETURN(std::unique_ptr<chart::PdfBoardPack> pack,
                     chart::PdfBoardPack::Create(file.path()));
    chart::TablePageInput lessons;
    lessons.title = "Learning digest: " + d.audience_name;
    lessons.subtitle = d.from + " to " + d.to + " - new lessons";
    lessons.columns = {{"Lesson", 3}, {"From", 2}, {"Themes", 2}, {"Learned", 1}};
    for (const Lesson& l : d.new_lessons) {
      std::string themes;
      for (const std::string& t : l.themes) themes += (themes.empty() ? "" : ", ") + t;
      lessons.rows.push_back({.cells = {l.title, l.anonymised ? "anonymised" : l.organisation_name,
                                        themes, l.learned_on}});
    }
    if (lessons.rows.empty()) lessons.notes.push_back("No new lessons were shared in this period.");
    for (const DigestCount& c : d.spread) {
      lessons.notes.push_back(std::to_string(c.value) + " organisation(s) " + c.label);
    }
    RETURN_IF_ERROR(pack->AddTablePages(lessons).status());
    chart::TablePageInput more;
    more.title = "Learning digest: what else happened";
    more.subtitle = d.from + " to " + d.to;
    more.columns = {{"Section", 1}, {"What", 3}, {"Detail", 2}};
    for (const DigestResponse& r : d.responses) {
      more.rows.push_back(
          {.cells = {"Spread",
                     r.organisation_name + " " + r.response + " \"" + r.lesson_title + "\"",
                     r.date + (r.project.empty() ? "" : ", " + r.project)}});
    }
    for (const DigestCount& c : d.improvements) {
      more.rows.push_back({.cells = {"Improvement", c.label, c.detail}});
    }
    for (const DigestCount& c : d.projects)
      more.rows.push_back({.cells = {"Project", c.label, c.detail}});
    for (const DigestCount& c : d.signals) {
      more.rows.push_back({.cells = {"Signal", c.label + ": " + c.detail,
                                     std::to_string(c.before) + " -> " + std::to_string(c.value)}});
    }
    for (const Event& e : d.events) {
      more.rows.push_back({.cells = {"Event", e.title, When(e.starts_at) + " " + e.location}});
    }
    for (const Segment& s : d.segments) {
      more.rows.push_back(
          {.cells = {"Population", s.name, s.engaged ? "engaged" : "not yet engaged"}});
    }
    if (more.rows.empty()) more.notes.push_back("Nothing else to report.");
    RETURN_IF_ERROR(pack->AddTablePages(more).status());
    RETURN_IF_ERROR(pack->Finish());
  }
  ASSIGN_OR_RETURN(std::string bytes, file.Read());
  if (bytes.empty()) return IoError("the digest PDF could not be written");
  return bytes;
}

std::string DigestEmailMessage(const SmtpSettings& smtp, const std::vector<std::string>& to,
                               const Digest& d, std::string_view base) {
  const std::string boundary = "shewhart-digest-boundary-7f3a";
  std::string to_header;
  for (const std::string& t : to) to_header += (to_header.empty() ? "" : ", ") + t;
  std::ostringstream o;
  o << "From: " << smtp.from << "\r\nTo: " << to_header
    << "\r\nSubject: Learning digest: " << d.audience_name << ", " << d.from << " to " << d.to
    << "\r\nMIME-Version: 1.0\r\n"
    << "Content-Type: multipart/alternative; boundary=\"" << boundary << "\"\r\n\r\n"
    << "--" << boundary << "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n";
  auto crlf = [](const std::string& text) {
    std::string out;
    for (char c : text) {
      if (c == '\n')
        out += "\r\n";
      else if (c != '\r')
        out += c;
    }
    // SMTP dot-stuffing is libcurl's job; a lone "." line never occurs in our text anyway.
    return out;
  };
  o << crlf(DigestText(d)) << "\r\n--" << boundary
    << "\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    << crlf(DigestHtml(d, base)) << "\r\n--" << boundary << "--\r\n";
  return o.str();
}

bool EmailAvailable() {
#ifdef SHEWHART_HAVE_CURL
  return true;
#else
  return false;
#endif
}

#ifdef SHEWHART_HAVE_CURL
namespace {
struct Upload {
  std::string data;
  size_t at = 0;
};
size_t ReadBody(char* buffer, size_t size, size_t count, void* user) {
  auto* u = static_cast<Upload*>(user);
  const size_t n = std::min(size * count, u->data.size() - u->at);
  std::copy_n(u->data.data() + u->at, n, buffer);
  u->at += n;
  return n;
}
}  // namespace
#endif

Status SendDigestEmail(const SmtpSettings& smtp, const std::vector<std::string>& to,
                       const Digest& d, std::string_view base) {
  if (smtp.url.empty()) return FailedPreconditionError("no SMTP relay is configured");
  if (to.empty()) return InvalidArgumentError("to: give at least one address");
  for (const std::string& t : to) {
    if (t.find('@') == std::string::npos || t.find_first_of("\r\n<>, ") != std::string::npos) {
      return InvalidArgumentError("to: \"" + t + "\" is not an e-mail address");
    }
  }
#ifdef SHEWHART_HAVE_CURL
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return InternalError("libcurl could not start");
  Upload upload{DigestEmailMessage(smtp, to, d, base), 0};
  curl_slist* rcpt = nullptr;
  for (const std::string& t : to) rcpt = curl_slist_append(rcpt, ("<" + t + ">").c_str());
  const std::string from = "<" + smtp.from + ">";
  curl_easy_setopt(curl, CURLOPT_URL, smtp.url.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadBody);
  curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  if (!smtp.user.empty()) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, smtp.user.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, smtp.password.c_str());
  }
  const CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(rcpt);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) {
    return IoError("sending the digest through " + smtp.url + " failed: " + curl_easy_strerror(rc));
  }
  return Status::Ok();
#else
  (void)base;
  return FailedPreconditionError("this build has no libcurl: e-mail is not available");
#endif
}

}  // namespace shewhart::learning
