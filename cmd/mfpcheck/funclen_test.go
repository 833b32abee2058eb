package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// maxLogicLines is how long a function of main may be: main is wiring
// (parse options, call into diag, pick a renderer, map the error to an
// exit code), and wiring that needs more than this is logic that belongs
// in a package of its own.
const maxLogicLines = 40

// longFuncs are the functions that were longer when the rule came in,
// with their length then plus 10 lines of room for the features that were
// being written at the time. They may shrink, not grow past that; once
// one is at or under maxLogicLines, take it off the list. New functions get no
// entry: split them, or move their logic into diag/…, sheet/ or tui/.
var longFuncs = map[string]int{}

// logicLines counts the lines of fn's body that hold code: every line
// between the braces except blank lines, lines that are only a comment
// (// or /* … */), and the lines of flag declarations (a statement
// fs.XxxVar(…) or fs.XxxFunc(…) on the command's FlagSet: declarations
// of data, not logic). Function literals count toward the function
// they are written in.
func logicLines(fset *token.FileSet, src []string, fn *ast.FuncDecl) int {
	skip := map[int]bool{}
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		es, ok := n.(*ast.ExprStmt)
		if !ok {
			return true
		}
		call, ok := es.X.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if id, isIdent := sel.X.(*ast.Ident); isIdent && id.Name == "fs" &&
			(strings.HasSuffix(sel.Sel.Name, "Var") || strings.HasSuffix(sel.Sel.Name, "Func")) {
			for l := fset.Position(es.Pos()).Line; l <= fset.Position(es.End()).Line; l++ {
				skip[l] = true
			}
		}
		return true
	})
	first, last := fset.Position(fn.Body.Lbrace).Line, fset.Position(fn.Body.Rbrace).Line
	n, inComment := 0, false
	for l := first + 1; l < last; l++ {
		t := strings.TrimSpace(src[l-1])
		switch {
		case inComment:
			inComment = !strings.Contains(t, "*/")
		case strings.HasPrefix(t, "/*"):
			inComment = !strings.Contains(t, "*/")
		case t == "", strings.HasPrefix(t, "//"), skip[l]:
		default:
			n++
		}
	}
	return n
}

// TestMainIsWiring fails when a function in cmd/mfpcheck's non-test files
// has more than maxLogicLines lines of logic (see logicLines), or one of
// longFuncs grew.
func TestMainIsWiring(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	var over []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, data, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		src := strings.Split(string(data), "\n")
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			checked++
			n := logicLines(fset, src, fn)
			limit, listed := longFuncs[fn.Name.Name]
			if !listed {
				limit = maxLogicLines
			}
			if n > limit {
				over = append(over, fmt.Sprintf("%s: %s has %d lines of logic, at most %d", name, fn.Name.Name, n, limit))
			}
			if listed && n <= maxLogicLines {
				t.Logf("%s: %s is down to %d lines: take it off longFuncs", name, fn.Name.Name, n)
			}
		}
	}
	if checked < 50 {
		t.Fatalf("only %d functions found: is the test running in cmd/mfpcheck?", checked)
	}
	sort.Strings(over)
	for _, o := range over {
		t.Errorf("%s: main is wiring; move the logic into a package (diag/…, sheet, tui) or split the function", o)
	}
}
