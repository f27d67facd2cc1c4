package sender

// compact keeps the outbox within its cap while the destination is
// unreachable: first it merges the oldest waiting digests of one rule
// and room into a summary (digests of different group_by keys become the
// rule's overflow digest), then it drops the shown lines of the oldest
// digests. Counts stay exact; what detail was lost is counted in Stats
// and noted in the message. Nothing is deleted. Called with q.mu held.
func (q *queue) compact() {
	for q.bytes > q.maxBytes {
		if q.mergeOldest() || q.dropOldest() {
			continue
		}
		if !q.fullWarn {
			q.fullWarn = true
			q.log.Warn("outbox over its cap and nothing left to merge; keeping every digest", "bytes", q.bytes, "cap", q.maxBytes)
		}
		return
	}
	q.fullWarn = false
}

type roomRule struct{ room, rule string }

// mergeOldest merges the newer of the oldest pair of waiting digests of
// one rule and room into the older one.
func (q *queue) mergeOldest() bool {
	first := map[roomRule]*entry{}
	for _, e := range q.entries {
		if e.flying {
			continue
		}
		k := roomRule{e.rec.Digest.Room, e.rec.Digest.Rule}
		a, ok := first[k]
		if !ok {
			first[k] = e
			continue
		}
		q.summarize(a, e)
		return true
	}
	return false
}

// summarize merges b into a and deletes b.
func (q *queue) summarize(a, b *entry) {
	da, db := a.rec.Digest, b.rec.Digest
	if da.Key != db.Key {
		q.rekey(a, func() { foldKey(da) })
		if !db.Key.Overflow {
			db.Folded = max(db.Folded, 1)
		}
	}
	mergeInto(da, db, q.maxLines(da, db))
	a.rec.Summarized += 1 + b.rec.Summarized + b.rec.Merged
	a.rec.Dropped += b.rec.Dropped
	a.holds = append(a.holds, b.holds...)
	q.stats.Summarized++
	q.rerender(a)
	if err := q.persist(a); err != nil {
		// b's file stays: after a restart it is sent again (a
		// duplicate), never lost.
		q.log.Error("cannot rewrite a summarized digest in the outbox", "file", a.name, "err", err)
		q.take(b)
		q.bytes -= b.size
		return
	}
	q.remove(b)
}

// dropOldest drops the shown lines of the oldest waiting digest that has
// any.
func (q *queue) dropOldest() bool {
	for _, e := range q.entries {
		if e.flying || len(e.rec.Digest.Lines) == 0 {
			continue
		}
		n := dropLines(e.rec.Digest)
		e.rec.Dropped += n
		q.stats.Dropped += uint64(n)
		q.rerender(e)
		if err := q.persist(e); err != nil {
			q.log.Error("cannot rewrite a digest in the outbox", "file", e.name, "err", err)
		}
		return true
	}
	return false
}
