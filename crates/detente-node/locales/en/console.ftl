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
nav-compose = Compose
nav-deadlines = Deadlines and escalations
nav-commitments = Agreements, guarantees and pledges
nav-log = Log and witnesses
nav-responsiveness = Responsiveness
nav-drafts = Drafts from SOC tools

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
state-overdue = OVERDUE: a deadline was missed
state-escalated = ESCALATED: a missed deadline was raised to the next tier
col-due = Next deadline
due-countdown-label = Time left
live-label = New messages appear here as they arrive.
live-arrived = New message: { $kind } from { $party }, { $precedence }.
notify-enable = Sound and notification for FLASH and IMMEDIATE
notify-enabled = FLASH and IMMEDIATE arrivals play a sound and raise a notification.
notify-denied = Notifications are blocked in this browser; arrivals still play a sound.
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
proof-witnessed = Cosigned by the witnesses { $witnesses } in a checkpoint that includes it.
proof-not-witnessed = No witness has cosigned a checkpoint that includes it yet.
thread-whole = The whole thread
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
duration-days = { $n } d
duration-hours = { $n } h
duration-minutes = { $n } min
duration-seconds = { $n } s
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

## Compose
compose-title = Compose
compose-intro = Write to another party. Only the kinds and tiers that the agreement in force and your clearance allow are offered. The message is signed, logged and queued when you send it.
compose-to = To party
compose-kind = Kind
compose-choose = Choose
compose-heading = { $kind } to { $party }
compose-replying-to = Replying to:
compose-from-tier = Speaking for tier
compose-to-tier = To tier
compose-precedence = Precedence
compose-tlp = TLP marking
compose-exercise = Exercise traffic (not a real incident)
compose-stage = Stage
stage-interim = Interim answer
stage-final = Final answer
compose-subject = Subject
compose-text-summary = What happened
compose-text-question = Question
compose-text-description = Description
compose-text-assistance = Assistance wanted
compose-text-agenda = Agenda
compose-text-text = Text
compose-text-note = Note (optional)
compose-stix = STIX 2.1 bundle (optional)
compose-stix-hint = A JSON file with one STIX 2.1 bundle, as your SOC tools export it.
compose-submit = Sign and send
compose-no-peer = This node has no peer to write to yet. The node administrator adds peers with detente peer add.
compose-no-kind = Nothing can be written to { $party } at the tiers you are cleared for under the agreement in force.
reply-link = Reply

## Refusals, next to the field they concern
refused-not-cleared = You are not cleared for the { $tier } tier.
refused-csrf = The form had expired. Reload the page and try again.
refused-unknown-party = { $party } is not a peer of this node.
refused-channel-suspended = The channel with { $party } is suspended: only a channel status message can be sent.
refused-not-a-party = { $party } is not a party to agreement { $agreement }.
refused-tier-not-in-use = Agreement { $agreement } does not use the { $tier } tier.
refused-kind-not-allowed = Under agreement { $agreement }, the { $tier } tier may not send this: { $kind }.
refused-exercises-not-allowed = Agreement { $agreement } does not allow exercise traffic.
refused-invalid-field = This is not accepted:
refused-too-large = This is larger than the node accepts ({ $limit } bytes).
refused-other = Refused:

## Deadlines and escalations
deadlines-page-title = Deadlines and escalations
deadlines-page-intro = Every deadline not met in time, on both sides: missed and escalated first, then late, then open ones, soonest first.
deadlines-page-empty = Every deadline so far was met in time.
deadlines-page-caption = Deadlines not met in time
col-deadline = Deadline
col-escalated = Escalated

## Log and witnesses
log-title = Log and witnesses
log-intro = This node's transparency log: every message sent and received is an entry. Its signed checkpoints are cosigned by the witnesses, and any fork or gap raises an alarm.
log-alarms-raised = { $count } alarm(s) raised. An alarm needs a person's attention: read it below.
log-origin = Log
log-size = Entries
log-witnessed = Witnessed
log-witnessed-yes = Yes: the latest checkpoint meets the witness policy.
log-witnessed-no = Not yet: the latest checkpoint does not meet the witness policy.
log-checkpoint = Latest signed checkpoint
log-empty = The log has no entry yet.
log-cosignatures = Cosignatures
log-no-cosignature = No witness has cosigned this log yet.
log-witness = Witness
log-cosigned-size = Size cosigned
log-covers-latest = Latest checkpoint
log-policy = Witness policy
log-witnessing = Logs this node witnesses
log-witnessing-none = This node has not cosigned any peer's log yet.
log-alarms = Alarms
log-no-alarm = No alarm.
log-evidence = Evidence
yes = yes
no = no
alarm-equivocation = Equivocation: two different trees of one size
alarm-inconsistent-proof = Inconsistent proof
alarm-inconsistent-log = Inconsistent log
alarm-rollback = Rollback
alarm-mismatched-entry = Entry does not match the message
alarm-unknown-entry = Entry for an unknown message
alarm-unlogged-sent = Message sent but not logged

