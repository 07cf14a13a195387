package rag

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"unsafe"

	"github.com/gonghui/qa/corpus"
)

// snapshotVersion changes whenever the persisted format or the way passages
// are cut changes, so an older index is rebuilt instead of misread.
const snapshotVersion = 5

// snapshotMagic opens every persisted index; flatMagic follows it in the flat
// format (versions 5 and later), so that an older gob-encoded file reads as
// stale, not as corrupt.
const (
	snapshotMagic = "gonghui-qa-index\n"
	flatMagic     = "flat\x00\x00\x00\x00"
)

// ErrStaleIndex means a persisted index exists but was made by another
// version or embedding; it is rebuilt, not used.
var ErrStaleIndex = errors.New("the persisted index is from another version or embedding")

// The persisted index is the Index's own arrays, written one after another
// as sections, so that loading it reads them back instead of folding,
// cutting and counting every passage again:
//
//	magic, flatMagic, header (little-endian), embedder name, sections
//
// Every section starts at a multiple of 8 bytes and carries a CRC-32C; a
// file that is short, out of bounds or fails a check is corrupt and rebuilt.
// Text is one arena of strings: the documents' bodies first, then every
// other string once; a passage's text is a span of its document's body when
// it stands there (it almost always does), so it is stored once.
const (
	secArena     = iota // strings
	secDocs             // gob: the documents without their bodies, and their bodies' spans
	secPassages         // passageRecordFields uint32 per passage
	secPaths            // spans of the passages' heading paths
	secDictBytes        // termDict
	secDictOff
	secDictSlots
	secStart // lexicalIndex
	secPostDocs
	secPostTF
	secBigTF
	secDocLen
	secCharDF
	secVectors // vectorSet rows, float32; read on first use
	numSections
)

// header is the fixed part after the magic strings.
type header struct {
	Version     uint32
	Dim         uint32
	Passages    uint32
	EmbedderLen uint32
	AvgLen      float32
	_           uint32
	Sections    [numSections]section
}

type section struct {
	Off, Len uint64
	CRC      uint32
	_        uint32
}

// span is a string of the arena.
type span struct{ Off, Len uint32 }

// docRecord is a document in the docs section.
type docRecord struct {
	Doc  corpus.Document // Body empty
	Body span
}

// passageRecordFields is the number of uint32 a passage is persisted as
// (see passageRecord).
const passageRecordFields = 20

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// arenaWriter collects the strings to persist, each distinct one once.
type arenaWriter struct {
	b    strings.Builder
	seen map[string]span
}

func (a *arenaWriter) add(s string) span {
	if s == "" {
		return span{}
	}
	if sp, ok := a.seen[s]; ok {
		return sp
	}
	sp := span{uint32(a.b.Len()), uint32(len(s))}
	a.b.WriteString(s)
	a.seen[s] = sp
	return sp
}

// within returns the span of s inside body when s is a substring of body's
// memory (Index.shareText makes passage texts so), and whether it is.
func within(body, s string) (span, bool) {
	if len(s) == 0 || len(s) > len(body) {
		return span{}, false
	}
	off := uintptr(unsafe.Pointer(unsafe.StringData(s))) - uintptr(unsafe.Pointer(unsafe.StringData(body)))
	if off > uintptr(len(body)-len(s)) { // also when s starts before body (wraps)
		return span{}, false
	}
	return span{uint32(off), uint32(len(s))}, true
}

// Save writes the index to path atomically: a temporary file in the same
// folder, fsynced, then renamed over the old one, so a crash leaves either the
// old index or the new one, never half of one.
func (ix *Index) Save(path string) error {
	if err := ix.save(path); err != nil {
		return fmt.Errorf("save index: %w", err)
	}
	return nil
}

func (ix *Index) save(path string) error {
	vectors, err := ix.vectors.matrix()
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create data folder: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".index-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if err := ix.write(tmp, vectors); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	st, err := tmp.Stat()
	if err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	ix.file = idOf(st)
	if d, err := os.Open(dir); err == nil {
		d.Sync() // make the rename durable; not all file systems support it
		d.Close()
	}
	return nil
}

