"""NHS numbers: ten digits, the last a modulus 11 check digit (NHS Data Dictionary)."""

import unicodedata

# What receptionists type between the groups of digits: '943 476 5919', '943-476-5919'.
SEPARATORS = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2212")


def normalise_nhs_number(value: str) -> str:
    """ASCII digits only, whatever digits were typed.

    NFKC first (full-width digits, superscript '²'), then every decimal digit of any script as its
    ASCII digit (Arabic-Indic '٩', Devanagari '९'), so one number is always stored one way.
    Spaces and dashes go; anything else stays, for the validator to refuse.
    """
    out = []
    for ch in unicodedata.normalize("NFKC", value):
        if ch.isspace() or ch in SEPARATORS:
            continue
        out.append(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch)
    return "".join(out)


def nhs_number_is_valid(number: str) -> bool:
    if len(number) != 10 or not (number.isascii() and number.isdigit()):
        return False
    total = sum(
        int(digit) * weight for digit, weight in zip(number[:9], range(10, 1, -1), strict=True)
    )
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(number[9])


def format_nhs_number(number: str) -> str:
    return f"{number[:3]} {number[3:6]} {number[6:]}" if len(number) == 10 else number
