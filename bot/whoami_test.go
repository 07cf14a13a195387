package bot_test

import (
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"

	"github.com/gonghui/qa/bot"
)

// /whoami shows a user the ID an operator puts in ADMIN_IDS.
func TestWhoami(t *testing.T) {
	srv := newServer(t)
	staffer := models.User{ID: 777, FirstName: "张老师"}
	start(t, srv, t.TempDir(), newFakeAnswerer(), func(o *bot.Options) { o.AdminIDs = []int64{staffer.ID} })
	srv.SendText(dm, member, "/whoami")
	sent := waitSent(t, srv, 1)
	if !strings.Contains(sent[0].Text, "<code>501</code>") || !strings.Contains(sent[0].Text, "ADMIN_IDS") {
		t.Errorf("member's /whoami = %s", sent[0].Text)
	}
	srv.SendText(models.Chat{ID: staffer.ID, Type: models.ChatTypePrivate}, staffer, "/whoami")
	sent = waitSent(t, srv, 2)
	if !strings.Contains(sent[1].Text, "<code>777</code>") || !strings.Contains(sent[1].Text, "已经是工作人员") {
		t.Errorf("staff's /whoami = %s", sent[1].Text)
	}
	if reqs := srv.Requests("setMyCommands"); len(reqs) == 0 || !strings.Contains(reqs[0].Params["commands"], "whoami") {
		t.Errorf("the command menu lacks /whoami: %+v", reqs)
	}
}