// write writes the sections, then the header that locates them.
func (ix *Index) write(f *os.File, vectors []float32) error {
	// The arena: bodies first, so that passages can point into them.
	arena := arenaWriter{seen: map[string]span{}}
	bodies := make([]span, len(ix.docs))
	for i, d := range ix.docs {
		bodies[i] = span{uint32(arena.b.Len()), uint32(len(d.Body))}
		arena.b.WriteString(d.Body)
	}
	if arena.b.Len() > math.MaxUint32/2 {
		return fmt.Errorf("%d bytes of text is more than one index holds", arena.b.Len())
	}
	recs := make([]uint32, 0, len(ix.passages)*passageRecordFields)
	var paths []uint32
	for _, p := range ix.passages {
		d := ix.docByID[p.DocID]
		text, ok := within(ix.docs[d].Body, p.Text)
		if ok {
			text.Off += bodies[d].Off
		} else {
			text = arena.add(p.Text)
		}
		r := passageRecord{doc: uint32(d), id: arena.add(p.ID), heading: arena.add(p.Heading), article: arena.add(p.Article),
			lead: arena.add(p.Lead), text: text, place: arena.add(p.Place), pathAt: uint32(len(paths) / 2), pathLen: uint32(len(p.Path)),
			articleNo: int32(p.ArticleNo), clause: int32(p.Clause), part: int32(p.Part), parts: int32(p.Parts), seq: int32(p.Seq)}
		for _, h := range p.Path {
			sp := arena.add(h)
			paths = append(paths, sp.Off, sp.Len)
		}
		recs = r.append(recs)
	}
	if arena.b.Len() > math.MaxUint32 {
		return fmt.Errorf("%d bytes of text is more than one index holds", arena.b.Len())
	}
	var docs bytes.Buffer
	drecs := make([]docRecord, len(ix.docs))
	for i, d := range ix.docs {
		d.Body = ""
		drecs[i] = docRecord{Doc: d, Body: bodies[i]}
	}
	if err := gob.NewEncoder(&docs).Encode(drecs); err != nil {
		return err
	}
	lx := ix.lex
	var big []uint32
	for k, v := range lx.bigTF {
		big = append(big, k, math.Float32bits(v))
	}
	var chars []uint32
	for r, c := range lx.charDF {
		chars = append(chars, uint32(r), uint32(c))
	}
	h := header{Version: snapshotVersion, Dim: uint32(ix.vectors.dim), Passages: uint32(len(ix.passages)),
		EmbedderLen: uint32(len(ix.embedder)), AvgLen: lx.avgLen}
	off := uint64(len(snapshotMagic) + len(flatMagic) + binary.Size(h) + len(ix.embedder))
	if _, err := f.Seek(int64(off), io.SeekStart); err != nil {
		return err
	}
	w := &sectionWriter{w: bufio.NewWriterSize(f, 1<<20), off: off}
	w.bytes(&h.Sections[secArena], []byte(arena.b.String()))
	w.bytes(&h.Sections[secDocs], docs.Bytes())
	w.u32s(&h.Sections[secPassages], recs)
	w.u32s(&h.Sections[secPaths], paths)
	w.bytes(&h.Sections[secDictBytes], lx.dict.bytes)
	w.u32s(&h.Sections[secDictOff], lx.dict.off)
	w.u32s(&h.Sections[secDictSlots], lx.dict.slots)
	w.u32s(&h.Sections[secStart], lx.start)
	w.i32s(&h.Sections[secPostDocs], lx.docs)
	w.bytes(&h.Sections[secPostTF], lx.tf)
	w.u32s(&h.Sections[secBigTF], big)
	w.f32s(&h.Sections[secDocLen], lx.docLen)
	w.u32s(&h.Sections[secCharDF], chars)
	w.f32s(&h.Sections[secVectors], vectors)
	runtime.KeepAlive(lx) // its postings may be a mapped file (see load)
	if w.err != nil {
		return w.err
	}
	if err := w.w.Flush(); err != nil {
		return err
	}
	var head bytes.Buffer
	head.WriteString(snapshotMagic + flatMagic)
	binary.Write(&head, binary.LittleEndian, &h)
	head.WriteString(ix.embedder)
	_, err := f.WriteAt(head.Bytes(), 0)
	return err
}

