package bot

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

var commandName = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

func TestCommandTable(t *testing.T) {
	cmds := commandTable()
	seen := map[string]bool{}
	for _, c := range cmds {
		if !commandName.MatchString(c.name) || seen[c.name] {
			t.Errorf("command %q: Telegram wants 1-32 of a-z, 0-9 and _, once each", c.name)
		}
		seen[c.name] = true
		if n := utf8.RuneCountInString(c.menu); n == 0 || n > 256 {
			t.Errorf("/%s: menu description of %d characters (Telegram takes 1-256)", c.name, n)
		}
		if c.question == (c.run != nil) {
			t.Errorf("/%s: a command either asks a question or runs a handler", c.name)
		}
	}
	members, staff := cmds.menu(false), cmds.menu(true)
	for _, c := range members {
		if cmd, _ := cmds.find(c.Command); cmd.staff {
			t.Errorf("members' menu has the staff command /%s", c.Command)
		}
	}
	if len(staff) != len(cmds) || len(members) >= len(staff) {
		t.Errorf("menus: %d for members, %d for staff, of %d commands", len(members), len(staff), len(cmds))
	}
	memberHelp, staffHelp := cmds.helpSection(false), cmds.helpSection(true)
	for _, c := range cmds {
		in, notIn := memberHelp, staffHelp
		if c.staff {
			in, notIn = staffHelp, memberHelp
		}
		if !strings.Contains(in, "/"+c.name) || strings.Contains(notIn, "/"+c.name+" ") {
			t.Errorf("/%s is not in the right section of /help:\nmembers: %s\nstaff: %s", c.name, memberHelp, staffHelp)
		}
	}
}
