// Package bot is the Telegram front end: it takes updates durably (long
// polling of its own or a webhook), decides which messages are addressed to
// it, answers members' questions through an Answerer with citations and
// buttons, and sends within Telegram's limits. Every update is stored in the
// inbox before it is acknowledged; its answer goes to the outbox in the same
// transaction that marks it answered, and is delivered from there until
// Telegram takes or refuses it, so that no restart, kill, crash or outage
// loses a question, and only what was in flight at a kill is sent twice.
//
// How the package is laid out:
//   - runner (bot.go, intake.go, dispatch.go) is the transport: polling or
//     the webhook, the per-member limits applied before anything is queued,
//     the durable inbox and outbox (store*.go, which also survives a damaged
//     file), workers in order per chat, the deliverer (outbox.go), crash
//     accounting (crash.go).
//   - router (handle.go) hands each message and button press on: classify
//     (address.go) says what a message asks; commands come from the command
//     table (commands.go), buttons from the callback codec (callback.go).
//   - members (member.go) answers questions, shows cited passages, takes 👍/👎.
//   - staffGate (staff.go) lets only staff through to the staff's desks:
//     uploads (upload.go), documents (documents.go), reports (reports.go)
//     and tickets (handoff.go: questions handed to staff in the staff chat,
//     their replies relayed, answers saved as Q&A entries), each built in
//     newRouter with just the dependencies it uses.
//   - replier (reply.go) and sender (sender.go) send, paced and retried.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"golang.org/x/time/rate"

	"github.com/gonghui/qa/config"
	"github.com/gonghui/qa/corpus"
	"github.com/gonghui/qa/corpus/library"
	"github.com/gonghui/qa/corpus/zh"
	"github.com/gonghui/qa/rag"
)

// Answerer is what the bot needs from the question-answering core.
type Answerer interface {
	// Answer answers question within a conversation ("chatID:userID"), which
	// lets the core understand follow-up questions.
	Answer(ctx context.Context, conversation, question string) (rag.Answer, error)
	// Passage returns a passage by ID, for the 原文 n button.
	Passage(id string) (rag.Citation, bool)
	// Documents lists the corpus, for /help.
	Documents() []corpus.Document
	// PassageCount is the number of indexed passages, for the start-up log.
	PassageCount() int
}

