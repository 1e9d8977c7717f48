# Rule: a trajectory names its coordinating ministry (or says that the deck names none).
# Mutation: the Kamerbrief with the vision on the economy in 2050 loses EZK.
#+ expect_nl: ministerie|coördin|coordin|departement|bewindspersoon
#+ expect_en: ministry|coordinat|department
PREFIX amkg: <https://w3id.org/amkg/def#>
PREFIX kg: <https://w3id.org/amkg/id/>
DELETE WHERE { kg:traject-kamerbrief-visie-economie-2050 amkg:coordinatedBy ?ministry }
