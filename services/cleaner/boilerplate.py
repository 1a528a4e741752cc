"""Boilerplate that trafilatura keeps inside the main text, removed paragraph by paragraph.

Appeals, share and newsletter prompts, related-link lists, photo credits, cookie notices and author bios
are written by the site, not the reporter; if they reach the event coder they become false events or
noise. They cluster at the head and the tail of an article, so the tail and head are peeled with broad
cues, while the middle only loses paragraphs that match a strong, unambiguous cue (a photo credit, a
"Read more:" link line). A real last paragraph of a report is prose with an attribution or a fact and
matches none of the cues, so it stays.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_WORD = re.compile(r"\w+", re.UNICODE)


def _cues(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE | re.UNICODE)


# Cues that mark a paragraph as boilerplate wherever it is, provided it is short. Each group lists the
# English, French, Spanish, German and Arabic forms; the groups are kept apart so that a test can name
# the kind of boilerplate it expects to see removed.
SHARE = _cues(
    r"^(share|tweet|email|print|pin|partager|partagez|compartir|comparte|teilen|drucken|شارك|مشاركة)"
    r"(\s+(this|the|on|via|cet|cette|este|esta|den|diesen|هذا|هذه)\b.*)?\s*[:!.]?$",
    r"^(share|partager|compartir|teilen)\s+(this\s+)?(article|story|post|page|l'article|cet article|"
    r"el artículo|este artículo|la noticia|artikel|beitrag)\s*[:!.]?$",
    r"\bshare (it|this) with (a|your) friends?\b",
    r"^(like this (story|article)\?)",
    r"^(diesen artikel teilen|artikel teilen|شارك هذا (المقال|الخبر))",
    r"^(click to share|share on (facebook|twitter|whatsapp|linkedin))",
)
_RELATED_WORDS = (
    r"more in|more on|more from|read more|see more|also read|read also|related|related (articles|stories|"
    r"content|coverage|posts|topics|links)|recommended( for you)?|most (read|popular|viewed)|trending( now)?|"
    r"latest (news|stories)|you (may|might) also like|don'?t miss|further reading|"
    r"lire aussi|à lire aussi|a lire aussi|voir aussi|lire la suite|en savoir plus|sur le même sujet|"
    r"les plus lus|"
    r"lee también|leer más|lea también|ver también|te puede interesar|noticias relacionadas|"
    r"más información|relacionad[oa]s|"
    r"mehr zum thema|lesen sie auch|lesen sie mehr|weiterlesen|auch interessant|"
    r"das könnte sie auch interessieren|meistgelesen|mehr aus|"
    r"اقرأ أيضا|اقرأ أيضاً|إقرأ أيضا|اقرأ المزيد|مواضيع ذات صلة|أخبار ذات صلة|المزيد"
)
RELATED_HEADER = _cues(rf"^({_RELATED_WORDS})\s*[:|»>\-–—.]?\s*$")
"""A header line that introduces a list of links ("More in:", "Don't miss")."""
RELATED = _cues(
    rf"^({_RELATED_WORDS})\s*[:|»>\-–—]\s*\S",
    rf"^({_RELATED_WORDS})\s*[:|»>\-–—.]?\s*$",
    r"^also on [\w\-]+\.[a-z]{2,}\b",
    r"(?-i:\[[A-Z][A-Z ]{2,20}\])\s*\|?$",
)
NEWSLETTER = _cues(
    r"\b(sign up|signup|subscribe)\b.{0,80}\b(newsletter|inbox|e-?mail (updates|alerts)|briefing|digest)",
    r"\bnewsletter\b.{0,60}\b(sign up|subscribe|delivered|inbox|free)\b",
    r"\bdelivered (straight |directly )?to your inbox\b",
    r"^(get|receive) (the|our) .{0,40}(newsletter|briefing|updates)",
    r"^[\w' ]{0,30}newsletter\s*$",
    r"\b(abonnez-vous|inscrivez-vous)\b.{0,60}\b(newsletter|lettre d'information|infolettre)",
    r"\b(suscríbete|suscribete|regístrate)\b.{0,60}\b(boletín|newsletter)",
    r"\bnewsletter\b.{0,40}\b(abonnieren|bestellen|anmelden)\b",
    r"\b(اشترك|سجل)\b.{0,40}\b(النشرة|القائمة البريدية)",
)
DONATION = _cues(
    r"\b(donate|donation|make a gift|every gift|gift of any size|become a (member|patron|supporter|"
    r"subscriber)|support (our|independent|quality) (journalism|reporting|work)|support us|"
    r"chip in|contribute today|please (give|donate|support)|we need (you|your support|your help)|"
    r"reader[- ]funded|we don'?t (survive on|want) (clicks|advertising))\b",
    r"\b(faites un don|faire un don|soutenez(-nous)?|soutenir (notre|le) journalisme)\b",
    r"\b(haz una donación|haga una donación|dona ahora|apóyanos|apoya (nuestro|el) periodismo)\b",
    r"\b(jetzt spenden|spenden sie|unterstützen sie (uns|unseren journalismus)|werden sie mitglied)\b",
    r"(تبرع|ادعم(وا)? (الصحافة|عملنا)|ساهم في دعم)",
)
SUBSCRIPTION = _cues(
    r"\b(subscribe (now|today)|already a subscriber|subscribers? only|start your (free )?trial|"
    r"\d+ issues for|unlimited (digital )?access|log in to (continue|read))\b",
    r"\b(abonnez-vous|déjà abonné|réservé aux abonnés)\b",
    r"\b(suscríbete|ya eres suscriptor|exclusivo para suscriptores)\b",
    r"\b(jetzt abonnieren|bereits abonnent|nur für abonnenten)\b",
    r"(اشترك الآن|للمشتركين فقط)",
)
COOKIES = _cues(
    r"\b(we use cookies|this (web)?site uses cookies|by continuing to (use|browse)|accept (all )?cookies|"
    r"cookie (policy|settings|preferences))\b",
    r"\b(nous utilisons des cookies|ce site utilise des cookies|accepter les cookies)\b",
    r"\b(utilizamos cookies|este sitio (web )?utiliza cookies|usamos cookies)\b",
    r"\b(wir verwenden cookies|diese (web)?(seite|site) (verwendet|nutzt) cookies|cookies akzeptieren)\b",
    r"(ملفات تعريف الارتباط|نستخدم الكوكيز)",
)
SOCIAL = _cues(
    r"^(follow|like) (us|\w[\w .@]{0,40}) on (facebook|twitter|instagram|x|linkedin|youtube|tiktok)\b",
    r"^(reach|contact|email) the (reporters?|authors?|writers?)\b",
    r"^(suivez-nous|suivez) .{0,40}(sur|on) (facebook|twitter|instagram)",
    r"^(síguenos|sigue) .{0,40}en (facebook|twitter|instagram)",
    r"^(folgen sie uns|folgen sie) .{0,40}(auf|bei) (facebook|twitter|instagram)",
    r"^(تابعونا|تابعنا) (على|عبر)",
)
COMMENTS = _cues(
    r"\bwe('d| would) (like|love) to hear (from you|what you think)\b",
    r"\b(send us|write us) (a letter|your (thoughts|letters|feedback))\b",
    r"^(listen|watch) (to )?.{0,60}\b(live|listen back|on demand|catch up)\b",
    r"^(comments? (are|is) (closed|disabled)|you must (be )?log(ged)? ?in to (post|leave) a comment|"
    r"leave a (comment|reply)|post a comment|be the first to comment|tell us what you think|"
    r"join the (conversation|discussion)|\d* ?comments?)\s*[.!:…]*$",
    r"^(laisser un commentaire|les commentaires sont fermés|réagissez)",
    r"^(deja un comentario|los comentarios están cerrados|comentarios)\s*[.:]*$",
    r"^(kommentar schreiben|kommentare sind geschlossen|kommentare)\s*[.:]*$",
    r"^(أضف تعليق|اترك تعليقا|التعليقات)",
)
CREDIT = _cues(
    r"\((?:[A-Z][\w.&'\- ]*/)+\s*[\w.&'\- ]+\)\s*$",
    r"\b(photo|photograph|picture|image|video|illustration|credit|foto|bild|imagen|crédit)s?\s*(:|©|by)\s*\S",
    r"\b(getty images|shutterstock|afp via getty|ap photo|reuters/|epa-efe|alamy)\b",
    r"©",
    r"^(caption|légende|pie de foto|bildunterschrift)\s*:",
    r"^(صورة|الصورة)\s*:",
)
BIO = _cues(
    r"^[A-Z][\w.'\-]+(?: [A-Z][\w.'\-]+){0,3} (is|was|has been) (a|an|the) [^.]{0,80}\b(writer|reporter|"
    r"correspondent|editor|journalist|columnist|author|contributor|fellow|professor|analyst|producer)\b",
    r"^about the (author|writer)s?\b",
    r"^(reporting|additional reporting|writing|editing) by\b.{0,200}$",
    r"^[A-Z][\w.'\-]+(?: [A-Z][\w.'\-]+){0,3} (est|es|ist) (un|une|el|la|ein|eine) .{0,60}"
    r"(journaliste|rédact|periodista|corresponsal|redakteur|korrespondent|journalist)",
    r"^(à propos de l'auteur|sobre el autor|über den autor|عن الكاتب)",
)
TAGS = _cues(r"^(tags|topics|étiquettes|mots-clés|etiquetas|schlagwörter|themen|الوسوم)\s*:?\s*")
BYLINE = _cues(
    r"^(by|par|por|von|بقلم)\s+[A-Z\u0600-\u06FF][\w.'\-]+",
    r"^(published|updated|posted|publié|mis à jour|publicado|actualizado|veröffentlicht|aktualisiert|"
    r"نشر)\b",
    r"\b\d+[- ]min(ute)?s? read\b",
)

CUE_GROUPS: dict[str, re.Pattern[str]] = {
    "share": SHARE,
    "related": RELATED,
    "newsletter": NEWSLETTER,
    "donation": DONATION,
    "subscription": SUBSCRIPTION,
    "cookies": COOKIES,
    "social": SOCIAL,
    "comments": COMMENTS,
    "credit": CREDIT,
    "bio": BIO,
}

_GATES: dict[str, tuple[str, ...]] = {
    kind: tuple(keys.split("|"))
    for kind, keys in {
        "newsletter": "newsletter|inbox|sign|subscri|abonn|inscri|suscr|regíst|boletín|اشترك|سجل",
        "donation": "donat|gift|member|patron|support|chip in|contribut|please|we need|funded|clicks|advertis|"
        "don|souten|soutenir|dona|apoy|spend|unterstütz|mitglied|تبرع|ادعم|ساهم",
        "subscription": "subscri|trial|issues for|unlimited|log in|abonn|suscr|اشترك|للمشتركين",
        "cookies": "cookie|الارتباط|الكوكيز",
        "credit": "/|photo|picture|image|video|illustration|credit|crédit|foto|bild|imagen|getty|shutterstock|"
        "afp|reuters|epa|alamy|©|caption|légende|صورة",
    }.items()
}
"""Substrings one of which every cue of the group contains: a cheap test that spares most regex scans."""

_MONTHS = (
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|janv|févr|fév|avr|mai|juin|juil|août|déc|ene|abr|ago|"
    r"dic|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|janeiro|"
    r"fevereiro|março|maio|junho|julho|setembro|outubro|novembro|dezembro|januar|februar|märz|juni|juli|"
    r"okt|dez|dezember|oktober"
)
_DATEISH = re.compile(
    rf"\b\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b\d{{1,2}}:\d{{2}}\b|"
    rf"\b({_MONTHS})[a-zé]*\.? \d{{1,2}}\b|\b\d{{1,2}}\.?( de)? ({_MONTHS})[a-zé]*\b",
    re.IGNORECASE,
)
_PRONOUNS_TO_READER = re.compile(r"\b(we|our|us|you|your|nous|vous|nosotros|usted|wir|sie|ihr)\b", re.I)
_RIGHTS_RESERVED = re.compile(
    r"all rights reserved|tous droits réservés|todos los derechos reservados|alle rechte vorbehalten|"
    r"جميع الحقوق محفوظة",
    re.IGNORECASE,
)
"""A copyright notice names the publisher, not a photographer; it carries no event and is left alone."""
_NEWSLETTER_WORD = re.compile(r"newsletter|inbox|infolettre|boletín|النشرة", re.IGNORECASE)
_QUOTE_MARKS = re.compile(r"[\"“”«»„]")
_SENTENCE_END = re.compile(r"[.!?…:\"”»)]\s*$")

HEAD_WINDOW = 4
TAIL_WINDOW = 8
SHORT_WORDS = 60


@dataclass(frozen=True)
class FilterResult:
    kept: list[str]
    removed: list[str]


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_WORD.findall(text))


def words(text: str) -> int:
    return len(_WORD.findall(text))


def boilerplate_kind(paragraph: str, *, strict: bool) -> str | None:
    """Name the boilerplate kind a paragraph matches, or None.

    `strict` (used in the middle of an article) keeps only cues that cannot be prose: a photo credit
    line, a "Read more:" link, a share button, a paragraph with no words at all.
    """
    text = paragraph.strip()
    if not _WORD.search(text.replace("_", "")):
        return "separator"
    n_words = words(text)
    if n_words > SHORT_WORDS * (2 if not strict else 1):
        return None
    lowered = text.casefold()
    for kind, pattern in CUE_GROUPS.items():
        gate = _GATES.get(kind)
        if gate is not None and not any(key in lowered for key in gate):
            continue
        if strict and kind in {"donation", "subscription", "bio", "social", "comments", "newsletter"}:
            if n_words > 30 or kind in {"donation", "bio"}:
                continue
            if kind == "newsletter" and not _NEWSLETTER_WORD.search(text):
                continue
        if pattern.search(text):
            if kind == "credit" and (n_words > 40 or _is_prose_with_credit_word(text) or _RIGHTS_RESERVED.search(text)):
                continue
            if kind == "related" and n_words > 30 and not text.rstrip().endswith("]"):
                continue
            return kind
    return None


def _is_prose_with_credit_word(text: str) -> bool:
    """A sentence that mentions 'photo:' in passing is prose; a credit line ends with the credit."""
    stripped = text.strip()
    if re.search(r"\((?:[A-Z][\w.&'\- ]*/)+\s*[\w.&'\- ]+\)\s*$", stripped):
        return False
    if "©" in stripped or re.match(r"^(caption|légende|pie de foto|bildunterschrift|صورة|الصورة)", stripped, re.I):
        return False
    return bool(_QUOTE_MARKS.search(stripped)) or (words(stripped) > 25 and stripped.endswith("."))


def _headline_like(text: str) -> bool:
    """A link or teaser line: short, no sentence ending, not a quote."""
    stripped = text.strip()
    return 0 < words(stripped) <= 16 and not _SENTENCE_END.search(stripped.rstrip("|"))


def filter_paragraphs(
    paragraphs: list[str], *, title: str | None = None, headlines: tuple[str, ...] = ()
) -> FilterResult:
    """Remove boilerplate paragraphs; conservative in the middle, thorough at the head and tail.

    `headlines` are the page's other titles (h1, og:title, description): a first paragraph that
    repeats one of them is the headline or dek, not the report.
    """
    n = len(paragraphs)
    drop = [False] * n
    title_norm = _norm(title) if title else ""
    headline_tokens = [set(_norm(h).split()) for h in (title or "", *headlines) if h]

    # Head: the headline repeated, bylines, date lines, share bars, up to the first paragraph of prose.
    for i in range(min(HEAD_WINDOW, n)):
        text = paragraphs[i].strip()
        if title_norm and _norm(text) == title_norm:
            drop[i] = True
            continue
        if _is_prose(text):
            break
        if words(text) <= 14 and (BYLINE.search(text) or _DATEISH.search(text)):
            drop[i] = True
            continue
        if boilerplate_kind(text, strict=False):
            drop[i] = True
            continue
        if _is_headline(text) and _repeats_a_headline(text, headline_tokens):
            # The h1, og:title or description repeated: metadata, kept as the title, not as text.
            drop[i] = True

    # Middle: strong cues only.
    for i in range(n):
        if not drop[i] and boilerplate_kind(paragraphs[i], strict=True):
            drop[i] = True

    # A cue header ("Don't miss", "Related", "More in:") starts a list of teaser lines: drop the run.
    for i in range(n):
        text = paragraphs[i].strip()
        # "Pick Six Newsletter" is followed by the newsletter's blurb.
        if (
            drop[i]
            and words(text) <= 5
            and NEWSLETTER.search(text)
            and i + 1 < n
            and words(paragraphs[i + 1]) <= 30
            and not _QUOTE_MARKS.search(paragraphs[i + 1])
        ):
            drop[i + 1] = True
        if RELATED_HEADER.search(text):
            drop[i] = True
            j = i + 1
            while j < n and _headline_like(paragraphs[j]):
                drop[j] = True
                j += 1
        if TAGS.match(text) and i >= n - TAIL_WINDOW and words(text) <= 3:
            for j in range(i, n):
                if words(paragraphs[j]) <= 40:
                    drop[j] = True
                else:
                    break

    _peel_tail(paragraphs, drop)
    kept = [p for p, d in zip(paragraphs, drop, strict=True) if not d]
    removed = [p for p, d in zip(paragraphs, drop, strict=True) if d]
    return FilterResult(kept=kept, removed=removed)


def _peel_tail(paragraphs: list[str], drop: list[bool]) -> None:
    """Walk back from the end, removing boilerplate until the first paragraph of real prose.

    An appeal often opens with a slogan that carries no cue of its own ("This is the world we cover."):
    a short, unquoted paragraph addressing the reader that sits right before a detected appeal goes too.
    Teaser lines at the very end go only once a cue shows that the tail is boilerplate.
    """
    n = len(paragraphs)
    start = max(0, n - TAIL_WINDOW)
    seen_cue = False
    i = n - 1
    while i >= start:
        text = paragraphs[i].strip()
        kind = boilerplate_kind(text, strict=False)
        if kind:
            drop[i] = True
            seen_cue = True
            if kind in {"donation", "subscription"}:
                _drop_appeal_preamble(paragraphs, drop, i)
        elif drop[i]:
            seen_cue = True
        elif _teaser_line(text) and (seen_cue or (i > 0 and _teaser_line(paragraphs[i - 1]))):
            drop[i] = True
            seen_cue = True
        else:
            break
        i -= 1


def _teaser_line(text: str) -> bool:
    """A link to another article: a short headline with a section separator or an all-caps tag."""
    return _headline_like(text) and bool(re.search(r" [|•·] |(?-i:\[[A-Z][A-Z ]{2,20}\])", text))


def _is_headline(text: str) -> bool:
    stripped = text.strip()
    return 0 < words(stripped) <= 25 and not re.search(r"[.!:;\"”»]\s*$", stripped)


def _repeats_a_headline(text: str, headline_tokens: list[set[str]]) -> bool:
    tokens = set(_norm(text).split())
    if len(tokens) < 3:
        return False
    return any(candidate and len(tokens & candidate) / len(tokens | candidate) >= 0.8 for candidate in headline_tokens)


def _is_prose(text: str) -> bool:
    return words(text) >= 15 and bool(_SENTENCE_END.search(text))


def _drop_appeal_preamble(paragraphs: list[str], drop: list[bool], appeal_index: int) -> None:
    j = appeal_index - 1
    while j >= 0 and appeal_index - j <= 2:
        text = paragraphs[j].strip()
        if words(text) <= 25 and not _QUOTE_MARKS.search(text) and _PRONOUNS_TO_READER.search(text):
            drop[j] = True
            j -= 1
        else:
            break