// sectionWriter writes sections aligned to 8 bytes, each with its CRC.
type sectionWriter struct {
	w   *bufio.Writer
	off uint64
	err error
	buf []byte
}

// align pads the file to the next 8-byte boundary, so that every section
// can be read back as an array of its values in place.
func (w *sectionWriter) align() {
	if pad := (8 - w.off%8) % 8; pad > 0 && w.err == nil {
		var zero [8]byte
		_, w.err = w.w.Write(zero[:pad])
		w.off += pad
	}
}

func (w *sectionWriter) bytes(s *section, b []byte) {
	if w.err != nil {
		return
	}
	w.align()
	s.Off, s.Len, s.CRC = w.off, uint64(len(b)), crc32.Checksum(b, crcTable)
	if w.err == nil {
		_, w.err = w.w.Write(b)
	}
	w.off += uint64(len(b))
}

// words writes n 4-byte values given by at, in chunks.
func (w *sectionWriter) words(s *section, n int, at func(i int) uint32) {
	if w.err != nil {
		return
	}
	w.align()
	s.Off, s.Len = w.off, uint64(4*n)
	crc := uint32(0)
	const chunk = 1 << 14
	for lo := 0; lo < n && w.err == nil; lo += chunk {
		hi := min(n, lo+chunk)
		w.buf = w.buf[:0]
		for i := lo; i < hi; i++ {
			w.buf = binary.LittleEndian.AppendUint32(w.buf, at(i))
		}
		crc = crc32.Update(crc, crcTable, w.buf)
		_, w.err = w.w.Write(w.buf)
	}
	s.CRC = crc
	w.off += uint64(4 * n)
}

func (w *sectionWriter) u32s(s *section, v []uint32) {
	w.words(s, len(v), func(i int) uint32 { return v[i] })
}
func (w *sectionWriter) i32s(s *section, v []int32) {
	w.words(s, len(v), func(i int) uint32 { return uint32(v[i]) })
}
func (w *sectionWriter) f32s(s *section, v []float32) {
	w.words(s, len(v), func(i int) uint32 { return math.Float32bits(v[i]) })
}

// passageRecord is a passage as persisted: its document, its strings as
// spans of the arena, its numbers.
type passageRecord struct {
	doc                                     uint32
	id, heading, article, lead, text, place span
	pathAt, pathLen                         uint32
	articleNo, clause, part, parts, seq     int32
}

func (r passageRecord) append(out []uint32) []uint32 {
	return append(out, r.doc, r.id.Off, r.id.Len, r.heading.Off, r.heading.Len, r.article.Off, r.article.Len,
		r.lead.Off, r.lead.Len, r.text.Off, r.text.Len, r.place.Off, r.place.Len, r.pathAt, r.pathLen,
		uint32(r.articleNo), uint32(r.clause), uint32(r.part), uint32(r.parts), uint32(r.seq))
}

// LoadIndex reads an index saved by Save. It fails with os.ErrNotExist when
// there is none, ErrStaleIndex when it was made by another version or
// embedder, and another error when the file is corrupt. The vectors are read
// when first needed (the file is kept open until then).
func LoadIndex(ctx context.Context, path, embedder string, an *Analyzer) (*Index, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	ix, keep, err := load(f, embedder, an)
	if !keep {
		f.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("load index %s: %w", path, err)
	}
	return ix, nil
}

