package joined_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/switchboard-ivr/switchboard/internal/joined"
)

func TestSplitUndoesJoinAtEveryDepth(t *testing.T) {
	a, b, c := errors.New("a"), errors.New("b"), errors.New("c")
	wrapped := fmt.Errorf("wrapped: %w", c) // one error, kept whole
	for _, tt := range []struct {
		name  string
		given error
		want  []error
	}{
		{"nil is nothing", nil, nil},
		{"a single error stands alone", a, []error{a}},
		{"a join gives its parts", errors.Join(a, b), []error{a, b}},
		{"a nested join is flattened in order", errors.Join(a, errors.Join(b, wrapped)), []error{a, b, wrapped}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := joined.Split(tt.given); !slices.Equal(got, tt.want) {
				t.Errorf("Split = %v, want %v", got, tt.want)
			}
		})
	}
}

func ExampleSplit() {
	err := errors.Join(errors.New("flow.yaml:3:5: unknown key"), errors.Join(errors.New("policy.csv:2: bad line")))
	for _, e := range joined.Split(err) {
		fmt.Println(e)
	}
	// Output:
	// flow.yaml:3:5: unknown key
	// policy.csv:2: bad line
}
