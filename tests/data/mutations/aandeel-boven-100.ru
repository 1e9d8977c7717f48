# Rule: a percentage lies between 0 and 100.
# Mutation: the share of pedagogisch medewerkers in their occupational group (28%) becomes 120%.
#+ expect_nl: percentage|procent|aandeel|100
#+ expect_en: percent|share|100
PREFIX amkg: <https://w3id.org/amkg/def#>
PREFIX kg: <https://w3id.org/amkg/id/>
PREFIX sdmx-attribute: <http://purl.org/linked-data/sdmx/2009/attribute#>
DELETE { ?obs amkg:value ?value ; amkg:printedValue ?printed }
INSERT { ?obs amkg:value 120.0 ; amkg:printedValue "120%" }
WHERE {
  ?obs amkg:occupation kg:beroep-pedagogisch-medewerkers ; sdmx-attribute:unitMeasure amkg:unitPercent ;
       amkg:value ?value ; amkg:printedValue ?printed .
}