// load reads the index from f; keep reports whether the vectors will be read
// from f later.
func load(f *os.File, embedder string, an *Analyzer) (_ *Index, keep bool, err error) {
	st, err := f.Stat()
	if err != nil {
		return nil, false, err
	}
	size := uint64(st.Size())
	h, err := readHead(f)
	if err != nil {
		return nil, false, err
	}
	name := make([]byte, min(h.EmbedderLen, 4096))
	if _, err := io.ReadFull(f, name); err != nil {
		return nil, false, errors.New("truncated header")
	}
	if h.Version != snapshotVersion || string(name) != embedder {
		return nil, false, fmt.Errorf("version %d, %s: %w", h.Version, name, ErrStaleIndex)
	}
	for i, s := range h.Sections {
		if s.Off%8 != 0 || s.Off > size || s.Len > size-s.Off {
			return nil, false, fmt.Errorf("section %d out of the file", i)
		}
	}
	r := sectionReader{f: f, h: &h}
	// The postings, most of the file beside the vectors, are read in place
	// when the file can be mapped: a question reads a few terms' postings,
	// so most of them never become resident memory.
	var mapped []byte
	if binary.NativeEndian.Uint16([]byte{1, 0}) == 1 { // read in place only as little-endian
		mapped = mapIndexFile(f, int64(size))
	}
	defer func() {
		if err != nil && mapped != nil {
			unmapIndexFile(mapped)
		}
	}()
	ix := &Index{embedder: embedder, docByID: map[string]int{}, byID: map[string]int32{}, file: idOf(st)}
	arena := r.text(secArena)
	var drecs []docRecord
	if docs := r.bytes(secDocs); r.err == nil {
		if err := gob.NewDecoder(bytes.NewReader(docs)).Decode(&drecs); err != nil {
			return nil, false, fmt.Errorf("documents: %w", err)
		}
	}
	str := func(sp span) string {
		if uint64(sp.Off)+uint64(sp.Len) > uint64(len(arena)) {
			r.fail("a string out of the text")
			return ""
		}
		return arena[sp.Off : sp.Off+sp.Len]
	}
	ix.docs = make([]corpus.Document, len(drecs))
	for i, dr := range drecs {
		ix.docs[i] = dr.Doc
		ix.docs[i].Body = str(dr.Body)
		ix.docByID[dr.Doc.ID] = i
	}
	recs := r.u32s(secPassages)
	paths := r.u32s(secPaths)
	n := int(h.Passages)
	if r.err == nil && len(recs) != n*passageRecordFields {
		r.fail("passage records do not match the passage count")
	}
	ix.passages = make([]corpus.Passage, 0, n)
	pathStrs := make([]string, len(paths)/2)
	for i := range pathStrs {
		pathStrs[i] = str(span{paths[2*i], paths[2*i+1]})
	}
	for i := 0; r.err == nil && i < n; i++ {
		v := recs[i*passageRecordFields : (i+1)*passageRecordFields]
		d := v[0]
		if int(d) >= len(ix.docs) {
			r.fail("a passage of an unknown document")
			break
		}
		at, l := uint64(v[13]), uint64(v[14])
		if at+l > uint64(len(pathStrs)) {
			r.fail("a heading path out of bounds")
			break
		}
		p := corpus.Passage{DocID: ix.docs[d].ID, ID: str(span{v[1], v[2]}), Heading: str(span{v[3], v[4]}),
			Article: str(span{v[5], v[6]}), Lead: str(span{v[7], v[8]}), Text: str(span{v[9], v[10]}),
			Place: str(span{v[11], v[12]}), ArticleNo: int(int32(v[15])), Clause: int(int32(v[16])),
			Part: int(int32(v[17])), Parts: int(int32(v[18])), Seq: int(int32(v[19]))}
		if l > 0 {
			p.Path = pathStrs[at : at+l : at+l]
		}
		ix.byID[p.ID] = int32(i)
		ix.passages = append(ix.passages, p)
	}
	lx := &lexicalIndex{avgLen: h.AvgLen, charDF: map[rune]int32{}}
	lx.dict.bytes = r.bytes(secDictBytes)
	lx.dict.off = r.u32s(secDictOff)
	lx.dict.slots = r.u32s(secDictSlots)
	lx.start = r.u32s(secStart)
	docsChecked := false
	if mapped != nil {
		lx.docs = r.mappedI32s(mapped, secPostDocs, n)
		lx.tf = r.mappedBytes(mapped, secPostTF)
		docsChecked = true
	} else {
		lx.docs = r.i32s(secPostDocs)
		lx.tf = r.bytes(secPostTF)
	}
	big := r.u32s(secBigTF)
	lx.docLen = r.f32s(secDocLen)
	chars := r.u32s(secCharDF)
	if r.err != nil {
		return nil, false, r.err
	}
	if err := lx.check(n, docsChecked); err != nil {
		return nil, false, err
	}
	if mapped != nil {
		// The mapping goes when the postings do: every use of them is
		// within a method of lx, which keeps lx alive (runtime.KeepAlive).
		lx.mapped = true
		runtime.AddCleanup(lx, unmapIndexFile, mapped)
	}
	for i := 0; i+1 < len(big); i += 2 {
		if lx.bigTF == nil {
			lx.bigTF = map[uint32]float32{}
		}
		lx.bigTF[big[i]] = math.Float32frombits(big[i+1])
	}
	for i := 0; i+1 < len(chars); i += 2 {
		lx.charDF[rune(chars[i])] = int32(chars[i+1])
	}
	ix.lex, ix.an = lx, an
	vec := h.Sections[secVectors]
	if vec.Len != uint64(n)*uint64(h.Dim)*4 {
		return nil, false, errors.New("the vectors do not match the passage count")
	}
	ix.vectors = lazyVectorSet(n, int(h.Dim), func() ([]float32, error) {
		defer f.Close()
		r := sectionReader{f: f, h: &h}
		v := r.f32s(secVectors)
		return v, r.err
	})
	return ix, true, nil
}

