package extract

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	textunicode "golang.org/x/text/encoding/unicode"
)

// Byte-order marks recognised by DecodeText.
var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// maxBadRatio is the largest share of runes that may be control characters
// or undecodable (U+FFFD) before the data is taken for binary.
const maxBadRatio = 0.05

// DecodeText detects the encoding of a plain-text file and returns its text
// as valid UTF-8 with line ends normalised to "\n".
//
// Recognised: UTF-8 (with or without BOM, a cut-off final character is
// dropped), UTF-16 LE/BE with BOM, and GB18030 (a superset of GBK and
// GB2312) when the data is not UTF-8. Data with NUL bytes or many control
// characters is refused with ErrBinary; empty or whitespace-only data with
// ErrEmpty.
func DecodeText(data []byte) (string, error) {
	text, _, err := decodeText(data)
	return text, err
}

// decodeText is DecodeText that also reports the detected encoding's name.
func decodeText(data []byte) (string, string, error) {
	if len(data) == 0 {
		return "", "", fmt.Errorf("%w: empty file", ErrEmpty)
	}
	var (
		text string
		enc  string
		err  error
	)
	switch {
	case bytes.HasPrefix(data, bomUTF8):
		enc = "utf-8"
		text, err = decodeUTF8(data[len(bomUTF8):])
	case bytes.HasPrefix(data, bomUTF16LE):
		enc = "utf-16le"
		text, err = decodeWith(textunicode.UTF16(textunicode.LittleEndian, textunicode.ExpectBOM), data)
	case bytes.HasPrefix(data, bomUTF16BE):
		enc = "utf-16be"
		text, err = decodeWith(textunicode.UTF16(textunicode.BigEndian, textunicode.ExpectBOM), data)
	default:
		if i := bytes.IndexByte(data, 0); i >= 0 {
			return "", "", fmt.Errorf("%w: NUL byte at offset %d", ErrBinary, i)
		}
		if looksUTF8(data) {
			enc = "utf-8"
			text, err = decodeUTF8(data)
		} else {
			enc = "gb18030"
			text, err = decodeWith(simplifiedchinese.GB18030, data)
		}
	}
	if err != nil {
		return "", enc, err
	}
	text, err = cleanText(text)
	if err != nil {
		return "", enc, fmt.Errorf("%s: %w", enc, err)
	}
	return text, enc, nil
}

// looksUTF8 reports whether data is UTF-8, allowing a final character cut
// off mid-sequence (a truncated download) and a very few stray bytes in
// otherwise clearly UTF-8 text.
func looksUTF8(data []byte) bool {
	if utf8.Valid(data) {
		return true
	}
	var good, bad int
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			if !utf8.FullRune(data[i:]) {
				// An incomplete sequence at the very end: truncation.
				i = len(data)
				continue
			}
			bad++
		case size > 1:
			good++
		}
		i += size
	}
	// GB18030 text almost never forms long runs of valid multi-byte UTF-8
	// sequences, so clear UTF-8 majority with rare damage stays UTF-8.
	return bad == 0 || (good >= 8 && bad*50 <= good)
}

// decodeUTF8 returns data as a string, replacing invalid bytes with U+FFFD
// and dropping a final character that was cut off.
func decodeUTF8(data []byte) (string, error) {
	if utf8.Valid(data) {
		return string(data), nil
	}
	// Drop an incomplete final sequence (at most 3 bytes).
	for n := 1; n <= 3 && n <= len(data); n++ {
		tail := data[len(data)-n:]
		if utf8.RuneStart(tail[0]) {
			if !utf8.FullRune(tail) {
				data = data[:len(data)-n]
			}
			break
		}
	}
	return strings.ToValidUTF8(string(data), "\uFFFD"), nil
}

// decodeWith decodes data with enc; invalid sequences become U+FFFD.
func decodeWith(enc encoding.Encoding, data []byte) (string, error) {
	out, err := enc.NewDecoder().Bytes(data)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrBinary, err)
	}
	// Decoders emit U+FFFD for bad input; make sure the result is valid.
	return strings.ToValidUTF8(string(out), "\uFFFD"), nil
}

// cleanText normalises line ends, removes control characters, and refuses
// text that is binary in disguise or empty.
func cleanText(s string) (string, error) {
	s = strings.TrimPrefix(s, "\uFEFF")
	var (
		b     strings.Builder
		total int
		bad   int
	)
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		total++
		switch {
		case r == 0:
			return "", fmt.Errorf("%w: NUL character", ErrBinary)
		case r == '\r':
			if i < len(s) && s[i] == '\n' {
				continue // "\r\n": the "\n" follows.
			}
			b.WriteByte('\n')
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r == '\f' || r == '\v' || r == '\u2028' || r == '\u2029' || r == '\u0085':
			b.WriteByte('\n')
		case r == utf8.RuneError:
			bad++
			b.WriteRune(r)
		case unicode.IsControl(r):
			bad++ // dropped
		default:
			b.WriteRune(r)
		}
	}
	if total > 0 && float64(bad) > maxBadRatio*float64(total) && bad > 1 {
		return "", fmt.Errorf("%w: %d of %d characters are control or undecodable", ErrBinary, bad, total)
	}
	out := b.String()
	if isBlank(out) {
		return "", fmt.Errorf("%w: only whitespace", ErrEmpty)
	}
	return out, nil
}

// isBlank reports whether s has only white space, including full-width and
// zero-width spaces and stray BOMs.
func isBlank(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return !unicode.IsSpace(r) && r != '\u200B' && r != '\uFEFF' && r != '\u2060'
	}) < 0
}

// gb18030 is the decoder for GB18030 and its subsets GBK and GB2312.
func gb18030() encoding.Encoding { return simplifiedchinese.GB18030 }