// Options configure Run. Zero values mean the defaults noted.
type Options struct {
	// Token is the bot token from @BotFather (TELEGRAM_BOT_TOKEN).
	Token string
	// APIURL is the Bot API server ("" = https://api.telegram.org).
	APIURL string
	// WebhookURL switches to webhook mode: Telegram posts updates to it.
	WebhookURL string
	// ListenAddr is where the webhook server listens (default
	// config.DefaultListenAddr, as for every default that config also has).
	ListenAddr string
	// WebhookSecret is the secret_token Telegram sends with each webhook
	// request; required in webhook mode.
	WebhookSecret string
	// MetricsAddr serves /metrics and /healthz when set.
	MetricsAddr string
	// Listen bounds connections to the webhook and metrics servers.
	Listen ListenLimits
	// HealthWindow is how long /healthz stays ok without news from Telegram
	// (a getUpdates that succeeded, a webhook update, or in webhook mode a
	// clean getWebhookInfo); default 3 minutes, at least 3 poll timeouts.
	HealthWindow time.Duration
	// Build describes the binary for the qa_build_info metric.
	Build BuildInfo
	// DataDir holds the durable store (bot.db) and the last crash report
	// (crash.txt).
	DataDir string
	// Store is the store in DataDir when the caller opened it already (to
	// fail early when another instance holds it); Run closes it.
	Store *Store
	// Corpus names the corpus for the start-up log line, e.g. its folder.
	Corpus string

	// Workers handle updates in parallel (default 16; answering is mostly
	// waiting on the network, so more workers than cores pay off).
	Workers int
	// RateBurst questions per user may come at once (default
	// config.DefaultRateBurst), then one per RateEvery (default
	// config.DefaultRateEvery).
	RateBurst int
	RateEvery time.Duration
	// SendPerSecond caps messages sent overall (default
	// config.DefaultSendPerSecond, Telegram's limit).
	SendPerSecond float64
	// GroupPerMinute caps messages sent to one group (default 20).
	GroupPerMinute float64
	// Retries is how often a failed call is retried (default 5); RetryBase is
	// the first back-off for 5xx and network errors (default 500 ms), doubled
	// up to RetryMax (default 10 s).
	Retries   int
	RetryBase time.Duration
	RetryMax  time.Duration
	// PollTimeout is the long-polling timeout (default 50 s).
	PollTimeout time.Duration
	// TypingDelay is how long an answer may take before the typing indicator
	// is shown (default 300 ms; negative: always, at once).
	TypingDelay time.Duration
	// AnswerTimeout bounds one answer (default 60 s).
	AnswerTimeout time.Duration
	// DrainTimeout is how long in-flight answers may finish at shutdown
	// (default 8 s).
	DrainTimeout time.Duration
	// Retention is how long questions and feedback are kept (default
	// config.DefaultRetentionDays).
	Retention time.Duration
	// OutboxMaxAge is how long an answer is tried while Telegram cannot be
	// reached or keeps failing (default 24 h); it is dropped, logged, only
	// then, or when Telegram says it will never take it.
	OutboxMaxAge time.Duration

	// AdminIDs are the Telegram user IDs of the union staff (ADMIN_IDS):
	// in a private chat they may upload documents and use /docs, /remove,
	// /reindex, /gaps and /stats. Everyone else is politely refused.
	AdminIDs []int64
	// StaffChatID is the staff group questions are handed to
	// (STAFF_CHAT_ID); 0 for none: members are not offered the handoff.
	// The bot must be in the group and may send messages there; if it
	// cannot, Run logs an error and runs without the handoff.
	StaffChatID int64
	// HandoffsPerDay is how many questions a member may hand to staff a
	// day (default config.DefaultHandoffsPerDay).
	HandoffsPerDay int
	// Library is the staff-managed corpus (CORPUS_DIR); nil when the
	// built-in corpus is used: staff are then told documents can only be
	// managed with CORPUS_DIR set, while /gaps and /stats still work.
	Library *library.Library
	// Watcher keeps the Answerer's index in step with Library (required
	// with it): staff changes go through it, so that the index is swapped
	// right after them, and it is polled for changes made outside the bot.
	Watcher *rag.Watcher
	// WatchEvery is how often Watcher looks for changes made outside the
	// bot, e.g. by an operator's CLI (default 10 s; negative: never).
	WatchEvery time.Duration
	// MaxUploadBytes is the largest file staff may upload (default 20 MB,
	// also the Bot API's download limit).
	MaxUploadBytes int64
	// TimeZone is where /stats counts days and hours (default China
	// Standard Time, UTC+8).
	TimeZone *time.Location

	// Logger receives the bot's logs (default slog.Default()); the token is
	// redacted from everything logged through it.
	Logger *slog.Logger
	// Ready, when set, is called once the bot is taking updates, with the
	// store (for staff reports and tests).
	Ready func(*Store)
}

var tokenPattern = regexp.MustCompile(`^[0-9]{1,20}:[A-Za-z0-9_-]{30,64}$`)

// ValidToken reports whether token looks like a bot token from @BotFather
// ("123456789:AA…", digits, a colon, then 30 or more URL-safe characters).
func ValidToken(token string) bool { return tokenPattern.MatchString(token) }

