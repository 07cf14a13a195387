// Package corpus is what a union document is and how its text becomes passages:
// loading and decoding files, reading their metadata, normalising Chinese text
// and splitting it on sentence boundaries. It knows nothing of retrieval or chat.
package corpus

// Document is one union document: its metadata, as a staff member can read and
// edit it in the file's header, and its body text as published.
type Document struct {
	// ID is short and stable: derived from the file name, so that citations
	// keep resolving when other documents are added or removed.
	ID string `json:"id"`
	// Path is the file's path relative to the corpus folder.
	Path     string `json:"path"`
	Title    string `json:"title"`
	Subtitle string `json:"subtitle,omitempty"`
	// Source is the publisher, e.g. the paper 甘肃工人报.
	Source string `json:"source,omitempty"`
	// Date is the publication date as written in the header, e.g. 2020-07-02.
	Date string `json:"date,omitempty"`
	// Page is where the document appeared, e.g. 第04版:专题报道.
	Page string `json:"page,omitempty"`
	// Author is the byline, when the document has one.
	Author string `json:"author,omitempty"`
	// AddedBy and AddedAt record who put the document into the corpus, when known.
	AddedBy string `json:"added_by,omitempty"`
	AddedAt string `json:"added_at,omitempty"`
	// Body is the text without its metadata header, with headings marked by "## ".
	Body string `json:"-"`
	// Hash is the SHA-256 of the whole file as stored, used to detect changes.
	Hash string `json:"hash"`
}

// Passage is the unit that is retrieved and cited: a paragraph or a run of
// sentences, with the section heading it belongs to.
type Passage struct {
	// ID is derived from the document ID and the passage text, so it is stable
	// across runs and unaffected by changes to other documents.
	ID    string `json:"id"`
	DocID string `json:"doc_id"`
	// Heading is the section heading the passage sits under ("" before the first).
	Heading string `json:"heading,omitempty"`
	// Lead is the opening topic sentence of the paragraph the passage continues
	// (empty when the passage itself starts the paragraph); it helps retrieval.
	Lead string `json:"lead,omitempty"`
	// Text is the passage as written in the document, for display.
	Text string `json:"text"`
	// Seq is the passage's position in its document, from 0.
	Seq int `json:"seq"`
	// Place says where the passage is, for a reader: 第2部分 第3段.
	Place string `json:"place"`
}
