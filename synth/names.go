package synth

// Fixed vocabularies. They are read-only tables, never mutated.

var (
	firstNames = [...]string{
		"James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda",
		"David", "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica",
		"Thomas", "Sarah", "Charles", "Karen", "Christopher", "Lisa", "Daniel", "Nancy",
		"Matthew", "Betty", "Anthony", "Sandra", "Mark", "Margaret", "Donald", "Ashley",
		"Steven", "Kimberly", "Andrew", "Emily", "Paul", "Donna", "Joshua", "Michelle",
		"Kenneth", "Carol", "Kevin", "Amanda", "Brian", "Melissa", "Timothy", "Deborah",
		"Ronald", "Stephanie", "Jason", "Rebecca", "Jeffrey", "Laura", "Gary", "Sharon",
		"Ryan", "Cynthia", "Jacob", "Kathleen", "Nicole", "Latoya", "Keisha", "Marcus",
		"Andre", "Tamika", "Rosa", "Luis", "Carmen", "Jorge", "Mei", "Priya",
	}
	lastNames = [...]string{
		"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
		"Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas",
		"Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White",
		"Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young",
		"Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
		"Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell",
		"Carter", "Roberts", "Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker",
		"Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris", "Morales", "Murphy",
		"Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson", "Bailey",
		"Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson",
		"Watson", "Brooks", "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza",
		"Ruiz", "Hughes", "Price", "Alvarez", "Castillo", "Sanders", "Patel", "Myers",
	}
	// School names are placeWords[i] + " " + placeKinds[j] + level suffix.
	placeWords = [...]string{
		"Oak", "Cedar", "Maple", "Pine", "Willow", "Magnolia", "Hickory", "Dogwood",
		"Pecan", "Cypress", "Holly", "Laurel", "Chestnut", "Walnut", "Sycamore", "Poplar",
		"Spring", "Eagle", "Fox", "Deer", "Bear", "Hawk", "Sparrow", "Cardinal",
		"Sunset", "Sunrise", "Liberty", "Union", "Heritage", "Pioneer", "Meadow", "Stone",
		"Clear", "Green", "Silver", "Red", "Blue", "Shady", "Rocky", "Sandy",
	}
	placeKinds = [...]string{
		"Ridge", "Grove", "Hill", "Valley", "Creek", "Park", "Springs", "Hollow",
		"Heights", "Meadows", "Crossing", "Point", "Lake", "Bend", "Field", "Brook",
		"Glen", "Mill", "Station", "Landing", "Forest", "Bluff", "Shoals", "Plains",
		"Harbor", "Knoll", "Gap", "Ferry", "Mountain", "Trace",
	}
	districtNames = [...]string{
		"Baldwin County Schools", "Madison City Schools", "Tuscaloosa County Schools", "Lee County Schools",
		"Shelby County Schools", "Morgan County Schools", "Elmore County Schools", "Limestone County Schools",
		"Etowah County Schools", "Marshall County Schools", "Calhoun County Schools", "Houston County Schools",
	}

	genders    = [...]string{"M", "F"}
	races      = [...]string{"White", "Black", "Hispanic", "Asian", "Two or more"}
	raceShares = [...]float64{0.47, 0.31, 0.13, 0.03, 0.06} // sums to 1
	subjects   = [...]string{"Math", "ELA"}

	activities = [...]string{"planning", "modeling", "co-teaching", "observation", "video review", "debrief", "data meeting"}
	principles = [...]string{"equality", "choice", "voice", "dialogue", "reflection", "praxis", "reciprocity"}
	stages     = [...]string{"identify", "learn", "improve"}
	minutesSet = [...]int{30, 45, 60, 90}
	focusAreas = [...]string{
		"Student engagement", "Questioning", "Formative assessment", "Classroom routines",
		"Math discourse", "Reading comprehension", "Small-group instruction",
	}
	// goalTemplates[i] is the goal text of focusAreas[i]; %d is a percentage.
	goalTemplates = [...]string{
		"%d%% of students on task during independent work",
		"%d%% of questions asked are open-ended, with student-to-student follow-up",
		"%d%% of students score 3 or 4 on the daily exit ticket",
		"Transitions under two minutes, %d%% of students ready to learn",
		"%d%% of students explain their strategy, orally or in writing",
		"%d%% of students cite text evidence in written responses",
		"%d%% of students in small groups reach the lesson target",
	}
	observerRoles = [...]string{"coach", "principal", "peer"}
	lookFors      = [...]string{
		"Clear learning target", "Student discourse", "Checks for understanding",
		"Higher-order questioning", "Student engagement",
	}
)

// Output headers. The canonical names are those of DOMAIN.md.
var (
	schoolsCols      = []string{"school_id", "school_name", "district_id", "district_name", "level", "ip_cohort"}
	teachersCols     = []string{"teacher_id", "school_id", "first_name", "last_name", "subject_area", "grade_band", "years_experience"}
	coachesCols      = []string{"coach_id", "coach_name", "school_id", "ip_cohort"}
	studentsCols     = []string{"student_id", "school_id", "grade_level", "gender", "race_ethnicity", "english_learner", "special_education", "economically_disadvantaged"}
	rostersCols      = []string{"school_year", "student_id", "teacher_id", "subject", "section_id", "percent_time"}
	assessmentsCols  = []string{"school_year", "student_id", "grade_level", "assessment_name", "subject", "window", "test_date", "scale_score", "performance_level", "percentile"}
	cyclesCols       = []string{"cycle_id", "coach_id", "teacher_id", "school_year", "start_date", "end_date", "focus_area", "goal", "stage_reached", "goal_met"}
	sessionsCols     = []string{"session_id", "cycle_id", "session_date", "activity", "minutes", "principles"}
	observationsCols = []string{"observation_id", "teacher_id", "observation_date", "observer_role", "look_for", "rating"}

	// Headers of the mixed format where they differ from the canonical ones,
	// column for column.
	mixedSchoolsHeader     = []string{"School ID", "School Name", "District ID", "District Name", "Level", "IP Cohort"}
	mixedTeachersHeader    = []string{"StaffUniqueId", "School ID", "First Name", "Last Name", "Subject Area", "Grade Band", "Years Experience"}
	mixedStudentsHeader    = []string{"StudentUniqueId", "School ID", "Grade", "Gender", "Race/Ethnicity", "English Learner", "Special Education", "Economically Disadvantaged"}
	mixedRostersHeader     = []string{"School Year", "Student ID", "Teacher ID", "Subject", "Section ID", "Percent Time"}
	mixedAssessmentsHeader = []string{"SSID", "School Year", "Tested Grade", "Test Name", "Subject", "Test Window", "Test Date", "Scale Score", "Performance Level", "Percentile"}
)

// assessmentName is the one assessment the district gives.
const assessmentName = "District Benchmark"
