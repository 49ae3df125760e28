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
