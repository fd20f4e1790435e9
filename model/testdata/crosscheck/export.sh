#!/usr/bin/env bash
# Export the rows the cross-check needs from a finished coachimpact run.
# usage: export.sh DB OUTDIR   (read-only on DB; writes CSVs into OUTDIR)
set -euo pipefail
db=$1; out=$2
here=$(cd "$(dirname "$0")" && pwd)
bin=${COACHIMPACT:-$here/../../../bin/coachimpact}
mkdir -p "$out"
q() { "$bin" sql --db "$db" "$1" > "$out/$2.csv"; }
q "SELECT school_year, subject, tested_grade, baseline_source, teacher_id, student_id,
          spring_z, baseline_z, hours, coached,
          english_learner, special_education, economically_disadvantaged, race_ethnicity
   FROM student_growth WHERE excluded IS NULL
   ORDER BY school_year, subject, student_id" student_growth
q "SELECT school_id, ip_cohort, school_year, mean_growth, analysis_students
   FROM school_year_panel ORDER BY school_id, school_year" school_year_panel
q "SELECT teacher_id, change FROM practice_change ORDER BY teacher_id" practice_change
q "SELECT * FROM estimates ORDER BY id" go_estimates
q "SELECT * FROM dosage_bands ORDER BY subject, school_year, band_order" go_dosage_bands
q "SELECT * FROM did_group_time ORDER BY cohort, school_year" go_did_group_time
echo "exported $(($(wc -l < "$out/student_growth.csv") - 1)) analysis rows from $db to $out"
