// Package reports writes coachimpact's workbooks (excelize) and charts
// (gonum/plot) from the model database.
//
// Text that came from the inputs is always written as a string cell, never
// as a formula, whatever its first character. Workbooks are written to a
// temporary name and renamed, so a failure leaves no half-written file.
package reports
