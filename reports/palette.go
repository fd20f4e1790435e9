package reports

import (
	"fmt"
	"image/color"
)

// The Okabe-Ito palette (Okabe and Ito, "Color Universal Design", 2008):
// eight colours that stay apart for readers with the common kinds of
// colour blindness (deuteranopia, protanopia, tritanopia) and in grey
// print.
var (
	okabeBlack         = color.RGBA{R: 0x00, G: 0x00, B: 0x00, A: 0xFF}
	okabeOrange        = color.RGBA{R: 0xE6, G: 0x9F, B: 0x00, A: 0xFF}
	okabeSkyBlue       = color.RGBA{R: 0x56, G: 0xB4, B: 0xE9, A: 0xFF}
	okabeBluishGreen   = color.RGBA{R: 0x00, G: 0x9E, B: 0x73, A: 0xFF}
	okabeYellow        = color.RGBA{R: 0xF0, G: 0xE4, B: 0x42, A: 0xFF}
	okabeBlue          = color.RGBA{R: 0x00, G: 0x72, B: 0xB2, A: 0xFF}
	okabeVermillion    = color.RGBA{R: 0xD5, G: 0x5E, B: 0x00, A: 0xFF}
	okabeReddishPurple = color.RGBA{R: 0xCC, G: 0x79, B: 0xA7, A: 0xFF}
)

// okabeIto is the whole palette, in Okabe and Ito's order.
var okabeIto = []color.RGBA{okabeBlack, okabeOrange, okabeSkyBlue, okabeBluishGreen, okabeYellow, okabeBlue, okabeVermillion, okabeReddishPurple}

// The colours every chart gives the two arms: coached blue, not coached
// orange, in the PNG charts and the workbooks' native charts alike. A
// difference between the arms (an estimate) is black.
var (
	coachedColor    = okabeBlue
	notCoachedColor = okabeOrange
	estimateColor   = okabeBlack
)

// cohortColors are the event-time chart's cohorts, in order: the palette
// without the arms' two colours, the reddish purple and sky blue first
// and the bluish green and vermillion (the nearest the palette comes to a
// red and a green) apart and last; yellow, faint on white, after them.
// A cohort past the sixth takes them again with another marker.
var cohortColors = []color.RGBA{okabeSkyBlue, okabeReddishPurple, okabeBlack, okabeBluishGreen, okabeVermillion, okabeYellow}

// Greys for what is not data: school-year bands, grid lines; and the
// bar under a difference's interval (a school's Growth chart), light
// enough for the black interval line to show over it.
var (
	bandGrey = color.RGBA{R: 0xEE, G: 0xEE, B: 0xEE, A: 0xFF}
	textGrey = color.RGBA{R: 0x44, G: 0x44, B: 0x44, A: 0xFF}
	barGrey  = color.RGBA{R: 0xBB, G: 0xBB, B: 0xBB, A: 0xFF}
)

// hexColor is c as excelize writes a colour: "0072B2".
func hexColor(c color.RGBA) string { return fmt.Sprintf("%02X%02X%02X", c.R, c.G, c.B) }
