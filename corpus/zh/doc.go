// Package zh is the one home for Chinese text in the project: width and space
// normalisation (Normalize), 繁→简 and case folding for matching (Folder),
// Chinese and mixed numerals (ParseNumber, Numbers, Ordinal), sentence
// splitting (Sentences, Splitter), dates (FindDates, ParseDate) and the stop
// words that carry no topic in a question (StopWords).
//
// Documents, questions, the answer guard and the bot all call these
// functions, so that a number, a sentence or a date is read the same way
// everywhere. The package imports nothing of the project.
package zh
