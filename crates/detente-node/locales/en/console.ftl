# The duty officers' console, in English. Every key here is in ru and ar too
# (a test checks it).

app-name = detente hotline
party-node = { $party } node
skip-to-content = Skip to the content

## Languages: each named in its own script, so an officer finds theirs.
language-label = Interface language
language-submit = Switch
language-en = English
language-ru = Русский
language-ar = العربية

## Signing in
sign-in-title = Sign in
sign-in-intro = Sign in with the name and password the node administrator gave you.
sign-in-name = Officer name
sign-in-password = Password
sign-in-submit = Sign in
sign-in-wrong = The name or the password is wrong. Check both: names are case-sensitive.
sign-in-locked = Too many wrong passwords for this name. Sign-in is locked until { $until }.
sign-in-ended = Your session has ended. Sign in again.
sign-in-signed-out = You are signed out.
sign-in-csrf = The form had expired. Please try again.
signed-in-as = Signed in as { $name }
cleared-for = Cleared for: { $tiers }
sign-out = Sign out

## Navigation
nav-label = Console sections
nav-inbox = Inbox

## Inbox
inbox-title = Inbox
inbox-intro = Received and sent messages of the tiers you are cleared for, newest first.
inbox-empty = No messages yet.
inbox-caption = Messages
col-when = Created
col-direction = Direction
col-counterparty = Party
col-kind = Kind
col-precedence = Precedence
col-headline = Subject
col-state = State
col-tlp = TLP
direction-sent = Sent to
direction-received = Received from
state-queued = Queued, not yet delivered
state-delivered = Delivered, receipt verified
state-received = Received, receipt sent
state-acknowledged = Acknowledged
exercise = EXERCISE
exercise-banner = EXERCISE TRAFFIC — not a real incident

## Precedence: a word as well as a colour.
precedence-flash = FLASH
precedence-immediate = IMMEDIATE
precedence-priority = PRIORITY
precedence-routine = ROUTINE

## Tiers
tier-technical = technical
tier-operational = operational
tier-policy = policy
tier-leadership = leadership

## Message kinds
kind-notification = Incident notification
kind-request-information = Request for information
kind-request-assistance = Request for assistance
kind-acknowledgement = Acknowledgement
kind-reply = Reply
kind-consultation-request = Request for consultation
kind-goodwill = Goodwill message
kind-ping = Communication check
kind-pong = Answer to a communication check
kind-contact-update = Contact update
kind-channel-status = Channel status
kind-guarantee-propose = Guarantee proposed
kind-guarantee-sign = Guarantee signed
kind-guarantee-withdraw = Guarantee withdrawn from
kind-pledge-sign = Pledge signed
kind-pledge-withdraw = Pledge withdrawn from
kind-escalation = Escalation
kind-agreement-propose = Agreement proposed
kind-agreement-sign = Agreement signed

## One message and its proof
thread-title = Message
back-to-inbox = Back to the inbox
field-kind = Kind
field-precedence = Precedence
field-from = From
field-to = To
field-created = Created
field-recorded = Recorded here
field-tlp = TLP
field-state = State
field-summary = Text
field-id = Message id
tier-of-party = { $party }, { $tier } tier
proof-title = Proof
proof-receipt-verified = Receipt signed by { $party }: verified.
proof-receipt-unverified = Receipt signed by { $party }: NOT verified ({ $problem }).
proof-no-receipt = No receipt yet: not delivered.
proof-received-at = Received by the recipient at { $at }.
proof-logged = Logged as entry { $index } of { $origin }, proven in its signed checkpoint of size { $size }.
proof-our-log = Entry { $index } of this node's log.
proof-delivery = Delivery attempts: { $attempts }. Last error: { $error }
deadlines-title = Deadlines
deadlines-none = No deadline under the agreement.
deadline-acknowledge = Acknowledge
deadline-reply = Reply
deadline-check = Answer the check
deadline-due = due { $at }
deadline-pending = open
deadline-in-time = met in time
deadline-late = met late, by { $by }
deadline-missed = missed
deadline-escalated = escalated to: { $tiers }
ack-title = Acknowledge
ack-intro = Tell the sender a person has seen this message. An acknowledgement is a signed message of its own.
ack-note = Note (optional)
ack-submit = Acknowledge
ack-done = Acknowledged by message { $id } at { $at }.
ack-refused = Not acknowledged: { $why }
export-title = Evidence
export-intro = Download the evidence bundle of this thread, which detente verify checks offline.
export-link = Export evidence
