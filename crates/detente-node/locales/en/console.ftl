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