func (o *Options) setDefaults() {
	if o.APIURL == "" {
		o.APIURL = "https://api.telegram.org"
	}
	o.APIURL = strings.TrimRight(o.APIURL, "/")
	if o.ListenAddr == "" {
		o.ListenAddr = config.DefaultListenAddr
	}
	if o.Workers <= 0 {
		o.Workers = 16
	}
	if o.RateBurst <= 0 {
		o.RateBurst = config.DefaultRateBurst
	}
	if o.RateEvery <= 0 {
		o.RateEvery = config.DefaultRateEvery
	}
	if o.SendPerSecond <= 0 {
		o.SendPerSecond = config.DefaultSendPerSecond
	}
	if o.GroupPerMinute <= 0 {
		o.GroupPerMinute = 20
	}
	if o.Retries <= 0 {
		o.Retries = 5
	}
	if o.RetryBase <= 0 {
		o.RetryBase = 500 * time.Millisecond
	}
	if o.RetryMax <= 0 {
		o.RetryMax = 10 * time.Second
	}
	if o.PollTimeout <= 0 {
		o.PollTimeout = 50 * time.Second
	}
	if o.TypingDelay == 0 {
		o.TypingDelay = 300 * time.Millisecond
	}
	if o.AnswerTimeout <= 0 {
		o.AnswerTimeout = 60 * time.Second
	}
	if o.DrainTimeout <= 0 {
		o.DrainTimeout = 8 * time.Second
	}
	if o.Retention <= 0 {
		o.Retention = config.DefaultRetentionDays * 24 * time.Hour
	}
	if o.OutboxMaxAge <= 0 {
		o.OutboxMaxAge = 24 * time.Hour
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.HandoffsPerDay <= 0 {
		o.HandoffsPerDay = config.DefaultHandoffsPerDay
	}
	o.Listen.setDefaults()
	if o.HealthWindow <= 0 {
		o.HealthWindow = max(3*time.Minute, 3*o.PollTimeout)
	}
	if o.WatchEvery == 0 {
		o.WatchEvery = 10 * time.Second
	}
	if o.MaxUploadBytes <= 0 {
		o.MaxUploadBytes = 20 << 20
	}
	if o.TimeZone == nil {
		o.TimeZone = time.FixedZone("CST", 8*3600)
	}
}

// allowedUpdates are the update kinds the bot asks Telegram for.
var allowedUpdates = []string{models.AllowedUpdateMessage, models.AllowedUpdateCallbackQuery, models.AllowedUpdateMyChatMember}

// runner is one running bot's transport: it takes updates (polling or
// webhook) into the durable store, hands them to the workers in order per
// chat, and marks them answered; the router decides what each one gets.
type runner struct {
	opts    Options
	log     *slog.Logger
	redact  redactor
	store   *Store
	tg      *tg.Bot
	send    *sender
	me      identity
	metrics *metrics
	health  *health
	disp    *dispatcher
	route   *router
	hctx    context.Context // handlers' context: outlives ctx by the drain time
	http    *http.Client

	// limits are the per-member limits applied before updates are queued:
	// messages, and button presses.
	limits, buttonLimits *userLimits
	// unfinished are updates answered when the store could not record it.
	unfinished unfinished

	skipMu     sync.Mutex // items that were not updates, for a log line a minute
	skippedN   int
	skipLogged time.Time
}

// Run runs the bot until ctx is cancelled, then stops taking updates, lets
// in-flight answers finish for up to DrainTimeout and returns. Updates taken
// but not answered are finished on the next start.
func Run(ctx context.Context, opts Options, a Answerer) error {
	if opts.Store != nil {
		defer opts.Store.Close()
	}
	opts.setDefaults()
	red := redactor{token: opts.Token}
	log := newRedactingLogger(opts.Logger, red)
	if !ValidToken(opts.Token) {
		return errors.New("bot: TELEGRAM_BOT_TOKEN is missing or malformed")
	}
	if opts.DataDir == "" {
		return errors.New("bot: DataDir is required for the durable inbox")
	}
	webhook := opts.WebhookURL != ""
	var hookPath string
	if webhook {
		u, err := url.Parse(opts.WebhookURL)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return fmt.Errorf("bot: WEBHOOK_URL %q is not an absolute URL", opts.WebhookURL)
		}
		if opts.WebhookSecret == "" {
			return errors.New("bot: WEBHOOK_SECRET is required with WEBHOOK_URL")
		}
		hookPath = u.Path
		if hookPath == "" {
			hookPath = "/"
		}
	}

	if opts.Library != nil && opts.Watcher == nil {
		return errors.New("bot: a Library needs a Watcher to swap the index after changes")
	}

	store := opts.Store
	if store == nil {
		var err error
		if store, err = OpenStore(opts.DataDir); err != nil {
			return fmt.Errorf("bot: %w", err)
		}
		defer store.Close()
	}
	crashed := readCrashReport(opts.DataDir, log)
	stopCrashReport := writeCrashReport(opts.DataDir, log)
	defer stopCrashReport()

	m := newMetrics(a)
	if rec := store.Recovery(); rec != nil {
		m.storeRecovered.Inc()
		log.Error("the bot's store was damaged: it was moved aside and the bot started with a fresh one, with what could be read of the old",
			"aside", rec.Aside, "reason", rec.Reason, "salvaged", fmt.Sprint(rec.Salvaged))
	}
	// Workers call Telegram concurrently: keep a connection per worker alive
	// (the default keeps 2 per host and reconnects for the rest).
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 2*opts.Workers + 4
	transport.MaxIdleConns = 4*opts.Workers + 8
	httpClient := &http.Client{Timeout: 30 * time.Second, Transport: transport}
	client, err := tg.New(opts.Token,
		tg.WithServerURL(opts.APIURL),
		tg.WithSkipGetMe(),
		tg.WithHTTPClient(opts.PollTimeout, httpClient),
		tg.WithErrorsHandler(func(err error) { log.Warn("telegram client", "err", red.Error(err)) }),
		tg.WithDefaultHandler(func(context.Context, *tg.Bot, *models.Update) {}),
	)
	if err != nil {
		return fmt.Errorf("bot: %w", red.Error(err))
	}

	hctx, hcancel := context.WithCancel(context.WithoutCancel(ctx))
	defer hcancel()
	r := &runner{
		opts:         opts,
		log:          log,
		redact:       red,
		store:        store,
		tg:           client,
		metrics:      m,
		health:       newHealth(opts.HealthWindow, opts.WebhookURL),
		hctx:         hctx,
		http:         &http.Client{Timeout: opts.PollTimeout + 15*time.Second},
		limits:       newUserLimits(rate.Every(opts.RateEvery), opts.RateBurst),
		buttonLimits: newUserLimits(rate.Every(time.Second), 20),
	}
	r.send = &sender{
		b: client, log: log, metrics: m, redact: red, store: store,
		global:    rate.NewLimiter(rate.Limit(opts.SendPerSecond), max(1, int(opts.SendPerSecond))),
		groupRate: rate.Limit(opts.GroupPerMinute / 60), groupMax: max(1, int(opts.GroupPerMinute/2)),
		retries: opts.Retries, backoff: opts.RetryBase, maxWait: opts.RetryMax,
		groups: map[int64]*rate.Limiter{},
	}
	if r.me, err = r.getMe(ctx); err != nil {
		return err
	}
	resume, quarantined, err := store.StartRun(crashed)
	if err != nil {
		return fmt.Errorf("bot: %w", err)
	}
	// Answers not delivered before the last stop go first.
	r.send.out = newDeliverer(r.send, store, log, m, opts.Workers, opts.OutboxMaxAge, opts.RetryBase, opts.RetryMax)
	if waiting, err := store.Outbox(); err != nil {
		log.Error("cannot read the outbox", "err", err)
	} else if len(waiting) > 0 {
		log.Info("delivering answers left from before the last stop", "count", len(waiting))
		r.send.out.add(waiting)
	}

	r.route = newRouter(opts, r.me, a, store, r.send, m, log, &downloader{
		send: r.send, tg: client, http: &http.Client{Transport: transport}, redact: red, max: opts.MaxUploadBytes,
	})
	if err := r.route.handoff.check(ctx); err != nil {
		log.Error("no handoff to staff", "err", err)
	}
	if _, err := store.Prune(time.Now().Add(-opts.Retention)); err != nil {
		log.Warn("cannot prune old questions", "err", err)
	}

	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, stopAll := context.WithCancel(ctx) // a failed start stops what did start
	defer stopAll()
	wg.Go(func() { r.route.menus.register(ctx, opts.AdminIDs) }) // Telegram may be down: do not wait
	m.reg.MustRegister(r.health.collectors(opts.Build)...)
	if opts.MetricsAddr != "" {
		l, err := net.Listen("tcp", opts.MetricsAddr)
		if err != nil {
			return fmt.Errorf("bot: metrics listener: %w", err)
		}
		srv, l := opts.Listen.server(m.handler(r.health), l)
		wg.Go(func() { serveHTTP(ctx, srv, l, log, "metrics") })
	}

	r.disp = newDispatcher(opts.Workers, 4*opts.Workers+100, r.handle)
	mode := "long polling"
	if webhook {
		mode = "webhook"
	}
	log.Info("bot started", "bot", "@"+r.me.Username, "corpus", opts.Corpus,
		"documents", len(a.Documents()), "passages", a.PassageCount(), "mode", mode,
		"admins", len(r.route.staff.admins), "managed", opts.Library != nil)

	var hookListener net.Listener
	if webhook {
		if hookListener, err = net.Listen("tcp", opts.ListenAddr); err != nil {
			r.disp.stop()
			return fmt.Errorf("bot: webhook listener: %w", err)
		}
		// Registered before anything is answered: if Telegram refuses the
		// webhook, nothing would ever arrive, so serve stops here.
		if err := r.setWebhook(ctx); err != nil {
			hookListener.Close()
			r.disp.stop()
			return fmt.Errorf("bot: cannot register the webhook with Telegram: %w", err)
		}
	}
	r.resume(resume, quarantined)

	if webhook {
		mux := http.NewServeMux()
		mux.Handle("POST "+hookPath, r.webhookHandler())
		srv, l := opts.Listen.server(closeUnauthenticated(opts.WebhookSecret, mux), hookListener)
		wg.Go(func() { serveHTTP(ctx, srv, l, log, "webhook") })
		wg.Go(func() { r.watchWebhook(ctx, max(opts.HealthWindow/3, 100*time.Millisecond)) })
	} else {
		if _, err := client.DeleteWebhook(ctx, &tg.DeleteWebhookParams{}); err != nil && ctx.Err() == nil {
			log.Warn("cannot delete webhook before polling", "err", red.Error(err))
		}
		wg.Go(func() { r.poll(ctx) })
	}
	wg.Go(func() {
		every(ctx, 24*time.Hour, func() {
			if _, err := r.store.Prune(time.Now().Add(-r.opts.Retention)); err != nil {
				r.log.Warn("cannot prune old questions", "err", err)
			}
		})
	})
	// Answers sent while the store was full are recorded once it has room.
	wg.Go(func() { every(ctx, 2*time.Second, func() { r.unfinished.retry(store, log) }) })
	if opts.Library != nil && opts.WatchEvery > 0 {
		wg.Go(func() { opts.Watcher.Watch(ctx, opts.WatchEvery, r.reportReload) })
	}
	if opts.Ready != nil {
		opts.Ready(store)
	}

	<-ctx.Done()
	log.Info("stopping: finishing answers in flight", "drain", opts.DrainTimeout)
	drainBy := time.Now().Add(opts.DrainTimeout)
	done := r.disp.stop()
	select {
	case <-done:
	case <-time.After(opts.DrainTimeout):
		log.Warn("answers still in flight at shutdown; they will be finished on the next start")
		hcancel()
		select {
		case <-done:
		case <-time.After(time.Second):
		}
	}
	r.send.out.stop(time.Until(drainBy))
	if n := r.send.out.waiting(); n > 0 {
		log.Info("answers still waiting for Telegram; they are delivered after the next start", "count", n)
	}
	r.unfinished.retry(store, log)
	if err := store.EndRun(); err != nil {
		log.Warn("cannot record the clean stop; the next start counts an attempt for answers cut short", "err", err)
	}
	return nil
}

