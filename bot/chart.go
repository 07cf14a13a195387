package bot

import (
	"bytes"
	"context"
	"fmt"
	"image/color"
	"math"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// The /stats chart is drawn with gonum.org/v1/plot, in-process. It carries
// no words: its fonts (Liberation, embedded by the library) have no Chinese
// glyphs, and carrying a CJK font would add megabytes to the binary for a
// few labels. Dates and counts are digits; what the colours mean is said
// in Chinese in the caption, with coloured squares that match the bars.
const (
	chartWidth  = 1200 // pixels
	chartHeight = 720
	chartDPI    = 144
)

// Colours of the chart, matched by the caption's squares.
var (
	colourAnswered  = color.RGBA{0x43, 0xa0, 0x47, 0xff} // 🟩
	colourAbstained = color.RGBA{0xfb, 0x8c, 0x00, 0xff} // 🟧
	colourFailed    = color.RGBA{0x75, 0x75, 0x75, 0xff} // ⬛
	colourUp        = color.RGBA{0x1e, 0x88, 0xe5, 0xff} // 🟦
	colourDown      = color.RGBA{0xe5, 0x39, 0x35, 0xff} // 🟥
)

// drawStats draws questions per day (answered, not in the documents and
// failed, stacked) above the 👍 (up) and 👎 (down) per day, as a PNG.
func drawStats(s stats) ([]byte, error) {
	n := len(s.PerDay)
	if n == 0 {
		return nil, fmt.Errorf("no days to draw")
	}
	labels := make([]string, n)
	every := max(1, (n+13)/14) // at most 14 dates under the bars
	answered, abstained, failed := make(plotter.Values, n), make(plotter.Values, n), make(plotter.Values, n)
	up, down := make(plotter.Values, n), make(plotter.Values, n)
	most, mostVotes := 0, 0
	for i, d := range s.PerDay {
		if (n-1-i)%every == 0 { // counted back from today, which is always named
			labels[i] = d.Day.Format("01-02")
		}
		answered[i], abstained[i], failed[i] = float64(d.Answered), float64(d.Abstained), float64(d.Failed)
		up[i], down[i] = float64(d.Up), -float64(d.Down)
		most, mostVotes = max(most, d.Count), max(mostVotes, d.Up, d.Down)
	}
	// Bars fill 70% of a day's share of the plot's ~540 points of width.
	width := vg.Length(math.Max(1, math.Min(40, 0.7*540/float64(n))))

	questions := plot.New()
	questions.Add(plotter.NewGrid()) // under the bars
	var below *plotter.BarChart
	for _, series := range []struct {
		v plotter.Values
		c color.Color
	}{{answered, colourAnswered}, {abstained, colourAbstained}, {failed, colourFailed}} {
		b, err := plotter.NewBarChart(series.v, width)
		if err != nil {
			return nil, fmt.Errorf("stats chart: %w", err)
		}
		b.Color, b.LineStyle.Width = series.c, 0
		if below != nil {
			b.StackOn(below)
		}
		questions.Add(b)
		below = b
	}
	questions.NominalX(labels...)
	questions.Y.Min, questions.Y.Max = 0, float64(max(most, 1))*1.1
	questions.Y.Tick.Marker = countTicks{}

	votes := plot.New()
	for _, series := range []struct {
		v plotter.Values
		c color.Color
	}{{up, colourUp}, {down, colourDown}} {
		b, err := plotter.NewBarChart(series.v, width)
		if err != nil {
			return nil, fmt.Errorf("stats chart: %w", err)
		}
		b.Color, b.LineStyle.Width = series.c, 0
		votes.Add(b)
	}
	votes.NominalX(labels...)
	lim := float64(max(mostVotes, 1)) * 1.1
	votes.Y.Min, votes.Y.Max = -lim, lim
	votes.Y.Tick.Marker = countTicks{abs: true}
	votes.HideX()

	c := vgimg.NewWith(vgimg.UseWH(vg.Length(chartWidth)*vg.Inch/chartDPI, vg.Length(chartHeight)*vg.Inch/chartDPI),
		vgimg.UseDPI(chartDPI), vgimg.UseBackgroundColor(color.White))
	dc := draw.New(c)
	h := dc.Max.Y - dc.Min.Y
	plots := [][]*plot.Plot{{votes}, {questions}}
	// The votes take the top third, the questions (and the dates) the rest.
	tiles := plot.Align(plots, draw.Tiles{Rows: 2, Cols: 1, PadTop: 8, PadBottom: 4, PadLeft: 4, PadRight: 12, PadY: 6}, dc)
	tiles[0][0].Min.Y = dc.Max.Y - h/3
	tiles[1][0].Max.Y = dc.Max.Y - h/3 - 6
	votes.Draw(tiles[0][0])
	questions.Draw(tiles[1][0])
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("stats chart: %w", err)
	}
	return buf.Bytes(), nil
}

// countTicks marks whole numbers only (no 2.5 questions); abs shows 👎
// drawn below the axis as positive counts.
type countTicks struct{ abs bool }

// Ticks implements plot.Ticker.
func (t countTicks) Ticks(lo, hi float64) []plot.Tick {
	// The smallest of 1, 2, 5, 10, 20, 50… that leaves at most 6 steps.
	step := 1.0
	for k := 0; (hi-lo)/step > 6; k++ {
		step = []float64{2, 5, 10}[k%3] * math.Pow(10, float64(k/3))
	}
	var out []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		label := v
		if t.abs {
			label = math.Abs(v)
		}
		out = append(out, plot.Tick{Value: v, Label: fmt.Sprintf("%d", int(label))})
	}
	return out
}

// statsCaption says in Chinese what the chart shows and what each colour
// means.
func statsCaption(s stats, days int) string {
	return fmt.Sprintf("<b>近 %d 天每天的提问</b>（共 %d 问）\n下：🟩 答上 · 🟧 资料里没有 · ⬛ 出错\n上：🟦 👍 %d · 🟥 👎 %d", days, s.Total, s.Up, s.Down)
}

// photo sends a PNG with an HTML caption to the message's chat (in a group,
// as a reply to it).
func (o *replier) photo(ctx context.Context, m *models.Message, png []byte, caption string) {
	group := isGroup(m.Chat.Type)
	replyTo := 0
	if group {
		replyTo = m.ID
	}
	if err := o.send.sendPhoto(ctx, m.Chat.ID, group, replyTo, png, caption); err != nil {
		o.log.Error("photo not sent", "chat", m.Chat.ID, "reason", err)
	}
}

// sendPhoto uploads a PNG (sendPhoto, multipart), paced and retried as
// every call is; each attempt sends the whole file again.
func (s *sender) sendPhoto(ctx context.Context, chatID int64, group bool, replyTo int, png []byte, caption string) error {
	err := s.call(ctx, "sendPhoto", chatID, group, func(ctx context.Context, chatID int64) error {
		p := &tg.SendPhotoParams{
			ChatID:    chatID,
			Photo:     &models.InputFileUpload{Filename: "stats.png", Data: bytes.NewReader(png)},
			Caption:   caption,
			ParseMode: models.ParseModeHTML,
		}
		if replyTo != 0 {
			p.ReplyParameters = &models.ReplyParameters{MessageID: replyTo, AllowSendingWithoutReply: true}
		}
		_, err := s.b.SendPhoto(ctx, p)
		return err
	})
	if err == nil {
		s.metrics.sent.Inc()
	}
	return err
}
