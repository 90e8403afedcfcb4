"""The questions of the benchmark city's tests: a small bank per subject, as its teachers write
them, and a handful of tests made of each bank (``templates_of``) that the city's library
materials of type "test" carry (``library_city``).

A bank holds six or seven questions of the types a school test uses — the automatic ones, and in
the humanities and geometry an open answer that the teacher checks by hand. Numeric questions have
parameters, so that classmates get different numbers. A template is stored exactly as
``parta.assessment.definition.check_test`` cleans it, as the library's services would store it.
"""

from __future__ import annotations

import functools
import random
from typing import Any

from parta.assessment.definition import check_test
from parta.core.errors import FieldErrors

Question = dict[str, Any]
# Tests made of each subject's bank.
TEMPLATES_PER_SUBJECT = 4
QUESTIONS_PER_TEST = 5


def _items(*texts: str) -> list[dict[str, str]]:
    return [{"id": chr(ord("a") + n), "text": text} for n, text in enumerate(texts)]


def _single(text: str, options: tuple[str, ...], correct: int = 0) -> Question:
    return {"type": "single", "text": text, "options": _items(*options), "correct": chr(ord("a") + correct)}


def _multiple(text: str, options: tuple[str, ...], correct: tuple[int, ...]) -> Question:
    return {
        "type": "multiple",
        "text": text,
        "options": _items(*options),
        "correct": [chr(ord("a") + n) for n in correct],
        "points": 2,
    }


def _true_false(text: str, correct: bool) -> Question:
    return {"type": "true_false", "text": text, "correct": correct}


def _short(text: str, *variants: str) -> Question:
    return {"type": "short_text", "text": text, "variants": list(variants)}


def _numeric(text: str, answer: str, **params: tuple[int, int]) -> Question:
    return {
        "type": "numeric",
        "text": text,
        "answer": answer,
        "params": {name: {"min": low, "max": high} for name, (low, high) in params.items()},
    }


def _matching(text: str, pairs: tuple[tuple[str, str], ...], distractor: str) -> Question:
    return {
        "type": "matching",
        "text": text,
        "points": 2,
        "left": [{"id": f"l{n + 1}", "text": left} for n, (left, _right) in enumerate(pairs)],
        "right": [{"id": f"r{n + 1}", "text": right} for n, (_left, right) in enumerate(pairs)]
        + [{"id": f"r{len(pairs) + 1}", "text": distractor}],
        "pairs": {f"l{n + 1}": f"r{n + 1}" for n in range(len(pairs))},
    }


def _ordering(text: str, *items: str) -> Question:
    return {"type": "ordering", "text": text, "points": 2, "items": _items(*items)}


def _blanks(text: str, *answers: str) -> Question:
    return {
        "type": "blanks",
        "text": text,
        "gaps": {str(n + 1): {"variants": [answer]} for n, answer in enumerate(answers)},
    }


def _open(text: str, points: int = 2) -> Question:
    return {"type": "open", "text": text, "points": points, "allow_files": True}