// readHead reads the magic strings and the header.
func readHead(f io.Reader) (header, error) {
	var h header
	magic := make([]byte, len(snapshotMagic))
	if _, err := io.ReadFull(f, magic); err != nil || string(magic) != snapshotMagic {
		return h, errors.New("not an index file")
	}
	flat := make([]byte, len(flatMagic))
	if _, err := io.ReadFull(f, flat); err != nil || string(flat) != flatMagic {
		return h, fmt.Errorf("an older format: %w", ErrStaleIndex)
	}
	if err := binary.Read(f, binary.LittleEndian, &h); err != nil {
		return h, errors.New("truncated header")
	}
	return h, nil
}

// check reports whether the lexical index's arrays fit together, so that no
// lookup can go out of bounds.
func (lx *lexicalIndex) check(passages int, docsChecked bool) error {
	d := lx.dict
	terms := len(d.off) - 1
	switch {
	case len(d.off) == 0 || d.off[0] != 0 || uint64(d.off[terms]) != uint64(len(d.bytes)):
		return errors.New("term dictionary: offsets do not span its text")
	case len(lx.start) != terms+1 || lx.start[0] != 0 || uint64(lx.start[terms]) != uint64(len(lx.docs)):
		return errors.New("postings: offsets do not span them")
	case len(lx.tf) != len(lx.docs) || len(lx.docLen) != passages:
		return errors.New("postings: counts or lengths do not match")
	case len(d.slots) != tableSize(terms):
		return errors.New("term dictionary: the table has the wrong size")
	}
	for i := 1; i <= terms; i++ {
		if d.off[i] < d.off[i-1] || lx.start[i] < lx.start[i-1] {
			return errors.New("term dictionary or postings: offsets out of order")
		}
	}
	for _, s := range d.slots {
		if int(s) > terms {
			return errors.New("term dictionary: a slot names no term")
		}
	}
	if docsChecked {
		return nil
	}
	for _, doc := range lx.docs {
		if doc < 0 || int(doc) >= passages {
			return errors.New("postings: a passage out of range")
		}
	}
	return nil
}

// sectionReader reads sections of an index file, checking each one's CRC;
// the first error sticks.
type sectionReader struct {
	f   *os.File
	h   *header
	err error
}

func (r *sectionReader) fail(msg string) {
	if r.err == nil {
		r.err = errors.New(msg)
	}
}

// read passes the section to use in chunks of whole 4-byte words.
func (r *sectionReader) read(i int, use func(chunk []byte)) {
	if r.err != nil {
		return
	}
	s := r.h.Sections[i]
	sr := io.NewSectionReader(r.f, int64(s.Off), int64(s.Len))
	buf := make([]byte, min(s.Len, 1<<20))
	crc := uint32(0)
	for left := s.Len; left > 0; {
		n := min(left, uint64(len(buf)))
		if _, err := io.ReadFull(sr, buf[:n]); err != nil {
			r.err = fmt.Errorf("section %d: %w", i, err)
			return
		}
		crc = crc32.Update(crc, crcTable, buf[:n])
		use(buf[:n])
		left -= n
	}
	if crc != s.CRC {
		r.err = fmt.Errorf("section %d: checksum mismatch", i)
	}
}

