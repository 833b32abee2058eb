package batch

import (
	"bytes"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The prometheus/common expfmt parser cannot be imported here: its
// dependencies (client_model, goautoneg) are not in go.sum. So this file
// carries a strict reader of the OpenMetrics text format (the parts the
// renderer uses: gauge families with HELP/TYPE, labelled samples, # EOF),
// and also runs promtool when it is installed.

type sample struct {
	labels map[string]string
	value  float64
}

var (
	omName  = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)
	omLabel = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
)

// parseOpenMetrics reads an exposition and fails on anything the
// OpenMetrics 1.0 text format does not allow for gauges.
func parseOpenMetrics(text string) (map[string][]sample, error) {
	if !strings.HasSuffix(text, "# EOF\n") {
		return nil, fmt.Errorf("does not end with \"# EOF\\n\"")
	}
	lines := strings.Split(strings.TrimSuffix(text, "# EOF\n"), "\n")
	if lines[len(lines)-1] != "" {
		return nil, fmt.Errorf("last line before # EOF has no newline")
	}
	lines = lines[:len(lines)-1]
	out := map[string][]sample{}
	done := map[string]bool{}
	cur, typed := "", false
	seen := map[string]bool{}
	for n, line := range lines {
		n++
		switch {
		case line == "":
			return nil, fmt.Errorf("line %d: empty line", n)
		case strings.HasPrefix(line, "# HELP "):
			name, _, _ := strings.Cut(strings.TrimPrefix(line, "# HELP "), " ")
			if done[name] {
				return nil, fmt.Errorf("line %d: family %s is not contiguous", n, name)
			}
			if cur != "" {
				done[cur] = true
			}
			cur, typed = name, false
			if !omName.MatchString(name) {
				return nil, fmt.Errorf("line %d: bad metric name %q", n, name)
			}
		case strings.HasPrefix(line, "# TYPE "):
			f := strings.Fields(strings.TrimPrefix(line, "# TYPE "))
			if len(f) != 2 || f[0] != cur || f[1] != "gauge" {
				return nil, fmt.Errorf("line %d: TYPE %q does not follow its HELP or is not gauge", n, line)
			}
			typed = true
		case strings.HasPrefix(line, "#"):
			return nil, fmt.Errorf("line %d: stray comment %q", n, line)
		default:
			name, labels, value, err := parseSample(line)
			if err != nil {
				return nil, fmt.Errorf("line %d: %v", n, err)
			}
			if name != cur || !typed {
				return nil, fmt.Errorf("line %d: sample of %s outside its family", n, name)
			}
			key := name + fmt.Sprint(labels)
			if seen[key] {
				return nil, fmt.Errorf("line %d: duplicate sample %s", n, key)
			}
			seen[key] = true
			out[name] = append(out[name], sample{labels, value})
		}
	}
	return out, nil
}

func parseSample(line string) (string, map[string]string, float64, error) {
	labels := map[string]string{}
	i := strings.IndexAny(line, "{ ")
	if i < 0 {
		return "", nil, 0, fmt.Errorf("no value in %q", line)
	}
	name, rest := line[:i], line[i:]
	if !omName.MatchString(name) {
		return "", nil, 0, fmt.Errorf("bad name %q", name)
	}
	if strings.HasPrefix(rest, "{") {
		rest = rest[1:]
		for {
			eq := strings.Index(rest, `="`)
			if eq < 0 {
				return "", nil, 0, fmt.Errorf("bad label set in %q", line)
			}
			lname := rest[:eq]
			if !omLabel.MatchString(lname) {
				return "", nil, 0, fmt.Errorf("bad label name %q", lname)
			}
			rest = rest[eq+2:]
			var v strings.Builder
			for {
				if rest == "" {
					return "", nil, 0, fmt.Errorf("unterminated label value in %q", line)
				}
				c := rest[0]
				rest = rest[1:]
				if c == '"' {
					break
				}
				if c == '\n' {
					return "", nil, 0, fmt.Errorf("raw newline in label value")
				}
				if c == '\\' {
					if rest == "" {
						return "", nil, 0, fmt.Errorf("bad escape")
					}
					switch rest[0] {
					case '\\':
						v.WriteByte('\\')
					case '"':
						v.WriteByte('"')
					case 'n':
						v.WriteByte('\n')
					default:
						return "", nil, 0, fmt.Errorf("bad escape \\%c", rest[0])
					}
					rest = rest[1:]
					continue
				}
				v.WriteByte(c)
			}
			if _, dup := labels[lname]; dup {
				return "", nil, 0, fmt.Errorf("label %s twice", lname)
			}
			labels[lname] = v.String()
			if strings.HasPrefix(rest, ",") {
				rest = rest[1:]
				continue
			}
			if !strings.HasPrefix(rest, "}") {
				return "", nil, 0, fmt.Errorf("bad label set in %q", line)
			}
			rest = rest[1:]
			break
		}
	}
	if !strings.HasPrefix(rest, " ") || strings.Contains(rest[1:], " ") {
		return "", nil, 0, fmt.Errorf("want exactly one value after the name in %q", line)
	}
	v, err := strconv.ParseFloat(rest[1:], 64)
	if err != nil {
		return "", nil, 0, fmt.Errorf("bad value in %q", line)
	}
	return name, labels, v, nil
}

// promtoolCheck runs "promtool check metrics" on the exposition when
// promtool is installed (Debian: apt-get install prometheus).
func promtoolCheck(t *testing.T, text string) {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		t.Log("promtool not installed; checked with the built-in OpenMetrics reader only")
		return
	}
	cmd := exec.Command(path, "check", "metrics")
	cmd.Stdin = strings.NewReader(text)
	var outb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &outb, &outb
	err = cmd.Run()
	// The lint asks for base units; the days/minutes gauges are named so on
	// purpose (what a technician reads on a dashboard), and that is the
	// only complaint allowed. A parse error fails.
	for _, line := range strings.Split(strings.TrimSpace(outb.String()), "\n") {
		if line != "" && !promBaseUnitLint.MatchString(line) {
			t.Fatalf("promtool check metrics: %v\n%s", err, outb.String())
		}
	}
}

var promBaseUnitLint = regexp.MustCompile(`^mfpcheck_(token_refresh_days_left|token_access_minutes_left|certificate_days_left) use base unit "seconds" instead of "(days|minutes)"$`)

func TestParseOpenMetricsRejects(t *testing.T) {
	for _, bad := range []string{
		"# HELP a x\n# TYPE a gauge\na 1\n",                                    // no EOF
		"# HELP a x\n# TYPE a gauge\na{x=\"1\"} 1\na{x=\"1\"} 2\n# EOF\n",      // duplicate
		"# HELP a x\n# TYPE a gauge\na{x=\"\\q\"} 1\n# EOF\n",                  // bad escape
		"# HELP a x\n# TYPE a gauge\n# HELP b x\n# TYPE b gauge\na 1\n# EOF\n", // not contiguous
		"a 1\n# EOF\n", // no TYPE
	} {
		if _, err := parseOpenMetrics(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}
