package plandir

import (
	"fmt"
	"strings"
	"time"
)

// symbols are terraform's marks for each action.
var symbols = map[string]string{"create": "+", "update": "~", "replace": "-/+", "delete": "-", "read": "<="}

// maxValue bounds an attribute value in a stack's list of changes; IAM
// changes are shown whole under their own heading.
const maxValue = 120

// Summary renders the plan for a person reviewing it (summary.md): a
// table of counts, the changes that lose data and those to permissions
// called out first, then every change per stack and the site files.
func Summary(p *Plan, dir string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Plan for %s, stage %s\n\n", p.App, p.Stage)
	where := "region " + p.Region
	if p.Endpoint != "" {
		where += ", endpoint " + p.Endpoint
	}
	fmt.Fprintf(&b, "Made %s for %s; state: %s.\n\n", p.Created.UTC().Format(time.RFC3339), where, p.Backend.Describe())

	b.WriteString("| stack | create | update | replace | delete | site files |\n|---|--:|--:|--:|--:|---|\n")
	var guarded, iam []string
	for _, st := range p.Stacks {
		sites := "none"
		if len(st.Sites) > 0 {
			n := 0
			for _, s := range st.Sites {
				n += s.Files
			}
			sites = fmt.Sprintf("%d site(s), %d file(s)", len(st.Sites), n)
		}
		c := st.Counts
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %s |\n", st.Name, c.Create, c.Update, c.Replace, c.Delete, sites)
		for _, ch := range st.Guarded() {
			line := fmt.Sprintf("- **%s**: `%s %s` — %s lost", st.Name, symbols[ch.Action], ch.Address, Loses(ch.Type))
			if ch.Retained {
				line += " (its RemovalPolicy retains it on `sst remove`, not on a replace)"
			}
			guarded = append(guarded, line)
		}
		for _, ch := range st.Changes {
			if !ch.IAM {
				continue
			}
			line := fmt.Sprintf("- **%s**: `%s %s`", st.Name, symbols[ch.Action], ch.Address)
			for _, a := range ch.Attrs {
				line += "\n  - " + attrLine(a.Path, a.Old, a.New, 0)
			}
			iam = append(iam, line)
		}
	}
	b.WriteString("\n")

	if len(guarded) > 0 {
		b.WriteString("## Data loss: needs `--allow-replace`\n\n")
		b.WriteString("These resources hold data that a destroy or replace loses. `sst deploy --plan` refuses the plan unless `--allow-replace` is given.\n\n")
		b.WriteString(strings.Join(guarded, "\n") + "\n\n")
	}
	if len(iam) > 0 {
		b.WriteString("## Permission changes (IAM)\n\n")
		b.WriteString(strings.Join(iam, "\n") + "\n\n")
	}
	stale := p.StaleDependents()
	for _, st := range p.Stacks {
		fmt.Fprintf(&b, "## Stack %s\n\n", st.Name)
		if len(st.Drift) > 0 {
			b.WriteString("Changed outside Terraform (drift) since the last apply:\n\n")
			for _, d := range st.Drift {
				fmt.Fprintf(&b, "- `%s` %s\n", d.Address, map[string]string{"update": "updated", "delete": "deleted"}[d.Action])
			}
			b.WriteString("\nPlanned:\n\n")
		}
		if len(st.Changes) == 0 {
			b.WriteString("No resource changes.\n")
		}
		for _, ch := range st.Changes {
			sym := symbols[ch.Action]
			if sym == "" {
				sym = ch.Action
			}
			fmt.Fprintf(&b, "- `%s %s`", sym, ch.Address)
			if ch.Stateful && (ch.Action == "delete" || ch.Action == "replace") {
				b.WriteString(" **data loss**")
			}
			b.WriteString("\n")
			if ch.IAM {
				continue // shown whole above
			}
			for _, a := range ch.Attrs {
				b.WriteString("  - " + attrLine(a.Path, a.Old, a.New, maxValue) + "\n")
			}
		}
		for _, l := range st.SiteChanges {
			b.WriteString("\nSite files: " + strings.ReplaceAll(l, "\n  ", "\n  - ") + "\n")
		}
		if dep, ok := stale[st.Name]; ok {
			fmt.Fprintf(&b, "\nThis stack reads outputs of %s, which this plan changes; it was planned with their current values. `sst deploy --plan` applies %s and then refuses %s: make a new plan after that deploy.\n", dep, dep, st.Name)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "Apply exactly this plan with `sst deploy --plan %s --stage %s`", dir, p.Stage)
	if len(guarded) > 0 {
		b.WriteString(" `--allow-replace`")
	}
	b.WriteString(". It is refused, changing nothing, if the state, the synthesized stacks, the site files, the stage or the backend changed since.\n")
	return b.String()
}

// attrLine is "path: old → new", each value cut to limit runes (0: whole).
func attrLine(path, old, new string, limit int) string {
	cut := func(v string) string {
		if r := []rune(v); limit > 0 && len(r) > limit {
			return string(r[:limit]) + "…"
		}
		return v
	}
	switch {
	case old == "":
		return fmt.Sprintf("`%s` = `%s`", path, cut(new))
	case new == "":
		return fmt.Sprintf("`%s` = `%s` (removed)", path, cut(old))
	}
	return fmt.Sprintf("`%s`: `%s` → `%s`", path, cut(old), cut(new))
}
