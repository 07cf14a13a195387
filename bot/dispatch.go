package bot

import (
	"sync"
)

// job is one stored update waiting to be handled.
type job struct {
	update PendingUpdate
	chat   int64 // ordering key: updates of one chat are handled in order
}

// dispatcher runs jobs on a fixed number of workers. Jobs of one chat run one
// after another in the order submitted; different chats run in parallel, so a
// slow answer holds up only its own chat. Submit blocks while maxPending jobs
// are waiting, which makes the poller stop fetching.
type dispatcher struct {
	handle func(job)

	mu       sync.Mutex
	cond     *sync.Cond
	queues   map[int64][]job // per chat; the head is running or ready
	ready    []int64         // chats whose head job may start
	pending  int
	max      int
	stopping bool
	wg       sync.WaitGroup
}

func newDispatcher(workers, maxPending int, handle func(job)) *dispatcher {
	d := &dispatcher{handle: handle, queues: map[int64][]job{}, max: maxPending}
	d.cond = sync.NewCond(&d.mu)
	d.wg.Add(workers)
	for range workers {
		go d.work()
	}
	return d
}

// submit queues j; it returns false once the dispatcher is stopping.
func (d *dispatcher) submit(j job) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for d.pending >= d.max && !d.stopping {
		d.cond.Wait()
	}
	if d.stopping {
		return false
	}
	q := d.queues[j.chat]
	d.queues[j.chat] = append(q, j)
	d.pending++
	if len(q) == 0 {
		d.ready = append(d.ready, j.chat)
	}
	d.cond.Broadcast()
	return true
}

func (d *dispatcher) work() {
	defer d.wg.Done()
	for {
		d.mu.Lock()
		for len(d.ready) == 0 && !d.stopping {
			d.cond.Wait()
		}
		if d.stopping {
			d.mu.Unlock()
			return
		}
		chat := d.ready[0]
		d.ready = d.ready[1:]
		j := d.queues[chat][0]
		d.mu.Unlock()

		d.handle(j)

		d.mu.Lock()
		q := d.queues[chat][1:]
		d.pending--
		if len(q) == 0 {
			delete(d.queues, chat)
		} else {
			d.queues[chat] = q
			d.ready = append(d.ready, chat)
		}
		d.cond.Broadcast()
		d.mu.Unlock()
	}
}

// stop takes no more jobs and lets each worker finish the job it is on;
// queued jobs stay in the store's inbox for the next start. It returns a
// channel closed when every worker has returned.
func (d *dispatcher) stop() <-chan struct{} {
	d.mu.Lock()
	d.stopping = true
	d.cond.Broadcast()
	d.mu.Unlock()
	done := make(chan struct{})
	go func() { d.wg.Wait(); close(done) }()
	return done
}
