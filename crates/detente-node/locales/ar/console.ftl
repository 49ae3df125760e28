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
