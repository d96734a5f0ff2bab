"""The code form of the second factor. It only reads the six digits; whether they are right is
for `vum.accounts.two_factor`."""

import re

from django import forms

CODE_LENGTH = 6


class KodeForm(forms.Form):
    kode = forms.CharField(
        label="Kode fra din autentificeringsapp",
        help_text="De 6 cifre, appen viser lige nu.",
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "size": "8",
                "spellcheck": "false",
            }
        ),
        error_messages={"required": "Skriv koden fra din autentificeringsapp."},
    )

    def clean_kode(self) -> str:
        # Apps show the code as "123 456"; a pasted one may carry the space or a dash.
        code = re.sub(r"[\s-]", "", self.cleaned_data["kode"])
        if not re.fullmatch(rf"\d{{{CODE_LENGTH}}}", code):
            raise forms.ValidationError(f"Koden skal være {CODE_LENGTH} cifre.")
        return code
