package caller

import "testing"

func TestKeypadCollectsDigitsAsAGatherDoes(t *testing.T) {
	tests := []struct {
		pressed, finish string
		numDigits       int
		digits, key     string
	}{
		{"0101#", "#", 0, "0101", "#"},
		{"0101", "#", 4, "0101", ""},
		{"12", "#", 1, "1", ""},
		{"1#", "#", 1, "1", ""},
		{"#", "#", 0, "", "#"},
		{"12*9", "*#", 0, "12", "*"},
		{"12#", "", 0, "12#", ""},
	}
	for _, tt := range tests {
		if digits, key := keypad(tt.pressed, tt.finish, tt.numDigits); digits != tt.digits || key != tt.key {
			t.Errorf("keypad(%q, %q, %d) = %q, %q; want %q, %q", tt.pressed, tt.finish, tt.numDigits, digits, key, tt.digits, tt.key)
		}
	}
}
