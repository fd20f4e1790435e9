package reports

import (
	"context"
	"strings"
)

// bookKind is a set of the three kinds of workbook: which ones a
// glossary term is printed in.
type bookKind uint8

const (
	inDistrict bookKind = 1 << iota // district.xlsx
	inCohorts                       // cohorts.xlsx
	inSchool                        // schools/<school_id>.xlsx
	inAll      = inDistrict | inCohorts | inSchool
)

// term is one entry of the glossary: the names a measure or column
// header is printed under, the workbooks that print it, what it means in
// plain words, and, for a statistic, how it is computed (the method's
// name, formula and caveats), which the first sheets a reader opens
// leave out.
type term struct {
	Names  []string
	In     bookKind
	Means  string
	Method string
}

// glossary defines every measure and column header the workbooks print
// (TestGlossaryCoversHeaders reads every header back and fails on one it
// lacks). Each workbook's About sheet lists the terms it prints.
var glossary = []term{
	// Concepts the headers rest on.
	{[]string{"SD (standard deviation)", "z-score"}, inAll,
		"The unit of scores and growth: the spread of one grade's scores on one test. 0.10 SD is about 4 percentile points for a typical student; 0 is average.",
		"Scores are z-scores: (scale score - mean) / SD within assessment, subject, tested grade, school year and test window."},
	{[]string{"Growth"}, inAll,
		"How far a student's spring score is above (+) or below (-) what students who started the year at the same score reached: 0 is typical growth, +0.10 is a tenth of a grade's spread above it.",
		"Spring z minus what the baseline predicts, from a regression of spring z on baseline z within school year, subject, grade and baseline source, fitted on the students of teachers never coached (so coaching's effect is not fitted away) and applied to every student."},
	{[]string{"Baseline"}, inAll,
		"Where a student started: the same year's fall score in the subject; where a school tests only in spring, the prior year's spring score.", ""},
	{[]string{"Tested grade"}, inDistrict | inSchool,
		"The grade the assessment export gives, or, where it is blank, the grade the student was in that year.",
		"From the students table's grade, taken as the grade in the student's latest school year and counted back a grade a year (a retained student's earlier grades come out one too low). A grade counted back below K is unknown: the score has no z-score. The Data quality sheet of district.xlsx says how many grades were counted back."},
	{[]string{"Main spring test"}, inDistrict,
		"The test whose spring scores are a subject's outcome in a year: the one the config names under [model.main_tests], else the one most students took that spring. A student who did not take it keeps another spring test's score.", ""},
	{[]string{"Teacher of record"}, inAll,
		"The teacher a student's result counts for: the rostered teacher with the largest share of the student's time in the subject and year (ties to the smallest teacher ID).", ""},
	{[]string{"Classroom"}, inAll,
		"One teacher of record's students in a subject and year. Intervals allow for students of one classroom being alike.", ""},
	{[]string{"Coached", "Coached teachers"}, inAll,
		"A teacher with at least one coaching cycle in the school year (coached teachers: how many); a coached classroom's teacher had more than 0 hours of coaching before the student's spring test.", ""},
	{[]string{"Not coached"}, inSchool,
		"Classrooms whose teacher had no coaching in the school year before the spring test.", ""},
	{[]string{"All classrooms"}, inSchool,
		"Every classroom of a school where no teacher was coached: there is no coached group to compare with.", ""},
	{[]string{"Coaching hours"}, inAll,
		"Hours of coaching sessions: a teacher's session minutes / 60 in the school year, counted for a student's result only up to the date of the spring test (the whole year when the test has no date).", ""},
	{[]string{"Coaching cycle", "Cycles"}, inAll,
		"A coach and a teacher working towards one goal through the stages Identify, Learn and Improve; cycles counts them.", ""},
	{[]string{"Identify, Learn, Improve"}, inAll,
		"The stages of a coaching cycle: the teacher and coach identify a goal, the teacher learns a strategy, and they improve it until the goal is met.", ""},
	{[]string{"Partnership principles"}, inCohorts,
		"The seven principles coaching sessions are logged against: equality, choice, voice, dialogue, reflection, praxis and reciprocity.", ""},
	{[]string{"Look-for ratings", "Mean rating"}, inDistrict | inSchool,
		"Observation ratings of teaching practice, 0 (not seen) to 4; mean rating is their average.", ""},
	{[]string{"Suppressed"}, inAll,
		"A cell left blank with the reason, because it rests on too few students or classrooms to publish (the thresholds are under This run): 'suppressed (n<N)' or 'suppressed (fewer than N classrooms)'.",
		"Every cell of student results (a count, mean, share or estimate) rests on at least the minimum number of students and of classrooms (teachers of record), on every sheet of every workbook. Look-for cells rest on at least as many teachers."},
	{[]string{"Suppressed (would reveal a suppressed cell)"}, inAll,
		"A cell hidden only so that a suppressed cell cannot be worked out from the numbers printed beside it.",
		"Where a suppressed cell could be worked out (a group from its total minus the other group, a grade from the subject's total, a school-year from its groups, a band from the estimate's count), the smallest other cells it could be worked out from are suppressed too: first the district's summary rows, then the grade rows, the growth groups last. The check is exact: no sum, difference or count-weighted mean of the printed numbers of a school's workbook and its rows in district.xlsx (or of cohorts.xlsx and district.xlsx) gives back a suppressed number. Coaching is non-evaluative: no report ranks or lists teachers by their students' results."},

	// Results and how sure they are.
	{[]string{"Effect (SD)", "District effect (SD)"}, inDistrict | inCohorts,
		"How much more (+) or less (-) the students grew, in SD: of coached against other teachers' students with the same starting score and grade (Overview, Impact, Subgroups, a cohort's schools at a glance; the district's: over all schools), or of schools after joining the network against before (Difference-in-differences).",
		"Impact: OLS of spring z on coached, baseline z and grade fixed effects; CR2 standard errors clustered by teacher and a t interval with Satterthwaite degrees of freedom (see CR2 and Satterthwaite degrees of freedom)."},
	{[]string{"Estimate"}, inDistrict,
		"The answer to the row's question, in the row's unit.", ""},
	{[]string{"Unit"}, inDistrict,
		"What the row's estimate and interval count: SD of spring score, SD per hour or per 10 hours of coaching, or look-for rating points.", ""},
	{[]string{"95% CI low", "95% CI high"}, inAll,
		"The range the true value lies in with 95% confidence (the 95% interval). When it lies wholly above or below 0 the difference is clear; when it includes 0 there is no clear difference.",
		"Estimate ± t(0.975, df) × standard error. A school's group means allow for classrooms: SE² = G/(G-1) Σ_g (Σ_i∈g (y_i - ȳ))² / n² over its G classrooms."},
	{[]string{"Standard error"}, inDistrict | inCohorts,
		"How far the estimate could be off by chance; the 95% interval is about two standard errors either side.",
		"Cluster-robust CR2: by teacher for student-level models, by school for the school-level ones; the Callaway-Sant'Anna estimate's from a bootstrap over schools, Teacher practice's the classical one of a mean over teachers."},
	{[]string{"p-value"}, inDistrict | inCohorts,
		"How often chance alone would give an estimate this far from 0; below 0.05 is usually read as a clear difference.",
		"Two-sided, from t with the row's degrees of freedom."},
	{[]string{"df"}, inDistrict,
		"Degrees of freedom of the t distribution the interval and p-value use: fewer when the estimate rests on few coached teachers (or schools), which widens the interval; blank for a bootstrap interval.",
		"Satterthwaite degrees of freedom of the CR2 standard error (fractional); teachers - 1 for Teacher practice."},
	{[]string{"CR2"}, inDistrict | inCohorts,
		"The kind of standard error every clustered estimate has: it allows for students of one teacher (or one school) being alike, and stays honest when there are few coached teachers.",
		"Bell and McCaffrey's bias-reduced cluster-robust covariance: each cluster's residuals adjusted by (I - H_gg)^(-1/2), H the hat matrix with the fixed effects as dummies, V = M Σ_g X_g'A_g e_g e_g'A_g X_g M; computed as R's clubSandwich computes it for lm (vcov = \"CR2\"). CR1, Stata's correction, is too small with few clusters."},
	{[]string{"Satterthwaite degrees of freedom"}, inDistrict | inCohorts,
		"How many teachers' (or schools') worth of information an estimate's interval really rests on: about the number of coached teachers when few are coached, however many students.",
		"df = 2E[c'Vc]² / Var[c'Vc] of the CR2 variance of the coefficient under independent errors (Bell and McCaffrey 2002; Pustejovsky and Tipton 2018), as clubSandwich's coef_test(test = \"Satterthwaite\")."},
	{[]string{"Too few coached teachers to tell"}, inDistrict,
		"An estimate resting on fewer coached teachers (schools, for the before/after comparisons) than the run's minimum (under This run): its numbers are shown, but its interval cannot be trusted to decide anything; under 3 coached teachers the estimate is suppressed.",
		"With few coached clusters even CR2 standard errors with Satterthwaite degrees of freedom can mislead: the effect is then confounded with those few teachers. The estimates table marks them few_coached_clusters."},
	{[]string{"Hedges' g"}, inDistrict,
		"The effect as a share of the spread of spring scores, comparable across tests and studies.",
		"The effect over the pooled within-group SD of spring z, with the small-sample correction 1 - 3/(4N - 9) (What Works Clearinghouse)."},
	{[]string{"Improvement index (percentile points)"}, inDistrict,
		"How many percentile points a typical student of an uncoached teacher would move up (+) or down (-) with a coached teacher.",
		"100·Φ(g) - 50, with Φ the standard normal distribution (What Works Clearinghouse)."},
	{[]string{"Baseline g"}, inDistrict,
		"How far apart the coached and other groups' starting scores were, as a share of their spread.",
		"Hedges' g of the baseline between the groups."},
	{[]string{"Baseline equivalence", "Did the groups start alike?"}, inDistrict,
		"Whether coached and other classrooms' students started the year at similar scores: alike; a little apart (the model adjusts for it); far apart (read with caution).",
		"What Works Clearinghouse bands of the baseline g: |g| <= 0.05 satisfied; <= 0.25 adjustment required (the model's baseline adjustment makes it); > 0.25 not satisfied."},
	{[]string{"How sure are we?", "How large an effect could this district detect?", "Minimum detectable effect (MDE)"}, inDistrict,
		"The smallest true effect this district's design (its coached and other teachers, their students, how alike a teacher's students are and how much the starting score explains) would detect 8 times in 10 with a 5% two-sided test. A result of no clear difference does not rule out an effect smaller than this.",
		"PowerUp!'s two-level design with coaching at the teacher level (Dong and Maynard 2013): MDE = M·√(ρ(1-R²₂)/(P(1-P)J) + (1-ρ)(1-R²₁)/(P(1-P)Jn))·SD, M = t(0.975, J-g-2) + t(0.80, J-g-2); J teachers of record, P the share coached, n students per teacher, ρ the ICC of spring z across teachers (one-way ANOVA after the grade fixed effects), R²₁ and R²₂ the baseline's R² within and between teachers, g the baseline sources, SD the total SD of spring z. Other estimates: (t(0.975, df) + t(0.80, df))·SE."},
	{[]string{"How likely is it that coaching helps?", "Chance the effect is above zero", "Chance the effect here is above zero"}, inDistrict | inSchool,
		"How likely the true effect is above 0, and above the district's threshold of an effect worth having (default 0.05 SD), given the data and a cautious prior belief.",
		"District: the posterior of the effect θ from a normal prior (config [model] prior_mean, prior_sd: default centred on 0 with SD 0.2 SD, wide enough to admit the 0.18 SD of coaching's efficacy trials in Kraft, Blazar and Hogan's 2018 meta-analysis, smaller at scale) and the estimate's normal likelihood N(θ, SE²); P(θ > 0) and P(θ > threshold). School: the empirical-Bayes estimate with its posterior SD (the district's schools are the prior), normal. Only effects in SD of score, not per-hour slopes."},
	{[]string{"Could something else explain it?", "E-value"}, inDistrict,
		"How strongly something the data do not hold (say, principals choosing stronger teachers to coach) would have to be tied to both being coached and growth to explain the effect away: 1 means nothing is needed, 2 a doubling of both.",
		"VanderWeele and Ding's (2017) E-value: the effect d in SD converted to a risk ratio RR ≈ exp(0.91·|d|), E = RR + √(RR(RR-1)); the interval's E-value is that of its limit nearest 0, 1 when the interval includes 0."},
	{[]string{"Coached minus other (SD)", "District: coached minus other (SD)", "District (SD)"}, inSchool,
		"How much more (+) or less (-) students in coached classrooms grew than students in the other classrooms, in SD: at the school, allowing for what the district's other schools show (a small school's own figure is uncertain, so it is pulled toward theirs), and over the district's schools.",
		"The school's own difference is that of the two groups' mean growth; its standard error √(SE_coached² + SE_other²) from each group's classroom-clustered standard error (the groups' classrooms are disjoint), with t on Welch-Satterthwaite degrees of freedom. The figure shown, its interval and the verdict are empirical Bayes: with the schools whose difference is shown that year (at least 3), the spread of true differences τ² and their mean μ are estimated by DerSimonian-Laird; each school's figure is μ + (1 - B)(own - μ) with B = SE²/(SE² + τ²), standard error √(SE²(1 - B) + B²·Var(μ)), and a normal 95% interval (as R's metafor blup). Pooled years are the school's own."},
	{[]string{"This school alone (SD)"}, inSchool,
		"The school's own coached-minus-other difference, before allowing for the district's other schools.", ""},
	{[]string{"Verdict", "District verdict", "(school year) verdict"}, inAll,
		"The answer in words, decided by the difference's 95% interval: clearly more growth (wholly above 0), clearly less growth (wholly below 0), no clear difference (it includes 0), or too few classrooms to tell (on the Overview, too few coached teachers to tell: see that term); the district's for the same subject and year, and the school's (or cohort's) the year before.", ""},
	{[]string{"What the data say"}, inDistrict,
		"The row's answer in words: more growth, less growth, or no clear difference (the 95% interval includes 0), with its size.", ""},
	{[]string{"Question"}, inDistrict,
		"What the row's estimate answers.", ""},
	{[]string{"Analysis"}, inDistrict,
		"Which question the row answers: coached against other classrooms (impact), per coaching hour (dose-response), schools after joining (before/after against comparison schools, or each cohort against schools not yet joined), or look-for ratings after coaching.", ""},
	{[]string{"Dose-response", "SD per hour", "Per coaching hour"}, inDistrict,
		"How much more students of coached teachers grew for each added hour of coaching their teacher had, in SD per hour, apart from the step that any coaching brings (next term); the Overview shows it per 10 hours of coaching (the per-hour figure × 10), which is easier to read.",
		"One model on all students: spring z on coached and the teacher of record's coaching hours, with the impact model's baseline and grade fixed effects, clustered by teacher (CR2 standard errors, Satterthwaite degrees of freedom). The hours' coefficient is the slope among coached students; fitted without coached, as before, the jump from no coaching to any would land on it."},
	{[]string{"Any coaching (SD)", "Dose onset"}, inDistrict,
		"The step in growth that having any coaching brings, before counting the hours: the growth of a coached teacher's students, extended back to 0 hours, against uncoached teachers' students.",
		"coached's coefficient in the dose model above (analysis dose_onset)."},
	{[]string{"SD per hour in this band", "Bending shape"}, inDistrict,
		"The growth each added hour of coaching brought within the band's hours, in SD per hour: where it falls to about 0, more hours stopped adding growth.",
		"A piecewise-linear shape in hours with knots at the band edges 5, 10 and 20 hours (continuous there), fitted with coached in the dose model's design; a band's slope is the hours' coefficient plus the knots' below it, with its CR2 interval (Satterthwaite degrees of freedom)."},
	{[]string{"Do more hours keep adding growth?"}, inDistrict,
		"Whether the growth kept rising with more coaching hours, or where it stopped.",
		"'More hours stop adding growth beyond about N hours' where N is the lowest knot of the bending shape at which (1) the band below has a slope whose 95% interval is above 0, (2) the change of slope at N has an interval below 0 (the slope drops) and (3) every band from N on has an interval reaching 0 or below. Otherwise: more growth with each hour when the per-hour interval is above 0, else no growth with hours shown."},
	{[]string{"Pre-trend test p-value"}, inCohorts,
		"How surprising the joining schools' growth before they joined would be if they had been on the same path as the schools they are compared with: a small value (under 0.05) warns that the after-joining effects may mix in a difference that was already there.",
		"The joint Wald test (chi-square) that every cohort-by-year effect before joining is 0, with the covariance of their influence functions; the same test is printed on both rows, since both estimators rest on parallel trends."},
	{[]string{"Before or after joining", "Placebo check"}, inCohorts,
		"After joining: the cohort's change in growth since the year before it joined, against schools not yet joined. Before joining: the change from one year to the next before the cohort joined, which should be near 0 if the groups were on the same path.",
		"Callaway-Sant'Anna group-time effects; the placebo cells use the year before as base (the did package's varying base) and comparison schools and cohorts not yet joined that year as controls. Standard errors from the influence function."},
	{[]string{"Students (each counted once)"}, inCohorts,
		"The students whose growth the estimate rests on, each counted once however many years and subjects they have.", ""},
	{[]string{"Difference-in-differences"}, inDistrict | inCohorts,
		"What changed in schools after they joined the network, against schools that had not joined: estimated two ways, the next two terms.", ""},
	{[]string{"Before/after, against comparison schools"}, inDistrict | inCohorts,
		"Schools' mean growth after joining the network against before, less the change in comparison schools over the same years.",
		"Difference-in-differences by two-way fixed effects (school and year) on school-year mean growth, clustered by school; schools coached in every year of the panel (always-coached: no year before joining) are left out. When schools join in different years it also compares later joiners with earlier ones and can be biased when effects change with time since joining: read it beside the next."},
	{[]string{"Each cohort against schools not yet joined"}, inDistrict | inCohorts,
		"Each cohort's growth after joining against the year before it joined, less the same change in comparison schools and schools that had not yet joined.",
		"Callaway-Sant'Anna (2021): group-time effects ATT(g,t) of each joining cohort against comparison and not-yet-joined schools, from the year before joining; averaged over cohort-years weighted by joining schools; analytic standard errors from the influence function over schools (each arm's with the small-sample factor sqrt(n/(n-1))), what a bootstrap over schools converges to (too small with fewer than 30 schools). Robust to schools joining in different years."},
	{[]string{"Same teachers: coached vs uncoached years", "Teachers seen coached and not"}, inDistrict,
		"The same teachers' students in the years the teacher was coached against the teacher's other years: whatever is constant about a teacher (how strong, what got them coached) cannot make the difference. Teachers seen coached and not: the teachers coached in some years and not others, the only ones this comparison rests on.",
		"Teacher fixed effects: spring z on coached and baseline z with a fixed effect per teacher, subject, grade and baseline source and a dummy per school year; CR2 standard errors clustered by teacher with Satterthwaite degrees of freedom. Too few coached teachers to tell (and suppressed under 3) counts the teachers seen coached and not."},
	{[]string{"Teachers' first coached year: event study", "Teachers first coached", "Placebo year"}, inDistrict,
		"Each teacher's students' growth from the year before the teacher's first coached year to each year after (year 0 the first coached year, year 1 the next), against the same change for teachers not yet or never coached. Placebo years (year -1, -2) are the years before the first coaching, each against the one before: near 0 if the groups were on the same path.",
		"Callaway-Sant'Anna (2021) on teachers: group-time effects of each first-coached-year group on teacher-year mean growth, against never-coached and not-yet-coached teachers, averaged by year since the first coached year and overall (years 0 and after) weighted by the groups' teachers; analytic standard errors from the influence function over teachers (clustered by teacher); the pre-trend test is the joint Wald test that every placebo year is 0. Teachers coached in the first year of the data have no year before and are left out; teachers are not coached every year after the first, so the overall figure is the effect of starting coaching."},
	{[]string{"Comparison"}, inCohorts,
		"Which schools the joining schools are compared with, and how: before/after against comparison schools, or each cohort against schools not yet joined.", ""},
	{[]string{"Look-for ratings after coaching"}, inDistrict,
		"Teachers' look-for ratings after their first coaching cycle against before it, in rating points (0-4).", ""},
	{[]string{"Note"}, inAll,
		"Why a row has no estimate, or what to bear in mind reading it (the Impact sheet of district.xlsx has the notes in full).", ""},

	// Who and when.
	{[]string{"Subject"}, inAll, "ELA, Math, or All for both together.", ""},
	{[]string{"School year", "Years"}, inAll, "The school year (2023-24), or all years pooled.", ""},
	{[]string{"Years pooled"}, inSchool, "On a school's Growth sheet, for a subject whose latest year is too small to show: the school years whose students are counted together (a teacher's students of every year are one classroom).", "The pooled cells are protected as every other: one that, less the years shown, would give a hidden year away is hidden itself."},
	{[]string{"Grade"}, inSchool, "The tested grade (0 = kindergarten).", ""},
	{[]string{"Group"}, inAll,
		"Growth and Look-fors: coached or not-coached classrooms or teachers that year. Subgroups: the students' group (English learners, special education, economically disadvantaged, race/ethnicity).", ""},
	{[]string{"Students", "Students in the model"}, inAll,
		"Students whose growth counts: a spring score, a baseline and a teacher of record. Students in the model (Schools, Cohort panel) counts each student once; in a row for All subjects (Overview, Impact, Subgroups) a student tested in ELA and Math counts twice, once a subject. On About's spring tests: the students who took that test.", ""},
	{[]string{"Coached students"}, inAll, "Students in the model whose teacher of record was coached.", ""},
	{[]string{"Coached classrooms", "Other classrooms", "Other students"}, inSchool,
		"The classrooms behind each group, and the students of the classrooms not coached.", ""},
	{[]string{"Tested students"}, inDistrict, "Students with a spring score at the school that year, in the model or not.", ""},
	{[]string{"Classrooms"}, inSchool, "Teachers of record whose students are in the group.", ""},
	{[]string{"Teachers"}, inAll, "Teachers: on the school's rosters (Schools, Cohort panel), of record for the students (Overview, Impact), coached by the coach (caseloads), or observed (look-fors).", ""},
	{[]string{"Schools"}, inDistrict | inCohorts, "Schools counted in the row.", ""},
	{[]string{"School", "School ID"}, inAll, "The school's name and its ID in the schools table.", ""},
	{[]string{"District", "District ID"}, inDistrict | inCohorts, "The school's district and its ID.", ""},
	{[]string{"Level"}, inCohorts, "The school's level (elementary, middle, high) as the schools table gives it.", ""},
	{[]string{"Cohort"}, inDistrict | inCohorts,
		"The school year a school joined the coaching network ('joined 2021-22'), or 'comparison' for a school that never joined.", ""},
	{[]string{"Comparison schools"}, inCohorts, "Schools that never joined the network, counted in the row.", ""},
	{[]string{"Joining schools"}, inCohorts, "Schools of the cohort counted in the row.", ""},
	{[]string{"Coach", "Coach ID"}, inCohorts, "The coach's name and ID in the coaches table.", ""},
	{[]string{"Teacher", "Teacher ID"}, inSchool, "The teacher's name and ID (shown only when the config allows teacher names, and only beside coaching activity).", ""},

	// Growth and proficiency.
	{[]string{"Mean growth (SD)", "Mean growth"}, inAll,
		"The average growth of the row's students, in SD: 0 is typical for their starting score.", ""},
	{[]string{"School mean growth (SD)"}, inSchool,
		"The average growth of the school's students in the grade, in SD: 0 is typical for their starting score.", ""},
	{[]string{"Comparison growth"}, inCohorts, "The mean growth of comparison schools in the same school years.", ""},
	{[]string{"Difference"}, inCohorts, "Mean growth of the joining schools minus that of comparison schools.", ""},
	{[]string{"Years since joining", "Event time"}, inCohorts,
		"0 is the year a school joined, -1 the year before, 1 the year after (from 3 before to 3 after).", ""},
	{[]string{"Growth scores (student x subject)"}, inCohorts,
		"Growth results counted: a student tested in ELA and Math counts twice.", ""},
	{[]string{"Share at level 3 or 4"}, inDistrict | inCohorts,
		"The share of spring scores at performance level 3 or 4 of the test's four levels (usually meeting or exceeding the standard).", ""},
	{[]string{"School share at level 3 or 4", "District share at level 3 or 4"}, inSchool,
		"The share of the school's, and the district's, spring scores in the grade at performance level 3 or 4 of the test's four levels (usually meeting or exceeding the standard).", ""},
	{[]string{"School mean spring score (SD)"}, inSchool,
		"The school's average spring score in SD against the district's students of the same grade (0 = the district's average).", ""},
	{[]string{"School students", "District students"}, inSchool, "Students in the model at the school, and in the whole district, in the grade and subject.", ""},

	// Coaching activity.
	{[]string{"Share coached"}, inDistrict | inCohorts, "Coached teachers over teachers on the rosters.", ""},
	{[]string{"Hours"}, inAll, "Hours of coaching sessions.", ""},
	{[]string{"Mean hours"}, inDistrict, "The mean coaching hours of the teachers of record of the band's students.", ""},
	{[]string{"Sessions"}, inAll, "Coaching sessions logged.", ""},
	{[]string{"Hours per coached teacher", "Hours per teacher"}, inCohorts, "Coaching hours over coached teachers.", ""},
	{[]string{"Mean hours per student"}, inDistrict, "The coaching hours of a student's teacher of record, averaged over the school's students.", ""},
	{[]string{"Cycles per teacher"}, inCohorts, "Coaching cycles over coached teachers.", ""},
	{[]string{"Cycles open", "Cycles ended"}, inCohorts, "Cycles with no end date yet, and cycles that ended.", ""},
	{[]string{"Share of cycles that reached Improve"}, inCohorts, "Cycles that reached the Improve stage, over all cycles.", ""},
	{[]string{"Share of cycles with the goal met"}, inDistrict | inCohorts, "Cycles whose goal was met, over all cycles.", ""},
	{[]string{"Partnership principles per session"}, inCohorts,
		"How many of the seven partnership principles a session's log names, on average.", ""},
	{[]string{"Teachers in cycles"}, inCohorts, "Teachers with a coaching cycle this year.", ""},
	{[]string{"In progress: identify", "In progress: learn", "In progress: improve", "In progress: stage not recorded"}, inCohorts,
		"Open cycles by the stage they have reached (or with no stage recorded).", ""},
	{[]string{"Last session"}, inCohorts, "The date of the school's latest coaching session this year.", ""},
	{[]string{"Month"}, inSchool, "The calendar month of the sessions.", ""},
	{[]string{"Activity"}, inSchool, "What a session was, as the coaching log names it (observation, modeling, debrief...).", ""},
	{[]string{"Focus area"}, inDistrict | inSchool, "The area of practice a cycle worked on, as the coaching log names it.", ""},
	{[]string{"Cycles that reached Improve"}, inSchool, "Cycles that got as far as the Improve stage.", ""},
	{[]string{"Cycles with the goal met"}, inSchool, "Cycles whose goal was met.", ""},
	{[]string{"Observations"}, inDistrict | inSchool, "Look-for observations counted.", ""},
	{[]string{"Phase"}, inDistrict, "When the observation was: before a teacher's first cycle, during it, or after a cycle's end.", ""},

	// Dosage bands.
	{[]string{"Band", "Dosage bands"}, inDistrict, "Hours of coaching the teacher of record had: 0, under 5, 5-10, 10-20, 20+.", ""},
	{[]string{"Adjusted mean spring z"}, inDistrict,
		"The band's mean spring score in SD, with starting scores and grades held at the district's mix.", "Predicted from the dose model's regression at the district's mean baseline and grade mix."},
	{[]string{"Difference from 0 hours"}, inDistrict, "The band's adjusted mean less that of students whose teacher had no coaching.", ""},

	// Run history.
	{[]string{"Run (UTC)"}, inDistrict, "When the run started.", ""},
	{[]string{"Impact, both subjects (SD)", "Impact, ELA", "Impact, Math"}, inDistrict, "The run's all-years effect of coaching, both subjects and each.", ""},
	{[]string{"Joining schools, before/after vs comparison", "Joining schools, each cohort vs not yet joined"}, inDistrict,
		"The run's two estimates of what changed when schools joined (see Before/after, against comparison schools and Each cohort against schools not yet joined).", ""},
	{[]string{"Same teachers, coached vs uncoached years", "Any coaching vs none (jump)"}, inDistrict,
		"The run's within-teacher effect (the same teachers' students in their coached and uncoached years, both subjects) and the step any coaching brings before counting hours (dose onset, both subjects). Runs before these were published show blanks.", ""},

	// Overview measures.
	{[]string{"Measure"}, inDistrict, "A figure of the run or of the school year.", ""},
	{[]string{"Value"}, inAll, "The figure's or the setting's value.", ""},
	{[]string{"Schools with coaching"}, inDistrict, "Schools with at least one coached teacher in the school year.", ""},
	{[]string{"Teachers on rosters"}, inDistrict, "Teachers on the rosters in the school year.", ""},
	{[]string{"Teachers coached", "Share of teachers coached"}, inDistrict, "Teachers with at least one cycle in the school year, and their share of those on rosters.", ""},
	{[]string{"Coaching cycles", "Coaching sessions"}, inDistrict, "Cycles and sessions in the school year.", ""},
	{[]string{"Input files"}, inDistrict, "Files read.", ""},

	// Data quality and About.
	{[]string{"File", "Table"}, inDistrict, "An input file and the table it was read as.", ""},
	{[]string{"Rows read", "Rows loaded", "Rows rejected"}, inDistrict, "Rows of a file: read, loaded into the model, rejected (every row read is loaded or rejected).", ""},
	{[]string{"Status"}, inDistrict, "Whether the file's rows reconcile and how many were rejected, or why it was not read.", ""},
	{[]string{"Read as"}, inDistrict, "How the file was read: its text encoding, the columns left unused, hidden sheets, rows filtered or split.", ""},
	{[]string{"SHA-256"}, inDistrict, "The file's checksum: the same checksum means the same file.", ""},
	{[]string{"Row", "Column", "Reason", "Detail"}, inDistrict, "A rejected value: its row as Excel shows it (header = 1), its column, why it was rejected and more detail.", ""},
	{[]string{"Check", "About", "What happened"}, inDistrict, "A check that found the run's result empty or mostly rejected: its code, what it is about and what it found.", ""},
	{[]string{"Test", "Role"}, inDistrict, "A spring test and whether it was the subject's main test that year or one some students took instead.", ""},
	{[]string{"Setting"}, inAll, "A setting of this run.", ""},
	{[]string{"Term", "What it means", "How it is computed"}, inAll, "This glossary: a measure or header, what it means, and the statistics behind it.", ""},
}

