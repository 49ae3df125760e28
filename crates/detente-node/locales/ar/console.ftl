# وحدة تحكم ضباط المناوبة، بالعربية.

app-name = الخط الساخن detente
party-node = عقدة { $party }
skip-to-content = انتقل إلى المحتوى

## اللغات: كل لغة باسمها في لغتها.
language-label = لغة الواجهة
language-submit = تغيير
language-en = English
language-ru = Русский
language-ar = العربية

## تسجيل الدخول
sign-in-title = تسجيل الدخول
sign-in-intro = سجّل الدخول بالاسم وكلمة المرور اللذين أعطاك إياهما مدير العقدة.
sign-in-name = اسم الضابط
sign-in-password = كلمة المرور
sign-in-submit = دخول
sign-in-wrong = الاسم أو كلمة المرور غير صحيح. تحقق من كليهما: الأسماء تميّز حالة الأحرف.
sign-in-locked = محاولات خاطئة كثيرة لهذا الاسم. الدخول مقفل حتى { $until }.
sign-in-ended = انتهت جلستك. سجّل الدخول مرة أخرى.
sign-in-signed-out = لقد سجّلت الخروج.
sign-in-csrf = انتهت صلاحية النموذج. حاول مرة أخرى.
signed-in-as = مسجّل الدخول باسم { $name }
cleared-for = التصريح: { $tiers }
sign-out = تسجيل الخروج

## التنقل
nav-label = أقسام وحدة التحكم
nav-inbox = الرسائل
nav-compose = كتابة رسالة
nav-deadlines = المواعيد النهائية والتصعيد
nav-commitments = الاتفاقات والضمانات والتعهدات
nav-log = السجل والشهود
nav-responsiveness = سرعة الاستجابة
nav-drafts = مسودات أدوات مركز العمليات الأمنية

## الرسائل
inbox-title = الرسائل
inbox-intro = الرسائل الواردة والصادرة للمستويات المصرّح لك بها، الأحدث أولاً.
inbox-empty = لا توجد رسائل بعد.
inbox-caption = الرسائل
col-when = أُنشئت
col-direction = الاتجاه
col-counterparty = الطرف
col-kind = النوع
col-precedence = الأولوية
col-headline = الموضوع
col-state = الحالة
col-tlp = TLP
direction-sent = مُرسلة إلى
direction-received = واردة من
state-queued = في قائمة الانتظار، لم تُسلَّم بعد
state-delivered = سُلّمت، وتم التحقق من الإيصال
state-received = استُلمت، وأُرسل الإيصال
state-acknowledged = تم الإقرار بها
state-overdue = متأخرة: فات موعد نهائي
state-escalated = مُصعَّدة: رُفع موعد فائت إلى المستوى التالي
col-due = الموعد النهائي التالي
due-countdown-label = الوقت المتبقي
live-label = تظهر الرسائل الجديدة هنا فور وصولها.
live-arrived = رسالة جديدة: { $kind } من { $party }، { $precedence }.
notify-enable = صوت وإشعار لرسائل FLASH و IMMEDIATE
notify-enabled = عند وصول رسالة FLASH أو IMMEDIATE يصدر صوت ويظهر إشعار.
notify-denied = الإشعارات محظورة في هذا المتصفح؛ ويصدر صوت عند الوصول.
exercise = تمرين
exercise-banner = حركة تمرين — ليست حادثة حقيقية

## الأولوية: كلمة ولون.
precedence-flash = برق
precedence-immediate = فوري
precedence-priority = أولوية
precedence-routine = عادي

## المستويات
tier-technical = تقني
tier-operational = تشغيلي
tier-policy = سياسي
tier-leadership = القيادة

## أنواع الرسائل
kind-notification = إشعار بحادثة
kind-request-information = طلب معلومات
kind-request-assistance = طلب مساعدة
kind-acknowledgement = إقرار بالاستلام
kind-reply = رد
kind-consultation-request = طلب تشاور
kind-goodwill = رسالة حسن نية
kind-ping = فحص الاتصال
kind-pong = رد على فحص الاتصال
kind-contact-update = تحديث جهات الاتصال
kind-channel-status = حالة القناة
kind-guarantee-propose = اقتراح ضمان
kind-guarantee-sign = توقيع ضمان
kind-guarantee-withdraw = الانسحاب من ضمان
kind-pledge-sign = توقيع تعهد
kind-pledge-withdraw = الانسحاب من تعهد
kind-escalation = تصعيد
kind-agreement-propose = اقتراح اتفاق
kind-agreement-sign = توقيع اتفاق

