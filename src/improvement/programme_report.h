// improvement programme report: the PDF a programme's executive reads (docs/improvement.md,
// "The programme report"), laid out with the board pack's plumbing (chart::PdfBoardPack tables,
// A4 landscape): a cover naming the programme (purpose, lead, organisation, dates, a summary in
// plain words), the logic model with each linked outcome's SPC state (the stored Making Data
// Count variation and assurance, in words, with the variation's coloured dot), its projects with
// status and IHI progress score, the milestones of its plan (done, overdue, due), and its
// cumulative impact per metric (GetProgrammeImpact: each unit-period counted once) in plain
// words, then the double-counting notes.
//
// Restricted projects the reader may not see are left out (GetProgramme with `reader`).
// NotFound for an unknown programme; IoError when the file cannot be written.
// Thread-compatible.
//
// Example:
//   RETURN_IF_ERROR(WriteProgrammeReportPdf(*conn, programme_id, reader, "2026-12-03", "/tmp/r.pdf"));
#ifndef SHEWHART_IMPROVEMENT_PROGRAMME_REPORT_H_
#define SHEWHART_IMPROVEMENT_PROGRAMME_REPORT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "improvement/programmes.h"

namespace shewhart::improvement {

// `today`: YYYY-MM-DD, the date the report is produced (milestones past it and not done are
// overdue).
Status WriteProgrammeReportPdf(db::Connection& conn, int64_t programme_id, const Writer& reader,
                               std::string_view today, const std::string& path);

// The impact of one metric in plain words ("Improvement confirmed on 2 of 3 series: ...").
std::string ImpactInWords(const MetricImpactRow& row);

}  // namespace shewhart::improvement

#endif  // SHEWHART_IMPROVEMENT_PROGRAMME_REPORT_H_
