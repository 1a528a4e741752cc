"""Our boilerplate filter on paragraphs we wrote, in English, French, Spanish, Arabic and German."""

from __future__ import annotations

import pytest

from newswire.cleaner.boilerplate import boilerplate_kind, filter_paragraphs

BODY = {
    "en": [
        "Police fired tear gas at thousands of protesters who marched on parliament on Saturday, "
        "witnesses said, after talks between the government and union leaders collapsed.",
        "At least twelve people were injured in the clashes, according to the health ministry, which "
        "said two of them were in a serious condition in the capital's main hospital.",
        "The unions have called a general strike for Monday and said they would keep marching until "
        "the pension reform is withdrawn.",
    ],
    "fr": [
        "La police a tiré des gaz lacrymogènes sur des milliers de manifestants qui marchaient vers le "
        "parlement samedi, selon des témoins, après l'échec des négociations avec les syndicats.",
        "Au moins douze personnes ont été blessées lors des affrontements, selon le ministère de la "
        "Santé, qui a précisé que deux d'entre elles étaient dans un état grave.",
        "Les syndicats ont appelé à une grève générale lundi et ont promis de poursuivre la mobilisation "
        "jusqu'au retrait de la réforme des retraites.",
    ],
    "es": [
        "La policía lanzó gases lacrimógenos contra miles de manifestantes que marchaban hacia el "
        "parlamento el sábado, según testigos, tras el fracaso de las negociaciones con los sindicatos.",
        "Al menos doce personas resultaron heridas en los enfrentamientos, según el ministerio de Salud, "
        "que indicó que dos de ellas se encontraban en estado grave.",
        "Los sindicatos convocaron una huelga general para el lunes y afirmaron que seguirán marchando "
        "hasta que se retire la reforma de las pensiones.",
    ],
    "de": [
        "Die Polizei setzte am Samstag Tränengas gegen Tausende Demonstranten ein, die zum Parlament "
        "zogen, nachdem die Gespräche zwischen Regierung und Gewerkschaften gescheitert waren.",
        "Mindestens zwölf Menschen wurden bei den Zusammenstößen verletzt, teilte das "
        "Gesundheitsministerium mit, zwei von ihnen schwebten in Lebensgefahr.",
        "Die Gewerkschaften riefen für Montag zu einem Generalstreik auf und kündigten an, weiter zu "
        "demonstrieren, bis die Rentenreform zurückgenommen wird.",
    ],
    "ar": [
        "أطلقت الشرطة الغاز المسيل للدموع على آلاف المتظاهرين الذين ساروا نحو البرلمان يوم السبت، بحسب "
        "شهود عيان، بعد انهيار المحادثات بين الحكومة والنقابات.",
        "وأصيب ما لا يقل عن اثني عشر شخصا في الاشتباكات، بحسب وزارة الصحة التي قالت إن اثنين منهم في "
        "حالة خطيرة في المستشفى الرئيسي بالعاصمة.",
        "ودعت النقابات إلى إضراب عام يوم الاثنين، وقالت إنها ستواصل المسيرات حتى سحب إصلاح نظام التقاعد.",
    ],
}

TAILS = {
    "en": [
        "Sign up for our Morning Briefing newsletter to get the day's top stories delivered to your inbox.",
        "Share this article",
        "Read more: Pension protests spread to three more cities",
        "Follow us on Twitter and Facebook",
    ],
    "fr": [
        "Abonnez-vous à notre newsletter pour recevoir l'essentiel de l'actualité chaque matin.",
        "Partager cet article",
        "Lire aussi : La réforme des retraites adoptée en première lecture",
        "Faites un don pour soutenir notre journalisme indépendant.",
    ],
    "es": [
        "Suscríbete a nuestro boletín para recibir las noticias más importantes cada mañana.",
        "Compartir este artículo",
        "Lee también: La reforma de las pensiones, aprobada en primera lectura",
        "Haz una donación y apoya el periodismo independiente.",
    ],
    "de": [
        "Jetzt Newsletter abonnieren und die wichtigsten Nachrichten jeden Morgen erhalten.",
        "Artikel teilen",
        "Lesen Sie auch: Rentenreform in erster Lesung verabschiedet",
        "Jetzt spenden und unabhängigen Journalismus unterstützen.",
    ],
    "ar": [
        "اشترك في النشرة البريدية لتصلك أهم الأخبار كل صباح.",
        "شارك هذا المقال",
        "اقرأ أيضا: البرلمان يقر إصلاح نظام التقاعد في القراءة الأولى",
        "تابعونا على تويتر وفيسبوك",
    ],
}