// getMe learns the bot's own ID and username, retrying transient failures.
// The answer is kept in the store, so that a restart in the middle of an
// outage starts with what Telegram said last time (for the same bot) and
// delivers once Telegram is back, instead of giving up.
func (r *runner) getMe(ctx context.Context) (identity, error) {
	backoff := r.opts.RetryBase
	for attempt := 0; ; attempt++ {
		u, err := r.tg.GetMe(ctx)
		if err == nil {
			me := identity{ID: u.ID, Username: u.Username}
			if err := r.store.SetIdentity(me); err != nil {
				r.log.Warn("cannot keep the bot's identity for a start during an outage", "err", err)
			}
			return me, nil
		}
		kind := classifyErr(err)
		if kind == kindAuth || kind == kindCanceled || kind == kindBadRequest {
			return identity{}, fmt.Errorf("bot: getMe: %w", r.redact.Error(err))
		}
		if attempt >= r.opts.Retries {
			if me, ok := r.store.Identity(); ok && strings.HasPrefix(r.opts.Token, strconv.FormatInt(me.ID, 10)+":") {
				r.log.Warn("Telegram cannot be reached; starting as the bot it named last time", "bot", "@"+me.Username, "err", r.redact.Error(err))
				return me, nil
			}
			return identity{}, fmt.Errorf("bot: getMe: %w", r.redact.Error(err))
		}
		r.log.Warn("getMe failed, retrying", "err", r.redact.Error(err), "in", backoff)
		select {
		case <-ctx.Done():
			return identity{}, ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, r.opts.RetryMax)
	}
}

