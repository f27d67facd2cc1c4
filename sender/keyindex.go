package sender

import "github.com/roomwatch/roomwatch/batch"

// The queue keeps an index of its entries by key and by room, so that a
// storm of thousands of queued digests costs no walk through the queue
// per digest: Submit finds the entry a new digest merges into, and next
// knows when every room had its turn.

// keyIndex counts the queued entries of one key and points to the newest.
type keyIndex struct {
	n      int
	newest *entry
}

// push appends e, the newest entry, to the queue.
func (q *queue) push(e *entry) {
	q.entries = append(q.entries, e)
	q.index(e)
}

// index counts e in the index of its key. Entries are indexed in queue
// order (or re-indexed by name, see rekey), so e is its key's newest
// unless a newer one is indexed.
func (q *queue) index(e *entry) {
	if q.keys == nil {
		q.keys, q.rooms = map[batch.Key]*keyIndex{}, map[string]int{}
	}
	k := e.rec.Digest.Key
	q.rooms[e.rec.Digest.Room]++
	ki := q.keys[k]
	if ki == nil {
		ki = &keyIndex{}
		q.keys[k] = ki
	}
	ki.n++
	if ki.newest == nil || ki.newest.name < e.name {
		ki.newest = e
	}
}

// unindex takes e, queued under key k, out of the index.
func (q *queue) unindex(e *entry, k batch.Key) {
	ki := q.keys[k]
	if ki == nil {
		return
	}
	if q.rooms[e.rec.Digest.Room]--; q.rooms[e.rec.Digest.Room] <= 0 {
		delete(q.rooms, e.rec.Digest.Room)
	}
	if ki.n--; ki.n <= 0 {
		delete(q.keys, k)
		return
	}
	if ki.newest != e {
		return
	}
	// The newest of several went first (a summary, a dead letter): look
	// for the next newest. Rare, as a key's digests leave oldest first.
	ki.newest = nil
	for _, x := range q.entries {
		if x != e && x.rec.Digest.Key == k && (ki.newest == nil || ki.newest.name < x.name) {
			ki.newest = x
		}
	}
}

// rekey changes the key of queued entry e with change, keeping the index.
func (q *queue) rekey(e *entry, change func()) {
	old := e.rec.Digest.Key
	change()
	if e.rec.Digest.Key != old {
		q.unindex(e, old)
		q.index(e)
	}
}

// waiting returns the newest entry of key if no attempt is under way for
// it: a newer digest of the key merges into it instead of queueing. A
// storm queues thousands of digests at once, so it looks in the index of
// keys, not through the queue.
func (q *queue) waiting(k batch.Key) *entry {
	ki := q.keys[k]
	if ki == nil || ki.newest.flying {
		return nil
	}
	return ki.newest
}
