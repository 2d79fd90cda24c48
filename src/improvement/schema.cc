// The improvement part's tables (migrations 801-802), one text per database.
#include <span>

#include "db/migrate.h"
#include "improvement/projects.h"

namespace shewhart::improvement {
namespace {

#define SHEWHART_IMPROVEMENT_SCHEMA(PK, FK, REAL)                                              \
  "CREATE TABLE improvement_programme (\n"                                                     \
  "  id " PK ",\n"                                                                             \
  "  title TEXT NOT NULL,\n"                                                                   \
  "  purpose TEXT NOT NULL,\n"                                                                 \
  "  unit_id " FK " REFERENCES unit(id),\n"                                                    \
  "  lead_email TEXT NOT NULL,\n"                                                              \
  "  started TEXT NOT NULL,\n"                                                                 \
  "  ends TEXT,\n"                                                                             \
  "  created_by TEXT NOT NULL,\n"                                                              \
  "  created_at TEXT NOT NULL\n"                                                               \
  ");\n"                                                                                       \
  "CREATE TABLE improvement_logic_item (\n"                                                    \
  "  id " PK ",\n"                                                                             \
  "  programme_id " FK " NOT NULL REFERENCES improvement_programme(id),\n"                     \
  "  stage TEXT NOT NULL CHECK (stage IN ('input', 'activity', 'output', 'outcome', "          \
  "'impact')),\n"                                                                              \
  "  title TEXT NOT NULL,\n"                                                                   \
  "  metric_id " FK " REFERENCES metric(id),\n"                                                \
  "  unit_id " FK " REFERENCES unit(id)\n"                                                     \
  ");\n"                                                                                       \
  "CREATE INDEX improvement_logic_item_programme ON improvement_logic_item(programme_id);\n"   \
  "CREATE TABLE improvement_milestone (\n"                                                     \
  "  id " PK ",\n"                                                                             \
  "  programme_id " FK " NOT NULL REFERENCES improvement_programme(id),\n"                     \
  "  title TEXT NOT NULL,\n"                                                                   \
  "  due TEXT NOT NULL,\n"                                                                     \
  "  done TEXT\n"                                                                              \
  ");\n"                                                                                       \
  "CREATE TABLE improvement_project (\n"                                                       \
  "  id " PK ",\n"                                                                             \
  "  unit_id " FK " NOT NULL REFERENCES unit(id),\n"                                           \
  "  programme_id " FK " REFERENCES improvement_programme(id),\n"                              \
  "  title TEXT NOT NULL,\n"                                                                   \
  "  aim TEXT NOT NULL,\n"                                                                     \
  "  problem TEXT NOT NULL,\n"                                                                 \
  "  lead_email TEXT NOT NULL,\n"                                                              \
  "  status TEXT NOT NULL CHECK (status IN ('planning', 'active', 'sustaining', 'completed', " \
  "'abandoned')),\n"                                                                           \
  "  method TEXT NOT NULL,\n"                                                                  \
  "  started TEXT NOT NULL,\n"                                                                 \
  "  ended TEXT,\n"                                                                            \
  "  population TEXT NOT NULL,\n"                                                              \
  "  restricted INTEGER NOT NULL CHECK (restricted IN (0, 1)),\n"                              \
  "  score " REAL ",\n"                                                                        \
  "  score_reason TEXT NOT NULL,\n"                                                            \
  "  created_by TEXT NOT NULL,\n"                                                              \
  "  created_at TEXT NOT NULL\n"                                                               \
  ");\n"                                                                                       \
  "CREATE INDEX improvement_project_unit ON improvement_project(unit_id);\n"                   \
  "CREATE INDEX improvement_project_programme ON improvement_project(programme_id);\n"         \
  "CREATE TABLE improvement_team_member (\n"                                                   \
  "  id " PK ",\n"                                                                             \
  "  project_id " FK " NOT NULL REFERENCES improvement_project(id),\n"                         \
  "  email TEXT NOT NULL,\n"                                                                   \
  "  role TEXT NOT NULL CHECK (role IN ('lead', 'sponsor', 'coach', 'member', "                \
  "'patient_partner')),\n"                                                                     \
  "  organisation TEXT NOT NULL\n"                                                             \
  ");\n"                                                                                       \
  "CREATE INDEX improvement_team_member_project ON improvement_team_member(project_id);\n"     \
  "CREATE INDEX improvement_team_member_email ON improvement_team_member(email);\n"            \
  "CREATE TABLE improvement_driver (\n"                                                        \
  "  id " PK ",\n"                                                                             \
  "  project_id " FK " NOT NULL REFERENCES improvement_project(id),\n"                         \
  "  kind TEXT NOT NULL CHECK (kind IN ('primary', 'secondary', 'change_idea')),\n"            \
  "  title TEXT NOT NULL,\n"                                                                   \
  "  parent_id " FK " REFERENCES improvement_driver(id),\n"                                    \
  "  status TEXT NOT NULL\n"                                                                   \
  ");\n"                                                                                       \
  "CREATE INDEX improvement_driver_project ON improvement_driver(project_id);\n"               \
  "CREATE TABLE improvement_measure (\n"                                                       \
  "  id " PK ",\n"                                                                             \
  "  project_id " FK " NOT NULL REFERENCES improvement_project(id),\n"                         \
  "  kind TEXT NOT NULL CHECK (kind IN ('outcome', 'process', 'balancing')),\n"                \
  "  metric_id " FK " REFERENCES metric(id),\n"                                                \
  "  unit_id " FK " REFERENCES unit(id),\n"                                                    \
  "  title TEXT NOT NULL,\n"                                                                   \
  "  definition TEXT NOT NULL,\n"                                                              \
  "  created_at TEXT NOT NULL\n"                                                               \
  ");\n"                                                                                       \
  "CREATE INDEX improvement_measure_project ON improvement_measure(project_id);\n"             \
  "CREATE INDEX improvement_measure_series ON improvement_measure(metric_id, unit_id);\n"      \
  "CREATE TABLE improvement_pdsa (\n"                                                          \
  "  id " PK ",\n"                                                                             \
  "  project_id " FK " NOT NULL REFERENCES improvement_project(id),\n"                         \
  "  change_idea_id " FK " NOT NULL REFERENCES improvement_driver(id),\n"                      \
  "  cycle INTEGER NOT NULL,\n"                                                                \
  "  title TEXT NOT NULL,\n"                                                                   \
  "  plan TEXT NOT NULL,\n"                                                                    \
  "  prediction TEXT NOT NULL,\n"                                                              \
  "  started TEXT NOT NULL,\n"                                                                 \
  "  do_note TEXT NOT NULL,\n"                                                                 \
  "  study TEXT NOT NULL,\n"                                                                   \
  "  act TEXT CHECK (act IS NULL OR act IN ('adopt', 'adapt', 'abandon')),\n"                  \
  "  ended TEXT,\n"                                                                            \
  "  created_by TEXT NOT NULL,\n"                                                              \
  "  created_at TEXT NOT NULL\n"                                                               \
  ");\n"                                                                                       \
  "CREATE INDEX improvement_pdsa_project ON improvement_pdsa(project_id);\n"                   \
  "CREATE TABLE improvement_score (\n"                                                         \
  "  id " PK ",\n"                                                                             \
  "  project_id " FK " NOT NULL REFERENCES improvement_project(id),\n"                         \
  "  score " REAL " NOT NULL,\n"                                                               \
  "  suggested " REAL " NOT NULL,\n"                                                           \
  "  reason TEXT NOT NULL,\n"                                                                  \
  "  set_by TEXT NOT NULL,\n"                                                                  \
  "  set_at TEXT NOT NULL\n"                                                                   \
  ");\n"                                                                                       \
  "CREATE INDEX improvement_score_project ON improvement_score(project_id);\n"                 \
  "CREATE TABLE improvement_involvement (\n"                                                   \
  "  id " PK ",\n"                                                                             \
  "  project_id " FK " NOT NULL REFERENCES improvement_project(id),\n"                         \
  "  who TEXT NOT NULL,\n"                                                                     \
  "  level TEXT NOT NULL CHECK (level IN ('inform', 'consult', 'involve', 'co-produce')),\n"   \
  "  happened TEXT NOT NULL\n"                                                                 \
  ");\n"                                                                                       \
  "CREATE INDEX improvement_involvement_project ON improvement_involvement(project_id);\n"     \
  "CREATE TABLE improvement_rollout (\n"                                                       \
  "  id " PK ",\n"                                                                             \
  "  title TEXT NOT NULL,\n"                                                                   \
  "  intervention TEXT NOT NULL,\n"                                                            \
  "  programme_id " FK " REFERENCES improvement_programme(id),\n"                              \
  "  metric_id " FK " REFERENCES metric(id),\n"                                                \
  "  created_by TEXT NOT NULL,\n"                                                              \
  "  created_at TEXT NOT NULL\n"                                                               \
  ");\n"                                                                                       \
  "CREATE TABLE improvement_rollout_site (\n"                                                  \
  "  id " PK ",\n"                                                                             \
  "  rollout_id " FK " NOT NULL REFERENCES improvement_rollout(id),\n"                         \
  "  code TEXT NOT NULL,\n"                                                                    \
  "  title TEXT NOT NULL,\n"                                                                   \
  "  unit_id " FK " REFERENCES unit(id),\n"                                                    \
  "  UNIQUE (rollout_id, code)\n"                                                              \
  ");\n"                                                                                       \
  "CREATE TABLE improvement_rollout_stage (\n"                                                 \
  "  id " PK ",\n"                                                                             \
  "  site_id " FK " NOT NULL REFERENCES improvement_rollout_site(id),\n"                       \
  "  stage TEXT NOT NULL CHECK (stage IN ('not_started', 'training', 'live', 'sustained')),\n" \
  "  since TEXT NOT NULL,\n"                                                                   \
  "  recorded_by TEXT NOT NULL,\n"                                                             \
  "  recorded_at TEXT NOT NULL\n"                                                              \
  ");\n"                                                                                       \
  "CREATE INDEX improvement_rollout_stage_site ON improvement_rollout_stage(site_id);\n"

#define SHEWHART_IMPROVEMENT_POPULATIONS(FK)                                                \
  "CREATE TABLE improvement_project_population (\n"                                         \
  "  project_id " FK " NOT NULL REFERENCES improvement_project(id),\n"                      \
  "  unit_id " FK " NOT NULL REFERENCES unit(id),\n"                                        \
  "  PRIMARY KEY (project_id, unit_id)\n"                                                   \
  ");\n"                                                                                    \
  "CREATE INDEX improvement_project_population_unit ON improvement_project_population(unit_id);\n"

constexpr db::Migration kMigrations[] = {
    {801,
     "improvement: projects, teams, driver diagrams, measures, PDSA cycles, scores, involvement, "
     "programmes with logic models and milestones, roll-outs",
     SHEWHART_IMPROVEMENT_SCHEMA("INTEGER PRIMARY KEY", "INTEGER", "REAL"),
     SHEWHART_IMPROVEMENT_SCHEMA("BIGSERIAL PRIMARY KEY", "BIGINT", "DOUBLE PRECISION")},
    {802,
     "improvement: the populations (directory segments) each project serves",
     SHEWHART_IMPROVEMENT_POPULATIONS("INTEGER"), SHEWHART_IMPROVEMENT_POPULATIONS("BIGINT")},
};

}  // namespace

std::span<const db::Migration> ProjectMigrations() { return kMigrations; }

}  // namespace shewhart::improvement