## رسالة وإثباتها
thread-title = رسالة
back-to-inbox = العودة إلى الرسائل
field-kind = النوع
field-precedence = الأولوية
field-from = من
field-to = إلى
field-created = أُنشئت
field-recorded = سُجّلت هنا
field-tlp = TLP
field-state = الحالة
field-summary = النص
field-id = معرّف الرسالة
tier-of-party = { $party }، المستوى: { $tier }
proof-title = الإثبات
proof-receipt-verified = إيصال موقّع من { $party }: تم التحقق منه.
proof-receipt-unverified = إيصال موقّع من { $party }: لم يتم التحقق منه ({ $problem }).
proof-no-receipt = لا يوجد إيصال بعد: لم تُسلَّم.
proof-received-at = استلمها المرسَل إليه في { $at }.
proof-logged = سُجّلت كالمدخل { $index } في { $origin }، وثبت إدراجها في نقطة التحقق الموقّعة بحجم { $size }.
proof-our-log = المدخل { $index } في سجل هذه العقدة.
proof-witnessed = صادق عليه الشهود { $witnesses } في نقطة تحقق تتضمنه.
proof-not-witnessed = لم يصادق أي شاهد بعد على نقطة تحقق تتضمنه.
thread-whole = السلسلة كاملة
proof-delivery = محاولات التسليم: { $attempts }. آخر خطأ: { $error }
deadlines-title = المواعيد النهائية
deadlines-none = لا موعد نهائي بموجب الاتفاق.
deadline-acknowledge = الإقرار بالاستلام
deadline-reply = الرد
deadline-check = الرد على فحص الاتصال
deadline-due = حتى { $at }
deadline-pending = مفتوح
deadline-in-time = استُوفي في الوقت
deadline-late = استُوفي متأخراً بمقدار { $by }
duration-days = { $n } يوم
duration-hours = { $n } ساعة
duration-minutes = { $n } دقيقة
duration-seconds = { $n } ثانية
deadline-missed = فات
deadline-escalated = صُعّد إلى: { $tiers }
ack-title = الإقرار
ack-intro = أبلغ المرسِل بأن شخصاً اطّلع على هذه الرسالة. الإقرار رسالة موقّعة مستقلة.
ack-note = ملاحظة (اختيارية)
ack-submit = إقرار
ack-done = تم الإقرار بالرسالة { $id } في { $at }.
ack-refused = لم يتم الإقرار: { $why }
export-title = الأدلة
export-intro = نزّل حزمة الأدلة لهذه المراسلة، ويتحقق منها detente verify دون اتصال.
export-link = تصدير الأدلة

## Compose
compose-title = كتابة رسالة
compose-intro = اكتب إلى طرف آخر. لا تُعرض إلا الأنواع والمستويات التي يسمح بها الاتفاق النافذ وتصريحك. عند الإرسال تُوقَّع الرسالة وتُسجَّل وتوضع في قائمة الانتظار.
compose-to = إلى الطرف
compose-kind = النوع
compose-choose = اختيار
compose-heading = { $kind } إلى { $party }
compose-replying-to = ردًا على:
compose-from-tier = باسم المستوى
compose-to-tier = إلى المستوى
compose-precedence = الأولوية
compose-tlp = تصنيف TLP
compose-exercise = حركة تمرين (ليست حادثًا حقيقيًا)
compose-stage = المرحلة
stage-interim = رد مؤقت
stage-final = رد نهائي
compose-subject = الموضوع
compose-text-summary = ماذا حدث
compose-text-question = السؤال
compose-text-description = الوصف
compose-text-assistance = المساعدة المطلوبة
compose-text-agenda = جدول الأعمال
compose-text-text = النص
compose-text-note = ملاحظة (اختيارية)
compose-stix = حزمة STIX 2.1 (اختيارية)
compose-stix-hint = ملف JSON يحتوي حزمة STIX 2.1 واحدة كما تصدّرها أدوات مركز العمليات الأمنية.
compose-submit = توقيع وإرسال
compose-no-peer = لا يوجد لهذه العقدة طرف للمراسلة بعد. يضيف مسؤول العقدة الأطراف بالأمر detente peer add.
compose-no-kind = لا يمكن إرسال شيء إلى { $party } بالمستويات المصرّح لك بها بموجب الاتفاق النافذ.
reply-link = رد

