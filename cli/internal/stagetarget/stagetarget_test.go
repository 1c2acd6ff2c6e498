package stagetarget

import (
	"strings"
	"testing"
)

func TestResolve(t *testing.T) {
	emu := &Target{Endpoint: "http://127.0.0.1:5000", Region: "eu-west-1", Profile: "dev"}
	flag := func(v string) Setting { return Setting{Value: v, Source: "--endpoint"} }
	for _, c := range []struct {
		name    string
		rec     *Target
		given   Given
		want    Target
		notes   int
		wantErr string
	}{
		{name: "no record: what was given", given: Given{Endpoint: flag("http://x:1")}, want: Target{Endpoint: "http://x:1"}},
		{name: "record fills what is missing", rec: emu, want: *emu, notes: 3},
		{name: "same endpoint, trailing slash", rec: emu, given: Given{Endpoint: flag("http://127.0.0.1:5000/")}, want: Target{Endpoint: "http://127.0.0.1:5000/", Region: "eu-west-1", Profile: "dev"}, notes: 2},
		{name: "other profile is allowed", rec: emu, given: Given{Profile: Setting{"ci", "--profile"}}, want: Target{Endpoint: emu.Endpoint, Region: emu.Region, Profile: "ci"}, notes: 2},
		{name: "AWS stage stays AWS", rec: &Target{}, want: Target{}},
		{
			name: "different endpoint", rec: emu, given: Given{Endpoint: Setting{"http://127.0.0.1:4566", "$SST_ENDPOINT"}},
			wantErr: "$SST_ENDPOINT is http://127.0.0.1:4566, but stage \"dev\" was deployed to endpoint http://127.0.0.1:5000 (recorded in .sst/stages/dev.json by its first deploy): leave $SST_ENDPOINT out",
		},
		{
			name: "endpoint for an AWS stage", rec: &Target{}, given: Given{Endpoint: flag("http://127.0.0.1:4566")},
			wantErr: "was deployed to AWS itself (no endpoint)",
		},
		{
			name: "different region", rec: emu, given: Given{Region: Setting{"us-east-2", "--region"}},
			wantErr: "--region is us-east-2, but stage \"dev\" was deployed to region eu-west-1",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, notes, err := Resolve("dev", c.rec, c.given)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				if !strings.Contains(err.Error(), "sst remove --stage dev") || !strings.Contains(err.Error(), "delete .sst/stages/dev.json") {
					t.Errorf("err does not say how to move or forget the stage: %v", err)
				}
				return
			}
			if err != nil || got != c.want || len(notes) != c.notes {
				t.Errorf("Resolve = %+v, %q, %v; want %+v with %d notes", got, notes, err, c.want, c.notes)
			}
		})
	}
}

func TestRecordRoundTrip(t *testing.T) {
	dir := t.TempDir()
	if rec, err := Read(dir, "dev"); rec != nil || err != nil {
		t.Fatalf("Read of nothing = %v, %v", rec, err)
	}
	want := Target{Endpoint: "http://127.0.0.1:5000", Region: "eu-west-1"}
	if err := Write(dir, "dev", want); err != nil {
		t.Fatal(err)
	}
	if rec, err := Read(dir, "dev"); err != nil || *rec != want {
		t.Fatalf("Read = %v, %v", rec, err)
	}
	if err := Forget(dir, "dev"); err != nil {
		t.Fatal(err)
	}
	if rec, err := Read(dir, "dev"); rec != nil || err != nil {
		t.Fatalf("Read after Forget = %v, %v", rec, err)
	}
}
