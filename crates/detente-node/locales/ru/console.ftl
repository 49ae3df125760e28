# Консоль дежурных офицеров, по-русски.

app-name = горячая линия detente
party-node = узел { $party }
skip-to-content = Перейти к содержанию

## Языки: каждый назван на самом себе.
language-label = Язык интерфейса
language-submit = Выбрать
language-en = English
language-ru = Русский
language-ar = العربية

## Вход
sign-in-title = Вход
sign-in-intro = Войдите под именем и паролем, которые выдал администратор узла.
sign-in-name = Имя офицера
sign-in-password = Пароль
sign-in-submit = Войти
sign-in-wrong = Неверное имя или пароль. Проверьте оба: регистр букв в имени важен.
sign-in-locked = Слишком много неверных паролей для этого имени. Вход закрыт до { $until }.
sign-in-ended = Сеанс завершён. Войдите снова.
sign-in-signed-out = Вы вышли.
sign-in-csrf = Форма устарела. Попробуйте ещё раз.
signed-in-as = Вы вошли как { $name }
cleared-for = Допуск: { $tiers }
sign-out = Выйти

## Навигация
nav-label = Разделы консоли
nav-inbox = Сообщения
nav-compose = Написать
nav-deadlines = Сроки и эскалации
nav-commitments = Соглашения, гарантии и обязательства
nav-log = Журнал и свидетели
nav-responsiveness = Своевременность ответов
nav-drafts = Черновики из средств SOC

## Сообщения
inbox-title = Сообщения
inbox-intro = Полученные и отправленные сообщения уровней вашего допуска, сначала новые.
inbox-empty = Сообщений пока нет.
inbox-caption = Сообщения
col-when = Создано
col-direction = Направление
col-counterparty = Сторона
col-kind = Вид
col-precedence = Срочность
col-headline = Тема
col-state = Состояние
col-tlp = TLP
direction-sent = Отправлено
direction-received = Получено от
state-queued = В очереди, ещё не доставлено
state-delivered = Доставлено, квитанция проверена
state-received = Получено, квитанция отправлена
state-acknowledged = Подтверждено
state-overdue = ПРОСРОЧЕНО: срок пропущен
state-escalated = ЭСКАЛИРОВАНО: о пропущенном сроке сообщено следующему уровню
col-due = Ближайший срок
due-countdown-label = Осталось
live-label = Новые сообщения появляются здесь по мере поступления.
live-arrived = Новое сообщение: { $kind } от { $party }, { $precedence }.
notify-enable = Звук и уведомление для FLASH и IMMEDIATE
notify-enabled = При поступлении FLASH и IMMEDIATE звучит сигнал и появляется уведомление.
notify-denied = Уведомления в этом браузере запрещены; сигнал при поступлении звучит.
exercise = УЧЕНИЯ
exercise-banner = УЧЕБНЫЙ ОБМЕН — не настоящий инцидент

## Срочность: слово и цвет.
precedence-flash = МОЛНИЯ
precedence-immediate = НЕМЕДЛЕННО
precedence-priority = ПРИОРИТЕТНО
precedence-routine = ОБЫЧНО

## Уровни
tier-technical = технический
tier-operational = оперативный
tier-policy = политический
tier-leadership = руководство

## Виды сообщений
kind-notification = Уведомление об инциденте
kind-request-information = Запрос информации
kind-request-assistance = Запрос помощи
kind-acknowledgement = Подтверждение получения
kind-reply = Ответ
kind-consultation-request = Запрос консультаций
kind-goodwill = Послание доброй воли
kind-ping = Проверка связи
kind-pong = Ответ на проверку связи
kind-contact-update = Обновление контактов
kind-channel-status = Состояние канала
kind-guarantee-propose = Предложена гарантия
kind-guarantee-sign = Гарантия подписана
kind-guarantee-withdraw = Выход из гарантии
kind-pledge-sign = Обязательство подписано
kind-pledge-withdraw = Выход из обязательства
kind-escalation = Эскалация
kind-agreement-propose = Предложено соглашение
kind-agreement-sign = Соглашение подписано