## Refusals, next to the field they concern
refused-not-cleared = ليس لديك تصريح للمستوى { $tier }.
refused-csrf = انتهت صلاحية النموذج. أعد تحميل الصفحة وحاول مرة أخرى.
refused-unknown-party = { $party } ليس طرفًا لهذه العقدة.
refused-channel-suspended = القناة مع { $party } معلّقة: لا يمكن إرسال إلا رسالة حالة القناة.
refused-not-a-party = { $party } ليس طرفًا في الاتفاق { $agreement }.
refused-tier-not-in-use = لا يستخدم الاتفاق { $agreement } المستوى { $tier }.
refused-kind-not-allowed = بموجب الاتفاق { $agreement } لا يجوز للمستوى { $tier } إرسال هذا: { $kind }.
refused-exercises-not-allowed = لا يسمح الاتفاق { $agreement } بحركة التمرين.
refused-invalid-field = غير مقبول:
refused-too-large = هذا أكبر مما تقبله العقدة ({ $limit } بايت).
refused-other = مرفوض:

## Deadlines and escalations
deadlines-page-title = المواعيد النهائية والتصعيد
deadlines-page-intro = كل موعد نهائي لم يُحترم في وقته، من الجانبين: الفائتة والمُصعَّدة أولًا، ثم المتأخرة، ثم المفتوحة، الأقرب أولًا.
deadlines-page-empty = احتُرمت كل المواعيد النهائية في وقتها حتى الآن.
deadlines-page-caption = مواعيد نهائية لم تُحترم في وقتها
col-deadline = الموعد النهائي
col-escalated = التصعيد

## Log and witnesses
log-title = السجل والشهود
log-intro = سجل الشفافية لهذه العقدة: كل رسالة مرسلة أو مستلمة قيدٌ فيه. يصادق الشهود على نقاط التحقق الموقّعة، وأي تفرع أو فجوة يطلق إنذارًا.
log-alarms-raised = عدد الإنذارات: { $count }. يحتاج الإنذار إلى انتباه شخص: اقرأه أدناه.
log-origin = السجل
log-size = عدد القيود
log-witnessed = مصادَق عليه من الشهود
log-witnessed-yes = نعم: آخر نقطة تحقق تستوفي سياسة الشهود.
log-witnessed-no = ليس بعد: آخر نقطة تحقق لا تستوفي سياسة الشهود.
log-checkpoint = آخر نقطة تحقق موقّعة
log-empty = لا قيود في السجل بعد.
log-cosignatures = تواقيع الشهود
log-no-cosignature = لم يصادق أي شاهد على هذا السجل بعد.
log-witness = الشاهد
log-cosigned-size = الحجم المصادَق عليه
log-covers-latest = آخر نقطة تحقق
log-policy = سياسة الشهود
log-witnessing = السجلات التي تشهد عليها هذه العقدة
log-witnessing-none = لم تصادق هذه العقدة على سجل أي طرف بعد.
log-alarms = الإنذارات
log-no-alarm = لا إنذار.
log-evidence = الأدلة
yes = نعم
no = لا
alarm-equivocation = ازدواج: شجرتان مختلفتان بالحجم نفسه
alarm-inconsistent-proof = إثبات غير متسق
alarm-inconsistent-log = سجل غير متسق
alarm-rollback = تراجع السجل
alarm-mismatched-entry = قيد لا يطابق الرسالة
alarm-unknown-entry = قيد لرسالة غير معروفة
alarm-unlogged-sent = رسالة أُرسلت ولم تُقيَّد

