package main

import "encoding/json"

// emitJSON prints v as indented JSON on stdout: ExitOK, or ExitError
// (with cmd's error line) when it cannot be written.
func (a *app) emitJSON(cmd string, v any) int {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		a.errorf("%s: %v", cmd, err)
		return ExitError
	}
	return ExitOK
}

// langFlagOK reports whether a --lang value may be used (empty: from the
// environment); when not, it says so with cmd's error and hint lines.
func (a *app) langFlagOK(cmd, lang string) bool {
	if lang != "" && !knownLang(lang) {
		a.errorf("%s: unknown language %q", cmd, lang)
		a.hintf("use en, de or fr")
		return false
	}
	return true
}