## Сообщение и доказательства
thread-title = Сообщение
back-to-inbox = Назад к сообщениям
field-kind = Вид
field-precedence = Срочность
field-from = От
field-to = Кому
field-created = Создано
field-recorded = Записано здесь
field-tlp = TLP
field-state = Состояние
field-summary = Текст
field-id = Идентификатор сообщения
tier-of-party = { $party }, уровень: { $tier }
proof-title = Доказательства
proof-receipt-verified = Квитанция подписана { $party }: проверена.
proof-receipt-unverified = Квитанция подписана { $party }: НЕ проверена ({ $problem }).
proof-no-receipt = Квитанции пока нет: не доставлено.
proof-received-at = Получено адресатом в { $at }.
proof-logged = Записано как запись { $index } журнала { $origin }; включение доказано в подписанной контрольной точке размера { $size }.
proof-our-log = Запись { $index } журнала этого узла.
proof-witnessed = Заверено свидетелями { $witnesses } в контрольной точке, которая его включает.
proof-not-witnessed = Ни один свидетель пока не заверил контрольную точку, которая его включает.
thread-whole = Вся переписка
proof-delivery = Попыток доставки: { $attempts }. Последняя ошибка: { $error }
deadlines-title = Сроки
deadlines-none = По соглашению сроков нет.
deadline-acknowledge = Подтвердить получение
deadline-reply = Ответить
deadline-check = Ответить на проверку связи
deadline-due = до { $at }
deadline-pending = открыт
deadline-in-time = соблюдён
deadline-late = соблюдён с опозданием на { $by }
duration-days = { $n } дн
duration-hours = { $n } ч
duration-minutes = { $n } мин
duration-seconds = { $n } с
deadline-missed = пропущен
deadline-escalated = эскалация: { $tiers }
ack-title = Подтверждение
ack-intro = Сообщите отправителю, что сообщение прочитано человеком. Подтверждение — отдельное подписанное сообщение.
ack-note = Примечание (необязательно)
ack-submit = Подтвердить
ack-done = Подтверждено сообщением { $id } в { $at }.
ack-refused = Не подтверждено: { $why }
export-title = Доказательства для третьих лиц
export-intro = Скачайте пакет доказательств этой переписки; detente verify проверяет его без сети.
export-link = Выгрузить доказательства

## Compose
compose-title = Написать
compose-intro = Сообщение другой стороне. Предлагаются только те виды сообщений и уровни, которые допускают действующее соглашение и ваш допуск. При отправке сообщение подписывается, заносится в журнал и ставится в очередь.
compose-to = Кому (сторона)
compose-kind = Вид сообщения
compose-choose = Выбрать
compose-heading = { $kind } для { $party }
compose-replying-to = Ответ на:
compose-from-tier = От имени уровня
compose-to-tier = Уровню
compose-precedence = Срочность
compose-tlp = Гриф TLP
compose-exercise = Учебный обмен (не реальный инцидент)
compose-stage = Этап
stage-interim = Промежуточный ответ
stage-final = Окончательный ответ
compose-subject = Тема
compose-text-summary = Что произошло
compose-text-question = Вопрос
compose-text-description = Описание
compose-text-assistance = Какая помощь нужна
compose-text-agenda = Повестка
compose-text-text = Текст
compose-text-note = Примечание (необязательно)
compose-stix = Пакет STIX 2.1 (необязательно)
compose-stix-hint = Файл JSON с одним пакетом STIX 2.1, как его выгружают ваши средства SOC.
compose-submit = Подписать и отправить
compose-no-peer = У этого узла пока нет сторон для переписки. Администратор узла добавляет их командой detente peer add.
compose-no-kind = По действующему соглашению на уровнях вашего допуска стороне { $party } ничего отправить нельзя.
reply-link = Ответить

## Refusals, next to the field they concern
refused-not-cleared = У вас нет допуска к уровню «{ $tier }».
refused-csrf = Срок действия формы истёк. Обновите страницу и повторите.
refused-unknown-party = { $party } не является стороной этого узла.
refused-channel-suspended = Канал с { $party } приостановлен: можно отправить только сообщение о состоянии канала.
refused-not-a-party = { $party } не участвует в соглашении { $agreement }.
refused-tier-not-in-use = Соглашение { $agreement } не предусматривает уровень «{ $tier }».
refused-kind-not-allowed = По соглашению { $agreement } уровень «{ $tier }» не может отправлять такое сообщение: { $kind }.
refused-exercises-not-allowed = Соглашение { $agreement } не допускает учебный обмен.
refused-invalid-field = Не принято:
refused-too-large = Больше, чем принимает узел ({ $limit } байт).
refused-other = Отказано:

## Deadlines and escalations
deadlines-page-title = Сроки и эскалации
deadlines-page-intro = Все сроки, не соблюдённые вовремя, с обеих сторон: сначала пропущенные и эскалированные, затем соблюдённые с опозданием, затем открытые, ближайшие первыми.
deadlines-page-empty = Пока все сроки соблюдены вовремя.
deadlines-page-caption = Сроки, не соблюдённые вовремя
col-deadline = Срок
col-escalated = Эскалация

