package lang

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gbt-project/gbt/lang/ast"
)

// Settings are the configuration values gbt applies to a run, from the
// script's config block and the BPFTRACE_* environment variables; the
// environment wins, so that an operator can override what a script says
// without editing it.
type Settings struct {
	MaxStrLen       int  // max_strlen: string size including the NUL (default 64)
	MaxMapKeys      int  // max_map_keys: keys per map (default 4096)
	PerfRbPages     int  // perf_rb_pages: ring buffer size in 4 KiB pages (default 256, 1 MiB)
	PrintMapsOnExit bool // print_maps_on_exit: print every map at exit (default true)
}

// DefaultSettings are bpftrace's defaults.
var DefaultSettings = Settings{MaxStrLen: 64, MaxMapKeys: 4096, PerfRbPages: 256, PrintMapsOnExit: true}

// MaxStrLenLimit is the largest max_strlen gbt accepts.
const MaxStrLenLimit = 1024

// setting describes one config key that gbt applies: its environment
// variables (current and older bpftrace spellings) and how to set it.
type setting struct {
	env []string
	set func(s *Settings, v configValue) error
}

// configValue is a config value, from the script or the environment.
type configValue struct {
	text  string
	num   int64
	isNum bool
}

func (v configValue) int(lo, hi int64) (int, error) {
	if !v.isNum {
		return 0, fmt.Errorf("expects an integer, not %q", v.text)
	}
	if v.num < lo || v.num > hi {
		return 0, fmt.Errorf("must be between %d and %d, not %d", lo, hi, v.num)
	}
	return int(v.num), nil
}

func (v configValue) bool() (bool, error) {
	switch {
	case v.isNum && (v.num == 0 || v.num == 1):
		return v.num == 1, nil
	case v.text == "true", v.text == "false":
		return v.text == "true", nil
	}
	return false, fmt.Errorf("expects true or false, not %q", v.text)
}

var settings = map[string]setting{
	"max_strlen": {env: []string{"BPFTRACE_MAX_STRLEN", "BPFTRACE_STRLEN"},
		set: func(s *Settings, v configValue) (err error) {
			s.MaxStrLen, err = v.int(1, MaxStrLenLimit)
			return err
		}},
	"max_map_keys": {env: []string{"BPFTRACE_MAX_MAP_KEYS", "BPFTRACE_MAP_KEYS_MAX"},
		set: func(s *Settings, v configValue) (err error) {
			s.MaxMapKeys, err = v.int(1, 1<<24)
			return err
		}},
	"perf_rb_pages": {env: []string{"BPFTRACE_PERF_RB_PAGES"},
		set: func(s *Settings, v configValue) (err error) {
			s.PerfRbPages, err = v.int(1, 1<<18)
			return err
		}},
	"print_maps_on_exit": {env: []string{"BPFTRACE_PRINT_MAPS_ON_EXIT"},
		set: func(s *Settings, v configValue) (err error) {
			s.PrintMapsOnExit, err = v.bool()
			return err
		}},
}

// ResolveSettings returns the settings of prog: the defaults, then the
// config block, then the environment (getenv may be nil). Bad values in
// the config block are positioned diagnostics (an ast.ErrorList); bad
// environment values are plain errors naming the variable.
func ResolveSettings(prog *ast.Program, getenv func(string) string) (Settings, error) {
	s := DefaultSettings
	var errs ast.ErrorList
	if prog != nil && prog.Config != nil {
		for _, item := range prog.Config.Items {
			st, ok := settings[configKey(item.Key)]
			if !ok || item.Value == nil {
				continue
			}
			if err := apply(&s, st, literalConfig(item.Value)); err != nil {
				errs.Add(prog.File, item, "%s %v", item.Key, err)
			}
		}
	}
	if err := errs.Err(); err != nil {
		return s, err
	}
	if getenv == nil {
		return s, nil
	}
	for _, key := range sortedKeys(settingsKeys()) {
		for _, name := range settings[key].env {
			text := strings.TrimSpace(getenv(name))
			if text == "" {
				continue
			}
			v := configValue{text: text}
			if n, err := strconv.ParseInt(text, 0, 64); err == nil {
				v.num, v.isNum = n, true
			}
			if err := apply(&s, settings[key], v); err != nil {
				return s, fmt.Errorf("%s %v", name, err)
			}
			break
		}
	}
	return s, nil
}

// apply sets one value, leaving s as it was when the value is bad.
func apply(s *Settings, st setting, v configValue) error {
	t := *s
	if err := st.set(&t, v); err != nil {
		return err
	}
	*s = t
	return nil
}

func settingsKeys() map[string]bool {
	keys := map[string]bool{}
	for k := range settings {
		keys[k] = true
	}
	return keys
}

// configKey normalizes a config block key: case-insensitive, with an
// optional BPFTRACE_ prefix.
func configKey(k string) string {
	return strings.TrimPrefix(strings.ToLower(k), "bpftrace_")
}

// literalConfig reads a config block value.
func literalConfig(e ast.Expr) configValue {
	switch x := e.(type) {
	case *ast.IntLit:
		return configValue{text: strconv.FormatUint(x.Value, 10), num: int64(min(x.Value, 1<<62)), isNum: true}
	case *ast.BoolLit:
		if x.Value {
			return configValue{text: "true", num: 1, isNum: true}
		}
		return configValue{text: "false", num: 0, isNum: true}
	case *ast.StrLit:
		return configValue{text: x.Value}
	case *ast.Ident:
		return configValue{text: x.Name}
	}
	return configValue{}
}