func (r *runner) setWebhook(ctx context.Context) error {
	return r.send.call(ctx, "setWebhook", 0, false, func(ctx context.Context, _ int64) error {
		_, err := r.tg.SetWebhook(ctx, &tg.SetWebhookParams{
			URL: r.opts.WebhookURL, SecretToken: r.opts.WebhookSecret, AllowedUpdates: allowedUpdates,
		})
		return err
	})
}

// resume hands the updates taken but not answered before to the workers.
// After a crash of the process itself, the updates that were being handled
// are suspects: each is handled alone, before anything else, so that a
// poison update is caught alone at its next crash and given up at its
// quarantineCrashes-th (quarantined: the member is told). Kills from
// outside, power cuts and clean stops leave no crash report and make no
// suspects.
func (r *runner) resume(pending, quarantined []PendingUpdate) {
	for _, p := range quarantined {
		r.log.Error("giving up an update that crashed the bot each time it was handled alone", "update_id", p.ID, "attempts", p.Attempts)
		if u, ok := r.decode(p.Raw); ok && u.Message != nil {
			m := u.Message
			notice := outMessage{chatID: m.Chat.ID, group: isGroup(m.Chat.Type), text: esc(textGivenUp)}
			if notice.group {
				notice.replyTo = m.ID
			}
			if err := r.send.queue([]outMessage{notice}); err != nil {
				r.log.Warn("cannot queue the notice for a given-up update", "err", err)
			}
		}
	}
	if len(pending) > 0 {
		r.log.Info("finishing updates taken before the last stop", "count", len(pending))
	}
	var rest []PendingUpdate
	for _, p := range pending {
		if !p.Suspect {
			rest = append(rest, p)
			continue
		}
		r.log.Warn("the last run crashed while handling this update; handling it alone", "update_id", p.ID, "attempts", p.Attempts)
		r.metrics.updates.WithLabelValues("resume").Inc()
		r.metrics.inflight.Inc()
		r.handle(job{update: p})
	}
	for _, p := range rest {
		u, ok := r.decode(p.Raw)
		if !ok {
			r.finish(p.ID, nil, nil)
			continue
		}
		r.metrics.updates.WithLabelValues("resume").Inc()
		r.metrics.inflight.Inc()
		if !r.disp.submit(job{update: p, chat: chatKey(u)}) {
			r.metrics.inflight.Dec()
			return
		}
	}
}

