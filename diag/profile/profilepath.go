package profile

import (
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/mfpcheck/mfpcheck/diag/suggest"
)

// keyAt finds the mapping key on line (the key itself or its value there)
// and returns its dotted path ("smtp.securty") and the path of the mapping
// that holds it ("smtp"); ok is false when no key is on that line.
func keyAt(n *yaml.Node, line int, prefix string) (path, parent string, ok bool) {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			if p, par, ok := keyAt(c, line, prefix); ok {
				return p, par, true
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if prefix != "" {
				p = prefix + "." + k.Value
			}
			if k.Line == line || (v.Kind == yaml.ScalarNode && v.Line == line) {
				return p, prefix, true
			}
			if sp, par, ok := keyAt(v, line, p); ok {
				return sp, par, true
			}
		}
	}
	return "", "", false
}

// profileKeys lists the keys a profile takes at a dotted path ("" is the
// top level), from the yaml tags of Profile.
func profileKeys(path string) []string {
	t := reflect.TypeOf(Profile{})
	if path != "" {
		for _, part := range strings.Split(path, ".") {
			f, ok := fieldByTag(t, part)
			if !ok {
				return nil
			}
			t = f.Type
			for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
				t = t.Elem()
			}
		}
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	var keys []string
	for i := range t.NumField() {
		if name := tagName(t.Field(i)); name != "" {
			keys = append(keys, name)
		}
	}
	return keys
}

func fieldByTag(t reflect.Type, name string) (reflect.StructField, bool) {
	if t.Kind() != reflect.Struct {
		return reflect.StructField{}, false
	}
	for i := range t.NumField() {
		if tagName(t.Field(i)) == name {
			return t.Field(i), true
		}
	}
	return reflect.StructField{}, false
}

func tagName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "-" {
		return ""
	}
	return name
}

// unknownKeyMsg is the message for an unknown key at path, with the
// closest known keys of its mapping.
func unknownKeyMsg(parent, key string) string {
	msg := "unknown key (not a profile field)"
	if h := suggest.Hint(key, profileKeys(parent)); h != "" {
		msg += "; " + h
	}
	return msg
}
