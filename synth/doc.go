// Package synth generates a synthetic school district: the nine input
// tables of coachimpact, written the way real exports arrive, with a known
// coaching effect and a few known bad rows, and a truth file saying what the
// pipeline must find. It feeds `coachimpact demo`, the tests of the ingest
// and model packages, and the benchmarks.
//
// # Contract
//
// Generate(ctx, dir, cfg) writes the tables and dir/truth.json and returns
// the same Truth. The same Config gives byte-identical CSV files and
// truth.json, and xlsx workbooks with identical cells (every random draw
// comes from math/rand/v2 PCG streams seeded by Config.Seed; each school has
// its own stream, so schools are independent of one another). Files are
// written as NAME.tmp and renamed into place once all are complete; the
// files the other Format would write are then removed, so dir never holds a
// table twice. truth.json lies beside the tables: an ingest reading dir must
// ignore it (it is neither .csv nor .xlsx). Generation streams school by
// school: memory does not grow with the number of schools (a state of 1,300
// schools, 1.2M students and 7M assessment rows takes 3-5 s and 25 MB in
// FormatCSV on 2 cores; the default district 0.3-0.45 s in FormatMixed).
//
// # The district
//
// Schools "0101", "0102", ... (4 digits), one in three (spread evenly) a
// middle school (grades 6-8), the others elementary (K-5), over Districts
// ("001", ...) round-robin. A share ComparisonShare of them (spread evenly)
// are comparison schools (blank ip_cohort); the others take Cohorts in turn.
// The last SpringOnlySchools schools test only in spring.
//
// School years run from LastYear-Years+1 to LastYear. In the first year
// every grade of a school holds StudentsPerGrade students; each year every
// student moves up a grade, the top grade leaves and StudentsPerGrade new
// students enter the lowest grade. Students never change school. The
// students table has one row per student, with the grade of the last year
// the student is enrolled. Student IDs are 7 digits ("0010001").
//
// Teachers ("T000101") are fixed for all years. A grade has
// ceil(StudentsPerGrade/24) sections; an elementary section has one
// homeroom teacher for Math and ELA, a middle school has per grade and
// subject one teacher per three sections. Each year students are shuffled
// into sections; each student gets a roster row per subject with the section
// teacher at percent_time 100. 5% of student-subject-years are co-taught
// with another teacher of the school teaching the subject: 60/40 (teacher of
// record the 60 one) or 50/50 (teacher of record the smaller teacher_id).
//
// Grades 3-8 take "District Benchmark" in Math and ELA in each of
// Config.Windows (spring-only schools: spring only), one test date per
// school, window and year (a weekday: fall Sep 10-25, winter Jan 10-25,
// spring May 1-15). 3% of fall scores are absent. Scores come from a latent
// ability per student and subject, N(0,1) on entry:
//
//	spring = 0.7·fall + school (SD 0.1) + teacher of record (SD 0.15) + noise (SD 0.691) + effect(hours)
//	effect(hours) = Jump·[hours > 0] + PerHour·min(hours, HoursCap)   (no cap when HoursCap = 0)
//	winter = (fall + spring)/2 + noise (SD 0.387)
//	next year's fall = 0.8·spring + noise (SD 0.6) (untested grades: 0.8·fall + noise)
//	scale_score = round(200 + 10·grade + 15·latent)
//
// With z = (scale_score - 200 - 10·grade)/15, performance_level is the
// quartile of z under N(0,1) (cuts at -0.674, 0, 0.674) and percentile is
// 100·Φ(z) rounded, in 1..99.
// hours is the teacher of record's session minutes / 60 in that school year
// dated on or before the school's spring test date.
//
// Each IP school has a coach ("C01", ...); one more coach with blank
// school_id runs the cycles of one IP school (the first whose cohort joins
// inside the panel) every other coached year. From the year ip_cohort on,
// each year 40% of an IP school's teachers (drawn afresh each year,
// independently of students and scores; with Selection S > 0 drawn
// without replacement with weights exp(-S·effect/0.15), so teachers with
// weaker value-added are coached more often) get 1-3 cycles ("CY00001", ...), one after another between
// Sep 1 and Apr 15, each of 3-9 sessions ("SE000001", ...) on distinct
// weekdays; 10% of cycles have one more session between May 20 and June 20,
// after the spring test, so not counted in hours. end_date is the last
// session date, blank for 5% of cycles (open). Observations ("OB000001"):
// two before a coached teacher's first cycle of the year and two after its
// last, two or three a year for the others; rating =
// clamp(round(2 + teacher baseline (SD 0.6) + PracticeGain·[dated after the
// end of the teacher's first cycle] + noise (SD 0.5)), 0, 4).
//
// # Files (FormatMixed)
//
//	schools.csv       UTF-8 BOM, ';': School ID;School Name;District ID;District Name;Level;IP Cohort
//	                  ip_cohort "2021-22" (even school index) or "2022"; level elementary/middle
//	teachers.xlsx     sheet Staff: row 1 title "Staff export - generated <LastYear>-06-30", row 2 blank,
//	                  row 3 StaffUniqueId|School ID|First Name|Last Name|Subject Area|Grade Band|Years Experience
//	students.xlsx     sheet Students, row 1 StudentUniqueId|School ID|Grade|Gender|Race/Ethnicity|
//	                  English Learner|Special Education|Economically Disadvantaged; booleans Yes/No;
//	                  grade "K" or "KG", "05" (text) or 5 (number)
//	rosters.csv       School Year,Student ID,Teacher ID,Subject,Section ID,Percent Time
//	                  school_year "2023-24"; percent_time blank for every other row at 100
//	assessments.csv   SSID,School Year,Tested Grade,Test Name,Subject,Test Window,Test Date,Scale Score,Performance Level,Percentile
//	                  school_year "2023-2024"; dates "9/15/2023"; windows Fall/Winter/Spring
//	coaching.xlsx     sheets coaches, coaching_cycles, coaching_sessions, canonical headers on row 1;
//	                  dates as date cells (serial, NumFmt 14); school_year, minutes, ip_cohort numbers
//	observations.csv  TAB-delimited, canonical header, ISO dates
//
// IDs are text cells in xlsx. CSV files are RFC 4180 with LF line ends and
// no line breaks inside fields; values holding the delimiter are quoted
// (goals hold commas). FormatCSV writes every table as NAME.csv: comma,
// canonical header, ISO dates, school_year 2024, booleans Y/N, grade K or
// the number, percent_time always written; same data and truth.
//
// # Bad rows
//
// Unless NoBadRows, Generate appends nine extra rows, each faulty in one
// column only, with unique keys and nothing depending on them, so that
// rejecting them leaves exactly the valid data (Truth.Rejects lists them
// with the reason the ingest must give):
//
//	assessments   test_date "13/45/<year>"             unrecognised date   (a student's absent fall score)
//	assessments   scale_score "abc"                    not a number        (another absent fall score)
//	assessments   student_id of no student             unknown id
//	students      student_id of the first student,     duplicate key       (the later row is the bad one)
//	              at another school of the same level
//	students      grade_level "Q"                      unrecognised grade  (a new ID)
//	rosters       teacher_id "T999999"                 unknown id
//	coaching_sessions  minutes -30                     out of range        (inside a valid closed cycle)
//	coaching_sessions  session_date in October of the  date outside school year
//	              next school year
//	coaching_cycles    school_year "2023-25" (text)    unrecognised school year (no sessions)
//
// When no absent fall score exists, the first two use assessment_name
// "District Benchmark Retest"; without coaching the last three are left out.
// Reject.Row is the row number a user sees (CSV: the line, header = 1, a BOM
// is not a line; xlsx: the sheet row). Reject.Value is the text written; for
// a date cell the date as 2006-01-02.
//
// # Truth
//
// Analysis students are student-subject-years with a spring score, a
// teacher of record and a baseline: the same year's fall score, else the
// prior year's spring score in the subject. Impact[(year, subject)].Expected
// = mean effect(hours) of its coached (hours > 0) analysis students, that
// is Jump + PerHour × their mean hours capped at HoursCap; Overall the same
// pooled; DiD = mean effect(hours) (uncoached count 0) over analysis
// students of IP school-years with year >= ip_cohort, for the cohorts
// joining inside the panel. Jump and HoursCap are in truth.json too, and
// Selection with SelectionGap, the mean teacher effect of the coached
// teacher-years minus the uncoached ones' in IP schools' coached years.
// Teachers keep their grade, section and subject every year and are coached
// in some years and not others, so each teacher's coached and uncoached
// years can be compared (impact_within_teacher). These are effects on the latent scale
// (spring SD ≈ 1): on z scores standardised within year, subject and grade
// they are divided by the group's spring SD in latent units (1.005 on
// average, 0.95-1.07 by group, in the default district).
// Files holds rows read and rejected per file (sheet of coaching.xlsx:
// "coaching.xlsx#coaching_sessions").
package synth
