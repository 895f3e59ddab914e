package twiml

import "fmt"

// InterpretAs says how a [SayPart] is read: the interpret-as attribute of SSML's <say-as>. The
// set is closed to the values Twilio lists for <say-as> inside <Say>; [ParseInterpretAs] refuses
// any other. Twilio passes SSML to the voice's engine, so it is heard only with Amazon Polly
// (voice="Polly.…") and Google (voice="Google.…") voices; the others drop the tag and read the
// text as it is.
type InterpretAs string

// The values of [InterpretAs], as the SsmlSayAsInterpretAs type of Twilio's generated SDKs lists
// them (twilio-node, twilio-rust): "characters", not "character".
const (
	AsCharacters InterpretAs = "characters" // spelled letter by letter ("spell-out" is the same)
	AsSpellOut   InterpretAs = "spell-out"
	AsCardinal   InterpretAs = "cardinal" // "1234" as one thousand two hundred thirty-four
	AsNumber     InterpretAs = "number"   // the same as AsCardinal
	AsOrdinal    InterpretAs = "ordinal"  // "3" as third
	AsDigits     InterpretAs = "digits"   // "1234" as one two three four
	AsFraction   InterpretAs = "fraction" // "3/20", "2½"
	AsUnit       InterpretAs = "unit"     // "1meter", "1/2inch"
	AsDate       InterpretAs = "date"     // with a DateFormat saying the order of its parts
	AsTime       InterpretAs = "time"     // minutes and seconds, "1'21\""
	AsAddress    InterpretAs = "address"
	AsExpletive  InterpretAs = "expletive" // bleeped
	AsTelephone  InterpretAs = "telephone" // a 7- or 10-digit number, "2025551212"
)

var interpretAs = []InterpretAs{AsCharacters, AsSpellOut, AsCardinal, AsNumber, AsOrdinal, AsDigits,
	AsFraction, AsUnit, AsDate, AsTime, AsAddress, AsExpletive, AsTelephone}

// DateFormat is the format attribute of a <say-as interpret-as="date">: which parts the date has
// and in what order (d day, m month, y year). The set is closed to the values Twilio lists.
type DateFormat string

// The values of [DateFormat].
const (
	MDY      DateFormat = "mdy"
	DMY      DateFormat = "dmy"
	YMD      DateFormat = "ymd"
	MD       DateFormat = "md"
	DM       DateFormat = "dm"
	YM       DateFormat = "ym"
	MY       DateFormat = "my"
	D        DateFormat = "d"
	M        DateFormat = "m"
	Y        DateFormat = "y"
	YYYYMMDD DateFormat = "yyyymmdd"
)

var dateFormats = []DateFormat{MDY, DMY, YMD, MD, DM, YM, MY, D, M, Y, YYYYMMDD}

// InterpretAsValues returns every value [ParseInterpretAs] accepts, in Twilio's order.
func InterpretAsValues() []string {
	out := make([]string, len(interpretAs))
	for i, v := range interpretAs {
		out[i] = string(v)
	}
	return out
}

// DateFormatValues returns every value [ParseDateFormat] accepts, in Twilio's order.
func DateFormatValues() []string {
	out := make([]string, len(dateFormats))
	for i, v := range dateFormats {
		out[i] = string(v)
	}
	return out
}

// ParseInterpretAs returns s as an [InterpretAs], or false when Twilio does not list it.
func ParseInterpretAs(s string) (InterpretAs, bool) {
	for _, v := range interpretAs {
		if string(v) == s {
			return v, true
		}
	}
	return "", false
}

// ParseDateFormat returns s as a [DateFormat], or false when Twilio does not list it.
func ParseDateFormat(s string) (DateFormat, bool) {
	for _, v := range dateFormats {
		if string(v) == s {
			return v, true
		}
	}
	return "", false
}

// SayPart is one piece of a [Say] built from parts: plain text when As is empty, else
// <say-as interpret-as="As" format="Format">Text</say-as>. Text is escaped either way, so no
// value can add markup; Format is allowed only with As == AsDate.
type SayPart struct {
	Text   string      // Required.
	As     InterpretAs // Optional; empty for plain text.
	Format DateFormat  // Optional; only with AsDate.
}

// checkSayPart reports a part Twilio would refuse or misread.
func checkSayPart(p *SayPart) error {
	if p.Text == "" {
		return problem("Text is required")
	}
	if p.As != "" {
		if _, ok := ParseInterpretAs(string(p.As)); !ok {
			return problem("As " + quote(string(p.As)) + " is not an interpret-as value Twilio lists")
		}
	}
	if p.Format != "" {
		if p.As != AsDate {
			return problem("Format is only for As == AsDate")
		}
		if _, ok := ParseDateFormat(string(p.Format)); !ok {
			return problem("Format " + quote(string(p.Format)) + " is not a date format Twilio lists")
		}
	}
	return nil
}

func quote(s string) string {
	b := append([]byte{'"'}, appendText(nil, s)...)
	return string(append(b, '"'))
}

// appendSayPart appends one part, escaped.
func appendSayPart(dst []byte, p *SayPart) []byte {
	if p.As == "" {
		return appendText(dst, p.Text)
	}
	dst = append(dst, "<say-as"...)
	dst = appendAttr(dst, ` interpret-as="`, string(p.As))
	dst = appendAttr(dst, ` format="`, string(p.Format))
	dst = append(dst, '>')
	dst = appendText(dst, p.Text)
	return appendEndTag(dst, "say-as")
}

// AppendSayPart appends p as a <Say>'s content is written: for a caller that splices parts into
// TwiML rendered earlier (a flow's prompt variables). It refuses a part [Say.Parts] would refuse,
// returning dst unchanged.
func AppendSayPart(dst []byte, p SayPart) ([]byte, error) {
	if err := checkSayPart(&p); err != nil {
		return dst, fmt.Errorf("twiml: SayPart: %s: %w", err, ErrInvalid)
	}
	return appendSayPart(dst, &p), nil
}
