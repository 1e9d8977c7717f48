# Breaks time-duration-matches-dates.rq: a one-month planning that ends in the next month.
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX amkg: <https://w3id.org/amkg/def#>
PREFIX kg: <https://w3id.org/amkg/id/>
DELETE DATA { kg:planning-2023-01 amkg:periodEnd "2023-01-31"^^xsd:date } ;
INSERT DATA { kg:planning-2023-01 amkg:periodEnd "2023-02-28"^^xsd:date }
