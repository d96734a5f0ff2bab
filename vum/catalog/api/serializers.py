"""Read-only representations of the reference data."""

from rest_framework import serializers

from vum.calendar import Unit
from vum.catalog import models as m

UNIT_HELP = "Enhed (vum.calendar.Unit): " + ", ".join(Unit.values) + "; tom hvis ikke oplyst."
VERSION = ("slug", "version", "gyldig_fra", "gyldig_til")
FFB = ("ffb_kode", "kodesystem_version", "definition")


class KategoriSerializer(serializers.ModelSerializer[m.Kategori]):
    class Meta:
        model = m.Kategori
        fields = ("id", "navn", "raekkefoelge", "scores", *FFB, *VERSION)


class TemaSerializer(serializers.ModelSerializer[m.Tema]):
    kategori = KategoriSerializer(read_only=True)

    class Meta:
        model = m.Tema
        fields = ("id", "navn", "raekkefoelge", "kategori", *FFB, *VERSION)


class UndertemaSerializer(serializers.ModelSerializer[m.Undertema]):
    class Meta:
        model = m.Undertema
        fields = ("id", "navn", "raekkefoelge", "tema", "scores", *FFB, *VERSION)


class FunktionsevneniveauSerializer(serializers.ModelSerializer[m.Funktionsevneniveau]):
    class Meta:
        model = m.Funktionsevneniveau
        fields = ("id", "vaerdi", "navn", "synonymer", "kriterium", *FFB, *VERSION)


class StoettebehovSerializer(serializers.ModelSerializer[m.Stoettebehov]):
    class Meta:
        model = m.Stoettebehov
        fields = ("id", "vaerdi", "navn", "synonymer", "kriterium", *FFB, *VERSION)


class MaaltypeSerializer(serializers.ModelSerializer[m.Maaltype]):
    class Meta:
        model = m.Maaltype
        fields = ("id", "navn", "raekkefoelge", *FFB, *VERSION)


class FremadrettetSerializer(serializers.ModelSerializer[m.Fremadrettet]):
    class Meta:
        model = m.Fremadrettet
        fields = ("id", "navn", "raekkefoelge", *VERSION)


class StatusPaaIndsatsSerializer(serializers.ModelSerializer[m.StatusPaaIndsats]):
    class Meta:
        model = m.StatusPaaIndsats
        fields = ("id", "navn", "raekkefoelge", *FFB, *VERSION)


class VisitationsudfaldSerializer(serializers.ModelSerializer[m.Visitationsudfald]):
    class Meta:
        model = m.Visitationsudfald
        fields = ("id", "navn", "raekkefoelge", *VERSION)


class MaalgruppeSerializer(serializers.ModelSerializer[m.Maalgruppe]):
    class Meta:
        model = m.Maalgruppe
        fields = ("id", "navn", "raekkefoelge", "parent", "kan_vaelges", *FFB, *VERSION)


class YdelseSerializer(serializers.ModelSerializer[m.Ydelse]):
    class Meta:
        model = m.Ydelse
        fields = ("id", "navn", "raekkefoelge", "parent", "lovgrundlag", *FFB, *VERSION)


class TilbudstypeSerializer(serializers.ModelSerializer[m.Tilbudstype]):
    class Meta:
        model = m.Tilbudstype
        fields = ("id", "navn", "raekkefoelge", "parent", "lovgrundlag", *FFB, *VERSION)


class KommuneSerializer(serializers.ModelSerializer[m.Kommune]):
    class Meta:
        model = m.Kommune
        fields = ("id", "slug", "navn", "klagefrist_uger", "fristmaal_procent", "bemaerkninger")


class LovhenvisningSerializer(serializers.ModelSerializer[m.Lovhenvisning]):
    kommune: serializers.SlugRelatedField[m.Kommune] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    henvisning = serializers.CharField(read_only=True)

    class Meta:
        model = m.Lovhenvisning
        fields = (
            "id",
            "navn",
            "kommune",
            "henvisning",
            "lov",
            "forkortelse",
            "nummer",
            "dato",
            "paragraf",
            "stk",
            "lovtekst",
            "kilde",
            *VERSION,
        )


class HjemmelSerializer(serializers.ModelSerializer[m.Hjemmel]):
    lovhenvisning = LovhenvisningSerializer(read_only=True)

    class Meta:
        model = m.Hjemmel
        fields = (
            "id",
            "navn",
            "lovhenvisning",
            "pligt",
            "klageadgang",
            "varsel_uger",
            "bemaerkning",
        )


class NiveauSerializer(serializers.ModelSerializer[m.Niveau]):
    class Meta:
        model = m.Niveau
        fields = ("kode", "navn", "beskrivelse", "kontaktfrekvens", "raekkefoelge")


class SagsbehandlingsfristSerializer(serializers.ModelSerializer[m.Sagsbehandlingsfrist]):
    class Meta:
        model = m.Sagsbehandlingsfrist
        fields = ("ansoegningstype", "vaerdi", "enhed", "startbegivenhed", "kilde")


class TakstSerializer(serializers.ModelSerializer[m.Takst]):
    class Meta:
        model = m.Takst
        fields = ("aar", "beskrivelse", "fra_kr", "til_kr", "beloeb_kr", "enhed")


class KommunalYdelseSerializer(serializers.ModelSerializer[m.KommunalYdelse]):
    kommune: serializers.SlugRelatedField[m.Kommune] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    hjemler = HjemmelSerializer(many=True, read_only=True)
    ffb_ydelser: serializers.SlugRelatedField[m.Ydelse] = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True
    )
    niveauer = NiveauSerializer(many=True, read_only=True)
    sagsbehandlingsfrister = SagsbehandlingsfristSerializer(many=True, read_only=True)
    takster = TakstSerializer(many=True, read_only=True)
    # Plain strings: the schema names the vum.calendar.Unit enum once, after `enhed` above.
    maks_varighed_enhed = serializers.CharField(read_only=True, help_text=UNIT_HELP)
    opfoelgning_enhed = serializers.CharField(read_only=True, help_text=UNIT_HELP)

    class Meta:
        model = m.KommunalYdelse
        exclude = ("katalog",)
