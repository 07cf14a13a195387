package extract

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	textunicode "golang.org/x/text/encoding/unicode"
)

const sampleZH = "甘肃省总工会助学金\r\n每人2000至5000元。\r\n\r\n申请请联系基层工会。"

const sampleZHWant = "甘肃省总工会助学金\n每人2000至5000元。\n\n申请请联系基层工会。"

func encode(t testing.TB, enc encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return b
}

// pngHeader is the start of a real PNG file (signature and IHDR chunk).
var pngHeader = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa")

func TestDecodeText(t *testing.T) {
	utf16le := encode(t, textunicode.UTF16(textunicode.LittleEndian, textunicode.UseBOM), sampleZH)
	utf16be := encode(t, textunicode.UTF16(textunicode.BigEndian, textunicode.UseBOM), sampleZH)
	gb := encode(t, simplifiedchinese.GB18030, sampleZH)
	gbk := encode(t, simplifiedchinese.GBK, sampleZH)
	utf8Cut := []byte("工会助学金")
	utf8Cut = utf8Cut[:len(utf8Cut)-1] // download cut inside the last character

	tests := []struct {
		name    string
		in      []byte
		want    string
		wantErr error
	}{
		{"utf8", []byte(sampleZH), sampleZHWant, nil},
		{"utf8 bom", append([]byte("\xEF\xBB\xBF"), sampleZH...), sampleZHWant, nil},
		{"utf16le bom", utf16le, sampleZHWant, nil},
		{"utf16be bom", utf16be, sampleZHWant, nil},
		{"gb18030", gb, sampleZHWant, nil},
		{"gbk", gbk, sampleZHWant, nil},
		{"gb18030 four-byte", encode(t, simplifiedchinese.GB18030, "表情😀和𠀀字"), "表情😀和𠀀字", nil},
		{"ascii", []byte("hello\r\nworld\r"), "hello\nworld\n", nil},
		{"old mac line ends", []byte("a\rb"), "a\nb", nil},
		{"utf8 truncated", utf8Cut, "工会助学", nil},
		{"utf16 odd length", utf16le[:len(utf16le)-1], "", nil}, // checked below: no error
		{"empty", nil, "", ErrEmpty},
		{"whitespace", []byte(" \r\n\t\u3000\u00a0 \n"), "", ErrEmpty},
		{"bom only", []byte("\xEF\xBB\xBF"), "", ErrEmpty},
		{"utf16 bom only", []byte("\xFF\xFE"), "", ErrEmpty},
		{"png renamed", pngHeader, "", ErrBinary},
		{"nul in text", []byte("abc\x00def"), "", ErrBinary},
		{"control chars", []byte("\x01\x02\x03\x04\x05abc\x06\x07\x08\x0e\x0f"), "", ErrBinary},
		{"random high bytes", []byte{0x80, 0xff, 0x80, 0xff, 0x80, 0xff, 0x80, 0xff}, "", ErrBinary},
		{"utf16 with nul chars", []byte("\xFF\xFEa\x00\x00\x00b\x00"), "", ErrBinary},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeText(tt.in)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("DecodeText() error = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("DecodeText() error = %v", err)
			}
			if !utf8.ValidString(got) {
				t.Fatalf("result is not valid UTF-8: %q", got)
			}
			if tt.want != "" && got != tt.want {
				t.Fatalf("DecodeText() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDecodeTextEncodingName(t *testing.T) {
	tests := []struct {
		in   []byte
		want string
	}{
		{[]byte("工会"), "utf-8"},
		{encode(t, simplifiedchinese.GBK, "工会"), "gb18030"},
		{encode(t, textunicode.UTF16(textunicode.BigEndian, textunicode.UseBOM), "工会"), "utf-16be"},
	}
	for _, tt := range tests {
		_, enc, err := decodeText(tt.in)
		if err != nil || enc != tt.want {
			t.Errorf("decodeText(%x) = %q, %v; want %q", tt.in, enc, err, tt.want)
		}
	}
}

func FuzzDecodeText(f *testing.F) {
	f.Add([]byte(sampleZH))
	f.Add(encode(f, simplifiedchinese.GB18030, sampleZH))
	f.Add(encode(f, textunicode.UTF16(textunicode.LittleEndian, textunicode.UseBOM), sampleZH))
	f.Add(encode(f, textunicode.UTF16(textunicode.BigEndian, textunicode.UseBOM), sampleZH))
	f.Add(pngHeader)
	f.Add([]byte{})
	f.Add([]byte("\xEF\xBB\xBF\r\n"))
	f.Add([]byte("\xe5\xb7"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := DecodeText(data)
		if err != nil {
			if !errors.Is(err, ErrEmpty) && !errors.Is(err, ErrBinary) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			if got != "" {
				t.Fatalf("text %q returned with error", got)
			}
			return
		}
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8: %q", got)
		}
		if strings.ContainsRune(got, '\r') || strings.ContainsRune(got, 0) {
			t.Fatalf("CR or NUL left in %q", got)
		}
		if isBlank(got) {
			t.Fatalf("blank text without ErrEmpty: %q", got)
		}
	})
}
