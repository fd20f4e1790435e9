package reports

import "image/color"

// The same colours everywhere: coached is blue (not coached will be grey).
var coachedColor = color.RGBA{R: 0x1F, G: 0x77, B: 0xB4, A: 0xFF}
