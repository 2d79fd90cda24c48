// intelligence: patient safety incidents — what happened, where and when (occurred, reported),
// its category, the level of physical harm on the LFPSE scale (none, low, moderate, severe,
// fatal), the PSIRF learning response chosen (a patient safety incident investigation or another
// response), its status and a summary (no patient-identifiable text: NHS numbers are refused).
// Incidents are restricted: visible only within a person's scope. Counted per organisation and
// month, they become the system metrics PSI_* (series.h) and go through the SPC engine.
//
// File format (docs/intelligence.md): reference, organisation, occurred, reported, category,
// harm [, response, status, summary, metric].
//
// Example:
//   ASSIGN_OR_RETURN(int64_t id, CreateRecord(*conn, who, IncidentKind(),
//       {{"reference", "W123"}, {"organisation", "RZA"}, {"occurred", "2024-03-02"},
//        {"reported", "2024-03-03"}, {"category", "Falls"}, {"harm", "severe"}}));
#ifndef SHEWHART_INTELLIGENCE_INCIDENTS_H_
#define SHEWHART_INTELLIGENCE_INCIDENTS_H_

#include <optional>
#include <span>
#include <string_view>

#include "db/migrate.h"
#include "intelligence/records.h"

namespace shewhart::intelligence {

// The LFPSE levels of physical harm, least to worst, as written in files.
inline constexpr std::string_view kHarmLevels[] = {"none", "low", "moderate", "severe", "fatal"};
// 0 (none) .. 4 (fatal); nullopt for an unknown word.
std::optional<int> HarmOrder(std::string_view harm);
// "No physical harm", ..., "Fatal" (the LFPSE display strings).
std::string_view HarmText(std::string_view harm);

// PSIRF learning responses (quality-reference §1.9), as written in files; "" = none chosen.
inline constexpr std::string_view kLearningResponses[] = {"psii", "aar",      "mdt",
                                                          "swarm", "thematic", "other"};
inline constexpr std::string_view kIncidentStatuses[] = {"open", "under_review", "closed"};

const Kind& IncidentKind();

// Migration 703: the history table every kind shares, and the incident table; 709: the index on
// harm and date that signals read.
std::span<const db::Migration> IncidentMigrations();

}  // namespace shewhart::intelligence

#endif  // SHEWHART_INTELLIGENCE_INCIDENTS_H_