@pytest.mark.parametrize("language", sorted(BODY))
def test_tail_boilerplate_goes_and_the_report_stays(language: str) -> None:
    paragraphs = BODY[language] + TAILS[language]
    result = filter_paragraphs(paragraphs)
    assert result.kept == BODY[language]
    assert result.removed == TAILS[language]


def test_seed_appeal_slogan_share_prompt_and_more_in_go() -> None:
    last = (
        "Authorities blame armed groups for the violence, saying at least 1,100 soldiers and police have "
        "been killed since the uprising broke out in March."
    )
    appeal = [
        "This is the world we live in. This is the world we cover.",
        "Because of people like you, another world is possible. There are many battles to be won, but we "
        "will battle them together—all of us. Common Dreams is not your normal news site. We don't survive "
        "on clicks. We don't want advertising dollars. We want the world to be a better place. But we "
        "can't do it alone. It doesn't work that way. We need you. If you can help today—because every gift "
        "of every size matters—please do.",
        "Share This Article",
        "More in:",
    ]
    result = filter_paragraphs([*BODY["en"], last, *appeal])
    assert result.kept == [*BODY["en"], last]
    assert result.removed == appeal


def test_photo_credit_and_caption_go_anywhere() -> None:
    caption = (
        "Demonstrators protest against Syria's President Bashar al-Assad gather in Hula, near Homs "
        "November 13, 2011. (REUTERS/Handout)"
    )
    credits = [caption, "Photo: Jane Doe/AFP via Getty Images", "Foto: dpa", "Crédit photo : AFP"]
    paragraphs = [BODY["en"][0], caption, BODY["en"][1], credits[1], credits[2], credits[3], BODY["en"][2]]
    result = filter_paragraphs(paragraphs)
    assert result.kept == BODY["en"]
    assert result.removed == credits


def test_cookie_notice_and_author_bio_go() -> None:
    cookie = "We use cookies to improve your experience. By continuing to browse you accept our cookie policy."
    bio = "Jane Doe is a senior correspondent for the Daily Example covering labour and social affairs."
    comments = "Comments are closed."
    result = filter_paragraphs([cookie, *BODY["en"], bio, comments])
    assert result.kept == BODY["en"]
    assert result.removed == [cookie, bio, comments]


def test_headline_repeated_at_the_top_goes() -> None:
    title = "Police fire tear gas at pension protesters"
    result = filter_paragraphs([title, "By Jane Doe", "Published 12:30, March 4", *BODY["en"]], title=title)
    assert result.kept == BODY["en"]


def test_related_links_after_a_header_go_with_it() -> None:
    links = ["DON'T MISS", "Pension reform: what changes [EXPLAINED]", "Strike map: where trains stop [MAP]"]
    result = filter_paragraphs([*BODY["en"][:2], *links, BODY["en"][2]])
    assert result.kept == BODY["en"]
    assert result.removed == links


def test_reports_about_donations_and_newsletters_are_not_boilerplate() -> None:
    """Prose that mentions donations, sharing or subscriptions in the middle of a report stays."""
    middle = [
        "The charity said donations had fallen by a third this year, and that it would need to support "
        "fewer families unless the government stepped in with emergency funding before the winter.",
        "Share prices of the largest banks fell sharply after the announcement, traders said.",
        "Subscribers to the service complained that the newsletter had stopped arriving in March, the "
        "regulator's report found, and the company was fined for failing to refund them.",
        '"We need you to stay at home," the governor told residents, urging them to donate blood.',
    ]
    paragraphs = [BODY["en"][0], *middle, *BODY["en"][1:]]
    assert filter_paragraphs(paragraphs).kept == paragraphs


def test_a_short_real_last_paragraph_stays() -> None:
    endings = [
        "The investigation continues.",
        "Police said they had arrested two men.",
        '"We will not give up," she said.',
    ]
    for ending in endings:
        assert filter_paragraphs([*BODY["en"], ending]).kept[-1] == ending


@pytest.mark.parametrize(
    ("paragraph", "kind"),
    [
        ("Share This Article", "share"),
        ("More in:", "related"),
        ("Become a member today and support independent journalism.", "donation"),
        ("Already a subscriber? Log in to continue reading.", "subscription"),
        ("Ce site utilise des cookies pour améliorer votre expérience.", "cookies"),
        ("Utilizamos cookies propias y de terceros.", "cookies"),
        ("Diese Website verwendet Cookies.", "cookies"),
        ("Síguenos en Twitter y Facebook", "social"),
        ("Reporting by Jane Doe; Editing by John Smith", "bio"),
    ],
)
def test_cue_kinds(paragraph: str, kind: str) -> None:
    assert boilerplate_kind(paragraph, strict=False) == kind
