#include "intelligence/incidents.h"

namespace shewhart::intelligence {
namespace {

constexpr Field kFields[] = {
    {.name = "reference", .column = "reference", .type = FieldType::kText, .required = true,
     .max_bytes = 60},
    {.name = "occurred", .column = "occurred", .type = FieldType::kDate, .required = true},
    {.name = "reported", .column = "reported", .type = FieldType::kDate, .required = true},
    {.name = "category", .column = "category", .type = FieldType::kText, .required = true,
     .max_bytes = 80},
    {.name = "harm", .column = "harm", .type = FieldType::kWord, .required = true,
     .words = kHarmLevels},
    {.name = "response", .column = "response", .type = FieldType::kWord,
     .words = kLearningResponses},
    {.name = "status", .column = "status", .type = FieldType::kWord, .words = kIncidentStatuses},
    {.name = "summary", .column = "summary", .type = FieldType::kLong, .max_bytes = 2000},
};
constexpr std::string_view kKey[] = {"reference"};

void CheckIncident(const Values& v, int64_t row, imports::Problems* problems) {
  if (v.at("reported") < v.at("occurred")) {
    problems->Add(row, "reported",
                  v.at("reported") + " is before the incident occurred (" + v.at("occurred") + ")");
  }
}

constexpr Kind kIncident = {
    .name = "incidents",
    .singular = "incident",
    .table = "incident",
    .summary = "Patient safety incidents: reference, organisation, occurred, reported, category, "
               "harm (LFPSE)",
    .fields = kFields,
    .key = kKey,
    .restricted = true,
    .date_field = "occurred",
    .title_field = "category",
    .check = CheckIncident,
};

#define SHEWHART_INCIDENT_SCHEMA(PK, ID)                                                         \
  "CREATE TABLE intelligence_history (\n"                                                        \
  "  id " PK ",\n"                                                                               \
  "  kind TEXT NOT NULL,\n"                                                                      \
  "  record_id " ID " NOT NULL,\n"                                                               \
  "  version INTEGER NOT NULL,\n"                                                                \
  "  old_values TEXT NOT NULL,\n"                                                                \
  "  batch_id " ID ",\n"                                                                         \
  "  replaced_by TEXT NOT NULL,\n"                                                               \
  "  replaced_at TEXT NOT NULL\n"                                                                \
  ");\n"                                                                                         \
  "CREATE INDEX intelligence_history_record ON intelligence_history(kind, record_id);\n"         \
  "CREATE TABLE incident (\n"                                                                    \
  "  id " PK ",\n"                                                                               \
  "  unit_id " ID " NOT NULL REFERENCES unit(id),\n"                                             \
  "  metric_id " ID " REFERENCES metric(id),\n"                                                  \
  "  reference TEXT NOT NULL UNIQUE,\n"                                                          \
  "  occurred TEXT NOT NULL DEFAULT '', reported TEXT NOT NULL DEFAULT '',\n"                    \
  "  category TEXT NOT NULL DEFAULT '', harm TEXT NOT NULL DEFAULT '',\n"                        \
  "  response TEXT NOT NULL DEFAULT '', status TEXT NOT NULL DEFAULT '',\n"                      \
  "  summary TEXT NOT NULL DEFAULT '',\n"                                                        \
  "  version INTEGER NOT NULL DEFAULT 1,\n"                                                      \
  "  batch_id " ID ",\n"                                                                         \
  "  created_by TEXT NOT NULL, created_at TEXT NOT NULL,\n"                                      \
  "  updated_by TEXT, updated_at TEXT\n"                                                         \
  ");\n"                                                                                         \
  "CREATE INDEX incident_unit ON incident(unit_id, occurred);\n"                                 \
  "CREATE INDEX incident_metric ON incident(metric_id);\n"

constexpr db::Migration kMigrations[] = {
    {703, "intelligence: patient safety incidents; history of every record",
     SHEWHART_INCIDENT_SCHEMA("INTEGER PRIMARY KEY", "INTEGER"),
     SHEWHART_INCIDENT_SCHEMA("BIGSERIAL PRIMARY KEY", "BIGINT")},
    // Signals read the recent incidents of severe harm or death of every organisation at once.
    {709, "intelligence: incidents by harm and date",
     "CREATE INDEX incident_harm ON incident(harm, occurred);\n", ""},
};

}  // namespace

std::optional<int> HarmOrder(std::string_view harm) {
  for (int i = 0; i < 5; ++i) {
    if (kHarmLevels[i] == harm) return i;
  }
  return std::nullopt;
}

std::string_view HarmText(std::string_view harm) {
  constexpr std::string_view kText[] = {"No physical harm", "Low physical harm",
                                        "Moderate physical harm", "Severe physical harm", "Fatal"};
  const std::optional<int> i = HarmOrder(harm);
  return i ? kText[*i] : std::string_view("Harm level missing");
}

const Kind& IncidentKind() { return kIncident; }

std::span<const db::Migration> IncidentMigrations() { return kMigrations; }

}  // namespace shewhart::intelligence
