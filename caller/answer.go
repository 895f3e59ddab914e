package caller

// An Answer is what the caller does while a <Gather> listens: press keys, say words, stay
// silent or hang up. The zero Answer is silence.
type Answer struct {
	kind answerKind
	text string
}

type answerKind uint8

const (
	silence answerKind = iota
	press
	say
	hangUp
)

// Press returns the answer of pressing digits, such as "1" or "0101#". The Gather keeps them up
// to its finishOnKey or its numDigits, as Twilio does. Pressing nothing is [Silence].
func Press(digits string) Answer {
	if digits == "" {
		return Answer{}
	}
	return Answer{kind: press, text: digits}
}

// Say returns the answer of saying words. Only a Gather whose input includes speech hears it.
func Say(words string) Answer {
	if words == "" {
		return Answer{}
	}
	return Answer{kind: say, text: words}
}

// Silence returns the answer of saying nothing: as on Twilio, the call goes on with the verb
// after the Gather, unless the Gather has actionOnEmptyResult.
func Silence() Answer { return Answer{} }

// HangUp returns the answer of hanging up while the Gather listens: the call ends there, and no
// further request is made.
func HangUp() Answer { return Answer{kind: hangUp} }

// An Answerer answers the Gathers left once a [Call]'s Answers have run out, such as a person
// at a keyboard.
type Answerer interface {
	// Answer returns the answer to the next Gather; [Silence] when it has none.
	Answer() Answer
}
