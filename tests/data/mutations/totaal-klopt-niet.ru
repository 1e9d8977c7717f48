# Rule: a total the deck prints equals the sum of its parts.
# Mutation: the total of open vacancies in Q3 2022 (116.500) becomes 117.500.
#+ expect_nl: totaal|som|opgeteld|optel|delen
#+ expect_en: total|sum|add|parts
PREFIX amkg: <https://w3id.org/amkg/def#>
DELETE { ?total amkg:value ?value ; amkg:printedValue ?printed }
INSERT { ?total amkg:value 117500 ; amkg:printedValue "117.500" }
WHERE {
  ?total amkg:isTotal true ; amkg:refPeriod "Q3 2022"@nl ;
         amkg:value ?value ; amkg:printedValue ?printed .
  FILTER(?value = 116500)
}