// mappedBytes is section i of the mapped file m, in place, its CRC checked
// a chunk at a time; each chunk's pages are let go once checked, so that
// the check leaves little resident. check, when set, sees each chunk too.
func (r *sectionReader) mappedBytes(m []byte, i int, check ...func(chunk []byte) bool) []byte {
	if r.err != nil {
		return nil
	}
	s := r.h.Sections[i]
	b := m[s.Off : s.Off+s.Len : s.Off+s.Len]
	const chunk = 4 << 20
	crc := uint32(0)
	for lo := 0; lo < len(b); lo += chunk {
		c := b[lo:min(lo+chunk, len(b))]
		crc = crc32.Update(crc, crcTable, c)
		for _, ok := range check {
			if !ok(c) {
				r.fail(fmt.Sprintf("section %d: a value out of range", i))
				return nil
			}
		}
		dropPages(m, int(s.Off)+lo, int(s.Off)+lo+len(c))
	}
	if crc != s.CRC {
		r.err = fmt.Errorf("section %d: checksum mismatch", i)
		return nil
	}
	return b
}

// mappedI32s is mappedBytes as passage numbers, each checked to be below
// passages.
func (r *sectionReader) mappedI32s(m []byte, i, passages int) []int32 {
	if r.h.Sections[i].Len%4 != 0 {
		r.fail(fmt.Sprintf("section %d is not whole words", i))
		return nil
	}
	b := r.mappedBytes(m, i, func(c []byte) bool {
		for _, doc := range asI32s(c) {
			if doc < 0 || int(doc) >= passages {
				return false
			}
		}
		return true
	})
	return asI32s(b)
}

// asI32s is b (little-endian, 4-byte aligned: sections start at multiples
// of 8 and chunks are whole words) as int32s, in place.
func asI32s(b []byte) []int32 {
	if len(b) < 4 {
		return nil
	}
	return unsafe.Slice((*int32)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/4)
}

func (r *sectionReader) bytes(i int) []byte {
	out := make([]byte, 0, r.h.Sections[i].Len)
	r.read(i, func(b []byte) { out = append(out, b...) })
	return out
}

// text reads a section as one string, without copying it a second time.
func (r *sectionReader) text(i int) string {
	var b strings.Builder
	b.Grow(int(r.h.Sections[i].Len))
	r.read(i, func(c []byte) { b.Write(c) })
	return b.String()
}

func (r *sectionReader) words(i int, put func(k int, v uint32)) int {
	s := r.h.Sections[i]
	if s.Len%4 != 0 {
		r.fail(fmt.Sprintf("section %d is not whole words", i))
		return 0
	}
	k := 0
	r.read(i, func(b []byte) {
		for j := 0; j+4 <= len(b); j += 4 {
			put(k, binary.LittleEndian.Uint32(b[j:]))
			k++
		}
	})
	return int(s.Len / 4)
}

func (r *sectionReader) u32s(i int) []uint32 {
	out := make([]uint32, r.h.Sections[i].Len/4)
	r.words(i, func(k int, v uint32) { out[k] = v })
	return out
}

func (r *sectionReader) i32s(i int) []int32 {
	out := make([]int32, r.h.Sections[i].Len/4)
	r.words(i, func(k int, v uint32) { out[k] = int32(v) })
	return out
}

func (r *sectionReader) f32s(i int) []float32 {
	out := make([]float32, r.h.Sections[i].Len/4)
	r.words(i, func(k int, v uint32) { out[k] = math.Float32frombits(v) })
	return out
}

// sameDocuments reports whether ix was built from exactly docs.
func (ix *Index) sameDocuments(docs []corpus.Document) bool {
	if len(ix.docs) != len(docs) {
		return false
	}
	for i := range docs {
		if ix.docs[i].Path != docs[i].Path || ix.docs[i].Hash != docs[i].Hash || ix.docs[i].ID != docs[i].ID {
			return false
		}
	}
	return true
}
