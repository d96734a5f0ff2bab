"""The reporting IG's URLs and the FFB value sets its bindings name, beside those the
OrderMessage already holds (`orders.fhir.FFB_VALUE_SETS`)."""

from orders.fhir import CARE_SOCIAL, FFB, FFB_VALUE_SETS

IG = "http://fhir.kl.dk/ffbreporting"
PROFILE = f"{IG}/StructureDefinition"
PROFILES = {
    name: f"{PROFILE}/kl-reporting-ffb-{name}"
    for name in (
        "deliveryReport",
        "citizen",
        "serviceRequest",
        "informationGathering",
        "condition",
        "targetGroup",
        "interventionGoal",
        "carePlan",
        "intervention",
        "careEvaluation",
        "followUp",
        "followUpEncounter",
        "servicePerformer",
    )
}
CASE_NUMBER_EXTENSION = f"{PROFILE}/kl-reporting-ffb-municipalityCaseNumber"
FOLLOW_UP_DATE_EXTENSION = f"{PROFILE}/kl-reporting-ffb-follow-up-date-extension"
KL_CORE = "http://fhir.kl.dk/core/StructureDefinition"
CONDITION_LAST_ASSERTED = f"{KL_CORE}/ConditionLastAssertedDate"
BASED_ON_SERVICE_REQUEST = f"{KL_CORE}/BasedOnServiceRequest"
KOMBIT_ORGANISATION = "https://www.kombit.dk/organisation"
SNOMED = "http://snomed.info/sct"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"

# Fixed codes of the profiles (digest §2).
GOAL_DESCRIPTION = "410518001"  # SNOMED, InterventionGoal.description.coding
FOLLOW_UP_CODE = "712744002"  # SNOMED, FollowUp.code.coding
SUPPORT_NEED_EVALUATION = "effe55c7-572c-4a99-8fb4-2a9dda2f6572"  # CareSocialCodes
FOLLOW_UP_ENCOUNTER_TYPE = "9f03dfbb-7a97-45a5-94db-d4c3501714a9"  # CareSocialCodes, opfølgning

