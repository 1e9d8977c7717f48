# Rule: every resource has a Dutch rdfs:label (and an English one).
# Mutation: the SER loses its Dutch label.
#+ expect_nl: label|Nederlands|naam
#+ expect_en: label|Dutch|name
PREFIX kg: <https://w3id.org/amkg/id/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
DELETE { kg:ser rdfs:label ?label }
WHERE { kg:ser rdfs:label ?label FILTER(langMatches(lang(?label), "nl")) }