## Agreements, guarantees and pledges
commitments-title = الاتفاقات والضمانات والتعهدات
commitments-intro = ما وُقِّع وما كان نافذًا في أي تاريخ. كل توقيع معروض هنا تم التحقق منه مجددًا بمفتاح الموقِّع.
commitments-at = الحالة في بداية اليوم (UTC)
commitments-show = عرض
commitments-as-of = كما كانت في { $at }.
commitments-agreements = الاتفاقات
commitments-guarantees = الضمانات
commitments-pledges = التعهدات
commitments-none = لا شيء محفوظ هنا.
col-reference = المرجع
col-title = العنوان
col-text = النص
col-signatures = التواقيع
col-signatories = الموقِّعون
col-status = الحالة
col-evidence = الأدلة
signature-at = وُقِّع { $at }
signature-done = موقَّع
signature-not-yet = غير موقَّع
agreement-in-force-with = نافذ مع { $parties }
agreement-not-in-force = غير نافذ
guarantee-parties = { $issuer } يضمن لـ { $beneficiary }
guarantee-state-proposed = مقترح، لم يوقّعه الجميع بعد
guarantee-state-concluded = مُبرَم، لم يصبح نافذًا بعد
guarantee-state-in-force = نافذ
guarantee-state-withdrawal-notified = أُخطِر بالانسحاب: نافذ حتى انتهاء مدة الإخطار
guarantee-state-lapsed = منقضٍ
pledge-open = مفتوح للتوقيع
pledge-closed = مغلق للتوقيع

## Responsiveness
responsiveness-title = سرعة الاستجابة
responsiveness-intro = مدى سرعة رد كل جانب، ربعًا بعد ربع: أرقام detente stats. تُحسب حركة التمرين على حدة ولا تظهر في الرسوم. تتيح أدلة كل ربع لأي شخص إعادة حساب أرقامه دون اتصال باستخدام detente verify.
responsiveness-with = مع الطرف
responsiveness-as-of = الأرقام كما هي في { $at }.
responsiveness-answers = الردود على الرسائل
responsiveness-answers-chart = الرسائل التي رُدّ عليها في الوقت أو متأخرًا أو لم يُردّ عليها، لكل ربع، مع { $party }
responsiveness-checks = اختبارات الاتصال
responsiveness-checks-chart = اختبارات الاتصال التي رُدّ عليها في الوقت أو متأخرًا أو لم يُردّ عليها، لكل ربع، مع { $party }
responsiveness-figures = الأرقام لكل ربع
responsiveness-rows = كل صفوف { $quarter }
responsiveness-no-rows = لا رسائل في هذا الربع.
chart-ours = { $quarter } نحن
chart-theirs = { $quarter } هم
col-quarter = الربع
col-side = من ردّ
col-tier = مستوانا
side-ours = نحن، على رسائلهم
side-theirs = هم، على رسائلنا
side-checks-ours = نحن، على اختباراتهم
side-checks-theirs = هم، على اختباراتنا
figures-messages = الرسائل
figures-with-deadline = بموعد نهائي
figures-in-time = في الوقت
figures-late = متأخرة
figures-unanswered = بلا رد
figures-pending = لم يحن موعدها

## Drafts from SOC tools
drafts-title = مسودات أدوات مركز العمليات الأمنية
drafts-intro = كائنات STIX أرسلتها أدوات مركز العمليات الأمنية عبر TAXII، أو جلبها ضابط منها، تنتظر شخصًا: راجع كل واحدة، واكتب حولها الإشعار وأرسله، أو ارفضها. المسودات المفتوحة أولًا.
drafts-empty = لا مسودات.
drafts-back = العودة إلى المسودات
col-source = المصدر
col-objects = كائنات STIX
col-stix-type = النوع
col-stix-id = معرّف STIX
draft-state-open = مفتوحة: بانتظار المراجعة
draft-state-sent = أُرسلت
draft-state-discarded = رُفضت
draft-title = مسودة
draft-heading = مسودة إشعار إلى { $party }
draft-decision = القرار
draft-decided = من { $by } في { $at }
draft-sent-as = أُرسلت كرسالة
draft-objects = كائنات STIX ({ $count })
draft-objects-caption = الكائنات التي سيحملها الإشعار
draft-bundle = الحزمة كاملة كما وردت
draft-send-title = إرسال كإشعار
draft-send-intro = اذكر في سطر ما حدث وما هو معروف. تُرسل الكائنات أعلاه معه، موقّعة، في حزمة STIX واحدة.
draft-discard = رفض هذه المسودة
