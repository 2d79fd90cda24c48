#include "intelligence/sources.h"

#include <string>

namespace shewhart::intelligence {
namespace {

// ---- complaints -------------------------------------------------------------------------------
constexpr Field kComplaintFields[] = {
    {.name = "reference", .column = "reference", .type = FieldType::kText, .required = true,
     .max_bytes = 60},
    {.name = "received", .column = "received", .type = FieldType::kDate, .required = true},
    {.name = "subject", .column = "subject", .type = FieldType::kText, .required = true,
     .max_bytes = 80},
    {.name = "service", .column = "service", .type = FieldType::kText, .max_bytes = 80},
    {.name = "outcome", .column = "outcome", .type = FieldType::kWord,
     .words = kComplaintOutcomes},
    {.name = "days_to_respond", .column = "days_to_respond", .type = FieldType::kCount},
    {.name = "summary", .column = "summary", .type = FieldType::kLong, .max_bytes = 2000},
};
constexpr std::string_view kReferenceKey[] = {"reference"};

constexpr Kind kComplaint = {
    .name = "complaints",
    .singular = "complaint",
    .table = "complaint",
    .summary = "Complaints: reference, organisation, received, subject, outcome (KO41)",
    .fields = kComplaintFields,
    .key = kReferenceKey,
    .restricted = true,
    .date_field = "received",
    .title_field = "subject",
};

// ---- clinical audits --------------------------------------------------------------------------
constexpr Field kAuditFields[] = {
    {.name = "reference", .column = "reference", .type = FieldType::kText, .required = true,
     .max_bytes = 60},
    {.name = "audit", .column = "audit", .type = FieldType::kText, .required = true,
     .max_bytes = 160},
    {.name = "standard", .column = "standard", .type = FieldType::kText, .required = true,
     .max_bytes = 300},
    {.name = "date", .column = "audit_date", .type = FieldType::kDate, .required = true},
    {.name = "result", .column = "result", .type = FieldType::kText, .max_bytes = 80},
    {.name = "met", .column = "met", .type = FieldType::kWord, .required = true,
     .words = kAuditResults},
    {.name = "actions", .column = "actions", .type = FieldType::kLong, .max_bytes = 2000},
};

constexpr Kind kAudit = {
    .name = "audits",
    .singular = "audit",
    .table = "clinical_audit",
    .summary = "Clinical audits: reference, organisation, audit, standard, date, met",
    .fields = kAuditFields,
    .key = kReferenceKey,
    .restricted = false,
    .date_field = "date",
    .title_field = "audit",
    .noun = "clinical_audit",
};

// ---- regulator ratings ------------------------------------------------------------------------
constexpr Field kRatingFields[] = {
    {.name = "published", .column = "published", .type = FieldType::kDate, .required = true},
    {.name = "overall", .column = "overall", .type = FieldType::kWord, .words = kCqcRatings},
    {.name = "safe", .column = "safe", .type = FieldType::kWord, .words = kCqcRatings},
    {.name = "effective", .column = "effective", .type = FieldType::kWord, .words = kCqcRatings},
    {.name = "caring", .column = "caring", .type = FieldType::kWord, .words = kCqcRatings},
    {.name = "responsive", .column = "responsive", .type = FieldType::kWord,
     .words = kCqcRatings},
    {.name = "well_led", .column = "well_led", .type = FieldType::kWord, .words = kCqcRatings},
    {.name = "report", .column = "report", .type = FieldType::kUrl, .max_bytes = 500},
    {.name = "summary", .column = "summary", .type = FieldType::kLong, .max_bytes = 2000},
};
constexpr std::string_view kRatingKey[] = {"organisation", "published"};

constexpr Kind kRating = {
    .name = "ratings",
    .singular = "rating",
    .table = "regulator_rating",
    .summary = "CQC ratings: organisation, published, overall, safe, effective, caring, "
               "responsive, well_led",
    .fields = kRatingFields,
    .key = kRatingKey,
    .restricted = false,
    .date_field = "published",
    .title_field = "overall",
};

// ---- soft-intelligence notes ------------------------------------------------------------------
constexpr Field kNoteFields[] = {
    {.name = "noted_on", .column = "noted_on", .type = FieldType::kDate, .required = true},
    {.name = "text", .column = "text", .type = FieldType::kLong, .required = true,
     .max_bytes = 10000},
    {.name = "source", .column = "source_kind", .type = FieldType::kWord, .words = kNoteSources},
    {.name = "theme", .column = "theme", .type = FieldType::kText, .max_bytes = 80},
    {.name = "concerning", .column = "concerning", .type = FieldType::kYesNo},
};
constexpr std::string_view kNoteKey[] = {"organisation", "noted_on", "text"};

constexpr Kind kNote = {
    .name = "notes",
    .singular = "note",
    .table = "soft_note",
    .summary = "Soft-intelligence notes: organisation, noted_on, text, source, theme, concerning",
    .fields = kNoteFields,
    .key = kNoteKey,
    .restricted = true,
    .date_field = "noted_on",
    .title_field = "theme",
    .created_by_column = "author",
};

// ---- horizon scanning -------------------------------------------------------------------------
constexpr Field kHorizonFields[] = {
    {.name = "reference", .column = "reference", .type = FieldType::kText, .required = true,
     .max_bytes = 60},
    {.name = "title", .column = "title", .type = FieldType::kText, .required = true,
     .max_bytes = 300},
    {.name = "type", .column = "item_type", .type = FieldType::kWord, .required = true,
     .words = kHorizonTypes},
    {.name = "published", .column = "published", .type = FieldType::kDate, .required = true},
    {.name = "due", .column = "due", .type = FieldType::kDate, .may_be_future = true},
    {.name = "organisations", .column = "organisations", .type = FieldType::kCodes,
     .max_bytes = 4000},
    {.name = "metrics", .column = "metrics", .type = FieldType::kMetrics, .max_bytes = 2000},
    {.name = "responded", .column = "responded", .type = FieldType::kDate},
    {.name = "response", .column = "response", .type = FieldType::kLong, .max_bytes = 2000},
    {.name = "link", .column = "link", .type = FieldType::kUrl, .max_bytes = 500},
};

void CheckHorizon(const Values& v, int64_t row, imports::Problems* problems) {
  const std::string& due = v.at("due");
  if (!due.empty() && due < v.at("published")) {
    problems->Add(row, "due", due + " is before the item was published (" + v.at("published") +
                                  ")");
  }
}

constexpr Kind kHorizon = {
    .name = "horizon",
    .singular = "horizon",
    .table = "horizon_item",
    .summary = "Horizon scanning: reference, title, type, published, due, organisations, metrics",
    .fields = kHorizonFields,
    .key = kReferenceKey,
    .restricted = false,
    .date_field = "published",
    .title_field = "title",
    .has_unit = false,
    .check = CheckHorizon,
};

#define SHEWHART_RECORD_TAIL(ID)                  \
  "  version INTEGER NOT NULL DEFAULT 1,\n"       \
  "  batch_id " ID ",\n"                          \
  "  created_by TEXT NOT NULL,\n"                 \
  "  created_at TEXT NOT NULL,\n"                 \
  "  updated_by TEXT,\n"                          \
  "  updated_at TEXT\n"

#define SHEWHART_COMPLAINT_SCHEMA(PK, ID)                                                 \
  "CREATE TABLE complaint (\n"                                                            \
  "  id " PK ",\n"                                                                        \
  "  unit_id " ID " NOT NULL REFERENCES unit(id),\n"                                      \
  "  metric_id " ID " REFERENCES metric(id),\n"                                           \
  "  reference TEXT NOT NULL UNIQUE,\n"                                                   \
  "  received TEXT NOT NULL DEFAULT '', subject TEXT NOT NULL DEFAULT '',\n"              \
  "  service TEXT NOT NULL DEFAULT '', outcome TEXT NOT NULL DEFAULT '',\n"               \
  "  days_to_respond TEXT NOT NULL DEFAULT '', summary TEXT NOT NULL DEFAULT '',\n"       \
  SHEWHART_RECORD_TAIL(ID)                                                                \
  ");\n"                                                                                  \
  "CREATE INDEX complaint_unit ON complaint(unit_id, received);\n"                        \
  "CREATE INDEX complaint_metric ON complaint(metric_id);\n"

#define SHEWHART_AUDIT_SCHEMA(PK, ID)                                                     \
  "CREATE TABLE clinical_audit (\n"                                                       \
  "  id " PK ",\n"                                                                        \
  "  unit_id " ID " NOT NULL REFERENCES unit(id),\n"                                      \
  "  metric_id " ID " REFERENCES metric(id),\n"                                           \
  "  reference TEXT NOT NULL UNIQUE,\n"                                                   \
  "  audit TEXT NOT NULL DEFAULT '', standard TEXT NOT NULL DEFAULT '',\n"                \
  "  audit_date TEXT NOT NULL DEFAULT '', result TEXT NOT NULL DEFAULT '',\n"             \
  "  met TEXT NOT NULL DEFAULT '', actions TEXT NOT NULL DEFAULT '',\n"                   \
  SHEWHART_RECORD_TAIL(ID)                                                                \
  ");\n"                                                                                  \
  "CREATE INDEX clinical_audit_unit ON clinical_audit(unit_id, audit_date);\n"            \
  "CREATE INDEX clinical_audit_metric ON clinical_audit(metric_id);\n"

#define SHEWHART_RATING_SCHEMA(PK, ID)                                                    \
  "CREATE TABLE regulator_rating (\n"                                                     \
  "  id " PK ",\n"                                                                        \
  "  unit_id " ID " NOT NULL REFERENCES unit(id),\n"                                      \
  "  metric_id " ID " REFERENCES metric(id),\n"                                           \
  "  published TEXT NOT NULL DEFAULT '', overall TEXT NOT NULL DEFAULT '',\n"             \
  "  safe TEXT NOT NULL DEFAULT '', effective TEXT NOT NULL DEFAULT '',\n"                \
  "  caring TEXT NOT NULL DEFAULT '', responsive TEXT NOT NULL DEFAULT '',\n"             \
  "  well_led TEXT NOT NULL DEFAULT '', report TEXT NOT NULL DEFAULT '',\n"               \
  "  summary TEXT NOT NULL DEFAULT '',\n"                                                 \
  SHEWHART_RECORD_TAIL(ID)                                                                \
  ");\n"                                                                                  \
  "CREATE UNIQUE INDEX regulator_rating_key ON regulator_rating(unit_id, published);\n"

#define SHEWHART_HORIZON_SCHEMA(PK, ID)                                                   \
  "CREATE TABLE horizon_item (\n"                                                         \
  "  id " PK ",\n"                                                                        \
  "  unit_id " ID " REFERENCES unit(id),\n"                                               \
  "  metric_id " ID " REFERENCES metric(id),\n"                                           \
  "  reference TEXT NOT NULL UNIQUE,\n"                                                   \
  "  title TEXT NOT NULL DEFAULT '', item_type TEXT NOT NULL DEFAULT '',\n"               \
  "  published TEXT NOT NULL DEFAULT '', due TEXT NOT NULL DEFAULT '',\n"                 \
  "  organisations TEXT NOT NULL DEFAULT '', metrics TEXT NOT NULL DEFAULT '',\n"         \
  "  responded TEXT NOT NULL DEFAULT '', response TEXT NOT NULL DEFAULT '',\n"            \
  "  link TEXT NOT NULL DEFAULT '',\n"                                                    \
  SHEWHART_RECORD_TAIL(ID)                                                                \
  ");\n"

#define SHEWHART_NOTE_FIELDS(ID)                                                          \
  "ALTER TABLE soft_note ADD COLUMN metric_id " ID " REFERENCES metric(id);\n"            \
  "ALTER TABLE soft_note ADD COLUMN source_kind TEXT NOT NULL DEFAULT '';\n"              \
  "ALTER TABLE soft_note ADD COLUMN theme TEXT NOT NULL DEFAULT '';\n"                    \
  "ALTER TABLE soft_note ADD COLUMN concerning TEXT NOT NULL DEFAULT '';\n"               \
  "ALTER TABLE soft_note ADD COLUMN version INTEGER NOT NULL DEFAULT 1;\n"                \
  "ALTER TABLE soft_note ADD COLUMN batch_id " ID ";\n"                                   \
  "ALTER TABLE soft_note ADD COLUMN updated_by TEXT;\n"                                   \
  "ALTER TABLE soft_note ADD COLUMN updated_at TEXT;\n"

constexpr db::Migration kMigrations[] = {
    {704, "intelligence: complaints", SHEWHART_COMPLAINT_SCHEMA("INTEGER PRIMARY KEY", "INTEGER"),
     SHEWHART_COMPLAINT_SCHEMA("BIGSERIAL PRIMARY KEY", "BIGINT")},
    {705, "intelligence: clinical audits", SHEWHART_AUDIT_SCHEMA("INTEGER PRIMARY KEY", "INTEGER"),
     SHEWHART_AUDIT_SCHEMA("BIGSERIAL PRIMARY KEY", "BIGINT")},
    {706, "intelligence: regulator ratings",
     SHEWHART_RATING_SCHEMA("INTEGER PRIMARY KEY", "INTEGER"),
     SHEWHART_RATING_SCHEMA("BIGSERIAL PRIMARY KEY", "BIGINT")},
    {707, "intelligence: notes with source, theme, metric and concern",
     SHEWHART_NOTE_FIELDS("INTEGER"), SHEWHART_NOTE_FIELDS("BIGINT")},
    {708, "intelligence: horizon-scanning items",
     SHEWHART_HORIZON_SCHEMA("INTEGER PRIMARY KEY", "INTEGER"),
     SHEWHART_HORIZON_SCHEMA("BIGSERIAL PRIMARY KEY", "BIGINT")},
};

}  // namespace

std::optional<int> RatingScore(std::string_view rating) {
  for (int i = 0; i < 4; ++i) {
    if (kCqcRatings[i] == rating) return 4 - i;
  }
  return std::nullopt;
}

std::string RatingText(std::string_view rating) {
  if (rating.empty()) return "not rated";
  std::string out(rating);
  for (char& c : out) c = c == '_' ? ' ' : c;
  out[0] = static_cast<char>(out[0] - 'a' + 'A');
  return out;
}

const Kind& ComplaintKind() { return kComplaint; }
const Kind& AuditKind() { return kAudit; }
const Kind& RatingKind() { return kRating; }
const Kind& NoteKind() { return kNote; }
const Kind& HorizonKind() { return kHorizon; }

std::span<const db::Migration> SourceMigrations() { return kMigrations; }

}  // namespace shewhart::intelligence
