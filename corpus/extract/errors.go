// Package extract turns uploaded documents (plain text, Markdown, DOCX, PDF
// and HTML) into normalised UTF-8 text, refusing hostile or broken input with
// typed errors and a short Chinese explanation for staff.
//
// It imports no other package of this module, so the bot, the ingest command
// and the corpus loader can all use it.
package extract

import "errors"

// Sentinel errors returned (wrapped, with detail) by DecodeText and Extract.
// Test for them with errors.Is.
var (
	// ErrTooLarge: the file, its text, or an archive member exceeds a limit.
	ErrTooLarge = errors.New("extract: file too large")
	// ErrEmpty: the file is empty or contains only whitespace.
	ErrEmpty = errors.New("extract: no text")
	// ErrBinary: the data is not text (NUL bytes, many control characters,
	// or undecodable bytes), e.g. an image renamed to .txt.
	ErrBinary = errors.New("extract: binary data, not text")
	// ErrUnknownFormat: neither the extension nor the content matches a
	// supported format.
	ErrUnknownFormat = errors.New("extract: unknown file format")
	// ErrEncrypted: the document is password-protected or encrypted.
	ErrEncrypted = errors.New("extract: document is encrypted")
	// ErrNoTextLayer: a PDF with no extractable text (a scan); OCR is not
	// supported.
	ErrNoTextLayer = errors.New("extract: PDF has no text layer")
	// ErrCorrupt: the file is damaged or truncated and cannot be parsed.
	ErrCorrupt = errors.New("extract: file is corrupt or truncated")
	// ErrZipBomb: a compressed container (DOCX) would unpack beyond the
	// limits or has suspicious compression.
	ErrZipBomb = errors.New("extract: archive unpacks too large")
)
