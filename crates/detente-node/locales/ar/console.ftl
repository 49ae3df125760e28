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
