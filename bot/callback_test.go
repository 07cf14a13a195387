package bot

import (
	"strings"
	"testing"
)

func TestCallbackWireFormat(t *testing.T) {
	// Buttons already sent keep their data for as long as the message
	// exists: these strings must decode the same in every release.
	for _, tc := range []struct {
		data string
		want callback
	}{
		{"p:1234:2", callback{Kind: cbPassage, Question: 1234, N: 2}},
		{"f:1234:1", callback{Kind: cbFeedback, Question: 1234, N: 1}},
		{"f:1234:-1", callback{Kind: cbFeedback, Question: 1234, N: -1}},
		{"u:ok:3fa9c2d1", callback{Kind: cbUpload, OK: true, Key: "3fa9c2d1"}},
		{"u:no:3fa9c2d1", callback{Kind: cbUpload, Key: "3fa9c2d1"}},
		{"r:ok:0a1b2c3d4e5f", callback{Kind: cbRemove, OK: true, Key: "0a1b2c3d4e5f"}},
		{"r:no:0a1b2c3d4e5f", callback{Kind: cbRemove, Key: "0a1b2c3d4e5f"}},
		{"q:产假有多少天？", callback{Kind: cbAsk, Text: "产假有多少天？"}},
		{"q:加班费: 怎么算", callback{Kind: cbAsk, Text: "加班费: 怎么算"}},
		{"h:1234:0", callback{Kind: cbHandoff, Question: 1234}},
		{"h:1234:1", callback{Kind: cbHandoff, Question: 1234, N: 1}},
		{"s:12:2", callback{Kind: cbSave, Ticket: 12, N: 2}},
		{"c:12:1", callback{Kind: cbClose, Ticket: 12, OK: true}},
		{"c:12:0", callback{Kind: cbClose, Ticket: 12}},
	} {
		got, ok := parseCallback(tc.data)
		if !ok || got != tc.want {
			t.Errorf("parseCallback(%q) = %+v, %v; want %+v", tc.data, got, ok, tc.want)
		}
		if enc := tc.want.encode(); enc != tc.data {
			t.Errorf("encode(%+v) = %q, want %q", tc.want, enc, tc.data)
		}
	}
	if got := passageButton(7, 3) + " " + feedbackButton(7, -1) + " " + uploadButton(true, "ab") + " " + removeButton(false, "cd"); got != "p:7:3 f:7:-1 u:ok:ab r:no:cd" {
		t.Errorf("buttons = %q", got)
	}
	if askButton(strings.Repeat("假", 21)) != "" || askButton("产假有多少天？") != "q:产假有多少天？" {
		t.Error("askButton must encode a question that fits and refuse one that does not")
	}
}

func TestCallbackRefusesWhatTheBotNeverSends(t *testing.T) {
	for _, data := range []string{
		"", "p", "p:", "p:1", "p:1:", "p:x:1", "p:1:x", "p:1:0", "p:1:-2", "p:007:1", "p:+7:1", "p:1:2:3",
		"f:1:0", "f:1:2", "f:1:+1", "u:ok:", "u:yes:ab", "u:ok", "r:", "x:1:1", "P:1:1",
		"h:1:2", "h:1:-1", "s:0:1", "s:12:0", "s:-1:1", "c:12:2", "c:0:1", "c:12:ok",
		"u:ok:" + strings.Repeat("a", 64),
		"q:", "q: 产假", "q:产假\n", "q:\xff", "q:" + strings.Repeat("假", 21),
	} {
		if c, ok := parseCallback(data); ok {
			t.Errorf("parseCallback(%q) = %+v, want refused", data, c)
		}
	}
}

func FuzzCallback(f *testing.F) {
	for _, s := range []string{"p:1234:2", "f:1234:-1", "u:ok:3fa9c2d1", "r:no:0a1b2c3d4e5f", "h:9:1", "s:12:1", "c:12:0", "p:007:1", "u:ok:a:b", "f:-9223372036854775808:1", "q:产假有多少天？"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		c, ok := parseCallback(data)
		if !ok {
			return
		}
		// What is accepted is exactly what encode writes, and reads back the same.
		if enc := c.encode(); enc != data {
			t.Fatalf("parseCallback(%q) = %+v, which encodes as %q", data, c, enc)
		}
		if back, ok := parseCallback(c.encode()); !ok || back != c {
			t.Fatalf("round trip of %+v = %+v, %v", c, back, ok)
		}
		if len(data) > maxCallbackBytes {
			t.Fatalf("accepted %d bytes of callback data", len(data))
		}
	})
}
