# Breaks skos-mapping-on-concepts.rq: a ministry linked to TOOI with skos:closeMatch (as it was).
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX amkg: <https://w3id.org/amkg/def#>
PREFIX kg: <https://w3id.org/amkg/id/>
INSERT DATA { kg:szw skos:closeMatch <https://identifier.overheid.nl/tooi/id/ministerie/mnre1073> }
