package config

import (
	"embed"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/coachimpact/coachimpact/ingest"
)

// profileFiles are the vendor profiles shipped with the program, one
// TOML file each (profiles/NAME.toml).
//
//go:embed profiles/*.toml
var profileFiles embed.FS

// ProfileInfo describes a vendor profile: its name (--profile NAME), what
// export it reads, where its columns came from, and what a district that
// has the export still writes itself.
type ProfileInfo struct {
	Name    string   `toml:"name"`
	Title   string   `toml:"title"`
	Sources []string `toml:"sources"`
	Writes  string   `toml:"district_writes"`
	// Unread are the vendor's files the profile does not need (globs):
	// a run lists them as not needed rather than as unknown.
	Unread []string `toml:"unread_files"`
}

// profileFile is one profile file: [profile] and its [tables.X] sections
// in the mapping language of ingest.TableMapping.
type profileFile struct {
	Profile ProfileInfo                    `toml:"profile"`
	Tables  map[string]ingest.TableMapping `toml:"tables"`
}

// ProfileNames lists the shipped profiles, sorted.
func ProfileNames() []string {
	entries, _ := profileFiles.ReadDir("profiles")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".toml"))
	}
	slices.Sort(names)
	return names
}

// LoadProfile reads the shipped profile name. An unknown name, a key the
// mapping language does not have, or a mapping that does not validate is
// an error naming it.
func LoadProfile(name string) (ingest.Profile, ProfileInfo, error) {
	b, err := profileFiles.ReadFile(path.Join("profiles", name+".toml"))
	if err != nil {
		return ingest.Profile{}, ProfileInfo{}, fmt.Errorf("profile %q: unknown (known: %s)", name, strings.Join(ProfileNames(), ", "))
	}
	var pf profileFile
	md, err := toml.Decode(string(b), &pf)
	if err != nil {
		return ingest.Profile{}, ProfileInfo{}, fmt.Errorf("profile %s: %w", name, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return ingest.Profile{}, ProfileInfo{}, fmt.Errorf("profile %s: unknown key %s", name, strings.Join(keys, ", "))
	}
	if pf.Profile.Name != name {
		return ingest.Profile{}, ProfileInfo{}, fmt.Errorf("profile %s: [profile] name = %q, want %q", name, pf.Profile.Name, name)
	}
	if err := (&ingest.Mapping{Tables: pf.Tables}).Validate(ingest.Tables()); err != nil {
		return ingest.Profile{}, ProfileInfo{}, fmt.Errorf("profile %s: %w", name, err)
	}
	return ingest.Profile{Name: name, Tables: pf.Tables, Unread: pf.Profile.Unread}, pf.Profile, nil
}

// applyProfiles loads the profiles Profiles names into the mapping, in
// order; a profile named twice is an error.
func (c *Config) applyProfiles() error {
	c.Mapping.Profiles = nil
	var errs []error
	seen := map[string]bool{}
	for _, name := range c.Profiles {
		name = strings.TrimSpace(name)
		if seen[name] {
			errs = append(errs, fmt.Errorf("profiles: %q is named twice", name))
			continue
		}
		seen[name] = true
		p, _, err := LoadProfile(name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		c.Mapping.Profiles = append(c.Mapping.Profiles, p)
	}
	return errors.Join(errs...)
}
