"""Choices whose members carry the colour they are shown in beside their label.

Each app's choices.py holds its values with their label and their colour:
the NHS.UK tag colour a value is shown in. A member is declared as
`NAME = value, label, colour`:

    class SettlementStatus(ColourTextChoices):
        DRAFT = "draft", "Draft", "yellow"
        SIGNED_OFF = "signed_off", "Signed off", "green"

    SettlementStatus.DRAFT.label     # "Draft"
    SettlementStatus.DRAFT.colour    # "yellow"
    SettlementStatus.DRAFT.css       # "nhsuk-tag--yellow"
    SettlementStatus("draft").tag    # {"text": "Draft", "css": "nhsuk-tag--yellow"},
                                     # as core.views.tag("Draft", "yellow")

The colour is taken off each member before Django's ChoicesType sees it, so
`choices`, `labels` and `values` are Django's own (value, label) pairs:
forms and model fields see what they saw before and no migration mentions
a colour. Every member must give its colour, one of NHS_TAG_COLOURS: a
member without one is a TypeError when the class is created.

A value shown in the project's own tag styles (frontend/concord.scss)
names them with the `css` class keyword, a format string for the class;
its colours are then that stylesheet's names:

    class Rating(ColourTextChoices, css="concord-rating--{}"):
        GOOD = "good", "Good", "good"   # class "concord-rating--good"
"""

from django.db.models.enums import ChoicesType, TextChoices

# The colour modifiers of nhsuk-frontend's tag (.nhsuk-tag--<colour>).
NHS_TAG_COLOURS = frozenset(
    {"white", "grey", "green", "aqua-green", "blue", "purple", "pink", "red", "orange", "yellow"}
)
NHS_TAG_CSS = "nhsuk-tag--{}"


def tag_css(colour: str) -> str:
    """The class of an NHS.UK tag of `colour`; "" (no colour) is the plain tag."""
    return NHS_TAG_CSS.format(colour) if colour else ""


class ColourChoicesType(ChoicesType):
    """ChoicesType for members declared as `value, label, colour`."""

    def __new__(metacls, classname, bases, classdict, *, css=NHS_TAG_CSS, **kwds):
        colours = []
        for key in classdict._member_names:
            value = classdict[key]
            if not (isinstance(value, tuple) and len(value) >= 3 and isinstance(value[-1], str)):
                raise TypeError(
                    f"{classname}.{key} must give its colour: "
                    f"{key} = value, label, colour (got {value!r})"
                )
            *value, colour = value
            if css == NHS_TAG_CSS and colour not in NHS_TAG_COLOURS:
                raise TypeError(
                    f"{classname}.{key}: {colour!r} is not an NHS.UK tag colour "
                    f"({', '.join(sorted(NHS_TAG_COLOURS))})"
                )
            if not colour:
                raise TypeError(f"{classname}.{key} must give its colour")
            colours.append(colour)
            # As Django does: bypass the enum classdict's guard against reassignment.
            dict.__setitem__(classdict, key, tuple(value))
        cls = super().__new__(metacls, classname, bases, classdict, **kwds)
        cls._tag_css = css
        for member, colour in zip(cls.__members__.values(), colours, strict=True):
            member._colour_ = colour
        return cls

    @classmethod
    def __prepare__(metacls, classname, bases, *, css=NHS_TAG_CSS, **kwds):
        return super().__prepare__(classname, bases, **kwds)


class ColourTextChoices(TextChoices, metaclass=ColourChoicesType):
    """TextChoices whose members are `NAME = value, label, colour`."""

    @property
    def colour(self) -> str:
        return self._colour_

    @property
    def css(self) -> str:
        """The CSS class that colours the member's tag."""
        return type(self)._tag_css.format(self.colour)

    @property
    def tag(self) -> dict:
        """The member as a tag (templates/contracts/_tag.html), as core.views.tag."""
        return {"text": self.label, "css": self.css}
