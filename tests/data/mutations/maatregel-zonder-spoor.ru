# Rule: every measure belongs to at least one track.
# Mutation: the housing obligation (huisvestingsplicht) loses its track.
#+ expect_nl: spoor
#+ expect_en: track
PREFIX amkg: <https://w3id.org/amkg/def#>
PREFIX kg: <https://w3id.org/amkg/id/>
DELETE WHERE { kg:maatregel-huisvestingsplicht amkg:belongsToTrack ?track }