## Agreements, guarantees and pledges
commitments-title = Agreements, guarantees and pledges
commitments-intro = What was signed, and what was in force, on any date. Every signature shown here was verified again against the signer's key.
commitments-at = Status at the start of the day (UTC)
commitments-show = Show
commitments-as-of = As it stood at { $at }.
commitments-agreements = Agreements
commitments-guarantees = Guarantees
commitments-pledges = Pledges
commitments-none = None held here.
col-reference = Reference
col-title = Title
col-text = Text
col-signatures = Signatures
col-signatories = Signatories
col-status = Status
col-evidence = Evidence
signature-at = signed { $at }
signature-done = signed
signature-not-yet = not signed
agreement-in-force-with = In force with { $parties }
agreement-not-in-force = Not in force
guarantee-parties = { $issuer } guarantees to { $beneficiary }
guarantee-state-proposed = Proposed, not yet signed by all
guarantee-state-concluded = Concluded, not yet in effect
guarantee-state-in-force = In force
guarantee-state-withdrawal-notified = Withdrawal notified: in force until the notice ends
guarantee-state-lapsed = Lapsed
pledge-open = Open for signature
pledge-closed = Closed for signature

## Responsiveness
responsiveness-title = Responsiveness
responsiveness-intro = How fast each side answered, quarter by quarter: the figures of detente stats. Exercise traffic is counted apart and left out of the charts. Each quarter's evidence lets anyone recompute its figures offline with detente verify.
responsiveness-with = With party
responsiveness-as-of = Figures as they stand at { $at }.
responsiveness-answers = Answers to messages
responsiveness-answers-chart = Messages answered in time, late and not at all, per quarter, with { $party }
responsiveness-checks = Communication checks
responsiveness-checks-chart = Communication checks answered in time, late and not at all, per quarter, with { $party }
responsiveness-figures = Figures per quarter
responsiveness-rows = Every row of { $quarter }
responsiveness-no-rows = No message in this quarter.
chart-ours = { $quarter } we
chart-theirs = { $quarter } they
col-quarter = Quarter
col-side = Who answered
col-tier = Our tier
side-ours = We, to their messages
side-theirs = They, to ours
side-checks-ours = We, to their checks
side-checks-theirs = They, to our checks
figures-messages = Messages
figures-with-deadline = With a deadline
figures-in-time = In time
figures-late = Late
figures-unanswered = Unanswered
figures-pending = Not yet due

## Drafts from SOC tools
drafts-title = Drafts from SOC tools
drafts-intro = STIX objects your SOC tools posted over TAXII, or an officer pulled from one, waiting for a person: review each, write the notification around it and send it, or discard it. Open drafts come first.
drafts-empty = No draft.
drafts-back = Back to the drafts
col-source = Source
col-objects = STIX objects
col-stix-type = Type
col-stix-id = STIX id
draft-state-open = Open: waiting for review
draft-state-sent = Sent
draft-state-discarded = Discarded
draft-title = Draft
draft-heading = Draft notification for { $party }
draft-decision = Decided
draft-decided = by { $by } at { $at }
draft-sent-as = Sent as message
draft-objects = STIX objects ({ $count })
draft-objects-caption = The objects the notification will carry
draft-bundle = The whole bundle, as received
draft-send-title = Send as a notification
draft-send-intro = Say in a line what happened and what is known. The objects above go with it, signed, as one STIX bundle.
draft-discard = Discard this draft

## Alerts
nav-alerts = Alerts
alerts-title = Alerts
alerts-intro = What must reach a person: each alert goes down the on-call rota until someone acknowledges it. Acknowledging an alert stops the rota; it does not acknowledge the message.
alerts-caption = Alerts, newest first
alerts-empty = No alert.
alerts-col-alert = Alert
alerts-col-state = State
alerts-col-notices = Who was alerted
alerts-col-message = Message
alerts-col-action = Action
alerts-state-open = Open: the rota goes on
alerts-state-unanswered = UNANSWERED: everyone on the rota was alerted
alerts-state-acknowledged = Acknowledged by { $by } ({ $via }) at { $at }
alerts-via-link = link
alerts-via-api = API
alerts-via-console = console
alerts-notice = { $contact } by { $channel }: { $state }
alerts-notice-pending = waiting to be sent
alerts-notice-sent = sent
alerts-notice-failed = given up
alerts-notice-cancelled = not sent (acknowledged first)
alerts-nobody = nobody yet
alerts-message-acknowledged = message acknowledged
alerts-message-open = message NOT acknowledged
alerts-open-message = open the message
alerts-ack = Acknowledge alert
alerts-acknowledged-now = Alert #{ $id } acknowledged. The message it is about is not acknowledged by this.
alert-link-title = Acknowledge an alert
alert-link-intro = This acknowledges the alert, so that nobody else on the rota is alerted. It does not acknowledge the message: do that in the console.
alert-link-submit = Acknowledge the alert
alert-link-done = Alert acknowledged by { $by } at { $at }. Nobody else will be alerted about it.
alert-link-already = This alert was already acknowledged by { $by } at { $at }.
alert-link-invalid = This link is not valid. Use the link exactly as the alert gave it, or acknowledge the alert in the console.
alert-link-console = Open the alerts in the console
