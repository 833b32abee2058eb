package profile

import (
	"bytes"
	"fmt"

	"github.com/mfpcheck/mfpcheck/diag/safefile"
	"go.yaml.in/yaml/v3"
)

// SetProfileClientID writes id into the profile file's oauth.client_id,
// keeping every other key and its comments, and validates the result
// before it replaces the file (atomically, keeping its mode), so a profile
// that did not parse before is never touched.
func SetClientID(path, id string) error {
	data, fi, err := safefile.ReadFile(path, MaxProfileSize)
	if err != nil {
		return err
	}
	if p, err := Parse(path, data); err != nil {
		return err
	} else if p.OAuth.ClientID == id {
		return nil // already there: nothing to write, the .bak keeps the file before the first change
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return fmt.Errorf("%s: not a profile mapping", path)
	}
	root := doc.Content[0]
	oauth := mappingValue(root, "oauth")
	if oauth == nil {
		oauth = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "oauth"}, oauth)
	}
	if v := mappingValue(oauth, "client_id"); v != nil {
		v.Value, v.Tag, v.Style = id, "!!str", 0
	} else {
		oauth.Content = append(oauth.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "client_id"},
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: id})
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	p, err := Parse(path, out.Bytes())
	if err != nil || p.OAuth.ClientID != id {
		return fmt.Errorf("%s: the edited profile does not read back (%v); the file was left as it was", path, err)
	}
	// The profile as it was is kept beside it, as login keeps a token file.
	if err := safefile.WriteFileAtomic(path+".bak", data, fi.Mode().Perm()); err != nil {
		return err
	}
	return safefile.WriteFileAtomic(path, out.Bytes(), fi.Mode().Perm())
}

// mappingValue is the value node of key in mapping n, or nil.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
