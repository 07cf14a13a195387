package lexicon

import "slices"

// trie is a rune trie compiled for lookups that allocate nothing: the root's
// children for the CJK Unified Ideographs block sit in an array indexed by
// rune (most lookups are at the root), other children in one sorted edge
// list per node. Node 0 is the root, so child 0 means "none". With fail and
// dict links set (link) it is an Aho–Corasick automaton.
type trie struct {
	cjk   []int32          // root children for cjkLo..cjkHi
	other map[rune]int32   // root children outside that block
	nodes []tnode          // nodes[0] is the root
	edges []edge           // children of non-root nodes, grouped by parent
	build map[uint64]int32 // children while building (parent<<32 | rune); nil once compiled
}

const (
	cjkLo = 0x4E00
	cjkHi = 0x9FFF
)

type tnode struct {
	edgeLo, edgeHi int32 // this node's children: edges[edgeLo:edgeHi]
	fail           int32 // longest proper suffix that is a node
	dict           int32 // nearest node on the fail chain that ends a key; -1 if none
	key            int32 // key ending here; -1 if none
	depth          int32 // runes from the root
	// next is a filter of the runes that continue a key from here (runeBit
	// of each): the gapped search looks for them a few positions ahead.
	next uint64
}

type edge struct {
	r  rune
	to int32
}

func newTrie() *trie {
	return &trie{nodes: []tnode{{key: -1, dict: -1}}, build: map[uint64]int32{}}
}

// insert adds key (as runes) with id and returns the id already stored for
// it, or id when it is new.
func (t *trie) insert(key string, id int32) int32 {
	n := int32(0)
	for _, r := range key {
		k := uint64(n)<<32 | uint64(uint32(r))
		c, ok := t.build[k]
		if !ok {
			c = int32(len(t.nodes))
			t.nodes = append(t.nodes, tnode{key: -1, dict: -1, depth: t.nodes[n].depth + 1})
			t.build[k] = c
		}
		n = c
	}
	if t.nodes[n].key >= 0 {
		return t.nodes[n].key
	}
	t.nodes[n].key = id
	return id
}

// compile freezes the building map into the root array and the edge lists.
func (t *trie) compile() {
	t.cjk = make([]int32, cjkHi-cjkLo+1)
	t.other = map[rune]int32{}
	all := make([]uint64, 0, len(t.build))
	for k := range t.build {
		all = append(all, k)
	}
	slices.Sort(all) // by parent, then rune
	for _, k := range all {
		parent, r, c := int32(k>>32), rune(uint32(k)), t.build[k]
		switch {
		case parent == 0 && r >= cjkLo && r <= cjkHi:
			t.cjk[r-cjkLo] = c
		case parent == 0:
			t.other[r] = c
		default:
			nd := &t.nodes[parent]
			if nd.edgeHi == 0 {
				nd.edgeLo = int32(len(t.edges))
			}
			t.edges = append(t.edges, edge{r, c})
			nd.edgeHi = int32(len(t.edges))
		}
	}
	t.build = nil
}

// child is the node reached from n by r, or 0. The root's CJK case is
// small enough to inline; the rest is in childSlow.
func (t *trie) child(n int32, r rune) int32 {
	if n == 0 && uint32(r-cjkLo) <= cjkHi-cjkLo {
		return t.cjk[r-cjkLo]
	}
	return t.childSlow(n, r)
}

func (t *trie) childSlow(n int32, r rune) int32 {
	if n == 0 {
		if len(t.other) == 0 {
			return 0
		}
		return t.other[r]
	}
	nd := &t.nodes[n]
	es := t.edges[nd.edgeLo:nd.edgeHi]
	if len(es) <= 8 {
		for _, e := range es {
			if e.r == r {
				return e.to
			}
		}
		return 0
	}
	i, ok := slices.BinarySearchFunc(es, r, func(e edge, r rune) int { return int(e.r - r) })
	if ok {
		return es[i].to
	}
	return 0
}

// hasChildren reports whether any key continues past n.
func (t *trie) hasChildren(n int32) bool {
	if n == 0 {
		return true
	}
	return t.nodes[n].edgeHi > t.nodes[n].edgeLo
}

// filter sets each node's next filter to its children's runes, so that a
// word's second character may be looked for a few positions ahead without
// walking the trie.
func (t *trie) filter() {
	for n := range t.nodes {
		for _, e := range t.edges[t.nodes[n].edgeLo:t.nodes[n].edgeHi] {
			t.nodes[n].next |= runeBit(e.r)
		}
	}
}

// link sets the Aho–Corasick fail and dict links, breadth first. It runs on a
// compiled trie.
func (t *trie) link() {
	queue := make([]int32, 0, len(t.nodes))
	visit := func(parent int32, r rune, c int32) {
		f := int32(0)
		if parent != 0 {
			for p := t.nodes[parent].fail; ; p = t.nodes[p].fail {
				if g := t.child(p, r); g != 0 && g != c {
					f = g
					break
				}
				if p == 0 {
					break
				}
			}
		}
		t.nodes[c].fail = f
		if t.nodes[f].key >= 0 {
			t.nodes[c].dict = f
		} else {
			t.nodes[c].dict = t.nodes[f].dict
		}
		queue = append(queue, c)
	}
	for i, c := range t.cjk {
		if c != 0 {
			visit(0, rune(cjkLo+i), c)
		}
	}
	for r, c := range t.other {
		visit(0, r, c)
	}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		nd := t.nodes[n]
		for _, e := range t.edges[nd.edgeLo:nd.edgeHi] {
			visit(n, e.r, e.to)
		}
	}
}
