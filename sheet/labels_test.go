package sheet

import (
	"reflect"
	"testing"

	"github.com/mfpcheck/mfpcheck/diag/i18n"
)

// TestEveryLabelInTable checks that each of the sheet's labels has its key
// in the one label table, in every language.
func TestEveryLabelInTable(t *testing.T) {
	tab, err := i18n.Table()
	if err != nil {
		t.Fatal(err)
	}
	typ := reflect.TypeOf(ui{})
	for i := range typ.NumField() {
		f := typ.Field(i)
		if f.Type.Kind() != reflect.String {
			continue
		}
		key, ok := sharedLabels[f.Name]
		if !ok {
			key = "sheet." + snake(f.Name)
		}
		for _, lang := range i18n.Langs {
			if _, ok := tab[lang][key]; !ok {
				t.Errorf("%s: field %s: no label %q", lang, f.Name, key)
			}
		}
	}
	if u := uiFor("de"); u.Title != "Netzwerkstatusblatt — E-Mail" || u.VerdictError != "ABBRUCH" {
		t.Errorf("de: %q %q", u.Title, u.VerdictError)
	}
}
