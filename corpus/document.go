// Package corpus is what a union document is and how its text becomes passages:
// loading and decoding files, reading their metadata, normalising Chinese text
// and splitting it on sentence boundaries. It knows nothing of retrieval or chat.
package corpus

// Kind is a document's shape, recognised from its text: it decides how the
// document is cut into passages and how a citation names a place in it.
type Kind string

// The shapes of document the corpus knows.
const (
	// KindLaw: laws, regulations, 办法, 规定, 条例 — articles (第N条) under
	// 编/章/节 headings, cut into articles and 款.
	KindLaw Kind = "law"
	// KindNotice: notices and other official documents — a 文号, numbered
	// sections (一、 （一） 1.), a signature and date, attachments.
	KindNotice Kind = "notice"
	// KindReport: reports, articles and anything else — headings and
	// paragraphs.
	KindReport Kind = "report"
	// KindFAQ: a question a member asked and union staff answered, saved
	// as a Q&A entry (header "kind: faq", the question in "question:", the
	// staff's answer as the body). Never recognised from text: only the
	// header makes one. Its answer is one passage, cited as 工会答复.
	KindFAQ Kind = "faq"
)

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
	// Kind is the document's shape (law, notice, report, faq), from the
	// header's "kind" or recognised from the text.
	Kind Kind `json:"kind,omitempty"`
	// Question is a Q&A entry's question as the member asked it (KindFAQ);
	// later questions are matched against it.
	Question string `json:"question,omitempty"`
	// ShortTitle is the name a member would say, without 中华人民共和国 and
	// without 《》: 劳动合同法. It is the title when there is no shorter one.
	ShortTitle string `json:"short_title,omitempty"`
	// Version is the date of the text's version (2012-12-28): the file name's
	// date, or the last 修正/修订/公布 in its history.
	Version string `json:"version,omitempty"`
	// VersionLabel says which version it is, for citations: 2012年修正.
	VersionLabel string `json:"version_label,omitempty"`
	// History holds the lines on how the text was adopted, amended and
	// published (2007年6月29日 …通过); they are metadata, never passages.
	History []string `json:"history,omitempty"`
	// DocNumber is an official document's number (文号): 兰总工发〔2024〕12号.
	DocNumber string `json:"doc_number,omitempty"`
	// Issuer is who issued it (发文机关): 兰州市总工会.
	Issuer string `json:"issuer,omitempty"`
	// Builtin is true for the documents the program carries (the report and
	// the national laws): staff cannot remove them, only a setting hides them.
	Builtin bool `json:"builtin,omitempty"`
	// Body is the text without its metadata header, with headings marked by "## ".
	Body string `json:"-"`
	// Hash is the SHA-256 of the whole file as stored, used to detect changes.
	Hash string `json:"hash"`
}

// Passage is the unit that is retrieved and cited, cut along the document's
// structure: a law's article (or one or more of its 款 when the article is
// longer than a phone screen), a notice's section or item, a report's
// paragraph or run of sentences — each with the headings it sits under.
type Passage struct {
	// ID is derived from the document ID and the passage text, so it is stable
	// across runs and unaffected by changes to other documents.
	ID    string `json:"id"`
	DocID string `json:"doc_id"`
	// Heading is the section heading the passage sits under ("" before the
	// first): the headings of Path joined by a space.
	Heading string `json:"heading,omitempty"`
	// Path is the heading path from the top, e.g. [第二章 劳动合同的订立] or
	// [二、资助标准 （一）本科生].
	Path []string `json:"path,omitempty"`
	// Article is the law article the passage belongs to (第十九条) and
	// ArticleNo its number (19); empty and 0 outside articles.
	Article   string `json:"article,omitempty"`
	ArticleNo int    `json:"article_no,omitempty"`
	// Clause is the number of the 款 a part of a cut article starts at (1 for
	// the first); 0 when the passage is the whole article.
	Clause int `json:"clause,omitempty"`
	// Part and Parts number the pieces of an article, section or paragraph
	// that was cut (Part from 1); both are 0 when it was not cut. The pieces
	// of one unit are consecutive passages of the document.
	Part  int `json:"part,omitempty"`
	Parts int `json:"parts,omitempty"`
	// Lead is the sentence that introduces the passage's text when the text
	// does not start with it: a cut article's opening sentence, the lead
	// 款 of a list of items (职工有下列情形之一的，应当认定为工伤：), a
	// paragraph's topic sentence. Retrieval indexes it and an answer may
	// show it.
	Lead string `json:"lead,omitempty"`
	// Text is the passage as written in the document, for display.
	Text string `json:"text"`
	// Seq is the passage's position in its document, from 0.
	Seq int `json:"seq"`
	// Place says where the passage is, as a member would say it: 第十九条,
	// 第十九条第二款, 二、资助标准（一）, or 第2部分 第3段 in a report.
	Place string `json:"place"`
}