// every calls f every d until ctx is cancelled.
func every(ctx context.Context, d time.Duration, f func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f()
		}
	}
}

// reportReload logs a reload of the corpus noticed by the watcher: a change
// made outside the bot (an operator's CLI, a file copied by hand).
func (r *runner) reportReload(re rag.Reload, err error) {
	if err != nil {
		r.log.Error("corpus changed outside the bot but the index was not updated", "err", err)
		return
	}
	r.metrics.staff.WithLabelValues("reloaded").Inc()
	r.log.Info("corpus changed outside the bot; index updated", "documents", re.Documents, "passages", r.route.members.answerer.PassageCount(),
		"added", len(re.Added), "changed", len(re.Changed), "removed", len(re.Removed), "embedded", re.Embedded)
}

// newRouter builds the parts that act on updates, each with what it needs.
func newRouter(opts Options, me identity, a Answerer, store *Store, send *sender, m *metrics, log *slog.Logger, files *downloader) *router {
	cmds := commandTable()
	out := &replier{send: send, log: log, typingDelay: opts.TypingDelay}
	r := &router{
		me: me, commands: cmds, out: out, store: store, log: log,
		menus: &menus{send: send, tg: send.b, log: log, commands: cmds},
		members: &members{
			out: out, answerer: a, store: store, metrics: m, log: log, commands: cmds,
			timeout: opts.AnswerTimeout,
		},
		staff: newStaffGate(opts.AdminIDs, out, m),
		reports: &reports{
			store: store, retention: opts.Retention, tz: opts.TimeZone, log: log,
			fold: func() func(string) string { return zh.Fold },
		},
	}
	r.handoff = &handoff{
		out: out, store: store, staff: r.staff, me: me, commands: cmds, staffChat: opts.StaffChatID,
		perDay: opts.HandoffsPerDay, tz: opts.TimeZone, metrics: m, log: log,
	}
	if s, ok := a.(savedLookup); ok {
		r.handoff.saved = s
	}
	r.members.handoff = r.handoff
	if opts.Library != nil {
		r.handoff.lib, r.handoff.corpus = opts.Library, opts.Watcher
		r.uploads = &uploads{
			out: out, files: files, lib: opts.Library, corpus: opts.Watcher, indexed: a.Documents,
			store: store, botID: me.ID, metrics: m, log: log, tz: opts.TimeZone,
		}
		r.documents = &documents{
			out: out, lib: opts.Library, corpus: opts.Watcher, passages: a.PassageCount,
			metrics: m, log: log, tz: opts.TimeZone,
		}
	}
	return r
}
