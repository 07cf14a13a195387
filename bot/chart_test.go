package bot

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"
)

// week is a week of questions with every outcome and both votes.
func week(now time.Time) []QuestionRecord {
	var qs []QuestionRecord
	for d := 0; d < 7; d++ {
		for i := 0; i < d+2; i++ {
			q := QuestionRecord{Time: now.AddDate(0, 0, -d).Add(-time.Duration(i) * time.Minute), ChatType: "private"}
			q.Abstained, q.Failed = i%3 == 0, i == 4
			switch i % 4 {
			case 1:
				q.Feedback = 1
			case 2:
				q.Feedback = -1
			}
			qs = append(qs, q)
		}
	}
	return qs
}

// countColour counts the pixels of img within 8 of c in each channel.
func countColour(img image.Image, c color.RGBA, area image.Rectangle) int {
	n := 0
	near := func(a uint32, b uint8) bool { d := int(a>>8) - int(b); return d > -8 && d < 8 }
	for y := area.Min.Y; y < area.Max.Y; y++ {
		for x := area.Min.X; x < area.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if near(r, c.R) && near(g, c.G) && near(b, c.B) {
				n++
			}
		}
	}
	return n
}

func TestStatsChartIsAPNGWithEverySeriesAndItsDates(t *testing.T) {
	now := time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)
	s := computeStats(week(now), now, 7, time.UTC)
	data, err := drawStats(s)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != chartWidth || b.Dy() != chartHeight {
		t.Fatalf("chart is %v, want %dx%d", b, chartWidth, chartHeight)
	}
	if len(data) > 200<<10 {
		t.Errorf("chart is %d KB; a photo this simple should be small", len(data)>>10)
	}
	all := img.Bounds()
	for name, c := range map[string]color.RGBA{"answered": colourAnswered, "abstained": colourAbstained, "failed": colourFailed, "👍": colourUp, "👎": colourDown} {
		if countColour(img, c, all) < 100 {
			t.Errorf("no %s bars in the chart", name)
		}
	}
	// The dates under the bars and the counts beside them are drawn: dark
	// pixels of text below the lowest bar and left of the first.
	dates := image.Rect(0, chartHeight-40, chartWidth, chartHeight)
	counts := image.Rect(0, 0, 40, chartHeight)
	if countColour(img, color.RGBA{0, 0, 0, 255}, dates) < 200 || countColour(img, color.RGBA{0, 0, 0, 255}, counts) < 100 {
		t.Error("no text for the dates or the counts")
	}
}

func TestCountTicksAreWholeNumbers(t *testing.T) {
	for _, tt := range []struct {
		lo, hi float64
		abs    bool
		want   string
	}{
		{0, 3.3, false, "0 1 2 3"},
		{0, 11, false, "0 2 4 6 8 10"},
		{0, 140, false, "0 50 100"},
		{-2.2, 2.2, true, "2 1 0 1 2"},
	} {
		var got []string
		for _, tk := range (countTicks{abs: tt.abs}).Ticks(tt.lo, tt.hi) {
			got = append(got, tk.Label)
		}
		if g := strings.Join(got, " "); g != tt.want {
			t.Errorf("ticks %v..%v = %q, want %q", tt.lo, tt.hi, g, tt.want)
		}
	}
}
