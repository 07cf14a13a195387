package rag

import (
	"container/list"
	"context"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Conversation limits: a follow-up refers to the last few turns of the last
// half hour; at most maxConversations are remembered (least recent dropped).
const (
	conversationTTL  = 30 * time.Minute
	maxTurns         = 4
	maxConversations = 10000
)

// conversations keeps a short, bounded history per conversation key.
type conversations struct {
	mu    sync.Mutex
	now   func() time.Time
	lru   *list.List // of *conversation, most recent at the front
	byKey map[string]*list.Element
}

type conversation struct {
	key   string
	turns []Turn
	at    time.Time
}

func newConversations(now func() time.Time) *conversations {
	return &conversations{now: now, lru: list.New(), byKey: map[string]*list.Element{}}
}

func (c *conversations) add(key string, t Turn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[key]
	if !ok {
		el = c.lru.PushFront(&conversation{key: key})
		c.byKey[key] = el
	}
	cv := el.Value.(*conversation)
	if c.now().Sub(cv.at) > conversationTTL {
		cv.turns = nil
	}
	cv.turns = append(cv.turns, t)
	if len(cv.turns) > maxTurns {
		cv.turns = cv.turns[len(cv.turns)-maxTurns:]
	}
	cv.at = c.now()
	c.lru.MoveToFront(el)
	for c.lru.Len() > maxConversations {
		old := c.lru.Back()
		c.lru.Remove(old)
		delete(c.byKey, old.Value.(*conversation).key)
	}
}

// history returns the conversation's unexpired turns, oldest first.
func (c *conversations) history(key string) []Turn {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[key]
	if !ok {
		return nil
	}
	cv := el.Value.(*conversation)
	if c.now().Sub(cv.at) > conversationTTL {
		return nil
	}
	return append([]Turn(nil), cv.turns...)
}

// followUpMarkers open a question that leans on the one before it.
var followUpMarkers = []string{"那", "这个", "那个", "它", "还有", "另外", "然后", "具体", "那么", "这", "他们", "其中", "再", "此外", "and", "what about"}

// isFollowUp is the offline rule: a question is a follow-up when it opens with
// a referring word or is too short to stand alone.
func isFollowUp(q string) bool {
	q = strings.TrimSpace(q)
	for _, m := range followUpMarkers {
		if strings.HasPrefix(strings.ToLower(q), m) {
			return true
		}
	}
	return utf8.RuneCountInString(strings.TrimRight(q, "?？!！。 ")) <= 5
}

// standalone turns a follow-up into a question that stands alone: by the
// Rewriter when one is configured, otherwise (or when it fails) by joining it
// to the previous question.
func (e *Engine) standalone(ctx context.Context, key, q string) string {
	if key == "" {
		return q
	}
	hist := e.conv.history(key)
	if len(hist) == 0 {
		return q
	}
	if e.opt.Rewriter != nil {
		rw, err := e.opt.Rewriter.Rewrite(ctx, hist, q)
		if err == nil && strings.TrimSpace(rw) != "" {
			return truncateRunes(strings.TrimSpace(rw), MaxQuestionRunes)
		}
		if err != nil {
			e.llmFailed.Add(1)
			e.log.Warn("rewriting the follow-up failed; using the offline rule", "err", err)
		}
	}
	if !isFollowUp(q) {
		return q
	}
	return hist[len(hist)-1].Question + " " + q
}