## Log and witnesses
log-title = Журнал и свидетели
log-intro = Журнал прозрачности этого узла: каждое отправленное и полученное сообщение — его запись. Подписанные контрольные точки заверяют свидетели; любое расхождение или пропуск вызывает тревогу.
log-alarms-raised = Тревог: { $count }. Тревога требует внимания человека: прочтите ниже.
log-origin = Журнал
log-size = Записей
log-witnessed = Заверен свидетелями
log-witnessed-yes = Да: последняя контрольная точка отвечает политике свидетелей.
log-witnessed-no = Пока нет: последняя контрольная точка не отвечает политике свидетелей.
log-checkpoint = Последняя подписанная контрольная точка
log-empty = В журнале пока нет записей.
log-cosignatures = Подписи свидетелей
log-no-cosignature = Этот журнал пока не заверил ни один свидетель.
log-witness = Свидетель
log-cosigned-size = Заверенный размер
log-covers-latest = Последняя контрольная точка
log-policy = Политика свидетелей
log-witnessing = Журналы, которые заверяет этот узел
log-witnessing-none = Этот узел пока не заверял журналы других сторон.
log-alarms = Тревоги
log-no-alarm = Тревог нет.
log-evidence = Доказательства
yes = да
no = нет
alarm-equivocation = Раздвоение: два разных дерева одного размера
alarm-inconsistent-proof = Несогласованное доказательство
alarm-inconsistent-log = Несогласованный журнал
alarm-rollback = Откат журнала
alarm-mismatched-entry = Запись не совпадает с сообщением
alarm-unknown-entry = Запись о неизвестном сообщении
alarm-unlogged-sent = Сообщение отправлено, но не занесено в журнал

## Agreements, guarantees and pledges
commitments-title = Соглашения, гарантии и обязательства
commitments-intro = Что было подписано и что действовало на любую дату. Каждая показанная подпись заново проверена по ключу подписавшего.
commitments-at = Состояние на начало дня (UTC)
commitments-show = Показать
commitments-as-of = По состоянию на { $at }.
commitments-agreements = Соглашения
commitments-guarantees = Гарантии
commitments-pledges = Обязательства
commitments-none = Здесь нет ни одного.
col-reference = Обозначение
col-title = Название
col-text = Текст
col-signatures = Подписи
col-signatories = Подписавшие
col-status = Состояние
col-evidence = Доказательства
signature-at = подписано { $at }
signature-done = подписано
signature-not-yet = не подписано
agreement-in-force-with = Действует с { $parties }
agreement-not-in-force = Не действует
guarantee-parties = { $issuer } гарантирует { $beneficiary }
guarantee-state-proposed = Предложена, подписана не всеми
guarantee-state-concluded = Заключена, ещё не вступила в силу
guarantee-state-in-force = Действует
guarantee-state-withdrawal-notified = Объявлено о выходе: действует до конца срока уведомления
guarantee-state-lapsed = Утратила силу
pledge-open = Открыто для подписания
pledge-closed = Закрыто для подписания

## Responsiveness
responsiveness-title = Своевременность ответов
responsiveness-intro = Как быстро отвечала каждая сторона, по кварталам: показатели detente stats. Учебный обмен считается отдельно и на графики не попадает. Доказательства за квартал позволяют любому пересчитать показатели без сети командой detente verify.
responsiveness-with = Со стороной
responsiveness-as-of = Показатели на { $at }.
responsiveness-answers = Ответы на сообщения
responsiveness-answers-chart = Сообщения с ответом вовремя, с опозданием и без ответа, по кварталам, с { $party }
responsiveness-checks = Проверки связи
responsiveness-checks-chart = Проверки связи с ответом вовремя, с опозданием и без ответа, по кварталам, с { $party }
responsiveness-figures = Показатели по кварталам
responsiveness-rows = Все строки за { $quarter }
responsiveness-no-rows = В этом квартале сообщений не было.
chart-ours = { $quarter } мы
chart-theirs = { $quarter } они
col-quarter = Квартал
col-side = Кто отвечал
col-tier = Наш уровень
side-ours = Мы — на их сообщения
side-theirs = Они — на наши
side-checks-ours = Мы — на их проверки
side-checks-theirs = Они — на наши проверки
figures-messages = Сообщений
figures-with-deadline = Со сроком
figures-in-time = Вовремя
figures-late = С опозданием
figures-unanswered = Без ответа
figures-pending = Срок не наступил

## Drafts from SOC tools
drafts-title = Черновики из средств SOC
drafts-intro = Объекты STIX, которые ваши средства SOC передали по TAXII или которые офицер загрузил оттуда, ждут человека: просмотрите каждый, напишите к нему уведомление и отправьте или отклоните. Открытые черновики — первыми.
drafts-empty = Черновиков нет.
drafts-back = К черновикам
col-source = Источник
col-objects = Объекты STIX
col-stix-type = Тип
col-stix-id = Идентификатор STIX
draft-state-open = Открыт: ждёт проверки
draft-state-sent = Отправлен
draft-state-discarded = Отклонён
draft-title = Черновик
draft-heading = Черновик уведомления для { $party }
draft-decision = Решение
draft-decided = { $by }, { $at }
draft-sent-as = Отправлен как сообщение
draft-objects = Объекты STIX ({ $count })
draft-objects-caption = Объекты, которые будут переданы с уведомлением
draft-bundle = Весь пакет в полученном виде
draft-send-title = Отправить как уведомление
draft-send-intro = Напишите одной строкой, что произошло и что известно. Объекты выше уйдут вместе с ним, подписанные, одним пакетом STIX.
draft-discard = Отклонить черновик
