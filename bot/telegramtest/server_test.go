package telegramtest_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/gonghui/qa/bot/telegramtest"
)

const token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"

func TestRealClientAgainstFake(t *testing.T) {
	srv := telegramtest.NewServer(token)
	defer srv.Close()
	b, err := tg.New(token, tg.WithServerURL(srv.URL()))
	if err != nil {
		t.Fatalf("getMe through the fake: %v", err)
	}
	ctx := context.Background()

	srv.AddFile("f1", "documents/file_1.txt", []byte("通知正文"))
	f, err := b.GetFile(ctx, &tg.GetFileParams{FileID: "f1"})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(b.FileDownloadLink(f))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(data) != "通知正文" {
		t.Errorf("download = %q", data)
	}

	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: 1, Text: "a < b", ParseMode: models.ParseModeHTML}); err == nil {
		t.Error("unescaped < accepted in HTML")
	}
	srv.Fail("sendMessage", telegramtest.Failure{Code: 429, Description: "Too Many Requests: retry after 3", RetryAfter: 3})
	_, err = b.SendMessage(ctx, &tg.SendMessageParams{ChatID: 1, Text: "hi"})
	var tooMany *tg.TooManyRequestsError
	if !errors.As(err, &tooMany) || tooMany.RetryAfter != 3 {
		t.Errorf("429 = %v", err)
	}
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: 1, Text: "a &lt; b", ParseMode: models.ParseModeHTML}); err != nil {
		t.Error(err)
	}
	if sent := srv.Sent(); len(sent) != 1 || sent[0].Text != "a &lt; b" {
		t.Errorf("sent = %+v", sent)
	}
	if n := len(srv.Requests("sendMessage")); n != 3 {
		t.Errorf("recorded %d sendMessage calls, want 3", n)
	}
}

func TestEntitiesCountUTF16(t *testing.T) {
	es := telegramtest.Entities("😀请问@qa_test_bot 好")
	if len(es) != 1 || es[0].Offset != 4 || es[0].Length != 12 {
		t.Errorf("entities = %+v", es)
	}
}

func TestSendPhotoMultipart(t *testing.T) {
	srv := telegramtest.NewServer(token)
	defer srv.Close()
	b, err := tg.New(token, tg.WithServerURL(srv.URL()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	png := []byte("\x89PNG\r\n\x1a\nnot really")
	msg, err := b.SendPhoto(ctx, &tg.SendPhotoParams{ChatID: 7, Caption: "<b>统计</b>", ParseMode: models.ParseModeHTML,
		Photo: &models.InputFileUpload{Filename: "s.png", Data: bytes.NewReader(png)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(msg.Photo) == 0 || msg.Caption != "统计" {
		t.Errorf("sendPhoto returned %+v", msg)
	}
	ps := srv.Photos()
	if len(ps) != 1 || ps[0].ChatID != 7 || !bytes.Equal(ps[0].Data, png) || ps[0].Caption != "<b>统计</b>" {
		t.Errorf("photos = %+v", ps)
	}
	// Telegram's rules: a caption of at most 1024 characters, valid HTML, a file.
	for _, p := range []*tg.SendPhotoParams{
		{ChatID: 7, Caption: strings.Repeat("长", 1025), Photo: &models.InputFileUpload{Filename: "s.png", Data: bytes.NewReader(png)}},
		{ChatID: 7, Caption: "a < b", ParseMode: models.ParseModeHTML, Photo: &models.InputFileUpload{Filename: "s.png", Data: bytes.NewReader(png)}},
		{ChatID: 7, Photo: &models.InputFileUpload{Filename: "s.png", Data: bytes.NewReader(nil)}},
	} {
		if _, err := b.SendPhoto(ctx, p); err == nil {
			t.Errorf("sendPhoto accepted %q with %d bytes", p.Caption, len(png))
		}
	}
	if n := len(srv.Photos()); n != 1 {
		t.Errorf("%d photos kept, want 1", n)
	}
}
