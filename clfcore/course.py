"""The course material: five teaching documents, each shown by a name that says what it is.

The documents are numbered 000 to 004 in the course material. The UI never shows that number (next
to the random-seed setting it would read as one): it shows the document's name from ``DOCUMENTS``,
the one table every page and architecture description takes it from.

    >>> document_name("004")
    'Course notes on CNNs'
    >>> cite("004", "the LeNet architecture")
    'Course notes on CNNs: the LeNet architecture'
"""

from __future__ import annotations

from clfcore.i18n import N_, translate

DOCUMENTS: dict[str, str] = {  # document number -> display name (an English msgid)
    "000": N_("Course notes on training and classification in Keras"),
    "001": N_("Course practice 1 (a first deep network with Keras)"),
    "002": N_("Course practice on CNNs for CIFAR-10 with data augmentation"),
    "003": N_("Course guide to image recognition with TensorFlow and Keras"),
    "004": N_("Course notes on CNNs"),
}


def document_name(document: str, lang: str = "en") -> str:
    """The display name of course document ``document`` ("000" ... "004") in ``lang``."""
    return translate(DOCUMENTS[document], lang)


def cite(document: str, section: str, lang: str = "en") -> str:
    """Where something comes from in the course: the document's name, then ``section`` (a msgid)."""
    return translate(
        "{document}: {section}",
        lang,
        document=document_name(document, lang),
        section=translate(section, lang),
    )