# Data that students read, in the language the subject is taught in.
BANKS: dict[str, tuple[Question, ...]] = {
    "russian": (
        _single("В каком слове на конце пишется Ь?", ("ноч…", "луч…", "мяч…")),
        _true_false("В слове «звонит» ударение падает на последний слог.", True),
        _blanks("Жи и ши пиши с буквой [[1]], ча и ща — с буквой [[2]].", "и", "а"),
        _multiple("Какие слова — имена существительные?", ("дом", "бежать", "радость", "красный"), (0, 2)),
        _short("Напишите антоним к слову «холодный».", "горячий", "тёплый"),
        _matching(
            "Соедините слово и часть речи.",
            (("читать", "глагол"), ("весёлый", "прилагательное"), ("быстро", "наречие")),
            "предлог",
        ),
    ),
    "reading": (
        _single(
            "Кто написал «Сказку о рыбаке и рыбке»?", ("А. С. Пушкин", "Л. Н. Толстой", "К. И. Чуковский")
        ),
        _matching(
            "Соедините произведение и автора.",
            (
                ("«Мойдодыр»", "К. И. Чуковский"),
                ("«Дядя Стёпа»", "С. В. Михалков"),
                ("«Конёк-Горбунок»", "П. П. Ершов"),
            ),
            "Н. Н. Носов",
        ),
        _true_false("Басню «Стрекоза и Муравей» написал И. А. Крылов.", True),
        _short("Как зовут деревянного мальчика из сказки А. Н. Толстого?", "Буратино"),
        _multiple(
            "Какие из этих произведений — сказки?",
            ("«Колобок»", "«Репка»", "«Бородино»", "«Теремок»"),
            (0, 1, 3),
        ),
        _ordering(
            "Восстановите порядок событий сказки «Репка».",
            "Дед посадил репку",
            "Дед позвал бабку",
            "Бабка позвала внучку",
            "Мышка помогла вытянуть репку",
        ),
        _open("Какой герой сказки понравился тебе больше всех? Почему?"),
    ),
    "literature": (
        _single("Кто автор романа «Евгений Онегин»?", ("А. С. Пушкин", "М. Ю. Лермонтов", "Н. В. Гоголь")),
        _matching(
            "Соедините героя и произведение.",
            (
                ("Печорин", "«Герой нашего времени»"),
                ("Чичиков", "«Мёртвые души»"),
                ("Раскольников", "«Преступление и наказание»"),
            ),
            "«Отцы и дети»",
        ),
        _true_false("Рассказ «Муму» написал И. С. Тургенев.", True),
        _short("Как называется повторение одинаковых согласных звуков в стихе?", "аллитерация"),
        _multiple(
            "Какие произведения написал Н. В. Гоголь?",
            ("«Ревизор»", "«Шинель»", "«Капитанская дочка»", "«Тарас Бульба»"),
            (0, 1, 3),
        ),
        _ordering(
            "Расположите писателей в порядке рождения.",
            "М. В. Ломоносов",
            "А. С. Пушкин",
            "Л. Н. Толстой",
            "А. П. Чехов",
        ),
        _open("Почему, по-вашему, автор дал произведению такое название? Ответ обоснуйте.", 3),
    ),
    "english": (
        _single("Choose the right form: She ___ to school every day.", ("go", "goes", "going"), 1),
        _blanks("I [[1]] a pupil. They [[2]] at home.", "am", "are"),
        _matching(
            "Match the words and their translations.",
            (("cat", "кошка"), ("apple", "яблоко"), ("house", "дом")),
            "окно",
        ),
        _true_false("The past form of “go” is “went”.", True),
        _short("Write the plural of “child”.", "children"),
        _ordering("Put the words in order to make a sentence.", "I", "like", "green", "apples"),
        _multiple("Which words are verbs?", ("run", "table", "swim", "blue"), (0, 2)),
    ),
    "math": (
        _numeric("Вычислите: {a} · {b}.", "a*b", a=(2, 9), b=(2, 9)),
        _numeric("Найдите периметр квадрата со стороной {a} см.", "4*a", a=(2, 20)),
        _single("Какое число делится на 9?", ("243", "244", "245")),
        _multiple("Какие из чисел — чётные?", ("12", "15", "28", "31"), (0, 2)),
        _ordering("Расположите числа по возрастанию.", "19", "91", "109", "190"),
        _blanks("7 · 8 = [[1]], 63 : 9 = [[2]]", "56", "7"),
    ),
    "algebra": (
        _numeric("Решите уравнение x + {a} = {b}.", "b-a", a=(1, 20), b=(21, 60)),
        _numeric("Найдите значение выражения {a}² − {b}².", "a*a-b*b", a=(5, 12), b=(1, 4)),
        _single("Корень уравнения 2x − 6 = 0 равен…", ("3", "−3", "6")),
        _true_false("График функции y = 2x + 1 проходит через точку (0; 1).", True),
        _multiple("Какие из функций линейные?", ("y = 3x − 2", "y = x²", "y = −x", "y = 1/x"), (0, 2)),
        _matching(
            "Соедините выражение и равное ему.",
            (("(a + b)²", "a² + 2ab + b²"), ("(a − b)²", "a² − 2ab + b²"), ("a² − b²", "(a − b)(a + b)")),
            "a² + b²",
        ),
        _short("Как называется функция вида y = kx + b?", "линейная", "линейная функция"),
    ),
    "geometry": (
        _numeric("Найдите площадь прямоугольника со сторонами {a} см и {b} см.", "a*b", a=(2, 15), b=(2, 15)),
        _numeric(
            "Два угла треугольника равны {a}° и {b}°. Найдите третий угол (в градусах).",
            "180-a-b",
            a=(30, 70),
            b=(30, 70),
        ),
        _single("Сколько градусов в прямом угле?", ("90", "180", "45")),
        _true_false("Диагонали квадрата равны.", True),
        _multiple(
            "Какие из фигур — четырёхугольники?", ("ромб", "трапеция", "треугольник", "квадрат"), (0, 1, 3)
        ),
        _short("Как называется сторона прямоугольного треугольника против прямого угла?", "гипотенуза"),
        _open("Докажите, что вертикальные углы равны.", 3),
    ),
    "probability": (
        _numeric("Монету бросают один раз. Найдите вероятность того, что выпадет орёл.", "0.5"),
        _numeric("Найдите среднее арифметическое чисел 2, 4, 6 и 8.", "5"),
        _single(
            "Игральный кубик бросают один раз. Вероятность того, что выпадет 6, равна…", ("1/6", "1/2", "1/3")
        ),
        _true_false("Вероятность события не бывает больше 1.", True),
        _short("Как называется значение, которое встречается в наборе чаще всего?", "мода"),
        _multiple(
            "Какие из событий достоверные?",
            (
                "На кубике выпадет число меньше 7",
                "На кубике выпадет 6",
                "Монета упадёт орлом или решкой",
                "На кубике выпадет 0",
            ),
            (0, 2),
        ),
    ),
    "informatics": (
        _numeric("Сколько бит в {a} байтах?", "8*a", a=(2, 16)),
        _single("Какое число записывается в двоичной системе как 101?", ("5", "3", "6")),
        _true_false("1 Кбайт равен 1024 байтам.", True),
        _matching(
            "Соедините устройство и его назначение.",
            (("Клавиатура", "ввод"), ("Монитор", "вывод"), ("Жёсткий диск", "хранение")),
            "обработка",
        ),
        _short("Как называется понятная исполнителю последовательность команд?", "алгоритм", "программа"),
        _multiple("Какие из устройств — устройства ввода?", ("мышь", "принтер", "сканер", "колонки"), (0, 2)),
    ),
    "history": (
        _single("В каком году произошло Крещение Руси?", ("988", "1240", "862")),
        _matching(
            "Соедините событие и год.",
            (("Ледовое побоище", "1242"), ("Куликовская битва", "1380"), ("Бородинское сражение", "1812")),
            "1613",
        ),
        _ordering(
            "Расположите события в хронологическом порядке.",
            "Призвание варягов",
            "Крещение Руси",
            "Куликовская битва",
            "Избрание Михаила Романова на царство",
        ),
        _true_false("Санкт-Петербург основал Пётр I.", True),
        _short("Как называлось народное собрание в Древнем Новгороде?", "вече"),
        _open("Объясните, почему Русь приняла христианство. Приведите две причины.", 3),
    ),
    "social": (
        _single(
            "Какой документ обладает высшей юридической силой в России?",
            ("Конституция", "указ Президента", "постановление Правительства"),
        ),
        _true_false("Гражданин России голосует на выборах с 18 лет.", True),
        _multiple(
            "Что относится к ветвям власти?",
            ("законодательная", "исполнительная", "судебная", "школьная"),
            (0, 1, 2),
        ),
        _matching(
            "Соедините сферу общества и пример.",
            (
                ("экономическая", "производство товаров"),
                ("политическая", "выборы"),
                ("духовная", "посещение музея"),
            ),
            "прогулка в парке",
        ),
        _short("Как называется основной закон государства?", "конституция"),
        _open("Приведите два примера прав ребёнка и объясните, зачем они нужны."),
    ),
    "geography": (
        _single("Какой материк самый большой?", ("Евразия", "Африка", "Австралия")),
        _true_false("Байкал — самое глубокое озеро мира.", True),
        _matching(
            "Соедините страну и её столицу.",
            (("Франция", "Париж"), ("Япония", "Токио"), ("Египет", "Каир")),
            "Рим",
        ),
        _multiple("Какие из них — океаны?", ("Тихий", "Индийский", "Каспийское", "Атлантический"), (0, 1, 3)),
        _short("Как называется линия на карте, соединяющая точки одной высоты?", "горизонталь", "изогипса"),
        _numeric(
            "В 1 см карты {k} км. Расстояние между городами на карте {a} см. Сколько это километров?",
            "k*a",
            k=(2, 10),
            a=(2, 15),
        ),
    ),
    "world": (
        _single("На какой планете мы живём?", ("Земля", "Марс", "Венера")),
        _multiple("Какие из животных — млекопитающие?", ("кошка", "воробей", "кит", "лягушка"), (0, 2)),
        _true_false("Вода замерзает при 0 °C.", True),
        _matching(
            "Соедините время года и месяц.",
            (("зима", "январь"), ("весна", "апрель"), ("лето", "июль")),
            "октябрь",
        ),
        _short("Как называется прибор, которым определяют стороны горизонта?", "компас"),
        _ordering(
            "Расположите стадии развития бабочки по порядку.", "яйцо", "гусеница", "куколка", "бабочка"
        ),
    ),
    "physics": (
        _numeric(
            "Тело движется со скоростью {v} м/с. Какой путь (в метрах) оно пройдёт за {t} с?",
            "v*t",
            v=(2, 20),
            t=(3, 30),
        ),
        _numeric(
            "Найдите силу тяжести (в Н), действующую на тело массой {m} кг (g = 10 Н/кг).", "10*m", m=(2, 50)
        ),
        _single("В каких единицах измеряют силу?", ("в ньютонах", "в джоулях", "в ваттах")),
        _true_false("Звук распространяется в вакууме.", False),
        _matching(
            "Соедините величину и её единицу.",
            (("масса", "кг"), ("время", "с"), ("работа", "Дж")),
            "Вт",
        ),
        _short(
            "Как называется явление сохранения скорости тела, когда на него не действуют другие тела?",
            "инерция",
        ),
    ),
    "chemistry": (
        _single("Какова химическая формула воды?", ("H₂O", "CO₂", "O₂")),
        _matching(
            "Соедините элемент и его знак.",
            (("натрий", "Na"), ("железо", "Fe"), ("кислород", "O")),
            "N",
        ),
        _true_false("Кислород — металл.", False),
        _multiple("Какие из веществ простые?", ("O₂", "H₂O", "Fe", "NaCl"), (0, 2)),
        _numeric("Найдите относительную молекулярную массу воды (Ar(H) = 1, Ar(O) = 16).", "18"),
        _blanks("Расставьте коэффициент: 2H₂ + O₂ → [[1]]H₂O", "2"),
    ),
    "biology": (
        _single("Какой органоид клетки отвечает за фотосинтез?", ("хлоропласт", "митохондрия", "ядро")),
        _multiple(
            "Что есть в клетке растения?", ("ядро", "хлоропласты", "клеточная стенка", "перья"), (0, 1, 2)
        ),
        _true_false("Грибы — это растения.", False),
        _matching(
            "Соедините организм и царство живой природы.",
            (("берёза", "Растения"), ("волк", "Животные"), ("мухомор", "Грибы")),
            "Бактерии",
        ),
        _short("Как называется зелёный пигмент растений?", "хлорофилл"),
        _ordering(
            "Расположите уровни организации от простого к сложному.", "клетка", "ткань", "орган", "организм"
        ),
    ),
    "music": (
        _single("Сколько разных нот в гамме до мажор?", ("7", "5", "8")),
        _matching(
            "Соедините композитора и произведение.",
            (
                ("П. И. Чайковский", "«Щелкунчик»"),
                ("М. И. Глинка", "«Руслан и Людмила»"),
                ("Н. А. Римский-Корсаков", "«Снегурочка»"),
            ),
            "«Борис Годунов»",
        ),
        _true_false("Скрипка — струнный смычковый инструмент.", True),
        _multiple("Какие инструменты духовые?", ("флейта", "труба", "виолончель", "барабан"), (0, 1)),
        _short("Как называется знак, повышающий звук на полтона?", "диез"),
    ),
    "art": (
        _single(
            "Какие цвета называют основными?",
            ("красный, жёлтый, синий", "зелёный, оранжевый, фиолетовый", "чёрный, белый, серый"),
        ),
        _true_false("Пейзаж — это изображение природы.", True),
        _matching(
            "Соедините жанр и то, что на картине.",
            (("портрет", "человек"), ("натюрморт", "предметы"), ("пейзаж", "природа")),
            "сражение",
        ),
        _short("Кто написал картину «Утро в сосновом лесу» вместе с К. А. Савицким? Фамилия.", "Шишкин"),
        _multiple("Какие цвета тёплые?", ("красный", "оранжевый", "синий", "голубой"), (0, 1)),
    ),
    "technology": (
        _single("Каким инструментом забивают гвозди?", ("молотком", "отвёрткой", "ножовкой")),
        _true_false("Ножницы передают кольцами вперёд.", True),
        _multiple("Какие материалы природные?", ("древесина", "шерсть", "пластмасса", "лён"), (0, 1, 3)),
        _matching(
            "Соедините инструмент и материал, с которым им работают.",
            (("ножовка", "древесина"), ("ножницы", "ткань"), ("напильник", "металл")),
            "стекло",
        ),
        _ordering(
            "Расположите этапы работы над изделием по порядку.", "эскиз", "разметка", "обработка", "отделка"
        ),
    ),
    "pe": (
        _single("Сколько игроков одной команды на площадке в волейболе?", ("6", "5", "11")),
        _true_false("Перед тренировкой нужна разминка.", True),
        _matching(
            "Соедините вид спорта и инвентарь.",
            (("теннис", "ракетка"), ("хоккей", "клюшка"), ("лыжные гонки", "палки")),
            "сетка",
        ),
        _short("Как называются упражнения, которые делают утром после сна?", "зарядка", "утренняя зарядка"),
        _multiple("Какие виды спорта командные?", ("футбол", "баскетбол", "бег", "плавание"), (0, 1)),
    ),
    "obzr": (
        _single("По какому номеру вызывают экстренные службы с мобильного телефона?", ("112", "911", "999")),
        _true_false("При пожаре в здании нельзя пользоваться лифтом.", True),
        _multiple("Что нужно положить в аптечку?", ("бинт", "пластырь", "антисептик", "спички"), (0, 1, 2)),
        _matching(
            "Соедините службу и номер телефона.",
            (("пожарная охрана", "101"), ("полиция", "102"), ("скорая помощь", "103")),
            "105",
        ),
        _short("Как называется повязка, которой останавливают сильное кровотечение из артерии?", "жгут"),
        _open("Опишите, что делать, если в квартире пахнет газом."),
    ),
}
# Subjects the bank does not know (a catalogue may grow) take questions about learning itself.
GENERIC: tuple[Question, ...] = (
    _true_false("Перед уроком нужно повторить пройденное.", True),
    _single("Где записывают домашнее задание?", ("в дневнике", "на обложке", "нигде")),
    _short("Как называется книга, по которой учатся?", "учебник"),
    _multiple("Что нужно на уроке?", ("учебник", "тетрадь", "телефон с играми", "ручка"), (0, 1, 3)),
    _ordering("Расположите по порядку.", "прочитать задание", "выполнить задание", "проверить работу"),
)
# (mode and its settings, questions per section, drawn) of each template of a bank, in turn.
_FORMS: tuple[tuple[dict[str, Any], int, int | None], ...] = (
    ({"mode": "training"}, QUESTIONS_PER_TEST, None),
    ({"mode": "training"}, QUESTIONS_PER_TEST + 1, QUESTIONS_PER_TEST),
    (
        {"mode": "control", "attempts": 2, "results": "on_submit", "show_answers": True},
        QUESTIONS_PER_TEST,
        None,
    ),
    (
        {"mode": "control", "attempts": 1, "results": "after_deadline", "time_limit_minutes": 20},
        QUESTIONS_PER_TEST,
        None,
    ),
)


def raw_template(code: str, number: int) -> dict[str, Any]:
    """The ``number``-th test of the subject's bank, as a teacher would send it."""
    bank = BANKS.get(code, GENERIC)
    settings, size, draw = _FORMS[number % len(_FORMS)]
    rng = random.Random(f"{code}:{number}")
    chosen = sorted(rng.sample(range(len(bank)), min(size, len(bank))))
    return {
        **settings,
        "sections": [
            {
                "title": "",
                "draw": draw if draw is not None and draw < len(chosen) else None,
                "shuffle": draw is not None,
                "questions": [{**bank[index], "id": f"q{n + 1}"} for n, index in enumerate(chosen)],
            }
        ],
    }


@functools.cache
def templates_of(code: str) -> tuple[dict[str, Any], ...]:
    """The subject's tests as the library stores them (cleaned by ``check_test``); made once."""
    templates = []
    for number in range(TEMPLATES_PER_SUBJECT):
        errors = FieldErrors()
        clean = check_test(raw_template(code, number), errors, None)
        if errors.by_field:
            raise ValueError(f"the test template {code}:{number} is not valid: {errors.by_field}")
        templates.append(clean)
    return tuple(templates)