// glossaryRows are the terms a kind of workbook prints, in the
// glossary's order: names (one a line), meaning, method.
func glossaryRows(kind bookKind) [][]any {
	var rows [][]any
	for _, t := range glossary {
		if t.In&kind != 0 {
			rows = append(rows, []any{strings.Join(t.Names, "\n"), t.Means, t.Method})
		}
	}
	return rows
}

// glossarySection is the About sheet's glossary for a kind of workbook.
func (b *book) glossarySection(kind bookKind) section {
	return section{
		Title: "Glossary: every measure and column header of this workbook, what it means and how it is computed",
		Cols:  []column{{Name: "Term", Width: 26, Style: b.wrap}, {Name: "What it means", Width: 60, Style: b.wrap}, {Name: "How it is computed", Width: 60, Style: b.wrap}},
		Rows:  glossaryRows(kind),
	}
}

// cohortsAboutSheet is cohorts.xlsx's About sheet: the glossary of its
// terms and the run's settings.
func cohortsAboutSheet(_ context.Context, b *book, in Input) error {
	return b.sections("About", "About this workbook: what its measures mean, and the run", []section{b.glossarySection(inCohorts), b.runSection(in)})
}

// schoolAboutSheet is a school workbook's About sheet: the glossary of
// its terms and the run's settings.
func schoolAboutSheet(b *book, in Input, _ *schoolData, _ int64, _ [][]any) error {
	return b.sections("About", "About this workbook: what its measures mean, and the run", []section{b.glossarySection(inSchool), b.runSection(in)})
}