# Generated from ../shared/domain/ffb-codes/<name>.csv (kl-term c32a6c2e, FFB 20240530);
# tests/test_ffb_reporting.py checks that each equals its CSV.
VALUE_SETS: dict[str, dict[str, str]] = {
    **FFB_VALUE_SETS,
    "KLConditionFFCodesFFB": {
        "4934e45a-0f93-4c23-a767-2b681378700b": "Bevidsthedstilstand",
        "3b4bcb40-f761-46a5-bc5f-b30ac37c88ed": "Bevægelse",
        "35c56275-0093-4901-9fd8-d06fdb5cb8f3": "Boligsituation",
        "e6f82424-da5a-41d1-bd1a-5796aa79d5f2": "Døgnrytme",
        "7a8f247b-baf8-4552-95bb-acf8ef004b74": "Familiesituation",
        "69dbfad7-859a-4596-8737-8054f6b4948f": "Fysisk helbred",
        "dccaa419-0bcd-4056-a11a-2e385e23edc6": "Følelser og adfærd",
        "61452fe5-cea2-4d92-b2f1-406e9a5d31cb": "Hukommelse",
        "eb3599bc-c0bb-4281-8a1c-bf6eab8ffde3": "Hørelse",
        "8028b034-cad2-42df-b51c-aaba9c0bba61": "Igangsætning og motivation",
        "6279a3dc-7085-4157-809c-f96922242b1b": "Indsigt i egen situation",
        "ef4271c4-f942-4194-a2b0-e9a7045eab22": "Intellektuelle funktioner",
        "52efa2e9-e0dc-41eb-8c01-9865e2fdebae": "Interesser",
        "c67aed23-d4f3-4ae6-8886-156c99048e5b": "Kost",
        "83cf43f1-6d71-477c-8583-2e28755b41d3": "Kriminalitet",
        "0b650369-258a-4d01-a811-42b306c2f89d": "Motion",
        "17c35058-eb88-4a7a-8727-74cd12be42c7": "Opmærksomhed og koncentrationsevne",
        "9c2173e6-6465-44d3-af16-7c44059193b2": "Organisering og planlægning",
        "f7c0ef6c-18ba-4d38-9df5-4c891f154a08": "Orienteringsevne",
        "b93216fa-3843-4a7e-85bc-e3ef35a1967f": "Problemløsning",
        "e993d8c3-b7d7-4d72-9be2-937e5ba38b5a": "Prostitution",
        "52e0b8dd-f5fa-4e1a-b66e-f5e4a41bd313": "Psykosociale funktioner",
        "c8f4475a-8de3-4920-ad0c-eea78c49a68d": "Rusmidler",
        "b37419b3-c5f2-43e9-9e9d-4037b06b3fa5": "Smerte og sansefunktioner",
        "1a6585e7-25a6-4518-9384-8f6290f879cc": "Stemme og tale",
        "081ab1be-7dc1-41fa-803c-12a146eb0b74": "Sundhedsfaglig behandling og træning",
        "9959e779-e8ee-47e8-989b-bbff4aae2883": "Syn",
        "83376fdb-f55d-4dd9-944e-b49631a9836f": "Søvn",
        "f5b8e809-7689-4952-838c-a069c99408b3": "Tobak",
        "d493a97d-6036-423d-87ff-c2a086e9d664": "Traumatiske oplevelser",
        "f695cec7-2b39-4c7e-8731-da8558a4fb3f": "Uddannelse og job",
        "3591c972-5b15-4bbd-86c7-91622cda56e8": "Virkelighedsopfattelse",
        "08aa68ce-acd6-4e03-b6b5-091811324345": "Økonomisk situation",
    },
    "KLConditionOCodesFFB": {
        "83342ff3-5f2e-4914-b045-e98357685866": "Boligområde",
        "22eef871-6650-426f-8b79-8d40a6c62808": "Holdninger i omgivelserne",
        "df194a84-6e4b-4f14-a194-d8d9d9a1fcad": "Personer i netværk",
    },
    "KLNeedsAssessmentCodesFFB": {
        "e99763d6-6c43-4969-ad52-2b1a7055f9dc": "Fuldstændigt støttebehov",
        "b99a0790-4d70-4152-b149-3fe58b745583": "Højt støttebehov",
        "2254dac8-8aa3-4334-8502-9720194f49ad": "Ikke vurderet",
        "ae9f388a-91c3-46cf-af55-f81952f2977c": "Intet støttebehov",
        "dd628e73-d6c9-4837-a2b8-aa62d73bd6ae": "Let støttebehov",
        "401a397b-b3aa-4ca3-8b23-bd8f99dd3f76": "Moderat støttebehov",
    },
    "KLFollowUpCodesFFB": {
        "d7d03656-4c87-4e67-9146-aa5990460f16": "Træf afgørelse om afslutning af indsats",
        "b4c01aa8-82fd-44e4-83ff-ca19ec02c779": "Træf afgørelse om afslutning af indsats og visiter til ny",  # noqa: E501
        "1e971d84-10a4-4ef8-a8b3-0daa4c7d088a": "Træf afgørelse om fortsættelse af indsats",
    },
}
VALUE_SETS["KLConditionCodesFFB"] = {
    **VALUE_SETS["KLConditionFFCodesFFB"],
    **VALUE_SETS["KLConditionADCodesFFB"],
    **VALUE_SETS["KLConditionOCodesFFB"],
}
AD_CODES = frozenset(VALUE_SETS["KLConditionADCodesFFB"])
VALUE_SET_URL = "http://fhir.kl.dk/term/ValueSet/"

__all__ = ["CARE_SOCIAL", "FFB"]
